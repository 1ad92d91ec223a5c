/* SPDX-License-Identifier: Apache-2.0 */
/* sentry/kernel/timer.c: deadlines, periods, re-arming, cancel. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "lib/timeutil.h"
#include "sentry/kernel/timer.h"

struct probe {
	struct ktimer tm; /* first: the callback casts back */
	pthread_mutex_t lock;
	int fired;
	uint64_t first_ns;
	int slow;         /* the callback sleeps 50 ms */
};

static void on_fire(struct ktimer *tm)
{
	struct probe *p = (struct probe *)tm;

	pthread_mutex_lock(&p->lock);
	if (!p->fired++)
		p->first_ns = mono_ns();
	pthread_mutex_unlock(&p->lock);
	if (p->slow) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		pthread_mutex_lock(&p->lock);
		p->slow = 2; /* finished */
		pthread_mutex_unlock(&p->lock);
	}
}

static int fired(struct probe *p)
{
	int n;

	pthread_mutex_lock(&p->lock);
	n = p->fired;
	pthread_mutex_unlock(&p->lock);
	return n;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static void probe_init(struct probe *p, struct ktimer_base *b)
{
	*p = (struct probe){ .fired = 0 };
	pthread_mutex_init(&p->lock, NULL);
	ktimer_init(&p->tm, b, on_fire);
}

static void test_one_shot(void **state)
{
	struct ktimer_base *b;
	struct probe p;
	uint64_t start, d, i;

	(void)state;
	assert_int_equal(ktimer_base_create(&b), 0);
	probe_init(&p, b);
	start = mono_ns();
	ktimer_set(&p.tm, start + 20 * NSEC_PER_MSEC, 0, NULL, NULL);
	ktimer_get(&p.tm, &d, &i);
	assert_int_equal(d, start + 20 * NSEC_PER_MSEC);
	assert_int_equal(i, 0);
	for (int n = 0; n < 200 && !fired(&p); n++)
		nap_ms(5);
	assert_int_equal(fired(&p), 1);
	assert_true(p.first_ns >= start + 20 * NSEC_PER_MSEC); /* never early */
	ktimer_get(&p.tm, &d, &i);
	assert_int_equal(d, 0); /* disarmed after it fired */
	nap_ms(30);
	assert_int_equal(fired(&p), 1);
	ktimer_base_destroy(b);
}

static void test_periodic_and_cancel(void **state)
{
	struct ktimer_base *b;
	struct probe p;
	uint64_t od, oi;
	int n;

	(void)state;
	assert_int_equal(ktimer_base_create(&b), 0);
	probe_init(&p, b);
	ktimer_set(&p.tm, mono_ns() + 5 * NSEC_PER_MSEC, 5 * NSEC_PER_MSEC, NULL, NULL);
	for (n = 0; n < 400 && fired(&p) < 3; n++)
		nap_ms(5);
	assert_true(fired(&p) >= 3);
	ktimer_set(&p.tm, 0, 0, &od, &oi); /* disarm: the old setting comes back */
	assert_true(od != 0);
	assert_int_equal(oi, 5 * NSEC_PER_MSEC);
	n = fired(&p);
	nap_ms(30);
	assert_int_equal(fired(&p), n);
	ktimer_base_destroy(b);
}

static void test_rearm_earlier(void **state)
{
	struct ktimer_base *b;
	struct probe late, early;

	(void)state;
	assert_int_equal(ktimer_base_create(&b), 0);
	probe_init(&late, b);
	probe_init(&early, b);
	/* the thread sleeps towards a far deadline; an earlier one wakes it */
	ktimer_set(&late.tm, mono_ns() + 10 * NSEC_PER_SEC, 0, NULL, NULL);
	nap_ms(5);
	ktimer_set(&early.tm, mono_ns() + 10 * NSEC_PER_MSEC, 0, NULL, NULL);
	for (int n = 0; n < 200 && !fired(&early); n++)
		nap_ms(5);
	assert_int_equal(fired(&early), 1);
	assert_int_equal(fired(&late), 0);
	ktimer_cancel_sync(&late.tm);
	ktimer_base_destroy(b);
}

static void test_cancel_sync_waits(void **state)
{
	struct ktimer_base *b;
	struct probe p;

	(void)state;
	assert_int_equal(ktimer_base_create(&b), 0);
	probe_init(&p, b);
	p.slow = 1;
	ktimer_set(&p.tm, mono_ns(), 0, NULL, NULL);
	while (!fired(&p))
		nap_ms(1);
	ktimer_cancel_sync(&p.tm); /* the callback is mid-way: wait for it */
	pthread_mutex_lock(&p.lock);
	assert_int_equal(p.slow, 2);
	pthread_mutex_unlock(&p.lock);
	ktimer_base_destroy(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_shot),
		cmocka_unit_test(test_periodic_and_cancel),
		cmocka_unit_test(test_rearm_earlier),
		cmocka_unit_test(test_cancel_sync_waits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
