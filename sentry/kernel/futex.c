/* SPDX-License-Identifier: Apache-2.0 */
#include "futex.h"

#include <errno.h>
#include <pthread.h>

#include "kernel.h"
#include "lib/timeutil.h"
#include "sentry/mm/mm.h"
#include "task.h"

struct futex_waiter {
	struct futex_waiter *next;
	struct task *task;
	const void *as; /* key: address space, or shared memory object ... */
	uint64_t addr;  /* ... and address, or offset in it (futex_key) */
	uint32_t bitset;
	int woken;
};

/*
 * The key of the futex word at @addr: inside shared memory (a memfd-backed
 * VMA: MAP_SHARED anonymous, tmpfs or /dev/shm files, SysV-like uses) it is
 * (the memory object, offset), so that processes mapping it anywhere meet;
 * elsewhere (address space, address).  Taken before kernel.lock (the mm
 * lock is never taken under it).
 */
static void futex_key(struct task *t, uint64_t addr, const void **ret_obj, uint64_t *ret_off)
{
	struct mm *m = t->tg->mm;
	struct mm_vma *v;

	*ret_obj = t->tg->as;
	*ret_off = addr;
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	v = mm_vma_find(m, addr);
	if (v && v->shm && (v->kind & MM_VMA_SHARED)) {
		*ret_obj = v->shm;
		*ret_off = v->off + (addr - v->start);
	}
	pthread_mutex_unlock(&m->lock);
}

static void unlink_waiter(struct kernel *k, struct futex_waiter *w)
{
	for (struct futex_waiter **pp = &k->futex_waiters; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return;
		}
}

int futex_wait(struct task *t, uint64_t addr, uint32_t val, uint32_t bitset, clockid_t clk,
	       const struct timespec *deadline)
{
	struct kernel *k = t->k;
	struct futex_waiter w = {
		.task = t, .bitset = bitset,
	};
	uint64_t dl = UINT64_MAX;
	uint32_t cur;
	int r = 0;

	if (addr & 3)
		return -EINVAL;
	if (!bitset)
		return -EINVAL;
	futex_key(t, addr, &w.as, &w.addr);
	pthread_mutex_lock(&k->lock);
	/* Read under the lock: a waker changes the value before it takes the
	 * lock to wake, so it cannot slip between this check and the queue. */
	if (task_copy_in(t, addr, &cur, sizeof(cur)) != sizeof(cur)) {
		pthread_mutex_unlock(&k->lock);
		return -EFAULT;
	}
	if (cur != val) {
		pthread_mutex_unlock(&k->lock);
		return -EAGAIN;
	}
	if (deadline) /* on @clk, in ns; far futures saturate to "never" */
		dl = deadline->tv_sec < 0 ? 0
		     : deadline->tv_sec >= (time_t)(UINT64_MAX / NSEC_PER_SEC - 1)
			     ? UINT64_MAX
			     : (uint64_t)deadline->tv_sec * NSEC_PER_SEC + (uint64_t)deadline->tv_nsec;
	w.next = k->futex_waiters;
	k->futex_waiters = &w;
	while (!w.woken) {
		if (t->exited || t->tg->exiting) {
			r = -EINTR;
			break;
		}
		/* A signal: an untimed wait restarts (SA_RESTART, or after a
		 * stop), a timed one reports EINTR, as Linux. */
		if (signal_pending_locked(t)) {
			r = deadline ? -EINTR : -ERESTARTSYS;
			break;
		}
		if (task_wait_locked(t, clk, dl) == -ETIMEDOUT) {
			r = -ETIMEDOUT;
			break;
		}
	}
	if (!w.woken)
		unlink_waiter(k, &w);
	else
		r = 0;
	pthread_mutex_unlock(&k->lock);
	return r;
}

int futex_wake(struct task *t, uint64_t addr, int n, uint32_t bitset)
{
	struct kernel *k = t->k;
	const void *obj;
	uint64_t key;
	int woken = 0;

	if (addr & 3)
		return -EINVAL;
	if (!bitset)
		return -EINVAL;
	futex_key(t, addr, &obj, &key);
	pthread_mutex_lock(&k->lock);
	for (struct futex_waiter **pp = &k->futex_waiters; *pp && woken < n;) {
		struct futex_waiter *w = *pp;

		if (w->as == obj && w->addr == key && (w->bitset & bitset)) {
			*pp = w->next;
			w->woken = 1;
			pthread_cond_broadcast(&w->task->sigcond);
			woken++;
		} else {
			pp = &w->next;
		}
	}
	pthread_mutex_unlock(&k->lock);
	return woken;
}
