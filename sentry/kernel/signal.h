/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Signals: dispositions (per thread group), masks and pending sets (per task
 * and per thread group), delivery on the application's stack with a Linux
 * x86-64 rt_sigframe, default actions, and syscall restart.
 *
 * All signal state is protected by kernel.lock.
 */
#ifndef CVISOR_SENTRY_SIGNAL_H
#define CVISOR_SENTRY_SIGNAL_H

#include <signal.h>
#include <stdint.h>

struct kernel;
struct task;
struct thread_group;

#define SIG_MAX 64
#define SIG_BIT(s) (1ULL << ((s) - 1))
#define SIG_UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))

/* Kernel ABI struct sigaction (x86-64). */
struct k_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* Kernel-internal restart codes a syscall handler may return. */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
/* Restart through restart_syscall(2) and the task's restart block (e.g. a
 * relative nanosleep resumes with the time left); EINTR under a handler. */
#define ERESTART_RESTARTBLOCK 516

/* One queued signal (standard signals keep one, real-time ones queue). */
struct sigq {
	struct sigq *next;
	siginfo_t info;
};

struct sigpending {
	uint64_t set;
	struct sigq *head, *tail;
};

struct sigstate_tg {
	struct k_sigaction act[SIG_MAX];
	struct sigpending shared; /* process-directed */
	/* Job control.  stopped: a stop signal's default action stopped the
	 * group; every task parks in signal_deliver() until SIGCONT or SIGKILL.
	 * stop_report/cont_report: a wait report (WUNTRACED / WCONTINUED) is
	 * pending for the parent; consumed by a wait without WNOWAIT. */
	int stopped;
	int stop_sig;
	int stop_report;
	int cont_report;
};

struct sigstate_task {
	uint64_t mask;
	struct sigpending pending; /* thread-directed */
	uint64_t alt_sp, alt_size;
	int alt_flags; /* SS_DISABLE or 0 (SS_AUTODISARM not supported) */
};

/* Queue @info for @t (thread-directed, @group = 0) or its thread group.
 * Generation side effects as on Linux: SIGKILL ends the group, SIGCONT
 * continues a stopped group and drops pending stop signals, a stop signal
 * drops a pending SIGCONT, an ignored signal that no task blocks is
 * discarded. */
int signal_send(struct task *t, const siginfo_t *info, int group);
/* Thread-directed signal to task @tid (of thread group @tgid when > 0),
 * looked up and queued under kernel.lock; si_signo 0 only checks.  -ESRCH
 * if there is no such task, -EINVAL for a bad signal. */
int signal_send_tid(struct kernel *k, int32_t tgid, int32_t tid, const siginfo_t *info);
/* Process-directed signal to @tg (kernel.lock held): queued once for the
 * group, every task woken/interrupted; SIGKILL ends the group at once. */
void signal_send_tg_locked(struct thread_group *tg, const siginfo_t *info);
/* A synchronous fault: if the signal is blocked or ignored, the default
 * action is forced (like the kernel's force_sig). */
void signal_force(struct task *t, int signo, int code, uint64_t addr);

/* Is a signal deliverable to @t (pending and not blocked)? */
int signal_pending(struct task *t);
/* Same, kernel.lock held. */
int signal_pending_locked(struct task *t);
/* Is a checkpoint the only reason signal_pending() is true (no signal is
 * deliverable)?  Then a call that would report EINTR must restart instead
 * (-ERESTARTNOINTR): the application never sees the checkpoint. */
int signal_ckpt_only(struct task *t);
int signal_ckpt_only_locked(struct task *t);

/* Take the lowest pending signal of @set (thread-directed first) into
 * @info; returns its number, 0 if none (kernel.lock held). */
int signal_dequeue_locked(struct task *t, uint64_t set, siginfo_t *info);

/* Is @sig ignored by @tg's disposition (SIG_IGN, or SIG_DFL whose default
 * is to ignore)? */
int signal_ignored_locked(struct thread_group *tg, int sig);

/* Discard every pending instance of @sig for @tg and its tasks (after its
 * disposition became "ignore"); kernel.lock held. */
void signal_flush_locked(struct thread_group *tg, int sig);

/*
 * Called by the task loop before returning to the application, after the
 * syscall result (@sys_ret, or 0 when not coming from a syscall with
 * @from_syscall = 0) was stored: delivers at most one signal, applies the
 * restart rules to restart codes, builds the frame or takes the default
 * action.
 */
void signal_deliver(struct task *t, int from_syscall, int64_t sys_ret);

/* rt_sigreturn: restore the state saved in the frame at the stack pointer. */
int64_t signal_sigreturn(struct task *t);

void signal_free_pending(struct sigpending *p);

#endif
