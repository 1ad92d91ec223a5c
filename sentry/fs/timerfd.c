/* SPDX-License-Identifier: Apache-2.0 */
/*
 * timerfd: a timer on CLOCK_REALTIME, CLOCK_MONOTONIC or CLOCK_BOOTTIME
 * whose expirations are read as a count (timerfd_file_new(2)).
 *
 * Expirations are computed lazily from the clock when the file is read or
 * polled.  So that poll/epoll waiters learn of an expiry without polling,
 * one Sentry thread (started with the first timerfd) sleeps until the
 * earliest armed deadline and then publishes a readiness change.
 */
#include "eventfd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/notify.h"

struct tfd {
	pthread_mutex_t lock; /* protects everything below */
	clockid_t clock;
	uint64_t next;     /* next expiry on @clock, ns; 0 = disarmed */
	uint64_t interval; /* ns; 0 = one-shot */
	uint64_t ticks;    /* expirations not yet read */
	uint64_t ino;
	struct tfd *prev, *next_armed; /* on the armed list (list lock) */
	int listed;
};

static uint64_t tfd_ino_next = 1;

/* The armed timers and the thread that watches them. */
static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t list_cond;
static struct tfd *armed;
static int watcher_started;

static const struct file_ops tfd_ops;

/* Account expirations up to now (t locked). */
static void expire(struct tfd *t)
{
	uint64_t now;

	if (!t->next)
		return;
	now = now_ns(t->clock);
	if (now < t->next)
		return;
	if (t->interval) {
		uint64_t n = 1 + (now - t->next) / t->interval;

		t->ticks += n;
		t->next += n * t->interval;
	} else {
		t->ticks++;
		t->next = 0;
	}
}

/* The time until @t's next expiry on the monotonic clock's scale, or
 * UINT64_MAX when disarmed (t locked). */
static uint64_t remaining(struct tfd *t)
{
	uint64_t now;

	if (!t->next)
		return UINT64_MAX;
	now = now_ns(t->clock);
	return t->next > now ? t->next - now : 0;
}

static void *watcher(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&list_lock);
	for (;;) {
		uint64_t wait = UINT64_MAX;
		int fired = 0;

		for (struct tfd *t = armed; t; t = t->next_armed) {
			uint64_t r;

			pthread_mutex_lock(&t->lock);
			r = remaining(t);
			if (r == 0) {
				expire(t);
				fired = 1;
				r = remaining(t);
			}
			pthread_mutex_unlock(&t->lock);
			wait = MIN(wait, r);
		}
		if (fired)
			vfs_notify();
		if (wait == UINT64_MAX) {
			pthread_cond_wait(&list_cond, &list_lock);
		} else {
			uint64_t at = mono_ns() + MAX(wait, (uint64_t)NSEC_PER_USEC * 50);
			struct timespec ts = { (time_t)(at / NSEC_PER_SEC),
					       (long)(at % NSEC_PER_SEC) };

			pthread_cond_timedwait(&list_cond, &list_lock, &ts);
		}
	}
	return NULL;
}

static int start_watcher(void)
{
	pthread_condattr_t ca;
	pthread_attr_t attr;
	pthread_t th;
	int r = 0;

	pthread_mutex_lock(&list_lock);
	if (!watcher_started) {
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&list_cond, &ca);
		pthread_condattr_destroy(&ca);
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, 64 * 1024);
		r = -pthread_create(&th, &attr, watcher, NULL);
		pthread_attr_destroy(&attr);
		watcher_started = r == 0;
	}
	pthread_mutex_unlock(&list_lock);
	return r;
}

static void list_update(struct tfd *t, int arm)
{
	pthread_mutex_lock(&list_lock);
	if (arm && !t->listed) {
		t->next_armed = armed;
		t->prev = NULL;
		if (armed)
			armed->prev = t;
		armed = t;
		t->listed = 1;
	} else if (!arm && t->listed) {
		if (t->prev)
			t->prev->next_armed = t->next_armed;
		else
			armed = t->next_armed;
		if (t->next_armed)
			t->next_armed->prev = t->prev;
		t->listed = 0;
	}
	pthread_cond_signal(&list_cond); /* the watcher re-plans */
	pthread_mutex_unlock(&list_lock);
}

static ssize_t tfd_read(struct file *f, struct task *task, void *buf, size_t len, int64_t *off)
{
	struct tfd *t = f->priv;
	uint64_t v;
	int nb;

	(void)off;
	if (len < sizeof(v))
		return -EINVAL;
	pthread_mutex_lock(&f->lock);
	nb = !!(f->flags & O_NONBLOCK);
	pthread_mutex_unlock(&f->lock);
	for (;;) {
		uint64_t wait;
		int r;

		pthread_mutex_lock(&t->lock);
		expire(t);
		v = t->ticks;
		t->ticks = 0;
		wait = remaining(t);
		pthread_mutex_unlock(&t->lock);
		if (v)
			break;
		if (nb)
			return -EAGAIN;
		r = task_interrupted(task, -ERESTARTSYS);
		if (r < 0)
			return r;
		wait = MIN(wait, 50 * NSEC_PER_MSEC);
		{
			struct timespec ts = { (time_t)(wait / NSEC_PER_SEC),
					       (long)(wait % NSEC_PER_SEC) };

			task_block_begin(task);
			nanosleep(&ts, NULL);
			task_block_end(task);
		}
	}
	memcpy(buf, &v, sizeof(v));
	return sizeof(v);
}

static unsigned tfd_poll(struct file *f)
{
	struct tfd *t = f->priv;
	unsigned ev;

	pthread_mutex_lock(&t->lock);
	expire(t);
	ev = t->ticks ? POLLIN | POLLRDNORM : 0;
	pthread_mutex_unlock(&t->lock);
	return ev;
}

static int tfd_fstat(struct file *f, struct stat *st)
{
	return anon_fstat(st, ((struct tfd *)f->priv)->ino);
}

static void tfd_release(struct file *f)
{
	struct tfd *t = f->priv;

	list_update(t, 0);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static const struct file_ops tfd_ops = {
	.read = tfd_read,
	.poll = tfd_poll,
	.fstat = tfd_fstat,
	.release = tfd_release,
};

int timerfd_file_new(clockid_t clock, unsigned flags, struct file **ret)
{
	struct tfd *t;
	struct file *f;
	int r;

	switch (clock) {
	case CLOCK_REALTIME_ALARM:
		clock = CLOCK_REALTIME;
		break;
	case CLOCK_BOOTTIME_ALARM:
		clock = CLOCK_BOOTTIME;
		break;
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
		break;
	default:
		return -EINVAL;
	}
	if (flags & ~(unsigned)(TFD_NONBLOCK | TFD_CLOEXEC))
		return -EINVAL;
	r = start_watcher();
	if (r < 0)
		return r;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	t->clock = clock;
	t->ino = __atomic_fetch_add(&tfd_ino_next, 1, __ATOMIC_RELAXED);
	f = file_new(&tfd_ops, t, O_RDWR | (flags & TFD_NONBLOCK ? O_NONBLOCK : 0));
	if (!f) {
		pthread_mutex_destroy(&t->lock);
		free(t);
		return -ENOMEM;
	}
	*ret = f;
	return 0;
}

int timerfd_file_is(struct file *f)
{
	return f->ops == &tfd_ops;
}

static int ts_ok(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L;
}

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

static struct timespec ns_ts(uint64_t ns)
{
	return (struct timespec){ (time_t)(ns / NSEC_PER_SEC), (long)(ns % NSEC_PER_SEC) };
}

static void get_locked(struct tfd *t, struct itimerspec *ret)
{
	uint64_t r;

	expire(t);
	r = remaining(t);
	ret->it_value = r == UINT64_MAX ? ns_ts(0) : ns_ts(MAX(r, (uint64_t)1));
	ret->it_interval = ns_ts(t->interval);
}

void timerfd_file_gettime(struct file *f, struct itimerspec *ret)
{
	struct tfd *t = f->priv;

	pthread_mutex_lock(&t->lock);
	get_locked(t, ret);
	pthread_mutex_unlock(&t->lock);
}

int timerfd_file_settime(struct file *f, int flags, const struct itimerspec *new,
		    struct itimerspec *ret_old)
{
	struct tfd *t = f->priv;
	uint64_t value;
	int arm;

	if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	if (!ts_ok(&new->it_value) || !ts_ok(&new->it_interval))
		return -EINVAL;
	value = ts_ns(&new->it_value);
	pthread_mutex_lock(&t->lock);
	if (ret_old)
		get_locked(t, ret_old);
	t->ticks = 0;
	t->interval = ts_ns(&new->it_interval);
	if (value == 0)
		t->next = 0;
	else if (flags & TFD_TIMER_ABSTIME)
		t->next = value ? value : 1;
	else
		t->next = now_ns(t->clock) + value;
	arm = t->next != 0;
	pthread_mutex_unlock(&t->lock);
	list_update(t, arm);
	return 0;
}

int timerfd_ckpt_get(struct file *f, clockid_t *ret_clock, uint64_t *ret_next,
		     uint64_t *ret_interval, uint64_t *ret_ticks)
{
	struct tfd *t = f->priv;

	if (!timerfd_file_is(f))
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	*ret_clock = t->clock;
	*ret_next = t->next;
	*ret_interval = t->interval;
	*ret_ticks = t->ticks;
	pthread_mutex_unlock(&t->lock);
	return 0;
}

int timerfd_ckpt_set(struct file *f, uint64_t next, uint64_t interval, uint64_t ticks)
{
	struct tfd *t = f->priv;

	if (!timerfd_file_is(f))
		return -EINVAL;
	pthread_mutex_lock(&t->lock);
	t->next = next;
	t->interval = interval;
	t->ticks = ticks;
	pthread_mutex_unlock(&t->lock);
	list_update(t, next != 0);
	if (ticks)
		vfs_notify();
	return 0;
}
