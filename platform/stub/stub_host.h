/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sentry side of the stub: spawning confined stub processes, running
 * control operations in them, creating their threads, and the hand-off
 * wait used by both sides of a shared page.  Shared by systrap and ptrace.
 */
#ifndef CVISOR_PLATFORM_STUB_HOST_H
#define CVISOR_PLATFORM_STUB_HOST_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "stub.h"

struct stub_factory;

struct stub_cfg {
	int new_namespaces; /* clone the stub into fresh namespaces */
	int use_sud;
	int ptrace_mode;
	uint64_t spin_ns;
	unsigned pool_size; /* fresh stubs kept ready (<= STUB_POOL_MAX) */
};

#define STUB_POOL_MAX 16

/* One stub process == one application address space. */
struct stub_proc {
	pid_t pid;             /* host pid */
	int pidfd;             /* process pidfd */
	int sock;              /* Sentry end of the control socket */
	void *shared;          /* Sentry mapping of the shared region */
	struct stub_ctl *ctl;  /* == shared */
	uint64_t spin_ns;
	uint64_t spin_iters;   /* stub-side iterations for spin_ns */
	struct stub_factory *factory;
	struct stub_proc *next;   /* factory pool / graveyard link */
	struct stub_proc *reaper; /* the holder; NULL for the holder itself */
	pthread_mutex_t lock;  /* serialises control ops; protects slot_used */
	pthread_mutex_t fd_lock; /* held while the stub holds a transient fd
				  * (received, pidfd) so no fork inherits it */
	uint8_t slot_used[STUB_MAX_SLOTS];
};

/* A long-lived thread that clones the holder, so that its parent-death
 * signal fires only when the platform itself goes away. */
int stub_factory_start(const struct stub_cfg *cfg, struct stub_factory **ret);
void stub_factory_stop(struct stub_factory *f);
/* A fresh stub (a fork of the holder). */
int stub_factory_spawn(struct stub_factory *f, struct stub_proc **ret);
/* Kill @sp now; it is reaped and freed in the background. */
void stub_factory_bury(struct stub_factory *f, struct stub_proc *sp);
/* A copy-on-write fork of @parent (as_fork) or a fresh stub from the holder. */
int stub_proc_fork(struct stub_proc *parent, int as_fork, struct stub_proc **ret);

void stub_proc_kill(struct stub_proc *sp);

/* Run one control operation in the stub; *ret_result gets the raw syscall
 * result (negative errno from the host), *ret_aux the op's second output
 * (args[1]); both may be NULL. */
int stub_proc_op(struct stub_proc *sp, enum stub_op op, const uint64_t args[6],
		 int64_t *ret_result, int64_t *ret_aux);
/* Map a Sentry fd into the stub (it is sent over the control socket). */
int stub_proc_map_fd(struct stub_proc *sp, uint64_t addr, uint64_t len, int prot, int flags,
		     int fd, uint64_t off, int64_t *ret_result);

/* Create a stub thread.  Returns its slot; *ret_pidfd is a thread pidfd
 * owned by the caller (stub_pidfd_tid() gives its host tid). */
int stub_proc_thread(struct stub_proc *sp, int *ret_slot, int *ret_pidfd);
void stub_proc_slot_free(struct stub_proc *sp, int slot);

static inline struct stub_msg *stub_proc_msg(struct stub_proc *sp, int slot)
{
	return (struct stub_msg *)((char *)sp->shared + STUB_CTL_SIZE +
				   (size_t)slot * STUB_MSG_SIZE);
}

/* Is the process behind @pidfd gone? */
int stub_pidfd_dead(int pidfd);

/*
 * Post @v into @word (waking the peer if it sleeps) / wait until @word is no
 * longer @busy: spin for @spin_ns, then futex-wait, checking every 50 ms
 * whether the stub (@pidfd) died.  Returns the new value or -ESRCH.
 */
void stub_post(uint32_t *word, uint32_t v, uint32_t *peer_sleeping);
int stub_wait_change(uint32_t *word, uint32_t busy, uint32_t *sleeping, uint64_t spin_ns,
		     int pidfd);
/* The stub-side spin matching the current adaptive budget: @full_iters
 * pause iterations correspond to @max_ns. */
uint64_t stub_spin_iters(uint64_t full_iters, uint64_t max_ns);

/* The filter program (stub_filter.c). */
int stub_filter_build(uint64_t gadget_ret, struct sock_filter *out, size_t max, size_t *ret_len);

/* Host tid of the thread behind a pidfd. */
int stub_pidfd_tid(int pidfd, pid_t *ret);

#endif
