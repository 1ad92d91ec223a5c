/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CPU-time accounting and interval timers (setitimer/getitimer/alarm).
 *
 * Accounting (per task, summed per thread group), by wall-clock time in
 * task states as gVisor does, from CLOCK_MONOTONIC (a vDSO read):
 *   utime = time the task spent switched into the application
 *           (plat_ctx_switch): the stub is running then, unless the host
 *           deschedules it, so this is an upper bound of its CPU time;
 *   stime = time the task's Sentry thread spent between switches serving
 *           its syscalls, faults and signals, minus the waits marked by
 *           task_block_begin/end (sleeps, condition variables, polls).
 *           Reading the thread's host CPU clock instead costs a host
 *           syscall (0.6 us here) twice per application syscall.
 * Exited tasks fold into their group; a reaped child's times (with its own
 * reaped children's) go to the parent's children times, as on Linux.
 *
 * Timers: ITIMER_REAL is a ktimer (timer.h) sending SIGALRM to the group;
 * ITIMER_VIRTUAL (utime) and ITIMER_PROF (utime + stime) are charged as time
 * is accounted, and while one is armed each switch into the application is
 * bounded by a ktimer that interrupts it when the earliest is due.  fork
 * clears all three, execve keeps them.
 */
#ifndef CVISOR_SENTRY_ITIMER_H
#define CVISOR_SENTRY_ITIMER_H

#include <stdint.h>

struct task;
struct thread_group;

/* The task loop: around each plat_ctx_switch().  The first call of
 * itimer_app_enter() for a task also starts its accounting. */
void itimer_app_enter(struct task *t);
void itimer_app_leave(struct task *t);

/* Set up a new task / group (timers disarmed). */
void itimer_task_init(struct task *t);
void itimer_tg_init(struct thread_group *tg);
/* The task is leaving: fold its times into its group (kernel.lock held). */
void itimer_task_exit_locked(struct task *t);
/* The last task of @tg has gone (no lock held, address space still there):
 * stop its timers, record its peak RSS. */
void itimer_tg_exit(struct thread_group *tg);

/* CPU time of @t so far (ns).  Any task; racy but consistent enough. */
void task_cputime(struct task *t, uint64_t *utime, uint64_t *stime);
/* CPU time of the whole group, exited tasks included (kernel.lock held). */
void task_cputime_tg_locked(struct thread_group *tg, uint64_t *utime, uint64_t *stime);
/* Peak RSS of @tg's address space in KiB (0 if unknown). */
uint64_t itimer_maxrss_kb(struct thread_group *tg);

/* which: ITIMER_REAL/VIRTUAL/PROF.  Values in ns; -EINVAL for a bad which. */
int itimer_set(struct task *t, int which, uint64_t value, uint64_t interval, uint64_t *old_value,
	       uint64_t *old_interval);
int itimer_get(struct task *t, int which, uint64_t *value, uint64_t *interval);

#endif
