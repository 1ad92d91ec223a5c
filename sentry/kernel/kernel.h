/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Sentry's kernel object: one per sandbox.  It owns the platform, the
 * pid namespace (tids handed to tasks) and the set of live thread groups.
 *
 * Threading model: every application task runs on its own Sentry host
 * thread (task_loop()), which switches into the task's platform context and
 * serves its syscalls.  Shared kernel state is protected by kernel.lock.
 */
#ifndef CVISOR_SENTRY_KERNEL_H
#define CVISOR_SENTRY_KERNEL_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "sentry/vfs/vnode.h"

struct plat;
struct task;
struct thread_group;
struct futex_waiter;
struct ktimer_base;
struct ipc_ns;
struct goferfs_conn;

#define KERNEL_PID_MAX 32768

/* A directory bind mount served by the Gofer (its export @aname). */
struct kernel_bind {
	const char *aname;  /* the Gofer's attach name for it; NULL: a fresh
			     * tmpfs (mode 1777) instead of a Gofer export */
	const char *dest;   /* absolute path in the sandbox; missing directories
			     * are created, symlinks resolved inside the root */
	const char *source; /* shown in /proc/self/mounts (the host path) */
	int readonly;       /* MS_RDONLY (the Gofer's export is read-only too) */
	unsigned flags;     /* more MS_*: MS_NOSUID, MS_NODEV, MS_NOEXEC */
};
#define KERNEL_BINDS_MAX 48
/* Networking of a sandbox (sentry/net/socket.h). */
enum net_mode {
	NET_NONE = 0, /* default: loopback only, served by the Sentry's netstack */
	NET_HOST = 1, /* AF_INET/AF_INET6 are host sockets held by the Sentry */
};

struct kernel_opts {
	const char *hostname; /* uname nodename; default "cvisor" */
	int strace;           /* log every syscall to stderr */
	/* Root file system: the Gofer on this connected socket (taken over),
	 * under a writable overlay (in-memory upper, see sentry/fs/overlay.h)
	 * unless @no_overlay (then read-only), with tmpfs /tmp, devices in /dev
	 * and procfs /proc mounted on it; without it an in-memory tmpfs root. */
	int use_gofer;
	int gofer_sock;
	int no_overlay;
	/* Bind mounts on the same Gofer connection, mounted in this order after
	 * the Sentry's own (/tmp, /dev, /proc, /sys); read during
	 * kernel_create() only. */
	const struct kernel_bind *binds;
	size_t nbinds;
	enum net_mode net_mode; /* set before the first task runs */
};

struct kernel {
	struct plat *plat;
	struct kernel_opts opts;
	char hostname[65];
	uint64_t boot_ns; /* CLOCK_MONOTONIC at creation */
	struct ktimer_base *timers; /* timer thread (timer.h) */

	pthread_mutex_t lock; /* protects everything below */
	pthread_cond_t cond;  /* signalled when a thread group exits */
	struct task *tids[KERNEL_PID_MAX]; /* tid -> live task; 0 unused */
	struct thread_group *tgs[KERNEL_PID_MAX]; /* tgid -> group, zombies too */
	int32_t next_tid;
	int ntasks;              /* live tasks (host threads running) */
	struct thread_group *init; /* pid 1 */
	int init_exited;
	int init_status; /* wait status of pid 1 (W* encoding) */
	/* The mount tree (never unmounted yet; freed with the kernel). */
	struct path root;
	struct mount *mounts[16 + KERNEL_BINDS_MAX];
	int nmounts;
	struct vnode *gofer_root; /* the goferfs root under /, borrowed (name cache) */
	struct goferfs_conn *gofer; /* the Gofer connection (a reference), or NULL */
	/* The control socket (control.h): every task is frozen before its
	 * next switch into the application while @frozen; @shutting_down
	 * refuses new processes. */
	int frozen;
	int shutting_down;
	/* Checkpoint (ckpt.h): @ckpt_stopping makes blocking calls return
	 * their restart code (signal_pending() is true) so that every task
	 * reaches the top of its loop; @nparked counts the tasks waiting
	 * there while frozen (k->cond is signalled when it grows);
	 * @ckpt_busy: a checkpoint or restore is in progress. */
	int ckpt_stopping;
	int nparked;
	int ckpt_busy;
	/* CPU time of exited processes that had no parent (their time went
	 * to no one's cutime): sandbox statistics stay monotonic. */
	uint64_t gone_utime_ns, gone_stime_ns;
	struct vnode *devpts;     /* the devpts root (sentry/fs/pty.h), borrowed */
	/* Blocked futex waiters (futex.c); short: one per blocked thread. */
	struct futex_waiter *futex_waiters;
	/* System V IPC objects (ipc.h); their own lock. */
	struct ipc_ns *ipc;
	/* What netfiles_install() wrote into /etc (sentry/net/netfiles.h),
	 * kept so that a checkpoint tells them from the application's writes. */
	char *netfiles[3];
	size_t netfiles_len[3];
};

int kernel_create(struct plat *plat, const struct kernel_opts *opts, struct kernel **ret);
/* Waits until every task has exited, then frees the kernel. */
void kernel_destroy(struct kernel *k);

/* Allocate a tid for @t (kernel.lock held by the caller). */
int kernel_alloc_tid_locked(struct kernel *k, struct task *t, int32_t *ret);
void kernel_free_tid_locked(struct kernel *k, int32_t tid);

/* Put a file into the root tmpfs at absolute @path (directories created
 * 0755) — how `cvisor demo` makes its guest visible to execve until the
 * Gofer serves a root file system. */
int kernel_install_file(struct kernel *k, const char *path, const void *data, size_t len,
			mode_t mode);

/* mkdir -p @path (absolute) in the root tmpfs. */
int kernel_make_dir(struct kernel *k, const char *path);

/* Mount k->opts.binds (binds.c); called by kernel_create(). */
int kernel_mount_binds(struct kernel *k);
/* Choose the sandbox's network mode (before the application starts). */
void kernel_set_net_mode(struct kernel *k, enum net_mode mode);

/* Block until pid 1 has exited; returns its wait status. */
int kernel_wait_init(struct kernel *k);

#endif
