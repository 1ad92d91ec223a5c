/* SPDX-License-Identifier: Apache-2.0 */
/* An event loop's state: an epoll watching an AF_UNIX listener (a
 * connection already waiting) and both ends of a connected stream pair (one
 * with data queued, one edge-triggered), with a thread blocked in
 * epoll_wait at the checkpoint.  After restore the loop sees the same
 * readiness, accepts the waiting connection and one made after restore,
 * and the blocked thread wakes for new data. */
#include <sys/epoll.h>

#include "z_unix_common.h"

static int ep, pair[2];
static volatile int woke;

static void *waiter(void *arg)
{
	struct epoll_event ev;
	int w = epoll_create1(0);
	struct epoll_event want = { .events = EPOLLIN, .data.u64 = 77 };

	(void)arg;
	/* its own epoll on pair[1] (empty until after restore) */
	if (w < 0 || epoll_ctl(w, EPOLL_CTL_ADD, pair[1], &want) < 0)
		return NULL;
	if (epoll_wait(w, &ev, 1, -1) == 1 && ev.data.u64 == 77)
		woke = 1;
	return NULL;
}

static int ready_ids(unsigned long long *ids, int max)
{
	struct epoll_event ev[8];
	int n = epoll_wait(ep, ev, max, 0);

	for (int i = 0; i < n; i++)
		ids[i] = ev[i].data.u64;
	return n;
}

static int has(const unsigned long long *ids, int n, unsigned long long id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

int main(void)
{
	struct epoll_event ev;
	unsigned long long ids[8];
	pthread_t th;
	char buf[16];
	int l, early, late, a1, a2, n;

	zd_init();
	ep = epoll_create1(0);
	l = zu_socket(SOCK_STREAM, "/tmp/loop.sock", 8);
	zd_check(ep >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0, "epoll, pair");
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 1 };
	zd_check(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) == 0, "add listener");
	ev = (struct epoll_event){ .events = EPOLLIN, .data.u64 = 2 };
	zd_check(epoll_ctl(ep, EPOLL_CTL_ADD, pair[0], &ev) == 0, "add pair[0]");
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLET, .data.u64 = 3 };
	zd_check(epoll_ctl(ep, EPOLL_CTL_ADD, pair[1], &ev) == 0, "add pair[1]");
	early = zu_connect(SOCK_STREAM, "/tmp/loop.sock");
	zd_check(write(pair[1], "hello", 5) == 5, "queue data on pair[0]");
	n = ready_ids(ids, 8);
	zd_check(n == 2 && has(ids, n, 1) && has(ids, n, 2), "before: listener and pair[0] ready");
	zd_check(pthread_create(&th, NULL, waiter, NULL) == 0, "thread");
	zd_ready();
	zd_wait_go();

	n = ready_ids(ids, 8);
	zd_check(n == 2 && has(ids, n, 1) && has(ids, n, 2), "after: listener and pair[0] ready");
	a1 = accept(l, NULL, NULL);
	zd_check(a1 >= 0 && write(early, "e", 1) == 1 && read(a1, buf, 1) == 1 && buf[0] == 'e',
		 "the waiting connection");
	n = ready_ids(ids, 8);
	zd_check(n == 1 && ids[0] == 2, "only pair[0] ready once accepted");
	zd_check(read(pair[0], buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5), "pair data");
	zd_check(ready_ids(ids, 8) == 0, "nothing ready");
	late = zu_connect(SOCK_STREAM, "/tmp/loop.sock");
	n = ready_ids(ids, 8);
	zd_check(n == 1 && ids[0] == 1, "a connection made after restore");
	a2 = accept(l, NULL, NULL);
	zd_check(a2 >= 0 && late >= 0, "accept it");
	zd_check(write(pair[0], "x", 1) == 1, "data for pair[1]");
	pthread_join(th, NULL);
	zd_check(woke, "the thread blocked in epoll_wait woke for it");
	n = ready_ids(ids, 8);
	zd_check(n == 1 && ids[0] == 3, "pair[1] edge reported");
	return zd_finish();
}
