/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Futexes.  Waiters are keyed by (address space, address): private and
 * shared futexes behave the same until shared memory between processes
 * exists (shared keys will use the backing object and offset).  The waiter
 * queue is protected by kernel.lock; a waiter sleeps on its task's
 * condition variable, so signals and group exits wake it too.
 */
#ifndef CVISOR_SENTRY_FUTEX_H
#define CVISOR_SENTRY_FUTEX_H

#include <stdint.h>
#include <time.h>

struct task;

/* FUTEX_WAIT(_BITSET): block while *addr == @val.  @deadline is absolute on
 * @clk, or NULL.  0 when woken, -EAGAIN, -ETIMEDOUT, -EINTR, -EFAULT. */
int futex_wait(struct task *t, uint64_t addr, uint32_t val, uint32_t bitset, clockid_t clk,
	       const struct timespec *deadline);
/* Wake up to @n waiters on @addr whose bitset intersects @bitset. */
int futex_wake(struct task *t, uint64_t addr, int n, uint32_t bitset);

#endif
