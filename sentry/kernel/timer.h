/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel timers: one-shot or periodic callbacks on CLOCK_MONOTONIC deadlines,
 * run by one timer thread per kernel.  The base for ITIMER_REAL/alarm and
 * the CPU-timer slices of itimer.c; POSIX timers and timerfd reuse it.
 *
 * Locking: each base has its own lock, taken after kernel.lock when both are
 * needed (ktimer_set/ktimer_get may be called with kernel.lock held).
 * Callbacks run on the timer thread with no lock held; they may take
 * kernel.lock.  ktimer_cancel_sync() waits for a running callback, so it
 * must not be called with a lock that callback takes.
 */
#ifndef CVISOR_SENTRY_TIMER_H
#define CVISOR_SENTRY_TIMER_H

#include <stdint.h>

struct ktimer_base;

/* Times in ns never wrap: sums saturate at KTIME_MAX, a deadline some
 * five centuries away that means "never" to every caller. */
#define KTIME_MAX UINT64_MAX

static inline uint64_t ktime_add(uint64_t a, uint64_t b)
{
	return a > KTIME_MAX - b ? KTIME_MAX : a + b;
}

/* @sec seconds and @frac_ns nanoseconds (both validated >= 0 by the
 * caller) as ns, saturated. */
static inline uint64_t ktime_from(int64_t sec, int64_t frac_ns)
{
	if ((uint64_t)sec > (KTIME_MAX - (uint64_t)frac_ns) / 1000000000ULL)
		return KTIME_MAX;
	return (uint64_t)sec * 1000000000ULL + (uint64_t)frac_ns;
}

struct ktimer {
	struct ktimer_base *base;
	void (*fn)(struct ktimer *tm); /* the expiry callback */
	/* Protected by the base's lock: */
	uint64_t deadline;  /* CLOCK_MONOTONIC ns of the next expiry; 0 = disarmed */
	uint64_t interval;  /* period in ns; 0 = one-shot */
	struct ktimer *next; /* in the base's list, sorted by deadline */
	int queued;
};

/* Start a base (its thread).  -errno on failure. */
int ktimer_base_create(struct ktimer_base **ret);
/* Stop the thread and free the base; no timer may be armed any more. */
void ktimer_base_destroy(struct ktimer_base *b);

void ktimer_init(struct ktimer *tm, struct ktimer_base *b, void (*fn)(struct ktimer *tm));

/* Arm @tm to expire at @deadline (0 disarms), then every @interval ns;
 * the previous setting goes to *old_deadline and *old_interval (either may be
 * NULL).  A periodic timer that falls behind skips the expiries it
 * missed (one callback per catch-up, as an itimer's single signal). */
void ktimer_set(struct ktimer *tm, uint64_t deadline, uint64_t interval, uint64_t *old_deadline,
		uint64_t *old_interval);
void ktimer_get(struct ktimer *tm, uint64_t *deadline, uint64_t *interval);

/* Disarm @tm and wait until its callback is not running. */
void ktimer_cancel_sync(struct ktimer *tm);

#endif
