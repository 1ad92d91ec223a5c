/* SPDX-License-Identifier: Apache-2.0 */
/* timerfd: one-shot and periodic timers, absolute times, gettime, poll,
 * epoll, errors. */
#include "common.h"
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>

int main(void)
{
	struct itimerspec its = { 0 }, cur;
	struct epoll_event e = { .events = EPOLLIN };
	struct pollfd p;
	uint64_t n = 0;
	struct timespec now;
	int t, ep;

	g_start();
	t_err("bad clock", timerfd_create(12345, 0), EINVAL);
	t_err("bad flags", timerfd_create(CLOCK_MONOTONIC, 1), EINVAL);
	t = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	t_yes("timerfd_create", t >= 0);
	t_err("unarmed read", read(t, &n, 8), EAGAIN);
	t_ok("gettime", timerfd_gettime(t, &cur));
	t_yes("unarmed: zero", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
	its.it_value.tv_nsec = -1;
	t_err("bad timespec", timerfd_settime(t, 0, &its, NULL), EINVAL);
	t_err("bad settime flags", timerfd_settime(t, 8, &its, NULL), EINVAL);
	t_err("settime on a non-timerfd", timerfd_settime(0, 0, &its, NULL), EINVAL);

	its = (struct itimerspec){ .it_value = { 0, 30 * 1000 * 1000 } };
	t_ok("arm 30 ms", timerfd_settime(t, 0, &its, NULL));
	timerfd_gettime(t, &cur);
	t_yes("remaining in (0, 30ms]",
	      cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 &&
		      cur.it_value.tv_nsec <= 30 * 1000 * 1000);
	p = (struct pollfd){ .fd = t, .events = POLLIN };
	t_eq("poll waits for it", poll(&p, 1, 5000), 1);
	t_eq("one expiration", (read(t, &n, 8), (long)n), 1);
	t_err("then nothing", read(t, &n, 8), EAGAIN);

	/* periodic 10 ms, blocking read */
	fcntl(t, F_SETFL, 0);
	its = (struct itimerspec){ .it_value = { 0, 10 * 1000 * 1000 },
				   .it_interval = { 0, 10 * 1000 * 1000 } };
	timerfd_settime(t, 0, &its, NULL);
	read(t, &n, 8);
	t_yes("periodic: at least one", n >= 1);
	usleep(50 * 1000);
	read(t, &n, 8);
	t_yes("several accumulate", n >= 3);
	timerfd_gettime(t, &cur);
	t_yes("interval reported", cur.it_interval.tv_nsec == 10 * 1000 * 1000);

	/* epoll sees it */
	ep = epoll_create1(0);
	epoll_ctl(ep, EPOLL_CTL_ADD, t, &e);
	t_eq("epoll wakes on expiry", epoll_wait(ep, &e, 1, 5000), 1);
	its = (struct itimerspec){ 0 };
	t_ok("disarm", timerfd_settime(t, 0, &its, &cur));
	t_yes("old value had the interval", cur.it_interval.tv_nsec == 10 * 1000 * 1000);
	/* settime drops the expirations not read yet (a blocking read here
	 * would sleep forever, as it did natively until the harness's timeout) */
	fcntl(t, F_SETFL, O_NONBLOCK);
	t_err("disarm dropped pending expirations", read(t, &n, 8), EAGAIN);

	/* absolute time in the past: expires at once */
	clock_gettime(CLOCK_REALTIME, &now);
	close(t);
	t = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	its = (struct itimerspec){ .it_value = { now.tv_sec - 1, 0 } };
	t_ok("arm absolute in the past", timerfd_settime(t, TFD_TIMER_ABSTIME, &its, NULL));
	t_eq("already expired", (read(t, &n, 8), (long)n), 1);
	return g_finish();
}
