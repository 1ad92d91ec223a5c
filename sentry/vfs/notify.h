/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Readiness notification for poll, select and epoll: one sandbox-wide
 * event sequence.  Every state change that can make a file readable or
 * writable (pipe data or space, a peer closing, an eventfd count, a timer
 * expiring, a signal for a waiting task) calls vfs_notify(); a waiter takes
 * the sequence, scans its files, and sleeps until the sequence moves.
 *
 * Coarse (a change anywhere wakes every waiter, which then re-scans) but
 * without lost wake-ups, and cheap when nobody waits: notify is one atomic
 * increment plus a futex wake only if someone sleeps.  Per-file wait
 * queues can replace it where a profile says so.
 */
#ifndef CVISOR_SENTRY_VFS_NOTIFY_H
#define CVISOR_SENTRY_VFS_NOTIFY_H

#include <pthread.h>
#include <stdint.h>

/* The current sequence: take it before scanning. */
uint32_t vfs_notify_seq(void);

/* Something may have become ready. */
void vfs_notify(void);

/* Sleep until the sequence differs from @seq or CLOCK_MONOTONIC reaches
 * @deadline_ns (UINT64_MAX: no limit).  Returns at once if it already
 * moved; spurious returns are allowed (callers re-scan). */
void vfs_notify_wait(uint32_t seq, uint64_t deadline_ns);

/*
 * Block a task on a file's condition variable (@m held, as for
 * pthread_cond_wait) for up to 50 ms: -ERESTARTSYS if a signal is pending
 * (checked first), -EINTR if the task must stop, else 0 after a wake-up or
 * the timeout (callers re-check their condition).  The timeout bounds how
 * late a signal is noticed without a wake-up of @c.  @t NULL: no checks.
 */
struct task;
int vfs_wait_interruptible(struct task *t, pthread_cond_t *c, pthread_mutex_t *m);

#endif
