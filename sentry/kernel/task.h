/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Tasks (threads) and thread groups (processes).
 *
 * A task runs on its own Sentry host thread: task_loop() switches into its
 * platform context, serves each syscall through the syscall table and
 * handles faults and interrupts, until the task exits.
 *
 * Lifetimes: a task is created by task_create_init() (pid 1) or by clone()
 * (later issues), started by task_start(), and frees itself when its loop
 * ends.  A thread group lives while it has tasks; its exit status is
 * recorded in the kernel for the parent.
 */
#ifndef CVISOR_SENTRY_TASK_H
#define CVISOR_SENTRY_TASK_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "platform/platform.h"
#include "signal.h"
#include "timer.h"

struct kernel;
struct mm;
struct fd_table;
struct fs_context;
struct ptimer_set;
struct tty;

#define TASK_NGROUPS 64

struct creds {
	uint32_t ruid, euid, suid, fsuid;
	uint32_t rgid, egid, sgid, fsgid;
	uint32_t groups[TASK_NGROUPS]; /* supplementary groups */
	int ngroups;
};

/* Is @gid the fs gid or a supplementary group of @c? */
static inline int creds_in_group(const struct creds *c, uint32_t gid)
{
	if (gid == c->fsgid)
		return 1;
	for (int i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return 1;
	return 0;
}

struct thread_group {
	struct kernel *k;
	int32_t tgid;
	struct plat_as *as;   /* the address space (one per thread group today) */
	uint64_t brk_start;   /* set by the loader */
	struct mm *mm; /* the memory layout (sentry/mm/mm.h) */

	/* Protected by kernel.lock: */
	char comm[16];        /* name (basename of the program, 15 chars) */
	char *exe;            /* path of the program (for /proc/pid/exe) */
	char *cmdline;        /* argv, NUL-separated (for /proc/pid/cmdline) */
	size_t cmdline_len;
	char *environ;        /* envp, NUL-separated (for /proc/pid/environ) */
	size_t environ_len;
	struct sigstate_tg sig;
	int ntasks;           /* live tasks */
	int exiting;          /* exit_group or a fatal signal is in progress */
	int exit_status;      /* wait status (W* encoding) once exiting */
	int zombie;           /* all tasks gone, waiting for the parent */
	int32_t pgid, sid;    /* process group and session */
	struct tty *ctty;     /* controlling terminal (a reference), sentry/fs/tty.h */
	int exit_signal;      /* sent to the parent at exit (SIGCHLD), 0 = none */
	struct thread_group *parent;      /* NULL: outside the sandbox */
	struct thread_group *children;    /* first child */
	struct thread_group *sibling;     /* next child of the parent */
	int vfork_done;       /* the vfork parent may resume */
	int did_exec;         /* called execve since fork (setpgid by the parent: EACCES) */
	int child_subreaper;  /* PR_SET_CHILD_SUBREAPER: adopts orphaned descendants */
	struct rlimit64_k {
		uint64_t cur, max;
	} rlim[16];           /* RLIMIT_*; copied by fork */
	uint64_t auxv[48];    /* the loader's auxv at exec (/proc/pid/auxv); copied by fork */
	unsigned auxv_n;      /* words in @auxv */
	int oom_score_adj;    /* /proc/pid/oom_score_adj, -1000..1000; kept by fork, exec */

	/* CPU accounting and interval timers (itimer.h).  Under kernel.lock: */
	uint64_t dead_utime_ns, dead_stime_ns; /* of the group's exited tasks */
	uint64_t cutime_ns, cstime_ns;  /* reaped children (and theirs) */
	uint64_t maxrss_kb, cmaxrss_kb; /* high-water RSS: own, reaped children */
	struct itimer_cpu {
		uint64_t left, interval; /* ns of CPU time; left 0 = disarmed */
	} itimer_virt, itimer_prof;
	int cpu_timers_armed;  /* itimer_virt or itimer_prof set (read racily) */
	struct ktimer itimer_real; /* ITIMER_REAL / alarm: SIGALRM */

	/* Spawned over the control socket (sentry/kernel/control.h), under
	 * kernel.lock: the connection that spawned it (its zombie is kept for
	 * kernel_ctl_wait until then; NULL: not a control process or released),
	 * and its only task while created paused (NULL once started). */
	const void *ctl_owner;
	struct task *ctl_unstarted;
	struct ptimer_set *ptimers; /* POSIX timers (ptimer.h); kernel.lock */
};

/* Record the environment of @tg's program (execve): /proc/pid/environ. */
void task_set_environ(struct thread_group *tg, const char *const *envp);

/* Record the program of @tg (execve, pid 1): comm, exe path, cmdline. */
void task_set_program(struct thread_group *tg, const char *exe, const char *const *argv);
/* Record the auxv the loader wrote for @tg's program (@n words, at most
 * ARRAY_SIZE(tg->auxv)): /proc/pid/auxv.  Takes kernel.lock. */
void task_set_auxv(struct thread_group *tg, const uint64_t *auxv, unsigned n);

/* Linux's defaults for a new sandbox (the OCI spec will override them). */
void task_rlimits_default(struct thread_group *tg);

struct task {
	struct kernel *k;
	struct thread_group *tg;
	int32_t tid;
	struct creds creds;
	struct fd_table *fdt;     /* shared with CLONE_FILES */
	struct fs_context *fs;    /* root, cwd, umask; shared with CLONE_FS */
	struct plat_ctx *ctx;
	struct plat_cpu *cpu;     /* user state while the task is in the Sentry */
	uint64_t clear_child_tid; /* set_tid_address / CLONE_CHILD_CLEARTID */
	uint64_t robust_list;     /* set_robust_list (recorded, not walked yet) */
	/* Frozen (checkpoint) inside signal_deliver with this syscall restart
	 * code still undecided; a restored task starts by deciding it.
	 * kernel.lock. */
	int64_t sys_restart;
	int pdeathsig;            /* PR_SET_PDEATHSIG; kernel.lock; cleared by fork */
	int no_new_privs;
	/* Scheduling (sys_sched.c), kernel.lock; copied by clone: */
	int nice;                 /* -20..19 */
	int sched_policy;         /* SCHED_OTHER, SCHED_BATCH or SCHED_IDLE */
	uint64_t affinity[16];    /* allowed CPUs (1024); all zero: every online CPU */
	pthread_t thread;
	int exit_code;            /* set by exit()/exit_group() */
	int exited;               /* the loop must stop; kernel.lock */
	/* Signals, protected by kernel.lock. */
	struct sigstate_task sig;
	uint64_t saved_mask;      /* rt_sigsuspend: mask to restore */
	int saved_mask_valid;
	pthread_cond_t sigcond;   /* broadcast when a signal is queued */
	/* A restart_syscall(2) continuation (ERESTART_RESTARTBLOCK): the
	 * absolute deadline of an interrupted relative sleep. */
	struct restart_block {
		int clock;
		uint64_t deadline_ns;
		uint64_t rem_addr;
	} restart;
	/* CPU accounting (itimer.h): written by the task's own thread only,
	 * read by others with atomic loads. */
	uint64_t utime_ns;     /* time switched into the application */
	uint64_t stime_ns;     /* time the Sentry thread served the task, waits excluded */
	uint64_t app_since;    /* CLOCK_MONOTONIC ns the current switch began; 0 = in the Sentry */
	uint64_t sys_since;    /* CLOCK_MONOTONIC ns the Sentry took over (0: not yet) */
	uint64_t blocked_ns;   /* waits in the current stint (task_block_begin/end) */
	uint64_t block_since;  /* start of the current wait, 0 = none */
	struct ktimer cpu_slice; /* interrupts the switch when a CPU itimer is due */
	int slice_armed;         /* cpu_slice set for the current switch */
};

/*
 * Create pid 1 in a fresh thread group on @as (which it takes over), with
 * its first context starting at @entry with stack @sp.
 */
int task_create_init(struct kernel *k, struct plat_as *as, uint64_t entry, uint64_t sp,
		     uint64_t image_start, uint64_t brk_start, struct task **ret);
/* Same, for pid 1 (@init) or a process with the next pid and no parent
 * (the control socket's Spawn: sentry/kernel/control.h). */
int task_create_process(struct kernel *k, struct plat_as *as, uint64_t entry, uint64_t sp,
			uint64_t image_start, uint64_t brk_start, int init, struct task **ret);
/* execve from the Sentry itself (pid 1 of `cvisor do`): @t must not be
 * running.  Same rules and errors as the syscall. */
int task_exec(struct task *t, const char *path, const char *const *argv,
	      const char *const *envp);

/* The task whose syscalls the calling Sentry thread serves (NULL outside
 * task threads). */
struct task *task_current(void);

/* RLIMIT_NOFILE of @t, bounded by the fd table's size. */
int task_fd_limit(struct task *t);

/* Set the working directory of a task that has not started yet. */
int task_chdir(struct task *t, const char *path);

/* Standard fds of pid 1: host fds (taken over; -1 leaves the fd closed). */
int task_set_stdio(struct task *t, const int hostfds[3]);
/* The same, but when stdin and stdout are one host terminal (an
 * interactive run), the fds on it become the Sentry's own terminal
 * (sentry/fs/tty_host.c: the host is put in raw mode, the Sentry's line
 * discipline, job control and window size serve the application, shown as
 * /dev/pts/<n>) and the controlling terminal of @t's session (@t must be a
 * session leader: pid 1).  The host termios is restored when the last
 * description closes.  Otherwise exactly task_set_stdio(). */
int task_set_stdio_tty(struct task *t, const int hostfds[3]);

/* A new thread in @t's thread group: same address space, signal handlers;
 * shared fd table; registers copied from @t.  Not started yet. */
int task_clone_thread(struct task *t, struct task **ret);
/* Undo task_clone_thread() for a task that was never started. */
void task_abort(struct task *t);

/* Run the task on a new host thread. */
int task_start(struct task *t);

/* Mark the whole thread group as exiting with wait status @status and make
 * every task in it stop (used by exit_group and fatal signals). */
void task_exit_group(struct task *t, int status);

/* Must a blocked call of @t give up (-EINTR)?  True once its thread group
 * is exiting or the task itself has exited. */
int task_should_stop(struct task *t);

/* For blocking calls: -EINTR if the task must stop, @restart_code (e.g.
 * -ERESTARTSYS) if a signal is pending, else 0.  When only a checkpoint
 * interrupts the call, an @restart_code of -EINTR becomes -ERESTARTNOINTR
 * (the call restarts unseen). */
int task_interrupted(struct task *t, int restart_code);

/* Sleep until CLOCK @clock reaches @deadline ns (UINT64_MAX: no timeout).
 * Returns 0 at the deadline, 1 as soon as a signal is deliverable, -EINTR
 * if the task must stop. */
int task_sleep_until(struct task *t, int clock, uint64_t deadline);

/* Block @t on its condition variable (kernel.lock held) until a wake-up or
 * @deadline on @clock (ns; UINT64_MAX: none), the wait not counted as
 * system time.  -ETIMEDOUT if the deadline has passed, else 0 (callers
 * re-check what they wait for). */
int task_wait_locked(struct task *t, int clock, uint64_t deadline);

/* Around a wait of the calling task's own Sentry thread (a condition
 * variable, a poll): the time in between is not the task's stime
 * (itimer.h).  NULL or another task: nothing. */
void task_block_begin(struct task *t);
void task_block_end(struct task *t);

/* Copy between the Sentry and the task's memory.  -EFAULT if nothing could
 * be copied; short counts otherwise.  (mm takes these over with VMA checks.) */
ssize_t task_copy_in(struct task *t, uint64_t addr, void *buf, size_t len);
ssize_t task_copy_out(struct task *t, uint64_t addr, const void *buf, size_t len);

#endif
