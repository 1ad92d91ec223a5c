/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool/ internals shared by pool.c (manager, pools, refill, reaper),
 * lease.c (leases, acquire, ad-hoc sandboxes, the destroyer) and stale.c.
 *
 * One mutex (m->lock) protects everything in the manager: the pool list,
 * every pool's counters and warm list, the lease list and every lease's
 * refs/ended/deadline/labels.  Functions below marked "locked" expect it
 * held.
 */
#ifndef CVISOR_POOL_POOL_IMPL_H
#define CVISOR_POOL_POOL_IMPL_H

#include <pthread.h>
#include <time.h>

#include "pool/pool.h"

#define MAX_LABELS 16
#define LABEL_MAX 128

struct warm {
	struct warm *next;
	struct sandbox *sb;
	char *sock;
	int host_pid;
	uint64_t born_ns;
};

struct pool {
	struct pool *next; /* in m->pools, while !deleted */
	struct pool_config cfg; /* cfg.rootfs, .snapshot, .image malloc'd */
	unsigned refs;          /* the list, waiters, boots, leases */
	bool deleted;
	bool adhoc;             /* private to one pool_boot_adhoc() lease */
	struct warm *warm;      /* LIFO of booted sandboxes; count in ready */
	uint32_t ready, starting, leased, waiters;
	uint64_t created, destroyed, leases_total;
	uint64_t failures[POOL_FAIL_N];
	struct pool_hist acquire, run;
	int last_boot_error;
	char last_error[256];
	unsigned consecutive_fail;
	uint64_t retry_at_ns; /* no boot before this after failures (backoff) */
};

struct pool_lease {
	struct pool_mgr *m;
	struct pool_lease *next; /* in m->leases, while !ended */
	struct pool *pool;       /* holds a reference */
	char id[POOL_LEASE_ID_LEN + 1];
	struct sandbox *sb;
	char *sock;
	int host_pid;
	unsigned refs; /* the registry (until ended) + users */
	bool ended;
	bool oom; /* its cgroup saw an OOM kill (atomic; pool_lease_oom) */
	uint64_t created_ms, deadline_ms;
	/* Appended under m->lock right after acquire (nlabels published with
	 * release), never changed or freed before the lease is: readers load
	 * nlabels with acquire and see a consistent prefix without the lock. */
	size_t nlabels;
	char *keys[MAX_LABELS], *vals[MAX_LABELS];
};

struct grave {
	struct grave *next;
	struct sandbox *sb;
	char *sock;
	struct pool *pool; /* holds a reference */
};

struct pool_mgr {
	pthread_mutex_t lock;
	pthread_cond_t work;  /* boot workers sleep here */
	pthread_cond_t ready; /* acquire() waiters */
	bool stopping;
	struct pool *pools;
	struct pool_lease *leases;
	char *state_dir;
	int log_fd;
	unsigned reap_ms;
	uint64_t seq; /* socket numbering */
	uint32_t max_sandboxes; /* over every pool and ad-hoc sandbox */
	uint32_t adhoc_live;    /* ad-hoc sandboxes booting or leased */
	unsigned nworkers;
	pthread_t workers[8];
	pthread_t reaper;
	bool reaper_started;
	/* Ended leases' sandboxes, destroyed by the destroyer thread so that a
	 * request's reply never waits for a teardown. */
	struct grave *graves;
	pthread_cond_t grave_cv;
	pthread_cond_t reap_cv; /* the reaper's sleep (woken to stop only) */
	bool graves_stop;
	pthread_t destroyer;
	bool destroyer_started;
};

uint64_t pool__wall_ms(void);
/* locked */
struct pool *pool__find(struct pool_mgr *m, const char *name);
void pool__unref(struct pool *p);
uint32_t pool__total_alive(struct pool_mgr *m);
/* not locked (they take time) */
void pool__destroy_sandbox(struct sandbox *sb, const char *sock);
void pool__warm_free(struct warm *w);
void pool__write_pid_file(const char *sock, int pid);
void pool__abs_deadline(struct timespec *ts, uint64_t mono_deadline);
int pool__cmp_str(const void *a, const void *b);
/* cgroups (cgroup.c): the cgroup of the sandbox whose control socket is
 * @sock, created with @res applied; *@nfds fds (0 if @res sets nothing) to
 * hand to sandbox_opts.cgroup_fds, closed by the caller. */
int pool__cgroup_prepare(const char *sock, const struct pool_resources *res, int fds[3],
			 size_t *nfds);
void pool__cgroup_remove(const char *sock);
void pool__close_fds(int *fds, size_t n);
/* the destroyer thread (lease.c) */
void *pool__destroyer(void *arg);

#endif
