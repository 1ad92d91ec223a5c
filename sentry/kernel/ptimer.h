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

#endif
