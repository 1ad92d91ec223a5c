/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Processes: fork, the parent/child tree, zombies and wait, orphans
 * reparented to pid 1, process groups and sessions.  kernel.lock protects
 * the tree.
 */
#ifndef CVISOR_SENTRY_PROCESS_H
#define CVISOR_SENTRY_PROCESS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct task;
struct thread_group;
struct kernel;

/* A copy of @t's process with one task (a copy of @t, rax = 0), not started
 * yet; @exit_signal is sent to the parent when it exits.  @share_vm
 * (CLONE_VM): the child runs in @t's address space instead of a copy. */
int process_fork(struct task *t, int exit_signal, bool share_vm, struct task **ret);

/* Called with kernel.lock held when the last task of @tg has gone: zombie
 * (or freed), SIGCHLD to the parent, children to pid 1. */
void process_exited_locked(struct kernel *k, struct thread_group *tg);

/* clone() without CLONE_THREAD (defined with the syscalls, sys_process.c). */
int64_t process_clone(struct task *t, const uint64_t a[6]);

/* Free the zombie @tg that has no parent (the control socket's Wait, or
 * its owner's connection closed).  kernel.lock held. */
void process_free_zombie_locked(struct kernel *k, struct thread_group *tg);

/* Free a never-started fork child. */
void process_abort(struct task *child);

struct wait_result {
	int32_t pid;
	int status;  /* W* encoding (wait4) */
	int code;    /* CLD_* (waitid) */
	int info_status; /* exit code or signal (waitid si_status) */
	uid_t uid;
	uint64_t utime_ns, stime_ns; /* the child's CPU time (with its reaped children's) */
	uint64_t maxrss_kb;
};

#define WAIT_ANY_CHILD 0 /* selector kinds */
#define WAIT_PID 1
#define WAIT_PGID 2

/*
 * Wait for a child matching (@kind, @id) to have something to report:
 * @options selects what: WEXITED (a zombie), WSTOPPED (== WUNTRACED, a
 * group stop), WCONTINUED (resumed by SIGCONT); and how: WNOHANG, WNOWAIT
 * (leave the report in place), __WCLONE/__WALL (which children qualify).  Reaping a zombie adds its CPU times to the
 * waiter's children's times.  Returns 1 with *res filled, 0 for WNOHANG
 * with nothing ready, -ECHILD, or -ERESTARTSYS when a signal is pending.
 */
int process_wait(struct task *t, int kind, int32_t id, int options, struct wait_result *res);

/* Tell @tg's parent that @tg stopped (CLD_STOPPED) or continued
 * (CLD_CONTINUED): SIGCHLD unless the parent set SA_NOCLDSTOP, and a
 * wake-up of its waiters.  kernel.lock held. */
void process_notify_parent_locked(struct thread_group *tg, int code, int sig);

/* Is process group @pgid orphaned (no member has a parent in another
 * group of the same session)?  kernel.lock held. */
int process_pgrp_orphaned_locked(struct kernel *k, int32_t pgid);

/* Block @t until @child's process has exited (vfork). */
void process_wait_vfork(struct task *t, struct thread_group *child);

/* Process-directed signal to a pid / a process group / everything (-1). */
int process_kill(struct task *t, int32_t pid, int sig, int code);
/* Same with a whole siginfo (rt_sigqueueinfo); si_signo 0 only checks. */
int process_kill_info(struct task *t, int32_t pid, const siginfo_t *info);

int process_setpgid(struct task *t, int32_t pid, int32_t pgid);
int process_getpgid(struct task *t, int32_t pid);
int process_setsid(struct task *t);
int process_getsid(struct task *t, int32_t pid);
int32_t process_getppid(struct task *t);

#endif
