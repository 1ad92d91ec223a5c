/* SPDX-License-Identifier: Apache-2.0 */
#include "futex.h"

#include <errno.h>
#include <linux/futex.h>
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
			r = deadline && !signal_ckpt_only_locked(t) ? -EINTR : -ERESTARTSYS;
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

/* Wake up to @n waiters keyed (@obj, @key) (kernel.lock held). */
static int wake_key_locked(struct kernel *k, const void *obj, uint64_t key, int n, uint32_t bitset)
{
	int woken = 0;

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
	return woken;
}

int futex_wake(struct task *t, uint64_t addr, int n, uint32_t bitset)
{
	struct kernel *k = t->k;
	const void *obj;
	uint64_t key;
	int woken;

	if (addr & 3)
		return -EINVAL;
	if (!bitset)
		return -EINVAL;
	futex_key(t, addr, &obj, &key);
	pthread_mutex_lock(&k->lock);
	woken = wake_key_locked(k, obj, key, n, bitset);
	pthread_mutex_unlock(&k->lock);
	return woken;
}

int futex_requeue(struct task *t, uint64_t addr, int nwake, int nrequeue, uint64_t addr2,
		  const uint32_t *cmp)
{
	struct kernel *k = t->k;
	const void *obj, *obj2;
	uint64_t key, key2;
	int woken, moved = 0;

	if ((addr & 3) || (addr2 & 3))
		return -EINVAL;
	if (nwake < 0 || nrequeue < 0)
		return -EINVAL;
	futex_key(t, addr, &obj, &key);
	futex_key(t, addr2, &obj2, &key2);
	pthread_mutex_lock(&k->lock);
	if (cmp) {
		uint32_t cur;

		if (task_copy_in(t, addr, &cur, sizeof(cur)) != sizeof(cur)) {
			pthread_mutex_unlock(&k->lock);
			return -EFAULT;
		}
		if (cur != *cmp) {
			pthread_mutex_unlock(&k->lock);
			return -EAGAIN;
		}
	}
	woken = wake_key_locked(k, obj, key, nwake, FUTEX_BITSET_MATCH_ANY);
	for (struct futex_waiter *w = k->futex_waiters; w && moved < nrequeue; w = w->next)
		if (w->as == obj && w->addr == key) {
			w->as = obj2;
			w->addr = key2;
			moved++;
		}
	pthread_mutex_unlock(&k->lock);
	return woken + moved;
}

int futex_wake_op(struct task *t, uint64_t addr, uint64_t addr2, int nwake, int nwake2,
		  uint32_t encoded)
{
	struct kernel *k = t->k;
	int op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	int shift = (encoded >> 31) & 1;
	uint32_t oparg = (encoded >> 12) & 0xfff, cmparg = encoded & 0xfff;
	const void *obj, *obj2;
	uint64_t key, key2;
	uint32_t old, nv;
	int woken, hit;

	if ((addr & 3) || (addr2 & 3))
		return -EINVAL;
	/* sign-extend the 12-bit arguments, as Linux */
	oparg = (uint32_t)((int32_t)(oparg << 20) >> 20);
	cmparg = (uint32_t)((int32_t)(cmparg << 20) >> 20);
	if (shift) {
		if (oparg > 31)
			return -EINVAL;
		oparg = 1u << oparg;
	}
	futex_key(t, addr, &obj, &key);
	futex_key(t, addr2, &obj2, &key2);
	pthread_mutex_lock(&k->lock);
	/* Not atomic against the application's own instructions on the word:
	 * the Sentry's read-modify-write goes through the platform. */
	if (task_copy_in(t, addr2, &old, sizeof(old)) != sizeof(old)) {
		pthread_mutex_unlock(&k->lock);
		return -EFAULT;
	}
	switch (op) {
	case FUTEX_OP_SET: nv = oparg; break;
	case FUTEX_OP_ADD: nv = old + oparg; break;
	case FUTEX_OP_OR: nv = old | oparg; break;
	case FUTEX_OP_ANDN: nv = old & ~oparg; break;
	case FUTEX_OP_XOR: nv = old ^ oparg; break;
	default:
		pthread_mutex_unlock(&k->lock);
		return -ENOSYS;
	}
	switch (cmp) {
	case FUTEX_OP_CMP_EQ: hit = old == cmparg; break;
	case FUTEX_OP_CMP_NE: hit = old != cmparg; break;
	case FUTEX_OP_CMP_LT: hit = (int32_t)old < (int32_t)cmparg; break;
	case FUTEX_OP_CMP_LE: hit = (int32_t)old <= (int32_t)cmparg; break;
	case FUTEX_OP_CMP_GT: hit = (int32_t)old > (int32_t)cmparg; break;
	case FUTEX_OP_CMP_GE: hit = (int32_t)old >= (int32_t)cmparg; break;
	default:
		pthread_mutex_unlock(&k->lock);
		return -ENOSYS;
	}
	if (task_copy_out(t, addr2, &nv, sizeof(nv)) != sizeof(nv)) {
		pthread_mutex_unlock(&k->lock);
		return -EFAULT;
	}
	woken = wake_key_locked(k, obj, key, nwake, FUTEX_BITSET_MATCH_ANY);
	if (hit)
		woken += wake_key_locked(k, obj2, key2, nwake2, FUTEX_BITSET_MATCH_ANY);
	pthread_mutex_unlock(&k->lock);
	return woken;
}
