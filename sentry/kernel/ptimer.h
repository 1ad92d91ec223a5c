/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POSIX per-process timers (timer_create and friends) on the kernel's
 * timer thread (timer.h).  Clocks: CLOCK_REALTIME, CLOCK_MONOTONIC and
 * CLOCK_BOOTTIME (the _ALARM variants as those); an absolute
 * CLOCK_REALTIME time is converted to the monotonic clock when set.
 * Notification: SIGEV_NONE, SIGEV_SIGNAL (to the process), SIGEV_THREAD_ID
 * (to one of its threads; glibc's SIGEV_THREAD is built on it).  While a
 * timer's signal is still queued, further expiries only count as overruns
 * (si_overrun of the queued signal, and timer_getoverrun()).
 *
 * Timers belong to the thread group (tg->ptimers, under kernel.lock); they
 * are not inherited by fork and are deleted by execve and exit.
 */
#ifndef CVISOR_SENTRY_KERNEL_PTIMER_H
#define CVISOR_SENTRY_KERNEL_PTIMER_H

#include <signal.h>
#include <stdint.h>
#include <time.h>

struct task;
struct thread_group;

#define PTIMER_MAX 256 /* per process */

/* @sev NULL: SIGEV_SIGNAL with SIGALRM and the timer id as the value. */
int ptimer_create(struct task *t, clockid_t clock, const struct sigevent *sev, int *ret_id);
int ptimer_settime(struct task *t, int id, int flags, const struct itimerspec *new,
		   struct itimerspec *ret_old);
int ptimer_gettime(struct task *t, int id, struct itimerspec *ret);
int ptimer_getoverrun(struct task *t, int id);
int ptimer_delete(struct task *t, int id);
/* Delete every timer of @tg (exit, execve); no lock held. */
void ptimer_tg_exit(struct thread_group *tg);

/* Checkpoint/restore (ckpt_timers.c). */
struct ptimer_state {
	int id;
	clockid_t clock; /* CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME */
	int notify;      /* SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD_ID */
	int signo;
	int32_t tid;
	uint64_t value;    /* sigev_value (sival_ptr's bits) */
	uint64_t next;     /* CLOCK_MONOTONIC ns, 0: disarmed */
	uint64_t interval; /* ns */
	int overrun;
};
/* The timer @id of @tg into *ret (kernel.lock held); -ENOENT: none. */
int ptimer_export_locked(const struct thread_group *tg, int id, struct ptimer_state *ret);
/* Add a timer to @tg, not yet visible to anyone (restore; no lock held),
 * disarmed until ptimer_arm_restored; fields validated by the caller
 * except that the id must be free (-EEXIST) and in range (-EINVAL). */
int ptimer_import(struct thread_group *tg, const struct ptimer_state *st);
/* Arm every timer of @tg on its saved deadline (a past one fires at once). */
void ptimer_arm_restored(struct thread_group *tg);

#endif
