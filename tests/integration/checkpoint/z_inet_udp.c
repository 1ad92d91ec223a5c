/* SPDX-License-Identifier: Apache-2.0 */
/* Loopback UDP (the Sentry's stack), AF_INET and AF_INET6: a bound socket
 * with datagrams queued from two senders (their boundaries and source
 * addresses kept), a connected socket (its peer kept: send() without an
 * address, datagrams from others filtered), an unbound socket, options
 * (SO_BROADCAST, SO_RCVBUF, IP_TTL); a thread blocked in
 * recvfrom() across the checkpoint, fed after restore. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include "zdtm.h"

union addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

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

static int bound(int family, union addr *a, socklen_t *len)
{
	int fd = socket(family, SOCK_DGRAM, 0);

	*len = loop_addr(family, a, 0);
	zd_check(fd >= 0 && bind(fd, &a->sa, *len) == 0 && getsockname(fd, &a->sa, len) == 0,
		 "bound udp (family %d): %s", family, strerror(errno));
	return fd;
}

static int getint(int fd, int level, int name)
{
	int v = -1;
	socklen_t l = sizeof(v);

	return getsockopt(fd, level, name, &v, &l) == 0 ? v : -1;
}

static int rx;
static ssize_t rx_n = -2;
static char rx_buf[64];

static void *receiver(void *arg)
{
	(void)arg;
	rx_n = recvfrom(rx, rx_buf, sizeof(rx_buf), 0, NULL, NULL);
	return NULL;
}

/* The next datagram on @fd is @want, from port @from. */
static void expect(int fd, const char *want, uint16_t from, const char *what)
{
	union addr a;
	socklen_t l = sizeof(a);
	char buf[64];
	ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, &a.sa, &l);

	zd_check(n == (ssize_t)strlen(want) && !memcmp(buf, want, (size_t)n) &&
			 port_of(&a) == from,
		 "%s: got %zd bytes from port %u (%s)", what, n, n >= 0 ? port_of(&a) : 0,
		 n < 0 ? strerror(errno) : "");
}

int main(void)
{
	union addr r4, s4, r6, s6, c4, x, tmp;
	socklen_t lr4, ls4, lr6, ls6, lc4, lx, lt;
	int fr4, fs4, fr6, fs6, fc4, fx, unb, one = 1, ttl = 33, rcvbuf = 30000;
	pthread_t th;

	zd_init();
	fr4 = bound(AF_INET, &r4, &lr4);
	fs4 = bound(AF_INET, &s4, &ls4);
	fr6 = bound(AF_INET6, &r6, &lr6);
	fs6 = bound(AF_INET6, &s6, &ls6);
	fx = bound(AF_INET, &x, &lx);
	zd_check(setsockopt(fr4, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) == 0, "rcvbuf");
	rcvbuf = getint(fr4, SOL_SOCKET, SO_RCVBUF);
	zd_check(setsockopt(fs4, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) == 0, "broadcast");
	zd_check(setsockopt(fs4, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) == 0, "ttl");
	/* queued: two from fs4, one from fx, in that order, a zero-length one */
	zd_check(sendto(fs4, "one", 3, 0, &r4.sa, lr4) == 3, "send one");
	zd_check(sendto(fx, "two!", 4, 0, &r4.sa, lr4) == 4, "send two");
	zd_check(sendto(fs4, "", 0, 0, &r4.sa, lr4) == 0, "send empty");
	zd_check(sendto(fs4, "three", 5, 0, &r4.sa, lr4) == 5, "send three");
	zd_check(sendto(fs6, "six", 3, 0, &r6.sa, lr6) == 3, "send six");
	/* a connected socket, with a datagram from its peer queued */
	fc4 = bound(AF_INET, &c4, &lc4);
	zd_check(connect(fc4, &s4.sa, ls4) == 0, "udp connect");
	zd_check(sendto(fs4, "peer", 4, 0, &c4.sa, lc4) == 4, "send peer");
	unb = socket(AF_INET6, SOCK_DGRAM, 0);
	zd_check(unb >= 0, "unbound socket");
	/* a thread blocked in recvfrom */
	rx = bound(AF_INET, &tmp, &lt);
	pthread_create(&th, NULL, receiver, NULL);
	usleep(100000);
	zd_ready();
	zd_wait_go();

	expect(fr4, "one", port_of(&s4), "first datagram");
	expect(fr4, "two!", port_of(&x), "second datagram");
	expect(fr4, "", port_of(&s4), "empty datagram");
	expect(fr4, "three", port_of(&s4), "third datagram");
	zd_check(recv(fr4, &one, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN, "fr4 drained");
	expect(fr6, "six", port_of(&s6), "v6 datagram");
	expect(fc4, "peer", port_of(&s4), "connected socket's datagram");
	zd_check(getint(fr4, SOL_SOCKET, SO_RCVBUF) == rcvbuf, "SO_RCVBUF kept");
	zd_check(getint(fs4, SOL_SOCKET, SO_BROADCAST) == 1, "SO_BROADCAST kept");
	zd_check(getint(fs4, IPPROTO_IP, IP_TTL) == 33, "IP_TTL kept");
	/* connected: send() goes to its peer; others are filtered */
	zd_check(send(fc4, "back", 4, 0) == 4, "send on the connected socket: %s", strerror(errno));
	expect(fs4, "back", port_of(&c4), "reply of the connected socket");
	zd_check(sendto(fx, "stray", 5, 0, &c4.sa, lc4) == 5, "send stray");
	zd_check(recv(fc4, &one, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN,
		 "a connected socket takes only its peer's datagrams");
	/* the ports are still taken */
	{
		int d = socket(AF_INET, SOCK_DGRAM, 0);

		zd_check(bind(d, &r4.sa, lr4) < 0 && errno == EADDRINUSE,
			 "the port is taken after restore (%s)", strerror(errno));
		close(d);
	}
	zd_check(sendto(unb, "u", 1, 0, &r6.sa, lr6) == 1, "unbound socket sends");
	lt = sizeof(tmp);
	zd_check(recvfrom(fr6, rx_buf, sizeof(rx_buf), 0, &tmp.sa, &lt) == 1, "from unbound");
	/* the blocked receiver */
	lt = sizeof(tmp);
	zd_check(getsockname(rx, &tmp.sa, &lt) == 0 && sendto(fs4, "wake", 4, 0, &tmp.sa, lt) == 4,
		 "send wake");
	pthread_join(th, NULL);
	zd_check(rx_n == 4 && !memcmp(rx_buf, "wake", 4), "blocked recvfrom: %zd", rx_n);
	return zd_finish();
}
