/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Scheduling: nice values (getpriority/setpriority), policies and static
 * priorities (sched_*), CPU affinity.
 *
 * The Sentry does not schedule: every task is a host thread and placement is
 * the host's business.  These calls keep Linux's per-task state and errors so
 * that programs reading back what they set see it: the nice value, the
 * policy among the normal ones (SCHED_OTHER, SCHED_BATCH, SCHED_IDLE) and the
 * affinity mask.  Real-time policies need CAP_SYS_NICE, which a sandbox does
 * not have: EPERM.  All of it lives in struct task under kernel.lock and is
 * copied by clone.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lib/timeutil.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "syscall_handlers.h"

#define NICE_MIN (-20)
#define NICE_MAX 19
#define RT_PRIO_MAX 99
#define RR_TIMESLICE_NS (100 * NSEC_PER_MSEC) /* Linux's RR_TIMESLICE */
#define SCHED_RESET_ON_FORK_FLAG 0x40000000

/* The task @tid names (0: @t itself), or NULL.  kernel.lock held. */
static struct task *task_by_tid_locked(struct task *t, int64_t tid)
{
	if (tid == 0)
		return t;
	if (tid < 0 || tid >= KERNEL_PID_MAX)
		return NULL;
	return t->k->tids[tid];
}

/* May @t change the scheduling of @o?  Linux: same (real or effective) uid
 * as @o's, or CAP_SYS_NICE (root here). */
static int may_set_locked(const struct task *t, const struct task *o)
{
	if (t->creds.euid == 0 || t->creds.euid == o->creds.euid || t->creds.euid == o->creds.ruid)
		return 0;
	return -EPERM;
}

/* Does @o fall under getpriority/setpriority's (which, who)? */
static int prio_match_locked(struct task *t, struct task *o, int which, int64_t who)
{
	switch (which) {
	case PRIO_PROCESS:
		return o == task_by_tid_locked(t, who);
	case PRIO_PGRP:
		return o->tg->pgid == (who ? who : t->tg->pgid);
	case PRIO_USER:
		return o->creds.ruid == (who ? (uint64_t)who : t->creds.ruid);
	}
	return 0;
}

/* getpriority(which, who): 20 - the lowest nice among the matches (the raw
 * syscall's encoding; glibc turns it back into a nice value). */
int64_t sys_getpriority(struct task *t, const uint64_t a[6])
{
	int which = (int)a[0], best = NICE_MAX + 1;
	int64_t who = (int32_t)a[1];

	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
		return -EINVAL;
	if (who < 0)
		return -ESRCH;
	pthread_mutex_lock(&t->k->lock);
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct task *o = t->k->tids[i];

		if (o && prio_match_locked(t, o, which, who) && o->nice < best)
			best = o->nice;
	}
	pthread_mutex_unlock(&t->k->lock);
	return best > NICE_MAX ? -ESRCH : 20 - best;
}

int64_t sys_setpriority(struct task *t, const uint64_t a[6])
{
	int which = (int)a[0], nice = (int)a[2], found = 0, r = 0;
	int64_t who = (int32_t)a[1];

	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
		return -EINVAL;
	if (who < 0)
		return -ESRCH;
	nice = nice < NICE_MIN ? NICE_MIN : nice > NICE_MAX ? NICE_MAX : nice;
	pthread_mutex_lock(&t->k->lock);
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct task *o = t->k->tids[i];
		int e;

		if (!o || !prio_match_locked(t, o, which, who))
			continue;
		found = 1;
		e = may_set_locked(t, o);
		if (e == 0 && nice < o->nice && t->creds.euid != 0)
			e = -EACCES; /* raising the priority needs CAP_SYS_NICE */
		if (e == 0)
			o->nice = nice;
		else
			r = e;
	}
	pthread_mutex_unlock(&t->k->lock);
	return found ? r : -ESRCH;
}

static int policy_normal(int policy)
{
	return policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE;
}

static int policy_rt(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

/* Policy @policy (-1: keep the current one) with the priority at @uparam for
 * the task @pid. */
static int64_t set_scheduler(struct task *t, int64_t pid, int policy, uint64_t uparam)
{
	struct task *o;
	int prio, r;

	if (pid < 0 || !uparam)
		return -EINVAL;
	if (task_copy_in(t, uparam, &prio, sizeof(prio)) != sizeof(prio))
		return -EFAULT;
	if (policy != -1) {
		policy &= ~SCHED_RESET_ON_FORK_FLAG;
		if (!policy_normal(policy) && !policy_rt(policy))
			return -EINVAL;
	}
	pthread_mutex_lock(&t->k->lock);
	o = task_by_tid_locked(t, pid);
	if (!o) {
		r = -ESRCH;
	} else {
		if (policy == -1)
			policy = o->sched_policy;
		if (policy_normal(policy))
			r = prio == 0 ? may_set_locked(t, o) : -EINVAL;
		else
			r = prio < 1 || prio > RT_PRIO_MAX ? -EINVAL : -EPERM;
		if (r == 0)
			o->sched_policy = policy;
	}
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

int64_t sys_sched_setscheduler(struct task *t, const uint64_t a[6])
{
	if ((int)a[1] < 0)
		return -EINVAL;
	return set_scheduler(t, (int32_t)a[0], (int)a[1], a[2]);
}

int64_t sys_sched_setparam(struct task *t, const uint64_t a[6])
{
	return set_scheduler(t, (int32_t)a[0], -1, a[1]);
}

int64_t sys_sched_getscheduler(struct task *t, const uint64_t a[6])
{
	int64_t pid = (int32_t)a[0];
	struct task *o;
	int r;

	if (pid < 0)
		return -EINVAL;
	pthread_mutex_lock(&t->k->lock);
	o = task_by_tid_locked(t, pid);
	r = o ? o->sched_policy : -ESRCH;
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

int64_t sys_sched_getparam(struct task *t, const uint64_t a[6])
{
	int64_t pid = (int32_t)a[0];
	int prio = 0, found;

	if (pid < 0 || !a[1])
		return -EINVAL;
	pthread_mutex_lock(&t->k->lock);
	found = task_by_tid_locked(t, pid) != NULL;
	pthread_mutex_unlock(&t->k->lock);
	if (!found)
		return -ESRCH;
	return task_copy_out(t, a[1], &prio, sizeof(prio)) == sizeof(prio) ? 0 : -EFAULT;
}

int64_t sys_sched_get_priority_max(struct task *t, const uint64_t a[6])
{
	int policy = (int)a[0];

	(void)t;
	if (policy_rt(policy))
		return RT_PRIO_MAX;
	return policy_normal(policy) ? 0 : -EINVAL;
}

int64_t sys_sched_get_priority_min(struct task *t, const uint64_t a[6])
{
	int policy = (int)a[0];

	(void)t;
	if (policy_rt(policy))
		return 1;
	return policy_normal(policy) ? 0 : -EINVAL;
}

int64_t sys_sched_rr_get_interval(struct task *t, const uint64_t a[6])
{
	int64_t pid = (int32_t)a[0];
	struct timespec ts = {0, RR_TIMESLICE_NS};
	int found;

	if (pid < 0)
		return -EINVAL;
	pthread_mutex_lock(&t->k->lock);
	found = task_by_tid_locked(t, pid) != NULL;
	pthread_mutex_unlock(&t->k->lock);
	if (!found)
		return -ESRCH;
	return task_copy_out(t, a[1], &ts, sizeof(ts)) == sizeof(ts) ? 0 : -EFAULT;
}

#define AFFINITY_WORDS 16 /* 1024 CPUs, as struct task's mask */

/* The online CPUs, as a mask. */
static void online_mask(uint64_t mask[AFFINITY_WORDS])
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	if (n > AFFINITY_WORDS * 64)
		n = AFFINITY_WORDS * 64;
	memset(mask, 0, AFFINITY_WORDS * sizeof(uint64_t));
	for (long i = 0; i < n; i++)
		mask[i / 64] |= 1ULL << (i % 64);
}

static int mask_empty(const uint64_t mask[AFFINITY_WORDS])
{
	for (int i = 0; i < AFFINITY_WORDS; i++)
		if (mask[i])
			return 0;
	return 1;
}

/* sched_getaffinity(pid, len, mask): the bytes written */
int64_t sys_sched_getaffinity(struct task *t, const uint64_t a[6])
{
	uint64_t mask[AFFINITY_WORDS], online[AFFINITY_WORDS];
	int64_t pid = (int32_t)a[0];
	size_t len = a[1];
	struct task *o;

	if (len < 8 || (len & 7))
		return -EINVAL;
	online_mask(online);
	pthread_mutex_lock(&t->k->lock);
	o = task_by_tid_locked(t, pid);
	if (o)
		memcpy(mask, o->affinity, sizeof(mask));
	pthread_mutex_unlock(&t->k->lock);
	if (!o)
		return -ESRCH;
	if (mask_empty(mask))
		memcpy(mask, online, sizeof(mask));
	len = len < sizeof(mask) ? len : sizeof(mask);
	if (task_copy_out(t, a[2], mask, len) != (ssize_t)len)
		return -EFAULT;
	return (int64_t)len;
}

/* sched_setaffinity(pid, len, mask): kept (restricted to the online CPUs)
 * for sched_getaffinity; not applied. */
int64_t sys_sched_setaffinity(struct task *t, const uint64_t a[6])
{
	uint64_t mask[AFFINITY_WORDS] = {0}, online[AFFINITY_WORDS];
	int64_t pid = (int32_t)a[0];
	size_t len = a[1] < sizeof(mask) ? a[1] : sizeof(mask);
	struct task *o;
	int r;

	if (task_copy_in(t, a[2], mask, len) != (ssize_t)len)
		return -EFAULT;
	online_mask(online);
	for (int i = 0; i < AFFINITY_WORDS; i++)
		mask[i] &= online[i];
	pthread_mutex_lock(&t->k->lock);
	o = task_by_tid_locked(t, pid);
	if (!o) {
		r = -ESRCH;
	} else {
		r = may_set_locked(t, o);
		if (r == 0 && mask_empty(mask))
			r = -EINVAL;
		if (r == 0)
			memcpy(o->affinity, mask, sizeof(mask));
	}
	pthread_mutex_unlock(&t->k->lock);
	return r;
}
