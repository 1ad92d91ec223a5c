/* SPDX-License-Identifier: Apache-2.0 */
/* epoll instances and their interest lists: level- and edge-triggered
 * items, a one-shot item that fired (disabled until EPOLL_CTL_MOD), an
 * EPOLLEXCLUSIVE one, an epoll watching an epoll, and a thread blocked in
 * epoll_wait(-1) across the checkpoint (it must neither see EINTR nor
 * miss the event that comes after the restore). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "zdtm.h"

static int ep_t, ev_t;
static volatile int t_n = -2, t_err;
static volatile uint64_t t_data;

static void *waiter(void *arg)
{
	struct epoll_event e = { 0 };
	int n;

	(void)arg;
	n = epoll_wait(ep_t, &e, 1, -1); /* across the checkpoint */
	t_err = n < 0 ? errno : 0;
	t_data = e.data.u64;
	t_n = n;
	return NULL;
}

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event e = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

/* The events of one epoll_wait(timeout 0) of @ep, as a bitmask of data
 * values 1..63; -1 on error. */
static int64_t ready(int ep, uint32_t *ev_of_3)
{
	struct epoll_event e[16];
	int64_t m = 0;
	int n = epoll_wait(ep, e, 16, 0);

	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (e[i].data.u64 < 1 || e[i].data.u64 > 63)
			return -1;
		m |= 1LL << e[i].data.u64;
		if (e[i].data.u64 == 3 && ev_of_3)
			*ev_of_3 = e[i].events;
	}
	return m;
}

int main(void)
{
	int ep1, ep2, ep3, e1, e5, pfd[2];
	uint64_t one = 1, v;
	uint32_t ev3 = 0;
	struct epoll_event e;
	pthread_t th;
	int64_t m;
	char c;

	zd_init();
	ep1 = epoll_create1(EPOLL_CLOEXEC);
	ep2 = epoll_create1(0);
	ep3 = epoll_create1(0);
	ep_t = epoll_create1(0);
	e1 = eventfd(0, EFD_NONBLOCK);
	e5 = eventfd(0, EFD_NONBLOCK);
	ev_t = eventfd(0, 0);
	zd_check(pipe(pfd) == 0, "pipe");
	zd_check(add(ep1, e1, EPOLLIN, 1) == 0, "add e1");
	zd_check(add(ep1, pfd[0], EPOLLIN | EPOLLET, 2) == 0, "add pipe read end");
	zd_check(add(ep1, pfd[1], EPOLLOUT | EPOLLONESHOT, 3) == 0, "add pipe write end");
	zd_check(add(ep2, ep1, EPOLLIN, 4) == 0, "add ep1 to ep2");
	zd_check(add(ep3, e5, EPOLLIN | EPOLLEXCLUSIVE, 5) == 0, "add e5 exclusive");
	zd_check(add(ep_t, ev_t, EPOLLIN, 0x7777) == 0, "add ev_t");
	/* the one-shot fires once: then disabled */
	zd_check(ready(ep1, &ev3) == 1 << 3 && ev3 == EPOLLOUT, "one-shot before");
	zd_check(ready(ep1, NULL) == 0, "one-shot disabled before");
	zd_check(pthread_create(&th, NULL, waiter, NULL) == 0, "thread");
	usleep(100 * 1000); /* the waiter blocks */
	zd_ready();
	zd_wait_go();

	zd_check(t_n == -2, "the blocked epoll_wait returned early: %d errno %d", t_n, t_err);
	zd_check(fcntl(ep1, F_GETFD) == FD_CLOEXEC && fcntl(ep2, F_GETFD) == 0, "cloexec");
	zd_check(ready(ep1, NULL) == 0, "ep1 ready after restore: %lld", (long long)ready(ep1, NULL));
	zd_check(ready(ep2, NULL) == 0, "ep2 ready after restore");
	zd_check(write(e1, &one, 8) == 8, "write e1");
	m = ready(ep1, NULL);
	zd_check(m == 1 << 1, "level-triggered e1: %llx", (long long)m);
	zd_check(ready(ep1, NULL) == 1 << 1, "level-triggered e1 again");
	zd_check(ready(ep2, NULL) == 1 << 4, "nested epoll sees ep1");
	zd_check(read(e1, &v, 8) == 8 && v == 1, "read e1");
	zd_check(ready(ep2, NULL) == 0, "nested epoll quiet again");
	zd_check(write(pfd[1], "x", 1) == 1, "write pipe");
	zd_check(ready(ep1, NULL) == 1 << 2, "edge-triggered pipe");
	zd_check(ready(ep1, NULL) == 0, "edge reported once");
	zd_check(read(pfd[0], &c, 1) == 1 && c == 'x', "read pipe");
	e = (struct epoll_event){ .events = EPOLLOUT, .data.u64 = 3 };
	zd_check(epoll_ctl(ep1, EPOLL_CTL_MOD, pfd[1], &e) == 0, "re-arm the one-shot");
	zd_check(ready(ep1, &ev3) == 1 << 3 && ev3 == EPOLLOUT, "re-armed one-shot");
	e = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 1 };
	zd_check(epoll_ctl(ep1, EPOLL_CTL_ADD, e1, &e) == -1 && errno == EEXIST,
		 "e1 still registered");
	zd_check(epoll_ctl(ep1, EPOLL_CTL_ADD, ep2, &e) == -1 && errno == ELOOP, "ep1 -> ep2 loop");
	e = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 5 };
	zd_check(epoll_ctl(ep3, EPOLL_CTL_MOD, e5, &e) == -1 && errno == EINVAL,
		 "EPOLLEXCLUSIVE kept (MOD refused)");
	zd_check(ready(ep3, NULL) == 0 && write(e5, &one, 8) == 8 && ready(ep3, NULL) == 1 << 5,
		 "exclusive item");

	zd_check(write(ev_t, &one, 8) == 8, "wake the waiter");
	pthread_join(th, NULL);
	zd_check(t_n == 1 && t_data == 0x7777, "blocked epoll_wait: %d data %llx errno %d", t_n,
		 (unsigned long long)t_data, t_err);
	return zd_finish();
}
