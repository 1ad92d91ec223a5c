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

/* FUTEX_(CMP_)REQUEUE: wake up to @nwake waiters of @addr and move up to
 * @nrequeue others to @addr2; with @cmp, -EAGAIN unless *addr == *@cmp.
 * Returns woken + moved. */
int futex_requeue(struct task *t, uint64_t addr, int nwake, int nrequeue, uint64_t addr2,
		  const uint32_t *cmp);
/* FUTEX_WAKE_OP: apply the encoded operation to *@addr2, wake @nwake on
 * @addr and, if the comparison of the old value holds, @nwake2 on @addr2.
 * The read-modify-write is not atomic against the application's own
 * instructions on that word. */
int futex_wake_op(struct task *t, uint64_t addr, uint64_t addr2, int nwake, int nwake2,
		  uint32_t encoded);
/*
 * The PI operations (FUTEX_LOCK_PI, UNLOCK_PI, TRYLOCK_PI, *_REQUEUE_PI)
 * are not served (ENOSYS, so glibc's PTHREAD_PRIO_INHERIT mutexes report
 * ENOTSUP): their protocol needs the kernel to change the futex word
 * atomically against the application's own compare-and-swap, and the
 * Sentry reaches application memory only through the platform's copies.
 * An implementation by copies loses an owner's unlock under contention.
 */

#endif
