/* SPDX-License-Identifier: Apache-2.0 */
/* The loopback AF_INET/AF_INET6 stack of sentry/net/ without an
 * application, through the generic socket layer (socket.h): connections,
 * byte rings that wrap, resets, listeners closed with pending connections,
 * UDP delivery and ICMP errors, v4-mapped names, options.  Run under
 * ASan/UBSan in CI: every path that frees a socket or a queue is used. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "lib/macro.h"
#include "sentry/net/inet.h"
#include "sentry/net/socket.h"
#include "sentry/vfs/file.h"

static struct file *mk(int family, int type)
{
	struct file *f = NULL;

	assert_int_equal(sock_create(NULL, family, type, 0, &f), 0);
	assert_non_null(sock_of(f));
	return f;
}

static struct sock *S(struct file *f)
{
	return sock_of(f);
}

static struct sock_addr a4(int port)
{
	struct sock_addr a = { .len = sizeof(struct sockaddr_in) };
	struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;

	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int port_of(struct file *f)
{
	struct sock_addr a;

	assert_int_equal(S(f)->ops->getname(S(f), 0, &a), 0);
	return ntohs(((struct sockaddr_in *)&a.ss)->sin_port);
}

static ssize_t snd(struct file *f, const void *b, size_t n)
{
	return S(f)->ops->send(NULL, S(f), b, n, 0, 1, NULL, NULL);
}

static ssize_t rcv(struct file *f, void *b, size_t n, int flags)
{
	struct sock_recv_info info;

	memset(&info, 0, sizeof(info));
	return S(f)->ops->recv(NULL, S(f), b, n, flags, 1, &info);
}

/* A listener, a connected client and the accepted server side. */
static void conn(struct file **l, struct file **c, struct file **s)
{
	struct sock_addr a = a4(0), peer;

	*l = mk(AF_INET, SOCK_STREAM);
	*c = mk(AF_INET, SOCK_STREAM);
	assert_int_equal(S(*l)->ops->bind(NULL, S(*l), &a), 0);
	assert_int_equal(S(*l)->ops->listen(NULL, S(*l), 4), 0);
	a = a4(port_of(*l));
	assert_int_equal(S(*c)->ops->connect(NULL, S(*c), &a, 0), 0);
	assert_int_equal(S(*l)->ops->accept(NULL, S(*l), 0, 1, s, &peer), 0);
	assert_int_equal(ntohs(((struct sockaddr_in *)&peer.ss)->sin_port), port_of(*c));
}

static void test_stream(void **state)
{
	struct file *l, *c, *s;
	static uint8_t big[300000], got[300000];
	size_t in = 0, out = 0;
	char buf[8];

	(void)state;
	conn(&l, &c, &s);
	assert_true(S(c)->ops->poll(S(c)) & POLLOUT);
	assert_false(S(s)->ops->poll(S(s)) & POLLIN);
	/* Interleaved writes and reads make the ring wrap around. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 13 + 1);
	while (out < sizeof(big)) {
		ssize_t w = in < sizeof(big) ? snd(c, big + in, MIN(sizeof(big) - in, (size_t)70000))
					     : 0;
		ssize_t r;

		if (w > 0)
			in += (size_t)w;
		r = rcv(s, got + out, 50000, 0);
		assert_true(r > 0);
		out += (size_t)r;
	}
	assert_memory_equal(big, got, sizeof(big));
	/* Peek, then a half close. */
	assert_int_equal(snd(s, "abc", 3), 3);
	assert_int_equal(rcv(c, buf, 2, MSG_PEEK), 2);
	assert_int_equal(rcv(c, buf, 8, 0), 3);
	assert_int_equal(S(s)->ops->shutdown(NULL, S(s), SHUT_WR), 0);
	assert_int_equal(rcv(c, buf, 8, 0), 0);
	assert_int_equal(snd(c, "z", 1), 1);
	/* Closing with unread data resets the peer. */
	file_put(s);
	assert_true(S(c)->ops->poll(S(c)) & POLLERR);
	assert_int_equal(rcv(c, buf, 8, 0), 0); /* EOF came first (SOCK_DONE) */
	assert_int_equal(snd(c, "z", 1), -EPIPE);
	file_put(c);
	file_put(l);
}

static void test_listener_close(void **state)
{
	struct file *l, *c, *s, *c2, *c3;
	struct sock_addr a;
	char buf[4];

	(void)state;
	conn(&l, &c, &s);
	a = a4(port_of(l));
	c2 = mk(AF_INET, SOCK_STREAM);
	c3 = mk(AF_INET, SOCK_STREAM);
	assert_int_equal(S(c2)->ops->connect(NULL, S(c2), &a, 1), -EINPROGRESS);
	assert_int_equal(snd(c2, "queued", 6), 6);
	assert_int_equal(S(c3)->ops->connect(NULL, S(c3), &a, 0), 0);
	/* The listener goes with two connections not accepted. */
	file_put(l);
	assert_int_equal(rcv(c2, buf, 4, 0), -ECONNRESET);
	assert_int_equal(rcv(c3, buf, 4, 0), -ECONNRESET);
	assert_int_equal(S(c3)->ops->connect(NULL, S(c3), &a, 0), -EISCONN);
	file_put(c);
	c = mk(AF_INET, SOCK_STREAM);
	assert_int_equal(S(c)->ops->connect(NULL, S(c), &a, 0), -ECONNREFUSED);
	file_put(c);
	file_put(c2);
	file_put(c3);
	file_put(s);
}

static void test_backlog(void **state)
{
	struct file *l = mk(AF_INET, SOCK_STREAM), *c[3], *s;
	struct sock_addr a = a4(0), peer;

	(void)state;
	assert_int_equal(S(l)->ops->bind(NULL, S(l), &a), 0);
	assert_int_equal(S(l)->ops->listen(NULL, S(l), 0), 0);
	a = a4(port_of(l));
	for (int i = 0; i < 3; i++) {
		c[i] = mk(AF_INET, SOCK_STREAM);
		assert_int_equal(S(c[i])->ops->connect(NULL, S(c[i]), &a, 1), -EINPROGRESS);
	}
	assert_true(S(c[0])->ops->poll(S(c[0])) & POLLOUT);
	assert_false(S(c[1])->ops->poll(S(c[1])) & POLLOUT);
	assert_int_equal(S(l)->ops->accept(NULL, S(l), 0, 1, &s, &peer), 0);
	file_put(s);
	assert_true(S(c[1])->ops->poll(S(c[1])) & POLLOUT);
	assert_false(S(c[2])->ops->poll(S(c[2])) & POLLOUT);
	file_put(c[2]); /* an attempt still in progress goes away */
	file_put(l);    /* the queued one is reset */
	assert_true(S(c[1])->ops->poll(S(c[1])) & POLLERR);
	file_put(c[0]);
	file_put(c[1]);
}

static void test_udp(void **state)
{
	struct file *a = mk(AF_INET, SOCK_DGRAM), *b = mk(AF_INET6, SOCK_DGRAM);
	struct sock_addr ad = a4(0), to;
	struct sock_recv_info info;
	char buf[16];
	int closed;

	(void)state;
	assert_int_equal(S(a)->ops->bind(NULL, S(a), &ad), 0);
	/* A v6 socket sends to ::ffff:127.0.0.1. */
	memset(&to, 0, sizeof(to));
	to.len = sizeof(struct sockaddr_in6);
	((struct sockaddr_in6 *)&to.ss)->sin6_family = AF_INET6;
	((struct sockaddr_in6 *)&to.ss)->sin6_port = htons((uint16_t)port_of(a));
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &((struct sockaddr_in6 *)&to.ss)->sin6_addr);
	assert_int_equal(S(b)->ops->send(NULL, S(b), "hello", 5, 0, 1, &to, NULL), 5);
	assert_int_equal(S(b)->ops->send(NULL, S(b), "x", 1, 0, 1, &to, NULL), 1);
	memset(&info, 0, sizeof(info));
	assert_int_equal(S(a)->ops->recv(NULL, S(a), buf, 2, MSG_TRUNC, 1, &info), 5);
	assert_true(info.truncated);
	assert_int_equal(info.from.len, sizeof(struct sockaddr_in));
	assert_int_equal(rcv(a, buf, 16, 0), 1);
	assert_int_equal(rcv(a, buf, 16, 0), -EAGAIN);
	/* Connected to a port nobody holds: the ICMP error. */
	closed = port_of(a);
	file_put(a);
	a = mk(AF_INET, SOCK_DGRAM);
	ad = a4(closed);
	assert_int_equal(S(a)->ops->connect(NULL, S(a), &ad, 0), 0);
	assert_int_equal(snd(a, "q", 1), 1);
	assert_int_equal(rcv(a, buf, 16, 0), -ECONNREFUSED);
	/* Queued datagrams go with their socket. */
	ad = a4(port_of(a));
	assert_int_equal(S(b)->ops->send(NULL, S(b), "left", 4, 0, 1, &to, NULL), 4);
	file_put(a);
	file_put(b);
}

/* Wildcard names: 0.0.0.0 takes every 127.x; :: (dual-stack) takes IPv4
 * too, and conflicts with an IPv4 wildcard on the same port. */
static void test_wildcards(void **state)
{
	struct file *l = mk(AF_INET, SOCK_STREAM), *c = mk(AF_INET, SOCK_STREAM), *s, *l6, *v4;
	struct sock_addr a = a4(0), peer, name;
	int port;

	(void)state;
	((struct sockaddr_in *)&a.ss)->sin_addr.s_addr = htonl(INADDR_ANY);
	assert_int_equal(S(l)->ops->bind(NULL, S(l), &a), 0);
	assert_int_equal(S(l)->ops->listen(NULL, S(l), 4), 0);
	port = port_of(l);
	a = a4(port);
	((struct sockaddr_in *)&a.ss)->sin_addr.s_addr = inet_addr("127.3.2.1");
	assert_int_equal(S(c)->ops->connect(NULL, S(c), &a, 0), 0);
	assert_int_equal(S(l)->ops->accept(NULL, S(l), 0, 1, &s, &peer), 0);
	assert_int_equal(S(s)->ops->getname(S(s), 0, &name), 0);
	assert_int_equal(((struct sockaddr_in *)&name.ss)->sin_addr.s_addr, inet_addr("127.3.2.1"));
	file_put(s);
	file_put(c);

	l6 = mk(AF_INET6, SOCK_STREAM);
	memset(&a, 0, sizeof(a));
	a.len = sizeof(struct sockaddr_in6);
	((struct sockaddr_in6 *)&a.ss)->sin6_family = AF_INET6;
	((struct sockaddr_in6 *)&a.ss)->sin6_port = htons((uint16_t)port);
	assert_int_equal(S(l6)->ops->bind(NULL, S(l6), &a), -EADDRINUSE);
	file_put(l);
	assert_int_equal(S(l6)->ops->bind(NULL, S(l6), &a), 0);
	assert_int_equal(S(l6)->ops->listen(NULL, S(l6), 4), 0);
	v4 = mk(AF_INET, SOCK_STREAM);
	a = a4(port);
	assert_int_equal(S(v4)->ops->connect(NULL, S(v4), &a, 0), 0);
	assert_int_equal(S(l6)->ops->accept(NULL, S(l6), 0, 1, &s, &peer), 0);
	assert_int_equal(peer.len, sizeof(struct sockaddr_in6));
	assert_true(IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&peer.ss)->sin6_addr));
	file_put(s);
	file_put(v4);
	file_put(l6);
}

static void test_options(void **state)
{
	struct file *t = mk(AF_INET6, SOCK_STREAM);
	int v = 65536;
	socklen_t len = sizeof(v);

	(void)state;
	assert_int_equal(S(t)->ops->setsockopt(NULL, S(t), SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)),
			 0);
	assert_int_equal(S(t)->ops->getsockopt(NULL, S(t), SOL_SOCKET, SO_RCVBUF, &v, &len), 0);
	assert_int_equal(v, 131072);
	v = 1;
	assert_int_equal(S(t)->ops->setsockopt(NULL, S(t), IPPROTO_IPV6, IPV6_V6ONLY, &v,
					       sizeof(v)),
			 0);
	v = 0;
	assert_int_equal(S(t)->ops->setsockopt(NULL, S(t), IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof(v)),
			 -EINVAL);
	assert_int_equal(S(t)->ops->getsockopt(NULL, S(t), 999, 1, &v, &len), -ENOPROTOOPT);
	file_put(t);
	assert_int_equal(sock_create(NULL, AF_INET, SOCK_RAW, 0, &t), -EPROTONOSUPPORT);
	assert_int_equal(sock_create(NULL, AF_PACKET, SOCK_RAW, 0, &t), -EAFNOSUPPORT);
}

/* Every queue freed: the sandbox-wide accounting is back to zero. */
static void test_mem_balanced(void **state)
{
	(void)state;
	assert_int_equal(inet_mem, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream),	cmocka_unit_test(test_listener_close),
		cmocka_unit_test(test_backlog), cmocka_unit_test(test_udp),
		cmocka_unit_test(test_wildcards), cmocka_unit_test(test_options),
		cmocka_unit_test(test_mem_balanced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
