/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ptrace: each stub thread is traced by the Sentry thread that first switches
 * into it and resumed with PTRACE_SYSEMU, so every syscall stops at entry and
 * is never executed by the host; faults arrive as signal-delivery stops and
 * are suppressed.  The stub threads use the same confined stub process as
 * systrap (same namespaces and seccomp filter: under SYSEMU the filter never
 * sees the application's syscalls, it still bounds the gadget).
 *
 * Limitation: ptrace does not expose the x86 page-fault error code, so the
 * access type is inferred: fetch if the address is the instruction pointer,
 * write if the page is readable (a read would not have faulted), else read.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/macro.h"
#include "platform/platform_impl.h"

#ifndef NT_X86_XSTATE
#define NT_X86_XSTATE 0x202
#endif
#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

_Static_assert(sizeof(struct plat_regs) == sizeof(struct user_regs_struct),
	       "plat_regs mirrors user_regs_struct");

static pid_t self_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static int wait_stop(pid_t tid, int *ret_status)
{
	int st;
	pid_t r;

	do
		r = waitpid(tid, &st, __WALL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == ECHILD ? -ESRCH : neg_errno();
	if (!WIFSTOPPED(st))
		return -ESRCH; /* exited or killed */
	*ret_status = st;
	return 0;
}

static int seize(struct plat_ctx *ctx)
{
	int st, r;

	if (ptrace(PTRACE_SEIZE, ctx->tid, 0, PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD) < 0)
		return neg_errno();
	if (ptrace(PTRACE_INTERRUPT, ctx->tid, 0, 0) < 0)
		return neg_errno();
	/* The thread is parked in FUTEX_WAIT; the interrupt stops it there.
	 * Any signal stop that races with it is simply absorbed. */
	for (;;) {
		r = wait_stop(ctx->tid, &st);
		if (r < 0)
			return r;
		if ((st >> 16) == PTRACE_EVENT_STOP)
			break;
		if (ptrace(PTRACE_CONT, ctx->tid, 0, 0) < 0)
			return neg_errno();
	}
	ctx->tracer = self_tid();
	ctx->seized = 1;
	return 0;
}

static int ptrace_ctx_init(struct plat_ctx *ctx)
{
	/* Seized lazily by the thread that switches into it. */
	ctx->fp_cache = calloc(1, sizeof(*ctx->fp_cache));
	ctx->bound_cpu = -1;
	if (!ctx->fp_cache)
		return -ENOMEM;
	return stub_pidfd_tid(ctx->pidfd, &ctx->tid);
}

static void ptrace_ctx_fini(struct plat_ctx *ctx)
{
	struct stub_code code;
	struct user_regs_struct regs;
	int st;

	free(ctx->fp_cache);
	ctx->fp_cache = NULL;
	if (ctx->bound_cpu >= 0 && ctx->tracer == self_tid())
		(void)sched_setaffinity(0, sizeof(ctx->tracer_mask), &ctx->tracer_mask);
	if (ctx->dead || stub_pidfd_dead(ctx->as->sp->pidfd))
		goto reap;
	if (!ctx->seized && seize(ctx) < 0)
		return;
	if (ctx->tracer != self_tid())
		return; /* only the tracer can steer it; plat_as_destroy kills it */
	/* Make the thread run exit(0) through the stub's gadget. */
	stub_code_get(&code);
	if (ptrace(PTRACE_GETREGS, ctx->tid, 0, &regs) < 0)
		goto reap;
	regs.rip = STUB_BASE + code.off_gadget;
	regs.rax = SYS_exit;
	regs.rdi = 0;
	regs.orig_rax = (unsigned long long)-1;
	if (ptrace(PTRACE_SETREGS, ctx->tid, 0, &regs) < 0 ||
	    ptrace(PTRACE_CONT, ctx->tid, 0, 0) < 0)
		goto reap;
reap:
	while (waitpid(ctx->tid, &st, __WALL) == ctx->tid && WIFSTOPPED(st))
		if (ptrace(PTRACE_CONT, ctx->tid, 0, 0) < 0)
			break;
}

/*
 * FP state: each stop reads the thread's XSAVE image into ctx->fp_cache;
 * the next resume writes it back only if the caller changed it, which saves
 * a ptrace round trip (each one waits for the tracee to be off CPU).
 */
static int fp_set(struct plat_ctx *ctx, const struct plat_fpstate *fp)
{
	struct plat_fpstate *cache = ctx->fp_cache;
	struct iovec iov = { .iov_base = cache->data, .iov_len = cache->size };
	size_t n;

	if (cache->size == 0) {
		iov.iov_len = sizeof(cache->data);
		if (ptrace(PTRACE_GETREGSET, ctx->tid, NT_X86_XSTATE, &iov) < 0)
			return neg_errno();
		cache->size = (uint32_t)iov.iov_len;
		ctx->fp_clean = 0;
	}
	if (fp->size == 0) {
		memset(cache->data, 0, MIN((size_t)464, iov.iov_len));
		*(uint16_t *)cache->data = 0x37f;         /* fcw */
		*(uint32_t *)(cache->data + 24) = 0x1f80; /* mxcsr */
		*(uint32_t *)(cache->data + 28) = 0xffff; /* mxcsr_mask */
		if (iov.iov_len >= 576) {
			memset(cache->data + 512, 0, 64);
			*(uint64_t *)(cache->data + 512) = 3;
		}
	} else {
		n = MIN((size_t)fp->size, iov.iov_len);
		/* Unchanged since the last stop?  (The software bytes differ by
		 * construction, see fp_get.) */
		if (ctx->fp_clean && n == iov.iov_len && !memcmp(cache->data, fp->data, 464) &&
		    !memcmp(cache->data + 512, fp->data + 512, n - 512))
			return 0;
		memcpy(cache->data, fp->data, MIN(n, (size_t)464));
		if (n > 512)
			memcpy(cache->data + 512, fp->data + 512, n - 512);
		*(uint32_t *)(cache->data + 24) &= 0xffff;
		if (iov.iov_len >= 576) {
			/* x87 and SSE always come from the legacy area we just
			 * wrote, even if the last XSAVE found them in init state. */
			*(uint64_t *)(cache->data + 512) |= 3;
			*(uint64_t *)(cache->data + 520) = 0; /* xcomp_bv */
		}
	}
	ctx->fp_clean = 0;
	if (ptrace(PTRACE_SETREGSET, ctx->tid, NT_X86_XSTATE, &iov) < 0)
		return neg_errno();
	return 0;
}

static int fp_get(struct plat_ctx *ctx, struct plat_fpstate *fp)
{
	struct plat_fpstate *cache = ctx->fp_cache;
	struct iovec iov = { .iov_base = cache->data, .iov_len = sizeof(cache->data) };

	if (ptrace(PTRACE_GETREGSET, ctx->tid, NT_X86_XSTATE, &iov) < 0)
		return neg_errno();
	cache->size = (uint32_t)iov.iov_len;
	ctx->fp_clean = 1;
	fp->size = cache->size;
	memcpy(fp->data, cache->data, cache->size);
	/* ptrace puts XCR0 at offset 464; the interface promises the signal
	 * frame's software bytes there (as systrap returns them). */
	if (fp->size >= 576) {
		uint32_t sw[12] = { 0x46505853U /* FP_XSTATE_MAGIC1 */, fp->size + 4 };

		memcpy(&sw[2], cache->data + 464, 8); /* xfeatures = XCR0 */
		sw[4] = fp->size;
		memcpy(fp->data + 464, sw, sizeof(sw));
	}
	return 0;
}

/* Keep tracer and tracee on one CPU: a ptrace stop/resume is a pair of
 * wake-ups, far cheaper on one core than across cores on this kind of
 * machine (measured: 6.8 us vs 45 us for SYSEMU+wait).  The tracer thread is
 * pinned to the CPU it was on at its first switch and gets its original
 * affinity back when the context is destroyed. */
static void bind_to_tracer_cpu(struct plat_ctx *ctx)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0 || cpu == ctx->bound_cpu)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (ctx->bound_cpu < 0 && sched_getaffinity(0, sizeof(ctx->tracer_mask), &ctx->tracer_mask) < 0)
		return;
	if (sched_setaffinity(ctx->tid, sizeof(set), &set) == 0 &&
	    sched_setaffinity(0, sizeof(set), &set) == 0)
		ctx->bound_cpu = cpu;
}

static unsigned infer_access(struct plat_ctx *ctx, uint64_t addr, uint64_t rip)
{
	char b;

	if (addr == rip)
		return PLAT_ACCESS_EXEC;
	if (plat_as_read(ctx->as, addr, &b, 1) == 1)
		return PLAT_ACCESS_WRITE;
	return PLAT_ACCESS_READ;
}

static int ptrace_ctx_switch(struct plat_ctx *ctx, struct plat_cpu *cpu, struct plat_exit *exit)
{
	struct plat_regs regs = cpu->regs;
	int st, r = 0;

	if (!ctx->seized) {
		r = seize(ctx);
		if (r < 0)
			return r;
	} else if (ctx->tracer != self_tid()) {
		return -EXDEV;
	}
	regs.orig_rax = (uint64_t)-1; /* no syscall restart on resume */
	if (ptrace(PTRACE_SETREGS, ctx->tid, 0, &regs) < 0)
		goto gone;
	r = fp_set(ctx, &cpu->fp);
	if (r < 0)
		goto gone;
	bind_to_tracer_cpu(ctx);

	for (;;) {
		siginfo_t si;
		int sig;

		if (ptrace(PTRACE_SYSEMU, ctx->tid, 0, 0) < 0)
			goto gone;
		r = wait_stop(ctx->tid, &st);
		if (r < 0)
			goto gone;
		sig = WSTOPSIG(st);
		if ((st >> 16) == PTRACE_EVENT_STOP)
			continue; /* group stop / stray interrupt: keep going */
		if (ptrace(PTRACE_GETREGS, ctx->tid, 0, &cpu->regs) < 0 || fp_get(ctx, &cpu->fp) < 0)
			goto gone;
		if (sig == (SIGTRAP | 0x80)) {
			memset(exit, 0, sizeof(*exit));
			exit->reason = PLAT_EXIT_SYSCALL;
			exit->signo = SIGSYS;
			cpu->regs.rax = cpu->regs.orig_rax;
			return 0;
		}
		if (ptrace(PTRACE_GETSIGINFO, ctx->tid, 0, &si) < 0)
			goto gone;
		/* The signal is suppressed: the next resume passes 0. */
		plat_exit_from_signal(exit, sig, si.si_code, (uint64_t)si.si_addr, 0, 0);
		if (exit->reason == PLAT_EXIT_FAULT && (sig == SIGSEGV || sig == SIGBUS))
			exit->access = infer_access(ctx, exit->addr, cpu->regs.rip);
		return 0;
	}
gone:
	if (r == -ESRCH || errno == ESRCH || stub_pidfd_dead(ctx->as->sp->pidfd)) {
		ctx->dead = 1;
		return -ESRCH;
	}
	return neg_errno();
}

const struct plat_ops plat_ptrace_ops = {
	.name = "ptrace",
	.ptrace_mode = 1,
	.ctx_init = ptrace_ctx_init,
	.ctx_fini = ptrace_ctx_fini,
	.ctx_switch = ptrace_ctx_switch,
};
