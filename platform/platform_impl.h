/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the platform backends.  One ops table per backend
 * (systrap/, ptrace/); the address space and copy paths are common because
 * both backends keep an address space in a stub process (stub/).
 */
#ifndef CVISOR_PLATFORM_IMPL_H
#define CVISOR_PLATFORM_IMPL_H

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/types.h>

#include "platform.h"
#include "stub/stub_host.h"

struct plat_ops {
	const char *name;
	int ptrace_mode; /* stub threads park instead of trapping */
	int (*ctx_init)(struct plat_ctx *ctx);
	void (*ctx_fini)(struct plat_ctx *ctx);
	int (*ctx_switch)(struct plat_ctx *ctx, struct plat_cpu *cpu, struct plat_exit *exit);
};

struct plat {
	const struct plat_ops *ops;
	enum plat_kind kind;
	struct plat_opts opts;
	struct stub_factory *factory;
};

struct plat_as {
	struct plat *plat;
	struct stub_proc *sp;
	int nctx; /* live contexts; guarded by sp->lock */
};

struct plat_ctx {
	struct plat_as *as;
	int slot;      /* stub thread slot */
	int pidfd;     /* thread pidfd (interrupts) */
	pid_t tid;     /* host tid (ptrace only) */
	int dead;      /* the stub died under us */
	/* ptrace only: the Sentry thread that traces this stub thread. */
	pid_t tracer;
	int seized;
	int bound_cpu;                  /* CPU tracer and tracee are pinned to */
	cpu_set_t tracer_mask;          /* tracer's affinity before pinning */
	int fp_clean;                   /* fp_cache == the thread's state */
	struct plat_fpstate *fp_cache;  /* last XSAVE image read/written */
};

extern const struct plat_ops plat_systrap_ops;
extern const struct plat_ops plat_ptrace_ops;

/* Fill @e from a host signal (shared by both backends). */
void plat_exit_from_signal(struct plat_exit *e, int signo, int code, uint64_t addr, uint64_t err,
			   uint64_t trapno);

#endif
