/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stub: layout and shared-memory protocol between the Sentry and the
 * isolated stub process that holds an application address space.
 *
 * Stub region (top of the application address space, never mappable by the
 * application; the platform refuses any map request that reaches it):
 *
 *   STUB_BASE        code (copied from the cvisor_stub section into a memfd,
 *                    mapped r-x).  Holds the single `syscall` gadget that the
 *                    seccomp filter lets through (argument-restricted).
 *   STUB_SHARED      shared pages (one memfd per address space, also mapped in
 *                    the Sentry): the control page, the seccomp program, and
 *                    one struct stub_msg per thread slot.
 *   STUB_PRIV        stub-private memory: per slot, the thread stack and the
 *                    signal stack.
 *
 * Processes: the first stub of a platform is the *holder*: init of the
 * stubs' pid namespace, it never runs application code and only forks fresh
 * stubs (STUB_OP_FORK) and reaps them (STUB_OP_REAP).  A stub forks itself
 * for plat_as_fork() with CLONE_PARENT, so every stub is the holder's child.
 * A new stub (fork child) maps its own shared memfd over STUB_SHARED and
 * takes its own control socket as STUB_SOCK_FD before serving requests.
 *
 * Trust: the application runs in the same host address space as the stub and
 * can write every shared page.  Everything the Sentry reads from a shared page
 * is copied once and validated; the stub's own integrity is not a security
 * boundary (its seccomp filter is).
 */
#ifndef CVISOR_PLATFORM_STUB_H
#define CVISOR_PLATFORM_STUB_H

#include <linux/filter.h>
#include <stdint.h>

#include "platform/platform.h"

#define STUB_PAGE 4096ULL
#define STUB_BASE 0x7e0000000000ULL
#define STUB_CODE_SIZE (64ULL * 1024)
#define STUB_SHARED (STUB_BASE + STUB_CODE_SIZE)
#define STUB_MAX_SLOTS 256 /* slot 0 is the control thread */
#define STUB_CTL_SIZE (4 * STUB_PAGE)
#define STUB_MSG_SIZE (2 * STUB_PAGE)
#define STUB_SHARED_SIZE (STUB_CTL_SIZE + STUB_MAX_SLOTS * STUB_MSG_SIZE)
#define STUB_PRIV (STUB_SHARED + STUB_SHARED_SIZE)
#define STUB_STACK_SIZE (32ULL * 1024)
#define STUB_SIGSTK_SIZE (64ULL * 1024)
#define STUB_PRIV_SLOT (STUB_STACK_SIZE + STUB_SIGSTK_SIZE)
#define STUB_PRIV_SIZE (STUB_MAX_SLOTS * STUB_PRIV_SLOT)
#define STUB_END (STUB_PRIV + STUB_PRIV_SIZE)
/* x86-64 user address space top (47-bit). */
#define STUB_TASK_TOP 0x7ffffffff000ULL

#define STUB_MSG_ADDR(slot) (STUB_SHARED + STUB_CTL_SIZE + (uint64_t)(slot) * STUB_MSG_SIZE)
#define STUB_STACK_ADDR(slot) (STUB_PRIV + (uint64_t)(slot) * STUB_PRIV_SLOT)
#define STUB_SIGSTK_ADDR(slot) (STUB_STACK_ADDR(slot) + STUB_STACK_SIZE)

/* The one fd the stub keeps: its end of the control socket. */
#define STUB_SOCK_FD 3

/* Host signal used to interrupt a running application thread. */
#define STUB_SIG_INTERRUPT 12 /* SIGUSR2 */

/* Clone flags of a stub thread; the filter allows exactly this value. */
#define STUB_THREAD_CLONE_FLAGS                                                             \
	(0x00000100 /* VM */ | 0x00000200 /* FS */ | 0x00000400 /* FILES */ |               \
	 0x00000800 /* SIGHAND */ | 0x00001000 /* PIDFD */ | 0x00010000 /* THREAD */ |       \
	 0x00040000 /* SYSVSEM */)

/* Clone flags of a new stub process: from the holder (a fresh stub, child
 * of the holder) or from a stub (a fork of the address space, re-parented to
 * the holder so that it outlives its parent).  Exactly these are allowed. */
#define STUB_SPAWN_CLONE_FLAGS (0x00001000 /* PIDFD */ | 17 /* SIGCHLD */)
#define STUB_FORK_CLONE_FLAGS (STUB_SPAWN_CLONE_FLAGS | 0x00008000 /* PARENT */)

/* struct stub_msg.state / struct stub_ctl.state values. */
enum {
	STUB_ST_NEW = 0,     /* thread slot being created */
	STUB_ST_RUN = 1,     /* Sentry -> stub: go (run the app / do the op) */
	STUB_ST_TRAPPED = 2, /* stub -> Sentry: stopped, state saved */
	STUB_ST_EXIT = 3,    /* Sentry -> stub: thread, exit now */
};

/* Control-thread operations. */
enum stub_op {
	STUB_OP_NONE = 0,
	STUB_OP_MMAP,     /* args: addr len prot flags fd(-1 | received) off */
	STUB_OP_MUNMAP,   /* args: addr len */
	STUB_OP_MPROTECT, /* args: addr len prot */
	STUB_OP_THREAD,   /* args: slot -> result tid, args[1] = pidfd number */
	STUB_OP_CLOSE,    /* args: fd */
	STUB_OP_RECVFD,   /* receive 1-2 fds on STUB_SOCK_FD -> result fd, args[1] 2nd or -1 */
	STUB_OP_FORK,     /* args: as_fork?, memfd, sock -> result pid, args[1] = pidfd */
	STUB_OP_REAP,     /* holder: reap exited children -> result count */
};

/* Per-thread hand-off page.  Written by both sides; see state machine above. */
struct stub_msg {
	uint32_t state;           /* futex word */
	uint32_t stub_sleeping;   /* stub is in (or about to enter) FUTEX_WAIT */
	uint32_t sentry_sleeping; /* Sentry is in (or about to enter) FUTEX_WAIT */
	uint32_t _pad0;
	/* stub -> Sentry */
	int32_t signo;
	int32_t code;
	uint64_t addr;
	uint64_t err;
	uint64_t trapno;
	/* both ways */
	struct plat_regs regs;
	uint32_t fp_size; /* 0 = initial FPU state (Sentry -> stub only) */
	uint8_t fp[PLAT_FP_MAX] __attribute__((aligned(64)));
};

#define STUB_FILTER_MAX 256

/* Control page (+ setup data), at STUB_SHARED. */
struct stub_ctl {
	uint32_t state; /* futex word: STUB_ST_RUN = request posted, TRAPPED = done */
	uint32_t stub_sleeping;
	uint32_t sentry_sleeping;
	uint32_t op;
	uint64_t args[6];
	int64_t result;
	/* configuration written once by the Sentry before the stub starts */
	uint64_t spin_iters;   /* pause-loop iterations before sleeping */
	uint32_t have_fsgsbase;
	uint32_t use_sud;
	uint32_t ptrace_mode; /* threads wait to be seized instead of trapping */
	uint32_t ready;       /* set by the stub once confined */
	/* seccomp program installed by the stub itself */
	struct sock_fprog prog;
	struct sock_filter filter[STUB_FILTER_MAX];
	/* scratch for STUB_OP_RECVFD */
	uint64_t scratch[64];
};

/* Code offsets inside the stub blob (relative to STUB_BASE). */
struct stub_code {
	const uint8_t *start;
	uint64_t size;
	uint64_t off_entry;       /* process entry: rdi = unused, rsp set */
	uint64_t off_gadget_ret;  /* address right after the allowed `syscall` */
	uint64_t off_gadget;      /* the `syscall` instruction itself */
	uint64_t off_handler;     /* signal handler */
	uint64_t off_restorer;    /* sa_restorer */
};

void stub_code_get(struct stub_code *ret);

#endif
