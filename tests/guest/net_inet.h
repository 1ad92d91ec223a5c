/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the AF_INET/AF_INET6 guests (g_net_tcp_*.c, g_net_udp*.c,
 * g_net_inet6.c, g_net_sockopts.c).  They run natively on the host's real
 * loopback too, so they only ever use 127.0.0.1 and ::1 (never a wildcard
 * bind, never another address) and port 0 (an ephemeral port: printed only
 * as "in range", never its value).
 */
#ifndef CVISOR_TESTS_GUEST_NET_INET_H
#define CVISOR_TESTS_GUEST_NET_INET_H

#include "common.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

/* ip_local_port_range's default. */
static inline int port_in_range(int p)
{
	return p >= 32768 && p <= 60999;
}

static inline struct sockaddr_in lo4(int port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static inline struct sockaddr_in6 lo6(int port)
{
	struct sockaddr_in6 a;

	memset(&a, 0, sizeof(a));
	a.sin6_family = AF_INET6;
	a.sin6_port = htons((unsigned short)port);
	a.sin6_addr = in6addr_loopback;
	return a;
}

/* ::ffff:127.0.0.1 */
static inline struct sockaddr_in6 lo6mapped(int port)
{
	struct sockaddr_in6 a = lo6(port);

	memset(&a.sin6_addr, 0, sizeof(a.sin6_addr));
	a.sin6_addr.s6_addr[10] = a.sin6_addr.s6_addr[11] = 0xff;
	a.sin6_addr.s6_addr[12] = 127;
	a.sin6_addr.s6_addr[15] = 1;
	return a;
}

/* The port a socket is bound to (-1 on error). */
static inline int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &l) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* "127.0.0.1", "::1", "::ffff:127.0.0.1" of a name (static buffer). */
static inline const char *addr_str(const struct sockaddr_storage *ss)
{
	static char buf[INET6_ADDRSTRLEN + 8];

	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, buf, sizeof(buf));
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, buf,
			  sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "family %d", ss->ss_family);
	return buf;
}

static inline int name_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

/* A TCP listener on 127.0.0.1 (or ::1), ephemeral port, SO_REUSEADDR. */
static inline int listener(int family, int backlog, int *ret_port)
{
	int fd = socket(family, SOCK_STREAM, 0), one = 1, r;

	*ret_port = -1;
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET) {
		struct sockaddr_in a = lo4(0);

		r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	} else {
		struct sockaddr_in6 a = lo6(0);

		r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	}
	if (r < 0 || listen(fd, backlog) < 0) {
		close(fd);
		return -1;
	}
	*ret_port = local_port(fd);
	return fd;
}

static inline int connect_to(int family, int port)
{
	int fd = socket(family, SOCK_STREAM, 0), r;

	if (fd < 0)
		return -1;
	if (family == AF_INET) {
		struct sockaddr_in a = lo4(port);

		r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	} else {
		struct sockaddr_in6 a = lo6(port);

		r = connect(fd, (struct sockaddr *)&a, sizeof(a));
	}
	if (r < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A port nobody listens on (bound then closed; nothing else uses it). */
static inline int dead_port(int family, int type)
{
	int fd = socket(family, type, 0), p;

	if (family == AF_INET) {
		struct sockaddr_in a = lo4(0);

		bind(fd, (struct sockaddr *)&a, sizeof(a));
	} else {
		struct sockaddr_in6 a = lo6(0);

		bind(fd, (struct sockaddr *)&a, sizeof(a));
	}
	p = local_port(fd);
	close(fd);
	return p;
}

static inline int geti(int fd, int level, int name)
{
	int v = -12345;
	socklen_t l = sizeof(v);

	if (getsockopt(fd, level, name, &v, &l) < 0)
		return -errno - 100000;
	return v;
}

static inline int seti(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

static inline short poll1(int fd, short events, int ms)
{
	struct pollfd p = { fd, events, 0 };

	if (poll(&p, 1, ms) < 0)
		return -1;
	return p.revents;
}

/* Read exactly @n bytes (or until EOF/error): bytes read. */
static inline long read_full(int fd, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, (char *)buf + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	return (long)done;
}

static inline long write_full(int fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = write(fd, (const char *)buf + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	return (long)done;
}

#endif
