/* SPDX-License-Identifier: Apache-2.0 */
/* An epoll over loopback inet sockets: a TCP listener with a waiting
 * connection, both ends of a TCP pair (one with data, one edge-triggered),
 * a UDP socket with a datagram, an unconnected TCP socket; a thread blocked in epoll_wait on a second epoll: the
 * same readiness after restore, the waiting connection accepted, the
 * thread woken by new data. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "zdtm.h"

static int ep2, woke = -1;

static void *waiter(void *arg)
{
	struct epoll_event e;

	(void)arg;
	woke = epoll_wait(ep2, &e, 1, -1) == 1 ? (int)e.data.u32 : -2;
	return NULL;
}

static socklen_t loop4(struct sockaddr_in *a, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->sin_port = htons(port);
	return sizeof(*a);
}

static uint16_t port_of(int fd)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);

	return getsockname(fd, (struct sockaddr *)&a, &l) == 0 ? ntohs(a.sin_port) : 0;
}

static int add(int ep, int fd, uint32_t events, uint32_t tag)
{
	struct epoll_event e = { .events = events, .data.u32 = tag };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

static uint16_t peer_port(int fd)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);

	return getpeername(fd, (struct sockaddr *)&a, &l) == 0 ? ntohs(a.sin_port) : 0;
}

/* The tags epoll_wait(0) reports, as a bit set. */
static unsigned ready(int ep)
{
	struct epoll_event ev[16];
	int n = epoll_wait(ep, ev, 16, 0);
	unsigned set = 0;

	for (int i = 0; i < n; i++)
		set |= 1u << ev[i].data.u32;
	return set;
}

int main(void)
{
	struct sockaddr_in a;
	socklen_t l;
	int lst, cli, srv, udp, only, ep, w1, w2, c;
	pthread_t th;
	unsigned before, after;
	char buf[16];

	zd_init();
	lst = socket(AF_INET, SOCK_STREAM, 0);
	l = loop4(&a, 0);
	zd_check(lst >= 0 && bind(lst, (struct sockaddr *)&a, l) == 0 && listen(lst, 4) == 0,
		 "listener");
	cli = socket(AF_INET, SOCK_STREAM, 0);
	l = loop4(&a, port_of(lst));
	zd_check(connect(cli, (struct sockaddr *)&a, l) == 0, "connect");
	srv = accept(lst, NULL, NULL);
	zd_check(srv >= 0, "accept");
	/* a second pair, for the blocked thread's epoll */
	w1 = socket(AF_INET, SOCK_STREAM, 0);
	zd_check(connect(w1, (struct sockaddr *)&a, l) == 0, "connect w");
	w2 = accept(lst, NULL, NULL);
	zd_check(w2 >= 0, "accept w");
	c = socket(AF_INET, SOCK_STREAM, 0);
	zd_check(connect(c, (struct sockaddr *)&a, l) == 0, "connect waiting");
	zd_check(write(cli, "data", 4) == 4, "write");
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	l = loop4(&a, 0);
	zd_check(bind(udp, (struct sockaddr *)&a, l) == 0, "udp bind");
	l = loop4(&a, port_of(udp));
	zd_check(sendto(udp, "dg", 2, 0, (struct sockaddr *)&a, l) == 2, "udp send");
	only = socket(AF_INET, SOCK_STREAM, 0);
	ep = epoll_create1(0);
	zd_check(add(ep, lst, EPOLLIN, 0) == 0 && add(ep, srv, EPOLLIN, 1) == 0 &&
			 add(ep, cli, EPOLLOUT | EPOLLET, 2) == 0 && add(ep, udp, EPOLLIN, 3) == 0 &&
			 add(ep, only, EPOLLOUT, 4) == 0,
		 "epoll_ctl: %s", strerror(errno));
	before = ready(ep);
	ep2 = epoll_create1(0);
	zd_check(add(ep2, w2, EPOLLIN, 7) == 0, "epoll_ctl 2");
	pthread_create(&th, NULL, waiter, NULL);
	usleep(100000);
	zd_ready();
	zd_wait_go();

	after = ready(ep);
	/* the edge of cli (2) was reported before: not required again */
	zd_check((after & ~(1u << 2)) == (before & ~(1u << 2)),
		 "readiness after restore %#x, before %#x", after, before);
	zd_check(before == 0x1f, "readiness before %#x", before);
	{
		int s = accept(lst, NULL, NULL);

		zd_check(s >= 0 && peer_port(s) == port_of(c), "accept the waiting connection: %s", strerror(errno));
	}
	zd_check(read(srv, buf, sizeof(buf)) == 4 && !memcmp(buf, "data", 4), "the data");
	zd_check(recv(udp, buf, sizeof(buf), 0) == 2, "the datagram");
	zd_check(write(w1, "w", 1) == 1, "wake");
	pthread_join(th, NULL);
	zd_check(woke == 7, "the blocked epoll_wait: %d", woke);
	return zd_finish();
}
