/* SPDX-License-Identifier: Apache-2.0 */
/* timerfds: a periodic CLOCK_MONOTONIC timer with unread expirations, a
 * one-shot hour-long one (its remaining time only goes down: the clock
 * moves on across the restore), an absolute CLOCK_REALTIME deadline, an
 * expired unread CLOCK_BOOTTIME one (exactly one expiration), a disarmed
 * non-blocking one, and a thread blocked reading a 300 ms timer. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>

#include "zdtm.h"

#define NS 1000000000LL

static int t6;
static volatile ssize_t t6_n = -2;
static uint64_t t6_v;

static void *reader(void *arg)
{
	(void)arg;
	t6_n = read(t6, &t6_v, 8); /* across the checkpoint */
	return NULL;
}

static long long ts_ns(struct timespec ts)
{
	return ts.tv_sec * NS + ts.tv_nsec;
}

static struct itimerspec its(long long value, long long interval)
{
	struct itimerspec s = { { interval / NS, interval % NS }, { value / NS, value % NS } };

	return s;
}

int main(void)
{
	int t1, t2, t3, t4, t5;
	struct itimerspec s, g;
	struct timespec now;
	long long before2, rt_deadline;
	uint64_t v = 0;
	pthread_t th;

	zd_init();
	t1 = timerfd_create(CLOCK_MONOTONIC, 0);
	t2 = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	t3 = timerfd_create(CLOCK_REALTIME, 0);
	t4 = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	t5 = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK);
	t6 = timerfd_create(CLOCK_MONOTONIC, 0);
	zd_check(t1 >= 0 && t2 >= 0 && t3 >= 0 && t4 >= 0 && t5 >= 0 && t6 >= 0, "create");
	s = its(20 * 1000000LL, 20 * 1000000LL);
	zd_check(timerfd_settime(t1, 0, &s, NULL) == 0, "arm t1");
	s = its(3600 * NS, 0);
	zd_check(timerfd_settime(t2, 0, &s, NULL) == 0, "arm t2");
	clock_gettime(CLOCK_REALTIME, &now);
	rt_deadline = ts_ns(now) + 7200 * NS;
	s = its(rt_deadline, 0);
	zd_check(timerfd_settime(t3, TFD_TIMER_ABSTIME, &s, NULL) == 0, "arm t3");
	s = its(1000000, 0);
	zd_check(timerfd_settime(t5, 0, &s, NULL) == 0, "arm t5");
	s = its(300 * 1000000LL, 0);
	zd_check(timerfd_settime(t6, 0, &s, NULL) == 0, "arm t6");
	zd_check(pthread_create(&th, NULL, reader, NULL) == 0, "thread");
	usleep(100 * 1000); /* t1 expires ~5 times, t5 once; nothing reads them */
	zd_check(timerfd_gettime(t2, &g) == 0, "gettime t2");
	before2 = ts_ns(g.it_value);
	zd_ready();
	zd_wait_go();

	zd_check(read(t1, &v, 8) == 8 && v >= 5, "t1 expirations %llu", (unsigned long long)v);
	zd_check(timerfd_gettime(t1, &g) == 0 && ts_ns(g.it_interval) == 20 * 1000000LL &&
			 ts_ns(g.it_value) > 0 && ts_ns(g.it_value) <= 20 * 1000000LL,
		 "t1 period");
	zd_check(read(t1, &v, 8) == 8 && v >= 1, "t1 keeps firing");
	zd_check(timerfd_gettime(t2, &g) == 0 && ts_ns(g.it_interval) == 0 &&
			 ts_ns(g.it_value) > 0 && ts_ns(g.it_value) <= before2 &&
			 ts_ns(g.it_value) > 3000 * NS,
		 "t2 remaining %lld, was %lld", ts_ns(g.it_value), before2);
	zd_check(fcntl(t2, F_GETFD) == FD_CLOEXEC, "t2 cloexec");
	zd_check(timerfd_gettime(t3, &g) == 0, "gettime t3");
	clock_gettime(CLOCK_REALTIME, &now);
	zd_check(g.it_value.tv_sec > 0 &&
			 llabs(ts_ns(now) + ts_ns(g.it_value) - rt_deadline) < 5 * NS,
		 "t3 absolute deadline off by %lld ns",
		 ts_ns(now) + ts_ns(g.it_value) - rt_deadline);
	zd_check(timerfd_gettime(t4, &g) == 0 && ts_ns(g.it_value) == 0 &&
			 ts_ns(g.it_interval) == 0, "t4 disarmed");
	zd_check(read(t4, &v, 8) == -1 && errno == EAGAIN, "t4 EAGAIN");
	zd_check(fcntl(t4, F_GETFL) & O_NONBLOCK, "t4 O_NONBLOCK");
	zd_check(read(t5, &v, 8) == 8 && v == 1, "t5 one expiration: %llu", (unsigned long long)v);
	zd_check(read(t5, &v, 8) == -1 && errno == EAGAIN, "t5 read once");
	pthread_join(th, NULL);
	zd_check(t6_n == 8 && t6_v == 1, "blocked read of t6: %zd %llu", t6_n,
		 (unsigned long long)t6_v);
	return zd_finish();
}
