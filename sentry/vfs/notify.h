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

#include <stdint.h>

/* The current sequence: take it before scanning. */
uint32_t vfs_notify_seq(void);

/* Something may have become ready. */
void vfs_notify(void);

/* Sleep until the sequence differs from @seq or CLOCK_MONOTONIC reaches
 * @deadline_ns (UINT64_MAX: no limit).  Returns at once if it already
 * moved; spurious returns are allowed (callers re-scan). */
void vfs_notify_wait(uint32_t seq, uint64_t deadline_ns);

#endif
