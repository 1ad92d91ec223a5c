/* SPDX-License-Identifier: Apache-2.0 */
/* POSIX timers (ptimer.h). */
#include "ptimer.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "lib/timeutil.h"
#include "signal.h"
#include "task.h"
#include "timer.h"

#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif

struct ptimer {
	struct ktimer kt; /* first: the callback finds the timer from it */
	struct thread_group *tg;
	int id;
	clockid_t clock;
	int notify; /* SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD_ID */
	int signo;
	int32_t tid;
	union sigval value;
	/* Under kernel.lock: */
	uint64_t next;     /* CLOCK_MONOTONIC ns of the next expiry, 0 = disarmed */
	uint64_t interval; /* ns, 0 = one-shot */
	int overrun;       /* of the latest signal */
};

struct ptimer_set {
	struct ptimer *t[PTIMER_MAX];
};

static uint64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static int clock_base(clockid_t c, clockid_t *ret)
{
	switch (c) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_ALARM:
		*ret = CLOCK_REALTIME;
		return 0;
	case CLOCK_MONOTONIC:
		*ret = CLOCK_MONOTONIC;
		return 0;
	case CLOCK_BOOTTIME:
	case CLOCK_BOOTTIME_ALARM:
		*ret = CLOCK_BOOTTIME;
		return 0;
	default:
		return -EINVAL; /* CPU-time clocks are not served */
	}
}

/* The queued signal of @pt, if it is still pending (kernel.lock held). */
static siginfo_t *queued_locked(struct ptimer *pt, struct task *target)
{
	struct sigpending *p = target ? &target->sig.pending : &pt->tg->sig.shared;

	for (struct sigq *q = p->head; q; q = q->next)
		if (q->info.si_signo == pt->signo && q->info.si_code == SI_TIMER &&
		    q->info.si_timerid == pt->id)
			return &q->info;
	return NULL;
}

/* Drop the queued signal of @pt, as Linux does when the timer is set again
 * or deleted (kernel.lock held). */
static void unqueue_locked(struct ptimer *pt)
{
	struct kernel *k = pt->tg->k;
	struct sigpending *p = &pt->tg->sig.shared;
	struct sigq **pp, *q, *prev = NULL;
	int more = 0;

	if (pt->notify == SIGEV_NONE)
		return;
	if (pt->notify == SIGEV_THREAD_ID) {
		struct task *target = pt->tid > 0 && pt->tid < KERNEL_PID_MAX ? k->tids[pt->tid] : NULL;

		if (!target || target->tg != pt->tg)
			return;
		p = &target->sig.pending;
	}
	for (pp = &p->head; (q = *pp); prev = q, pp = &q->next)
		if (q->info.si_signo == pt->signo && q->info.si_code == SI_TIMER &&
		    q->info.si_timerid == pt->id)
			break;
	if (!q)
		return;
	*pp = q->next;
	if (p->tail == q)
		p->tail = prev;
	free(q);
	for (q = p->head; q; q = q->next)
		if (q->info.si_signo == pt->signo)
			more = 1;
	if (!more)
		p->set &= ~SIG_BIT(pt->signo);
}

static void expired(struct ktimer *kt)
{
	struct ptimer *pt = (struct ptimer *)kt;
	struct thread_group *tg = pt->tg;
	struct kernel *k = tg->k;
	struct task *target = NULL;
	uint64_t now = mono_ns(), missed = 0;
	siginfo_t info, *q;

	pthread_mutex_lock(&k->lock);
	if (pt->interval && pt->next && now >= pt->next) {
		missed = (now - pt->next) / pt->interval;
		pt->next += (missed + 1) * pt->interval;
	} else if (!pt->interval) {
		pt->next = 0;
	}
	if (pt->notify == SIGEV_NONE || tg->exiting || tg->zombie) {
		pthread_mutex_unlock(&k->lock);
		return;
	}
	if (pt->notify == SIGEV_THREAD_ID) {
		target = pt->tid > 0 && pt->tid < KERNEL_PID_MAX ? k->tids[pt->tid] : NULL;
		if (target && target->tg != tg)
			target = NULL;
		if (!target) { /* the thread is gone: nobody to tell */
			pthread_mutex_unlock(&k->lock);
			return;
		}
	}
	q = queued_locked(pt, target);
	if (q) {
		uint64_t o = (uint64_t)pt->overrun + 1 + missed;

		pt->overrun = o > INT_MAX ? INT_MAX : (int)o;
		q->si_overrun = pt->overrun;
		pthread_mutex_unlock(&k->lock);
		return;
	}
	pt->overrun = missed > INT_MAX ? INT_MAX : (int)missed;
	memset(&info, 0, sizeof(info));
	info.si_signo = pt->signo;
	info.si_code = SI_TIMER;
	info.si_timerid = pt->id;
	info.si_overrun = pt->overrun;
	info.si_value = pt->value;
	if (!target) {
		signal_send_tg_locked(tg, &info);
		pthread_mutex_unlock(&k->lock);
		return;
	}
	pthread_mutex_unlock(&k->lock);
	(void)signal_send_tid(k, tg->tgid, pt->tid, &info);
}

int ptimer_create(struct task *t, clockid_t clock, const struct sigevent *sev, int *ret_id)
{
	struct thread_group *tg = t->tg;
	struct kernel *k = t->k;
	struct ptimer *pt;
	clockid_t base;
	int r = clock_base(clock, &base), id = -1;

	if (r < 0)
		return r;
	pt = calloc(1, sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	pt->tg = tg;
	pt->clock = base;
	if (sev) {
		pt->notify = sev->sigev_notify;
		pt->signo = sev->sigev_signo;
		pt->value = sev->sigev_value;
		pt->tid = sev->_sigev_un._tid;
		if (pt->notify != SIGEV_NONE && pt->notify != SIGEV_SIGNAL &&
		    pt->notify != SIGEV_THREAD_ID)
			r = -EINVAL;
		else if (pt->notify != SIGEV_NONE && (pt->signo < 1 || pt->signo > SIG_MAX))
			r = -EINVAL;
	} else {
		pt->notify = SIGEV_SIGNAL;
		pt->signo = SIGALRM;
	}
	if (r < 0) {
		free(pt);
		return r;
	}
	ktimer_init(&pt->kt, k->timers, expired);
	pthread_mutex_lock(&k->lock);
	if (pt->notify == SIGEV_THREAD_ID &&
	    (pt->tid <= 0 || pt->tid >= KERNEL_PID_MAX || !k->tids[pt->tid] ||
	     k->tids[pt->tid]->tg != tg))
		r = -EINVAL;
	if (r == 0 && !tg->ptimers && !(tg->ptimers = calloc(1, sizeof(*tg->ptimers))))
		r = -ENOMEM;
	for (int i = 0; r == 0 && i < PTIMER_MAX; i++)
		if (!tg->ptimers->t[i]) {
			id = i;
			break;
		}
	if (r == 0 && id < 0)
		r = -EAGAIN;
	if (r == 0) {
		pt->id = id;
		if (!sev)
			pt->value.sival_int = id;
		tg->ptimers->t[id] = pt;
	}
	pthread_mutex_unlock(&k->lock);
	if (r < 0) {
		free(pt);
		return r;
	}
	*ret_id = id;
	return 0;
}

/* The timer @id of @t's process (kernel.lock held), or NULL. */
static struct ptimer *find_locked(struct task *t, int id)
{
	if (id < 0 || id >= PTIMER_MAX || !t->tg->ptimers)
		return NULL;
	return t->tg->ptimers->t[id];
}

static void to_timespec(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / NSEC_PER_SEC);
	ts->tv_nsec = (long)(ns % NSEC_PER_SEC);
}

static void get_locked(struct ptimer *pt, struct itimerspec *ret)
{
	uint64_t now = mono_ns();

	memset(ret, 0, sizeof(*ret));
	if (pt->next)
		to_timespec(pt->next > now ? pt->next - now : 1, &ret->it_value);
	to_timespec(pt->interval, &ret->it_interval);
}

static int valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < (long)NSEC_PER_SEC;
}

int ptimer_settime(struct task *t, int id, int flags, const struct itimerspec *new,
		   struct itimerspec *ret_old)
{
	struct kernel *k = t->k;
	struct itimerspec old;
	struct ptimer *pt;
	uint64_t value, deadline = 0, now;

	if (!valid(&new->it_value) || !valid(&new->it_interval))
		return -EINVAL;
	value = ktime_from(new->it_value.tv_sec, new->it_value.tv_nsec);
	pthread_mutex_lock(&k->lock);
	pt = find_locked(t, id);
	if (!pt) {
		pthread_mutex_unlock(&k->lock);
		return -EINVAL;
	}
	get_locked(pt, &old);
	now = mono_ns();
	if (value) {
		if (flags & TIMER_ABSTIME) {
			uint64_t cnow = clock_ns(pt->clock);

			deadline = value > cnow ? ktime_add(now, value - cnow) : now;
		} else {
			deadline = ktime_add(now, value);
		}
		if (!deadline)
			deadline = 1;
	}
	pt->next = deadline;
	pt->interval = value ? ktime_from(new->it_interval.tv_sec, new->it_interval.tv_nsec) : 0;
	pt->overrun = 0;
	unqueue_locked(pt);
	/* ktimer_set takes only the base's lock: fine under kernel.lock */
	ktimer_set(&pt->kt, deadline, pt->interval, NULL, NULL);
	pthread_mutex_unlock(&k->lock);
	if (ret_old)
		*ret_old = old;
	return 0;
}

int ptimer_gettime(struct task *t, int id, struct itimerspec *ret)
{
	struct ptimer *pt;

	pthread_mutex_lock(&t->k->lock);
	pt = find_locked(t, id);
	if (pt)
		get_locked(pt, ret);
	pthread_mutex_unlock(&t->k->lock);
	return pt ? 0 : -EINVAL;
}

int ptimer_getoverrun(struct task *t, int id)
{
	struct ptimer *pt;
	int r;

	pthread_mutex_lock(&t->k->lock);
	pt = find_locked(t, id);
	r = pt ? pt->overrun : -EINVAL;
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

int ptimer_delete(struct task *t, int id)
{
	struct ptimer *pt;

	pthread_mutex_lock(&t->k->lock);
	pt = find_locked(t, id);
	if (pt) {
		t->tg->ptimers->t[id] = NULL;
		unqueue_locked(pt);
	}
	pthread_mutex_unlock(&t->k->lock);
	if (!pt)
		return -EINVAL;
	ktimer_cancel_sync(&pt->kt); /* the callback takes kernel.lock: not held */
	free(pt);
	return 0;
}

void ptimer_tg_exit(struct thread_group *tg)
{
	struct ptimer_set *s;

	pthread_mutex_lock(&tg->k->lock);
	s = tg->ptimers;
	tg->ptimers = NULL;
	pthread_mutex_unlock(&tg->k->lock);
	if (!s)
		return;
	for (int i = 0; i < PTIMER_MAX; i++)
		if (s->t[i]) {
			ktimer_cancel_sync(&s->t[i]->kt);
			free(s->t[i]);
		}
	free(s);
}

int ptimer_export_locked(const struct thread_group *tg, int id, struct ptimer_state *ret)
{
	const struct ptimer *pt;

	if (id < 0 || id >= PTIMER_MAX || !tg->ptimers || !(pt = tg->ptimers->t[id]))
		return -ENOENT;
	memset(ret, 0, sizeof(*ret));
	ret->id = pt->id;
	ret->clock = pt->clock;
	ret->notify = pt->notify;
	ret->signo = pt->signo;
	ret->tid = pt->tid;
	ret->value = (uint64_t)(uintptr_t)pt->value.sival_ptr;
	ret->next = pt->next;
	ret->interval = pt->interval;
	ret->overrun = pt->overrun;
	return 0;
}

int ptimer_import(struct thread_group *tg, const struct ptimer_state *st)
{
	struct ptimer *pt;

	if (st->id < 0 || st->id >= PTIMER_MAX)
		return -EINVAL;
	if (!tg->ptimers && !(tg->ptimers = calloc(1, sizeof(*tg->ptimers))))
		return -ENOMEM;
	if (tg->ptimers->t[st->id])
		return -EEXIST;
	pt = calloc(1, sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	pt->tg = tg;
	pt->id = st->id;
	pt->clock = st->clock;
	pt->notify = st->notify;
	pt->signo = st->signo;
	pt->tid = st->tid;
	pt->value.sival_ptr = (void *)(uintptr_t)st->value;
	pt->next = st->next;
	pt->interval = st->next ? st->interval : 0;
	pt->overrun = st->overrun < 0 ? 0 : st->overrun;
	ktimer_init(&pt->kt, tg->k->timers, expired);
	tg->ptimers->t[st->id] = pt;
	return 0;
}

void ptimer_arm_restored(struct thread_group *tg)
{
	struct kernel *k = tg->k;

	pthread_mutex_lock(&k->lock);
	for (int i = 0; tg->ptimers && i < PTIMER_MAX; i++) {
		struct ptimer *pt = tg->ptimers->t[i];

		if (pt && pt->next)
			ktimer_set(&pt->kt, pt->next, pt->interval, NULL, NULL);
	}
	pthread_mutex_unlock(&k->lock);
}
