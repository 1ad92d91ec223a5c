/* SPDX-License-Identifier: Apache-2.0 */
#include "timer.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "lib/timeutil.h"

struct ktimer_base {
	pthread_mutex_t lock;  /* protects everything below and the timers' fields */
	pthread_cond_t cond;   /* CLOCK_MONOTONIC: list changed, callback done, stop */
	struct ktimer *head;   /* armed timers, earliest first */
	struct ktimer *running; /* whose callback runs now */
	int stop;
	pthread_t thread;
};

static void unlink_locked(struct ktimer_base *b, struct ktimer *tm)
{
	if (!tm->queued)
		return;
	for (struct ktimer **pp = &b->head; *pp; pp = &(*pp)->next)
		if (*pp == tm) {
			*pp = tm->next;
			break;
		}
	tm->next = NULL;
	tm->queued = 0;
}

static void insert_locked(struct ktimer_base *b, struct ktimer *tm)
{
	struct ktimer **pp = &b->head;

	while (*pp && (*pp)->deadline <= tm->deadline)
		pp = &(*pp)->next;
	tm->next = *pp;
	*pp = tm;
	tm->queued = 1;
}

static void *timer_main(void *arg)
{
	struct ktimer_base *b = arg;

	pthread_mutex_lock(&b->lock);
	while (!b->stop) {
		struct ktimer *tm = b->head;
		uint64_t now = mono_ns();

		if (!tm) {
			pthread_cond_wait(&b->cond, &b->lock);
			continue;
		}
		if (tm->deadline > now) {
			struct timespec ts = { (time_t)(tm->deadline / NSEC_PER_SEC),
					       (long)(tm->deadline % NSEC_PER_SEC) };

			pthread_cond_timedwait(&b->cond, &b->lock, &ts);
			continue;
		}
		unlink_locked(b, tm);
		if (tm->interval) {
			uint64_t missed = (now - tm->deadline) / tm->interval;

			tm->deadline = missed >= KTIME_MAX / tm->interval
					       ? KTIME_MAX
					       : ktime_add(tm->deadline, (missed + 1) * tm->interval);
			insert_locked(b, tm);
		} else {
			tm->deadline = 0;
		}
		b->running = tm;
		pthread_mutex_unlock(&b->lock);
		tm->fn(tm);
		pthread_mutex_lock(&b->lock);
		b->running = NULL;
		pthread_cond_broadcast(&b->cond);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

int ktimer_base_create(struct ktimer_base **ret)
{
	struct ktimer_base *b = calloc(1, sizeof(*b));
	pthread_condattr_t ca;
	int r;

	if (!b)
		return -ENOMEM;
	pthread_mutex_init(&b->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&b->cond, &ca);
	pthread_condattr_destroy(&ca);
	r = -pthread_create(&b->thread, NULL, timer_main, b);
	if (r < 0) {
		pthread_cond_destroy(&b->cond);
		pthread_mutex_destroy(&b->lock);
		free(b);
		return r;
	}
	*ret = b;
	return 0;
}

void ktimer_base_destroy(struct ktimer_base *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->lock);
	b->stop = 1;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->thread, NULL);
	pthread_cond_destroy(&b->cond);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

void ktimer_init(struct ktimer *tm, struct ktimer_base *b, void (*fn)(struct ktimer *tm))
{
	tm->base = b;
	tm->fn = fn;
	tm->deadline = tm->interval = 0;
	tm->next = NULL;
	tm->queued = 0;
}

void ktimer_set(struct ktimer *tm, uint64_t deadline, uint64_t interval, uint64_t *old_deadline,
		uint64_t *old_interval)
{
	struct ktimer_base *b = tm->base;

	pthread_mutex_lock(&b->lock);
	if (old_deadline)
		*old_deadline = tm->deadline;
	if (old_interval)
		*old_interval = tm->interval;
	unlink_locked(b, tm);
	tm->deadline = deadline;
	tm->interval = deadline ? interval : 0;
	if (deadline) {
		insert_locked(b, tm);
		if (b->head == tm)
			pthread_cond_broadcast(&b->cond);
	}
	pthread_mutex_unlock(&b->lock);
}

void ktimer_get(struct ktimer *tm, uint64_t *deadline, uint64_t *interval)
{
	pthread_mutex_lock(&tm->base->lock);
	*deadline = tm->deadline;
	*interval = tm->interval;
	pthread_mutex_unlock(&tm->base->lock);
}

void ktimer_cancel_sync(struct ktimer *tm)
{
	struct ktimer_base *b = tm->base;

	if (!b)
		return;
	pthread_mutex_lock(&b->lock);
	unlink_locked(b, tm);
	tm->deadline = tm->interval = 0;
	while (b->running == tm)
		pthread_cond_wait(&b->cond, &b->lock);
	pthread_mutex_unlock(&b->lock);
}
