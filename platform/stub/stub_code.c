/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stub's C code.  Runs inside the stub process after everything else has
 * been unmapped, so it must be freestanding and self-contained:
 *   - every function lives in the "cvisor_stub" section (STUB attribute);
 *   - no libc, no globals, no string literals, no jump tables, no compiler
 *     generated memcpy/memset (the file is built with -ffreestanding
 *     -fno-builtin -fno-tree-loop-distribute-patterns -fno-jump-tables);
 *   - every host syscall goes through stub_syscall6 (the seccomp gadget).
 * A unit test checks that the object file has no undefined symbols.
 *
 * Signal handlers run on the per-slot signal stack, with every signal
 * blocked, and only touch the slot's struct stub_msg and the signal frame.
 */
#include <linux/futex.h>
#include <linux/prctl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>

#include "stub.h"

#define STUB __attribute__((section("cvisor_stub"), visibility("hidden"), used))
#define INL static inline __attribute__((always_inline))

#define FP_MAGIC1 0x46505853U
#define FP_SW_OFF 464
#define FP_HDR_OFF 512

long stub_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
	__attribute__((visibility("hidden")));
void stub_thread_entry(void) __attribute__((visibility("hidden")));
void stub_first_trap(void) __attribute__((visibility("hidden")));
void stub_main(void) STUB __attribute__((noreturn));
void stub_thread_main(uint64_t slot) STUB __attribute__((noreturn));
void stub_handler(int sig, siginfo_t *si, void *ucv) STUB;

#define SC0(nr) stub_syscall6((nr), 0, 0, 0, 0, 0, 0)
#define SC1(nr, a) stub_syscall6((nr), (long)(a), 0, 0, 0, 0, 0)
#define SC2(nr, a, b) stub_syscall6((nr), (long)(a), (long)(b), 0, 0, 0, 0)
#define SC3(nr, a, b, c) stub_syscall6((nr), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SC6(nr, a, b, c, d, e, f)                                                           \
	stub_syscall6((nr), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

INL struct stub_ctl *ctl(void)
{
	return (struct stub_ctl *)STUB_SHARED;
}

INL struct stub_msg *slot_msg(uint64_t slot)
{
	return (struct stub_msg *)STUB_MSG_ADDR(slot);
}

INL uint32_t load(uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

INL void store(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

INL void fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

INL void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

INL _Noreturn void die(void)
{
	for (;;)
		SC1(SYS_exit_group, 127);
}

/* Publish @v in @word and wake the other side if it announced sleeping. */
INL void post(uint32_t *word, uint32_t v, uint32_t *peer_sleeping)
{
	__atomic_store_n(word, v, __ATOMIC_SEQ_CST);
	fence();
	if (__atomic_load_n(peer_sleeping, __ATOMIC_SEQ_CST))
		SC6(SYS_futex, word, FUTEX_WAKE, 1, 0, 0, 0);
}

/* Wait until @word != @busy: spin a bounded number of iterations, then sleep.
 * Returns the new value. */
INL uint32_t wait_change(uint32_t *word, uint32_t busy, uint32_t *sleeping)
{
	uint64_t spins = ctl()->spin_iters;
	uint32_t v;

	for (uint64_t i = 0; i < spins; i++) {
		v = load(word);
		if (v != busy)
			return v;
		cpu_relax();
	}
	__atomic_store_n(sleeping, 1, __ATOMIC_SEQ_CST);
	fence();
	while ((v = __atomic_load_n(word, __ATOMIC_SEQ_CST)) == busy)
		SC6(SYS_futex, word, FUTEX_WAIT, busy, 0, 0, 0);
	__atomic_store_n(sleeping, 0, __ATOMIC_RELAXED);
	return v;
}

INL void copy8(void *dst, const void *src, uint64_t bytes)
{
	volatile uint64_t *d = dst;
	const volatile uint64_t *s = src;

	for (uint64_t i = 0; i < bytes / 8; i++)
		d[i] = s[i];
}

INL uint32_t frame_fp_size(const uint8_t *fp)
{
	const volatile uint32_t *sw = (const volatile uint32_t *)(fp + FP_SW_OFF);
	uint32_t size = sw[4]; /* xstate_size */

	if (sw[0] != FP_MAGIC1 || size < FP_HDR_OFF + 64 || size > PLAT_FP_MAX)
		return FP_HDR_OFF;
	return size & ~7U;
}

INL uint64_t read_fs(void)
{
	uint64_t v = 0;

	if (ctl()->have_fsgsbase)
		__asm__ volatile("rdfsbase %0" : "=r"(v));
	else
		SC2(SYS_arch_prctl, 0x1003 /* ARCH_GET_FS */, &v);
	return v;
}

INL uint64_t read_gs(void)
{
	uint64_t v = 0;

	if (ctl()->have_fsgsbase)
		__asm__ volatile("rdgsbase %0" : "=r"(v));
	else
		SC2(SYS_arch_prctl, 0x1004 /* ARCH_GET_GS */, &v);
	return v;
}

INL void write_fs_gs(uint64_t fs, uint64_t gs)
{
	if (ctl()->have_fsgsbase) {
		__asm__ volatile("wrfsbase %0" ::"r"(fs));
		__asm__ volatile("wrgsbase %0" ::"r"(gs));
	} else {
		SC2(SYS_arch_prctl, 0x1002 /* ARCH_SET_FS */, fs);
		SC2(SYS_arch_prctl, 0x1001 /* ARCH_SET_GS */, gs);
	}
}

INL void save_state(struct stub_msg *m, int sig, siginfo_t *si, ucontext_t *uc)
{
	greg_t *g = uc->uc_mcontext.gregs;
	struct plat_regs *r = &m->regs;
	uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;

	r->r8 = g[REG_R8], r->r9 = g[REG_R9], r->r10 = g[REG_R10], r->r11 = g[REG_R11];
	r->r12 = g[REG_R12], r->r13 = g[REG_R13], r->r14 = g[REG_R14], r->r15 = g[REG_R15];
	r->rdi = g[REG_RDI], r->rsi = g[REG_RSI], r->rbp = g[REG_RBP], r->rbx = g[REG_RBX];
	r->rdx = g[REG_RDX], r->rax = g[REG_RAX], r->rcx = g[REG_RCX], r->rsp = g[REG_RSP];
	r->rip = g[REG_RIP], r->eflags = g[REG_EFL];
	r->cs = 0x33, r->ss = 0x2b, r->ds = r->es = r->fs = r->gs = 0;
	/* Both seccomp RET_TRAP and syscall user dispatch roll rax back to
	 * the syscall number. */
	r->orig_rax = sig == SIGSYS ? (uint64_t)g[REG_RAX] : (uint64_t)-1;
	r->fs_base = read_fs();
	r->gs_base = read_gs();

	m->signo = sig;
	m->code = si->si_code;
	m->addr = (uint64_t)si->si_addr;
	m->err = g[REG_ERR];
	m->trapno = g[REG_TRAPNO];
	if (fp) {
		uint32_t n = frame_fp_size(fp);

		copy8(m->fp, fp, n);
		m->fp_size = n;
	} else {
		m->fp_size = 0;
	}
}

INL void load_state(struct stub_msg *m, ucontext_t *uc)
{
	greg_t *g = uc->uc_mcontext.gregs;
	struct plat_regs *r = &m->regs;
	uint8_t *fp = (uint8_t *)uc->uc_mcontext.fpregs;

	g[REG_R8] = r->r8, g[REG_R9] = r->r9, g[REG_R10] = r->r10, g[REG_R11] = r->r11;
	g[REG_R12] = r->r12, g[REG_R13] = r->r13, g[REG_R14] = r->r14, g[REG_R15] = r->r15;
	g[REG_RDI] = r->rdi, g[REG_RSI] = r->rsi, g[REG_RBP] = r->rbp, g[REG_RBX] = r->rbx;
	g[REG_RDX] = r->rdx, g[REG_RAX] = r->rax, g[REG_RCX] = r->rcx, g[REG_RSP] = r->rsp;
	g[REG_RIP] = r->rip, g[REG_EFL] = r->eflags;
	write_fs_gs(r->fs_base, r->gs_base);

	if (fp) {
		uint32_t fsize = frame_fp_size(fp);
		uint32_t n = m->fp_size;
		volatile uint64_t *hdr = (volatile uint64_t *)(fp + FP_HDR_OFF);

		if (n == 0) {
			/* Initial state: empty legacy area + all components init. */
			volatile uint64_t *w = (volatile uint64_t *)fp;

			for (int i = 0; i < FP_SW_OFF / 8; i++)
				w[i] = 0;
			*(volatile uint16_t *)fp = 0x37f;               /* fcw */
			*(volatile uint32_t *)(fp + 24) = 0x1f80;       /* mxcsr */
			*(volatile uint32_t *)(fp + 28) = 0xffff;       /* mxcsr_mask */
			if (fsize > FP_HDR_OFF) {
				hdr[0] = 3; /* x87 + SSE from the legacy area */
				hdr[1] = 0;
			}
		} else {
			if (n > fsize)
				n = fsize;
			n &= ~7U;
			/* Keep the kernel's software bytes (464..511) of the frame. */
			copy8(fp, m->fp, n < FP_SW_OFF ? n : FP_SW_OFF);
			if (n > FP_HDR_OFF)
				copy8(fp + FP_HDR_OFF, m->fp + FP_HDR_OFF, n - FP_HDR_OFF);
			if (fsize > FP_HDR_OFF) {
				uint64_t allowed = *(volatile uint64_t *)(fp + FP_SW_OFF + 8);

				/* x87/SSE always from the legacy area just written. */
				hdr[0] = (hdr[0] | 3) & allowed; /* xstate_bv */
				hdr[1] = 0;                      /* xcomp_bv: standard */
			}
			*(volatile uint32_t *)(fp + 24) &= 0xffff;
		}
	}
	/* The application runs with no host signal blocked. */
	for (unsigned i = 0; i < sizeof(uc->uc_sigmask) / 8; i++)
		((volatile uint64_t *)&uc->uc_sigmask)[i] = 0;
}

/* Every trap of an application thread ends up here (on its signal stack). */
STUB void stub_handler(int sig, siginfo_t *si, void *ucv)
{
	uint64_t sp = (uint64_t)__builtin_frame_address(0);
	uint64_t slot;
	struct stub_msg *m;
	uint32_t st;

	if (sp < STUB_PRIV || sp >= STUB_END)
		die();
	slot = (sp - STUB_PRIV) / STUB_PRIV_SLOT;
	if (slot == 0 || slot >= STUB_MAX_SLOTS)
		die();
	m = slot_msg(slot);

	save_state(m, sig, si, ucv);
	post(&m->state, STUB_ST_TRAPPED, &m->sentry_sleeping);
	st = wait_change(&m->state, STUB_ST_TRAPPED, &m->stub_sleeping);
	if (st != STUB_ST_RUN)
		for (;;)
			SC1(SYS_exit, 0);
	load_state(m, ucv);
}

INL int64_t do_recvfd(struct stub_ctl *c)
{
	/* Scratch layout: msghdr | iovec | 8 bytes data | cmsg buffer */
	struct msghdr *mh = (struct msghdr *)&c->scratch[0];
	struct iovec *iov = (struct iovec *)&c->scratch[8];
	uint64_t *data = &c->scratch[10];
	struct cmsghdr *cm = (struct cmsghdr *)&c->scratch[12];
	volatile int *fds;
	uint64_t n;
	int64_t r;

	iov->iov_base = data;
	iov->iov_len = 1;
	mh->msg_name = 0;
	mh->msg_namelen = 0;
	mh->msg_iov = iov;
	mh->msg_iovlen = 1;
	mh->msg_control = cm;
	mh->msg_controllen = CMSG_SPACE(2 * sizeof(int));
	mh->msg_flags = 0;
	r = SC3(SYS_recvmsg, STUB_SOCK_FD, mh, MSG_CMSG_CLOEXEC);
	if (r < 0)
		return r;
	if (r != 1 || mh->msg_controllen < CMSG_LEN(sizeof(int)) || cm->cmsg_level != SOL_SOCKET ||
	    cm->cmsg_type != SCM_RIGHTS)
		return -71; /* EPROTO */
	n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	if (n < 1 || n > 2)
		return -71;
	fds = (volatile int *)CMSG_DATA(cm);
	c->args[1] = n == 2 ? (uint64_t)(int64_t)fds[1] : (uint64_t)-1;
	return fds[0];
}

/*
 * Fork this stub (a new address space).  The child takes @memfd as its
 * shared region and @sock as its control socket, then reports ready on its
 * own control page; *ret_child tells the main loop which side it is on.
 */
INL int64_t do_fork(struct stub_ctl *c, uint64_t as_fork, uint64_t memfd, uint64_t sock,
		    int *ret_child)
{
	int *pidfd = (int *)&c->scratch[32];
	int64_t pid;

	*pidfd = -1;
	pid = SC6(SYS_clone, as_fork ? STUB_FORK_CLONE_FLAGS : STUB_SPAWN_CLONE_FLAGS, 0, pidfd, 0,
		  0, 0);
	if (pid == 0) {
		struct stub_ctl *nc;

		if (SC2(SYS_dup2, sock, STUB_SOCK_FD) != STUB_SOCK_FD)
			die();
		if (SC6(SYS_mmap, STUB_SHARED, STUB_SHARED_SIZE, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_FIXED, memfd, 0) != (long)STUB_SHARED)
			die();
		SC1(SYS_close, memfd);
		SC1(SYS_close, sock);
		nc = ctl(); /* the new page */
		store(&nc->ready, 1);
		*ret_child = 1;
		return 0;
	}
	SC1(SYS_close, memfd);
	SC1(SYS_close, sock);
	if (pid > 0)
		c->args[1] = (uint64_t)*pidfd;
	return pid;
}

INL int64_t do_reap(struct stub_ctl *c)
{
	int64_t n = 0;

	/* siginfo in scratch; WEXITED | WNOHANG */
	for (;;) {
		c->scratch[40] = 0;
		c->scratch[41] = 0;
		if (SC6(SYS_waitid, 0 /* P_ALL */, 0, &c->scratch[40], 4 | 1, 0, 0) < 0)
			break;
		if (((volatile int *)&c->scratch[40])[3] == 0) /* si_pid: none left */
			break;
		n++;
	}
	return n;
}

INL int64_t do_thread(struct stub_ctl *c, uint64_t slot)
{
	uint64_t top;
	int64_t tid;
	int *pidfd = (int *)&c->scratch[32];

	if (slot == 0 || slot >= STUB_MAX_SLOTS)
		return -22;
	top = STUB_STACK_ADDR(slot) + STUB_STACK_SIZE - 16;
	*(volatile uint64_t *)top = slot;
	*(volatile uint64_t *)(top - 8) = (uint64_t)&stub_thread_entry;
	*pidfd = -1;
	tid = SC6(SYS_clone, STUB_THREAD_CLONE_FLAGS, top - 8, pidfd, 0, 0, 0);
	/* The child never gets here: it returns from the gadget straight into
	 * stub_thread_entry. */
	if (tid > 0)
		c->args[1] = (uint64_t)*pidfd;
	return tid;
}

INL int64_t do_op(struct stub_ctl *c, int *ret_child)
{
	uint64_t a[6];

	for (int i = 0; i < 6; i++)
		a[i] = c->args[i];
	switch (c->op) {
	case STUB_OP_MMAP:
		return SC6(SYS_mmap, a[0], a[1], a[2], a[3], a[4], a[5]);
	case STUB_OP_MUNMAP:
		return SC2(SYS_munmap, a[0], a[1]);
	case STUB_OP_MPROTECT:
		return SC3(SYS_mprotect, a[0], a[1], a[2]);
	case STUB_OP_THREAD:
		return do_thread(c, a[0]);
	case STUB_OP_CLOSE:
		return SC1(SYS_close, a[0]);
	case STUB_OP_RECVFD:
		return do_recvfd(c);
	case STUB_OP_FORK:
		return do_fork(c, a[0], a[1], a[2], ret_child);
	case STUB_OP_REAP:
		return do_reap(c);
	}
	return -38; /* ENOSYS */
}

/* Process entry, on slot 0's stack: finish confinement, then serve the
 * control page forever. */
STUB void stub_main(void)
{
	struct stub_ctl *c = ctl();

	/* Drop every mapping the launcher inherited from the Sentry. */
	if (SC2(SYS_munmap, PLAT_APP_MIN, STUB_BASE - PLAT_APP_MIN) < 0)
		die();
	if (SC2(SYS_munmap, STUB_END, STUB_TASK_TOP - STUB_END) < 0)
		die();
	if (SC3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &c->prog) < 0)
		die();

	store(&c->ready, 1);
	post(&c->state, STUB_ST_TRAPPED, &c->sentry_sleeping);
	for (;;) {
		int64_t r;

		int child = 0;

		if (wait_change(&c->state, STUB_ST_TRAPPED, &c->stub_sleeping) != STUB_ST_RUN)
			die();
		r = do_op(c, &child);
		/* A fork child reports on its own, new control page. */
		c = ctl();
		c->result = r;
		post(&c->state, STUB_ST_TRAPPED, &c->sentry_sleeping);
	}
}

STUB void stub_thread_main(uint64_t slot)
{
	struct stub_ctl *c = ctl();
	struct stub_msg *m = slot_msg(slot);
	stack_t ss;

	ss.ss_sp = (void *)STUB_SIGSTK_ADDR(slot);
	ss.ss_flags = 0;
	ss.ss_size = STUB_SIGSTK_SIZE;
	if (SC2(SYS_sigaltstack, &ss, 0) < 0)
		die();
	if (c->ptrace_mode) {
		/* Park until the tracer seizes us and takes over the registers. */
		for (;;)
			SC6(SYS_futex, &m->_pad0, FUTEX_WAIT, 0, 0, 0, 0);
	}
	if (c->use_sud)
		SC6(SYS_prctl, PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, STUB_BASE,
		    STUB_CODE_SIZE, 0, 0);
	stub_first_trap();
	die();
}
