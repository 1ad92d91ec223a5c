/* SPDX-License-Identifier: Apache-2.0 */
/* Loopback TCP (the Sentry's stack), AF_INET and AF_INET6: a listener on
 * an ephemeral port with two connections not yet accepted (one with data
 * already sent), connected pairs with data queued both ways (a write of
 * 100,000 bytes partly read), a half-closed pair (shutdown(SHUT_WR)),
 * options (SO_REUSEADDR, TCP_NODELAY, SO_KEEPALIVE, SO_RCVBUF, SO_SNDBUF,
 * SO_RCVTIMEO, IPV6_V6ONLY, O_NONBLOCK), names; a thread blocked in
 * accept() across the checkpoint, connected to after restore, a thread
 * blocked in recv() fed after restore; connects waiting for room in a full
 * accept queue (backlog 0): a thread blocked in connect() and a
 * non-blocking one in progress, completed once accept makes room after
 * restore. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "zdtm.h"

#define BIG 100000

union addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_storage ss;
};

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 13 % 251);
}

static int getint(int fd, int level, int name)
{
	int v = -1;
	socklen_t l = sizeof(v);

	return getsockopt(fd, level, name, &v, &l) == 0 ? v : -1;
}

static int read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static socklen_t loop_addr(int family, union addr *a, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		a->in.sin_family = AF_INET;
		a->in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->in.sin_port = htons(port);
		return sizeof(a->in);
	}
	a->in6.sin6_family = AF_INET6;
	a->in6.sin6_addr = in6addr_loopback;
	a->in6.sin6_port = htons(port);
	return sizeof(a->in6);
}

static uint16_t port_of(const union addr *a)
{
	return ntohs(a->sa.sa_family == AF_INET ? a->in.sin_port : a->in6.sin6_port);
}

static uint16_t local_port(int fd)
{
	union addr a;
	socklen_t l = sizeof(a);

	return getsockname(fd, &a.sa, &l) == 0 ? port_of(&a) : 0;
}

static uint16_t peer_port(int fd)
{
	union addr a;
	socklen_t l = sizeof(a);

	return getpeername(fd, &a.sa, &l) == 0 ? port_of(&a) : 0;
}

static int listener(int family, uint16_t *port)
{
	union addr a;
	socklen_t l = loop_addr(family, &a, 0);
	int fd = socket(family, SOCK_STREAM, 0), one = 1;

	zd_check(fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
			 bind(fd, &a.sa, l) == 0 && listen(fd, 8) == 0,
		 "listener (family %d): %s", family, strerror(errno));
	*port = local_port(fd);
	return fd;
}

static int connect_to(int family, uint16_t port)
{
	union addr a;
	socklen_t l = loop_addr(family, &a, port);
	int fd = socket(family, SOCK_STREAM, 0);

	zd_check(fd >= 0 && connect(fd, &a.sa, l) == 0, "connect (family %d, port %u): %s",
		 family, port, strerror(errno));
	return fd;
}

struct blocked {
	pthread_t th;
	int fd, accept, err;
	union addr to;
	socklen_t tolen;
	ssize_t n;
	char buf[64];
};

static void *blocked_main(void *arg)
{
	struct blocked *b = arg;

	if (b->accept == 2) {
		b->n = connect(b->fd, &b->to.sa, b->tolen);
	} else if (b->accept) {
		b->n = accept(b->fd, NULL, NULL);
	} else {
		b->n = recv(b->fd, b->buf, sizeof(b->buf) - 1, 0);
		if (b->n > 0)
			b->buf[b->n] = 0;
	}
	b->err = b->n < 0 ? errno : 0;
	return NULL;
}

static void block_to(struct blocked *b, int fd, int accept, const union addr *to,
		     socklen_t tolen)
{
	memset(b, 0, sizeof(*b));
	if (to) {
		b->to = *to;
		b->tolen = tolen;
	}
	b->fd = fd;
	b->accept = accept;
	b->n = -2;
	pthread_create(&b->th, NULL, blocked_main, b);
	usleep(100000); /* into the call (not required: a later one restarts too) */
}

static void block(struct blocked *b, int fd, int accept)
{
	block_to(b, fd, accept, NULL, 0);
}

struct pair {
	int family, lst, cli, srv;
	uint16_t lport;
};

static void make_pair(struct pair *p, int family)
{
	p->family = family;
	p->lst = listener(family, &p->lport);
	p->cli = connect_to(family, p->lport);
	p->srv = accept(p->lst, NULL, NULL);
	zd_check(p->srv >= 0, "accept: %s", strerror(errno));
}

int main(void)
{
	static unsigned char big[BIG], got[BIG];
	struct timeval tv = { 9, 250000 }, tv2;
	socklen_t tl = sizeof(tv2);
	struct pair p4, p6, h;
	struct blocked bacc, brecv, bconn;
	int full, f1, f2, f3;
	uint16_t fport;
	int q1, one = 1, v6lst, blst, rcvbuf, sndbuf, cport, a1, a2, nc, ac;
	uint16_t qport, v6port, bport;
	union addr a;
	char buf[64];

	zd_init();
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < BIG; i++)
		big[i] = pattern(i);
	/* v4 pair: big data one way partly read, a line the other way */
	make_pair(&p4, AF_INET);
	zd_check(write(p4.cli, big, BIG) == BIG, "write big");
	zd_check(read_full(p4.srv, got, 10) == 0 && !memcmp(got, big, 10), "first 10 bytes");
	zd_check(write(p4.srv, "s2c-v4", 6) == 6, "write s2c");
	zd_check(setsockopt(p4.cli, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == 0, "nodelay");
	zd_check(setsockopt(p4.srv, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) == 0, "keepalive");
	rcvbuf = 50000;
	zd_check(setsockopt(p4.srv, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) == 0, "rcvbuf");
	rcvbuf = getint(p4.srv, SOL_SOCKET, SO_RCVBUF);
	sndbuf = 40000;
	zd_check(setsockopt(p4.cli, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) == 0, "sndbuf");
	sndbuf = getint(p4.cli, SOL_SOCKET, SO_SNDBUF);
	zd_check(setsockopt(p4.srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, "rcvtimeo");
	zd_check(fcntl(p4.srv, F_SETFL, O_NONBLOCK) == 0, "O_NONBLOCK");
	cport = local_port(p4.cli);
	/* v6 pair, half-closed: the client sent its last words */
	make_pair(&p6, AF_INET6);
	zd_check(write(p6.cli, "v6 words", 8) == 8 && shutdown(p6.cli, SHUT_WR) == 0,
		 "v6 write+shutdown");
	zd_check(write(p6.srv, "v6 back", 7) == 7, "v6 back");
	/* a listener with two connections waiting, one of them with data */
	q1 = listener(AF_INET, &qport);
	a1 = connect_to(AF_INET, qport);
	a2 = connect_to(AF_INET, qport);
	zd_check(write(a2, "queued", 6) == 6, "write to a queued connection");
	/* IPV6_V6ONLY on an unconnected listener */
	v6lst = socket(AF_INET6, SOCK_STREAM, 0);
	loop_addr(AF_INET6, &a, 0);
	a.in6.sin6_addr = in6addr_any;
	zd_check(v6lst >= 0 && setsockopt(v6lst, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == 0 &&
			 bind(v6lst, &a.sa, sizeof(a.in6)) == 0 && listen(v6lst, 4) == 0,
		 "v6only listener");
	v6port = local_port(v6lst);
	/* blocked threads: accept on one listener, recv on a pair */
	blst = listener(AF_INET6, &bport);
	block(&bacc, blst, 1);
	make_pair(&h, AF_INET);
	block(&brecv, h.srv, 0);
	/* a full accept queue (backlog 0 holds one): a blocked connect and a
	 * non-blocking one wait for room */
	full = socket(AF_INET, SOCK_STREAM, 0);
	{
		socklen_t l = loop_addr(AF_INET, &a, 0);

		zd_check(full >= 0 && bind(full, &a.sa, l) == 0 && listen(full, 0) == 0,
			 "backlog-0 listener");
		fport = local_port(full);
		f1 = connect_to(AF_INET, fport);
		f2 = socket(AF_INET, SOCK_STREAM, 0);
		l = loop_addr(AF_INET, &a, fport);
		block_to(&bconn, f2, 2, &a, l);
		f3 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		zd_check(f3 >= 0 && connect(f3, &a.sa, l) < 0 && errno == EINPROGRESS,
			 "non-blocking connect in progress (%s)", strerror(errno));
	}
	zd_ready();
	zd_wait_go();

	/* v4 pair */
	zd_check(read_full(p4.srv, got + 10, BIG - 10) == 0 && !memcmp(got, big, BIG),
		 "big data after restore");
	zd_check(read(p4.srv, buf, 1) < 0 && errno == EAGAIN, "p4.srv empty, nonblocking (%s)",
		 strerror(errno));
	zd_check(read_full(p4.cli, buf, 6) == 0 && !memcmp(buf, "s2c-v4", 6), "s2c");
	zd_check(getint(p4.cli, IPPROTO_TCP, TCP_NODELAY) == 1, "TCP_NODELAY kept");
	zd_check(getint(p4.srv, SOL_SOCKET, SO_KEEPALIVE) == 1, "SO_KEEPALIVE kept");
	zd_check(getint(p4.srv, SOL_SOCKET, SO_RCVBUF) == rcvbuf, "SO_RCVBUF kept");
	zd_check(getint(p4.cli, SOL_SOCKET, SO_SNDBUF) == sndbuf, "SO_SNDBUF kept");
	zd_check(getint(p4.lst, SOL_SOCKET, SO_REUSEADDR) == 1, "SO_REUSEADDR kept");
	zd_check(getint(p4.lst, SOL_SOCKET, SO_ACCEPTCONN) == 1, "SO_ACCEPTCONN");
	zd_check(getsockopt(p4.srv, SOL_SOCKET, SO_RCVTIMEO, &tv2, &tl) == 0 &&
			 tv2.tv_sec == tv.tv_sec && tv2.tv_usec == tv.tv_usec,
		 "SO_RCVTIMEO kept");
	zd_check(local_port(p4.cli) == cport && peer_port(p4.srv) == cport &&
			 peer_port(p4.cli) == p4.lport,
		 "names kept");
	zd_check(write(p4.cli, "more", 4) == 4 && fcntl(p4.srv, F_SETFL, 0) == 0 &&
			 read_full(p4.srv, buf, 4) == 0 && !memcmp(buf, "more", 4),
		 "v4 pair works after restore");
	/* v6 half-closed pair */
	zd_check(read_full(p6.srv, buf, 8) == 0 && !memcmp(buf, "v6 words", 8), "v6 words");
	zd_check(read(p6.srv, buf, 1) == 0, "v6: end of file after the shutdown");
	zd_check(read_full(p6.cli, buf, 7) == 0 && !memcmp(buf, "v6 back", 7), "v6 back");
	zd_check(write(p6.cli, "x", 1) < 0 && errno == EPIPE, "v6: write after SHUT_WR (%s)",
		 strerror(errno));
	zd_check(write(p6.srv, "y", 1) == 1 && read(p6.cli, buf, 1) == 1 && buf[0] == 'y',
		 "v6: the other way still open");
	/* the queued connections, in order, with their data */
	nc = accept(q1, NULL, NULL);
	ac = accept(q1, NULL, NULL);
	zd_check(nc >= 0 && ac >= 0, "accept the queued connections: %s", strerror(errno));
	zd_check(peer_port(nc) == local_port(a1) && peer_port(ac) == local_port(a2),
		 "queued connections in order");
	zd_check(read_full(ac, buf, 6) == 0 && !memcmp(buf, "queued", 6), "data of a queued one");
	zd_check(write(nc, "hi", 2) == 2 && read_full(a1, buf, 2) == 0 && !memcmp(buf, "hi", 2),
		 "a queued connection works");
	/* the ports are still taken */
	{
		int dup = socket(AF_INET, SOCK_STREAM, 0);
		socklen_t l = loop_addr(AF_INET, &a, qport);

		zd_check(bind(dup, &a.sa, l) < 0 && errno == EADDRINUSE,
			 "the listener's port is taken after restore (%s)", strerror(errno));
		close(dup);
	}
	zd_check(getint(v6lst, IPPROTO_IPV6, IPV6_V6ONLY) == 1, "IPV6_V6ONLY kept");
	{
		union addr b;
		socklen_t l = loop_addr(AF_INET, &b, v6port);
		int c = socket(AF_INET, SOCK_STREAM, 0);

		zd_check(connect(c, &b.sa, l) < 0 && errno == ECONNREFUSED,
			 "v6only listener does not take IPv4 (%s)", strerror(errno));
		close(c);
	}
	/* the blocked threads go on */
	{
		int c = connect_to(AF_INET6, bport);

		pthread_join(bacc.th, NULL);
		zd_check(bacc.n >= 0, "blocked accept: %zd (%s)", bacc.n, strerror(bacc.err));
		zd_check(bacc.n >= 0 && peer_port((int)bacc.n) == local_port(c),
			 "blocked accept got the new connection");
	}
	zd_check(write(h.cli, "wake", 4) == 4, "write wake");
	pthread_join(brecv.th, NULL);
	zd_check(brecv.n == 4 && !strcmp(brecv.buf, "wake"), "blocked recv: %zd (%s)", brecv.n,
		 strerror(brecv.err));
	/* the connects waiting for room complete as accept makes it */
	{
		int s1 = accept(full, NULL, NULL), s2, s3;
		struct pollfd pf = { .fd = f3, .events = POLLOUT };

		zd_check(s1 >= 0 && peer_port(s1) == local_port(f1), "accept the first: %s",
			 strerror(errno));
		/* the other two, in whichever order they got room */
		s2 = accept(full, NULL, NULL);
		s3 = accept(full, NULL, NULL);
		zd_check(s2 >= 0 && s3 >= 0, "accept the waiting ones: %s", strerror(errno));
		if (s2 >= 0 && peer_port(s2) == local_port(f3)) {
			int x = s2;

			s2 = s3;
			s3 = x;
		}
		zd_check(s2 >= 0 && s3 >= 0 && peer_port(s2) == local_port(f2) &&
				 peer_port(s3) == local_port(f3),
			 "the waiting connections accepted");
		pthread_join(bconn.th, NULL);
		zd_check(bconn.n == 0, "blocked connect: %zd (%s)", bconn.n, strerror(bconn.err));
		zd_check(poll(&pf, 1, 60000) == 1 && getint(f3, SOL_SOCKET, SO_ERROR) == 0,
			 "non-blocking connect completed");
		zd_check(write(f2, "f2", 2) == 2 && read_full(s2, buf, 2) == 0 &&
				 !memcmp(buf, "f2", 2),
			 "the blocked connect's connection works");
	}
	/* a new connection to a restored listener */
	{
		int c = connect_to(AF_INET, p4.lport), s = accept(p4.lst, NULL, NULL);

		zd_check(s >= 0 && write(c, "new", 3) == 3 && read_full(s, buf, 3) == 0 &&
				 !memcmp(buf, "new", 3),
			 "new connection after restore");
	}
	return zd_finish();
}
