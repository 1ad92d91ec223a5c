/* SPDX-License-Identifier: Apache-2.0 */
/*
 * systrap: application syscalls and faults raise a signal in the stub
 * thread (seccomp SECCOMP_RET_TRAP, or syscall user dispatch); the stub's
 * handler saves the state into the thread's struct stub_msg and hands off
 * to the Sentry thread waiting in plat_ctx_switch(), which copies the state
 * out, returns it to the caller and, on the next switch, writes the new
 * state back and releases the handler.  Both sides spin for a bounded time
 * (plat_opts.spin_ns) before sleeping on the futex, so an idle sandbox
 * burns no CPU.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "lib/macro.h"
#include "platform/platform_impl.h"

static int systrap_ctx_init(struct plat_ctx *ctx)
{
	struct stub_proc *sp = ctx->as->sp;
	struct stub_msg *m = stub_proc_msg(sp, ctx->slot);
	int r;

	/* A new thread traps once (stub_first_trap) and waits for its state. */
	r = stub_wait_change(&m->state, STUB_ST_NEW, &m->sentry_sleeping, sp->spin_ns, sp->pidfd);
	if (r < 0)
		return r;
	return r == STUB_ST_TRAPPED ? 0 : -EPROTO;
}

static void systrap_ctx_fini(struct plat_ctx *ctx)
{
	struct stub_proc *sp = ctx->as->sp;
	struct stub_msg *m = stub_proc_msg(sp, ctx->slot);
	struct pollfd p = { .fd = ctx->pidfd, .events = POLLIN };

	if (ctx->dead || stub_pidfd_dead(sp->pidfd))
		return;
	/* The thread sits in its handler: tell it to exit, wait until it has. */
	stub_post(&m->state, STUB_ST_EXIT, &m->stub_sleeping);
	(void)poll(&p, 1, 1000);
}

static int systrap_ctx_switch(struct plat_ctx *ctx, struct plat_cpu *cpu, struct plat_exit *exit)
{
	struct stub_proc *sp = ctx->as->sp;
	struct stub_msg *m = stub_proc_msg(sp, ctx->slot);
	uint32_t fpsz = MIN(cpu->fp.size, (uint32_t)PLAT_FP_MAX);
	int32_t signo, code;
	uint64_t addr, err, trapno;
	int r;

	m->regs = cpu->regs;
	m->fp_size = fpsz;
	if (fpsz)
		memcpy(m->fp, cpu->fp.data, fpsz);
	/* The stub spins as long as we would (a plain store: the stub reads
	 * it at its next wait; the page is the stub's, the value a hint). */
	sp->ctl->spin_iters = stub_spin_iters(sp->spin_iters, sp->spin_ns);
	stub_post(&m->state, STUB_ST_RUN, &m->stub_sleeping);

	r = stub_wait_change(&m->state, STUB_ST_RUN, &m->sentry_sleeping, sp->spin_ns, sp->pidfd);
	if (r < 0) {
		ctx->dead = 1;
		return r;
	}
	if (r != STUB_ST_TRAPPED)
		return -EPROTO;

	/* Untrusted page: copy each field once, bound the sizes. */
	cpu->regs = m->regs;
	fpsz = MIN(__atomic_load_n(&m->fp_size, __ATOMIC_RELAXED), (uint32_t)PLAT_FP_MAX);
	cpu->fp.size = fpsz;
	memcpy(cpu->fp.data, m->fp, fpsz);
	signo = m->signo;
	code = m->code;
	addr = m->addr;
	err = m->err;
	trapno = m->trapno;
	plat_exit_from_signal(exit, signo, code, addr, err, trapno);
	return 0;
}

const struct plat_ops plat_systrap_ops = {
	.name = "systrap",
	.ptrace_mode = 0,
	.ctx_init = systrap_ctx_init,
	.ctx_fini = systrap_ctx_fini,
	.ctx_switch = systrap_ctx_switch,
};
