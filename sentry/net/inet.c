/* SPDX-License-Identifier: Apache-2.0 */
/* AF_INET/AF_INET6 loopback: objects, addresses, ports, names, readiness
 * and the two families. */
#include "inet.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/notify.h"

pthread_mutex_t inet_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t inet_cond = PTHREAD_COND_INITIALIZER;
static struct isock *bound_tcp, *bound_udp, *bound_udplite; /* one port space each */
static uint32_t port_seed;
size_t inet_mem;

static const struct sock_ops inet_tcp_ops, inet_udp_ops;

void is_ref(struct isock *s)
{
	s->refs++;
}

void is_unref(struct isock *s)
{
	if (--s->refs > 0)
		return;
	inet_mem -= s->rcap;
	free(s->rbuf);
	free(s);
}

void is_wake(void)
{
	pthread_cond_broadcast(&inet_cond);
	vfs_notify();
}

uint64_t is_deadline(uint64_t timeo)
{
	return sock_deadline(timeo);
}

int is_wait(struct task *t, uint64_t deadline)
{
	return sock_wait(t, &inet_cond, &inet_lock, deadline);
}

struct isock *is_new(int family, int type, int proto)
{
	struct isock *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	sock_init(&s->sk, type == SOCK_STREAM ? &inet_tcp_ops : &inet_udp_ops, family, type,
		  proto);
	s->refs = 1;
	s->accq_tail = &s->accq;
	s->dq_tail = &s->dq;
	s->sndbuf = type == SOCK_STREAM ? INET_TCP_SNDBUF : INET_UDP_BUF;
	s->rcvbuf = type == SOCK_STREAM ? INET_TCP_RCVBUF : INET_UDP_BUF;
	s->maxseg = 536;
	inet_opts_init(s);
	return s;
}

int is_file(struct isock *s, unsigned fflags, struct file **ret)
{
	return sock_file_new(&s->sk, fflags, ret);
}

struct isock *is_of_file(struct file *f)
{
	struct sock *sk = sock_of(f);

	return sk && (sk->ops == &inet_tcp_ops || sk->ops == &inet_udp_ops) ? is_of(sk) : NULL;
}

/* Addresses. */

int is_v4(const struct in6_addr *a)
{
	return IN6_IS_ADDR_V4MAPPED(a);
}

static void mapped(struct in6_addr *a, const void *v4)
{
	memset(a, 0, sizeof(*a));
	a->s6_addr[10] = a->s6_addr[11] = 0xff;
	memcpy(&a->s6_addr[12], v4, 4);
}

static int v4_any(const struct in6_addr *a)
{
	return is_v4(a) && !a->s6_addr[12] && !a->s6_addr[13] && !a->s6_addr[14] && !a->s6_addr[15];
}

int is_loopback(const struct in6_addr *a)
{
	return is_v4(a) ? a->s6_addr[12] == 127 : IN6_IS_ADDR_LOOPBACK(a);
}

int is_addr_in(struct isock *s, const struct sock_addr *a, int bind, struct in6_addr *ret,
	       uint16_t *ret_port)
{
	if (s->sk.family == AF_INET) {
		struct sockaddr_in sin;

		if (a->len < sizeof(sin))
			return -EINVAL;
		memcpy(&sin, &a->ss, sizeof(sin));
		if (sin.sin_family != AF_INET &&
		    !(bind && sin.sin_family == AF_UNSPEC && sin.sin_addr.s_addr == INADDR_ANY) &&
		    !(!bind && s->sk.type == SOCK_DGRAM && sin.sin_family == AF_UNSPEC))
			return -EAFNOSUPPORT;
		mapped(ret, &sin.sin_addr);
		*ret_port = ntohs(sin.sin_port);
	} else {
		struct sockaddr_in6 sin6;

		if (a->len < 24) /* SIN6_LEN_RFC2133 */
			return -EINVAL;
		memset(&sin6, 0, sizeof(sin6));
		memcpy(&sin6, &a->ss, MIN((size_t)a->len, sizeof(sin6)));
		if (sin6.sin6_family != AF_INET6)
			return -EAFNOSUPPORT;
		*ret = sin6.sin6_addr;
		*ret_port = ntohs(sin6.sin6_port);
	}
	return 0;
}

void is_addr_out(struct isock *s, const struct in6_addr *a, uint16_t port, struct sock_addr *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (s->sk.family == AF_INET) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

		memcpy(&sin.sin_addr, &a->s6_addr[12], 4);
		memcpy(&ret->ss, &sin, sizeof(sin));
		ret->len = sizeof(sin);
	} else {
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

		sin6.sin6_addr = *a;
		memcpy(&ret->ss, &sin6, sizeof(sin6));
		ret->len = sizeof(sin6);
	}
}

int is_route(struct isock *s, struct in6_addr *dst)
{
	static const uint8_t lo4[4] = { 127, 0, 0, 1 };

	if (IN6_IS_ADDR_UNSPECIFIED(dst)) {
		*dst = in6addr_loopback;
		return 0;
	}
	if (v4_any(dst))
		mapped(dst, lo4);
	if (is_v4(dst) && s->sk.family == AF_INET6 && s->v6only)
		return -ENETUNREACH;
	return is_loopback(dst) ? 0 : -ENETUNREACH;
}

/* Ports. */

static struct isock **bound_head(int proto)
{
	return proto == IPPROTO_TCP ? &bound_tcp : proto == IPPROTO_UDP ? &bound_udp : &bound_udplite;
}

struct isock *is_bound_list(int proto)
{
	return *bound_head(proto);
}

void is_link_bound(struct isock *s)
{
	struct isock **head = bound_head(s->sk.protocol);

	s->bound_next = *head;
	*head = s;
	s->bound = 1;
}

void is_unbind_locked(struct isock *s)
{
	struct isock **head = bound_head(s->sk.protocol);

	if (!s->bound)
		return;
	for (struct isock **pp = head; *pp; pp = &(*pp)->bound_next) {
		if (*pp == s) {
			*pp = s->bound_next;
			break;
		}
	}
	s->bound_next = NULL;
	s->bound = s->user_bound = 0;
	s->lport = 0;
}

int is_matches(const struct isock *s, const struct in6_addr *a, uint16_t port)
{
	if (!s->bound || s->lport != port)
		return 0;
	if (!s->lany4 && !s->lany6)
		return IN6_ARE_ADDR_EQUAL(&s->laddr, a) ? 2 : 0;
	return is_v4(a) ? s->lany4 : s->lany6;
}

/* Do the names of @a and @b overlap (same port assumed)? */
static int overlap(const struct isock *a, const struct isock *b)
{
	if (!a->lany4 && !a->lany6 && !b->lany4 && !b->lany6)
		return IN6_ARE_ADDR_EQUAL(&a->laddr, &b->laddr);
	if ((a->lany4 && (b->lany4 || (!b->lany6 && is_v4(&b->laddr)))) ||
	    (b->lany4 && (!a->lany6 && !a->lany4 && is_v4(&a->laddr))))
		return 1;
	if ((a->lany6 && (b->lany6 || (!b->lany4 && !is_v4(&b->laddr)))) ||
	    (b->lany6 && (!a->lany4 && !a->lany6 && !is_v4(&a->laddr))))
		return 1;
	return 0;
}

int is_port_free(const struct isock *s, uint16_t port)
{
	for (struct isock *b = is_bound_list(s->sk.protocol); b; b = b->bound_next) {
		if (b == s || b->lport != port || !overlap(s, b))
			continue;
		if (s->reuseport && b->reuseport && s->uid == b->uid)
			continue;
		if (s->reuseaddr && b->reuseaddr &&
		    (s->sk.type != SOCK_STREAM || b->state != IS_LISTEN))
			continue;
		return 0;
	}
	return 1;
}

/* Any port of the ephemeral range free for @s (inet_lock held). */
static int pick_port(struct isock *s)
{
	uint32_t n = INET_PORT_HI - INET_PORT_LO + 1;

	if (!port_seed)
		port_seed = (uint32_t)mono_ns() | 1;
	port_seed = port_seed * 1103515245u + 12345u;
	for (uint32_t i = 0, start = (port_seed >> 8) % n; i < n; i++) {
		uint16_t p = (uint16_t)(INET_PORT_LO + (start + i) % n);
		int used = 0;

		for (struct isock *b = is_bound_list(s->sk.protocol); b && !used; b = b->bound_next)
			used = b->lport == p;
		if (!used)
			return p;
	}
	return -EADDRINUSE;
}

int is_autobind_locked(struct isock *s, const struct in6_addr *dst)
{
	int p;

	if (s->bound)
		return 0;
	p = pick_port(s);
	if (p < 0)
		return p;
	if (dst) {
		static const uint8_t lo4[4] = { 127, 0, 0, 1 };

		if (is_v4(dst))
			mapped(&s->laddr, lo4);
		else
			s->laddr = in6addr_loopback;
		s->lany4 = s->lany6 = 0;
	} else {
		memset(&s->laddr, 0, sizeof(s->laddr));
		if (s->sk.family == AF_INET) {
			mapped(&s->laddr, "\0\0\0");
			s->lany4 = 1;
		} else {
			s->lany6 = 1;
			s->lany4 = !s->v6only;
		}
	}
	s->lport = (uint16_t)p;
	is_link_bound(s);
	return 0;
}

static int inet_bind(struct task *t, struct sock *sk, const struct sock_addr *a)
{
	struct isock *s = is_of(sk);
	struct in6_addr ad;
	uint16_t port;
	int r, any4 = 0, any6 = 0;

	(void)t;
	r = is_addr_in(s, a, 1, &ad, &port);
	if (r < 0)
		return r;
	if (sk->family == AF_INET6 && is_v4(&ad) && s->v6only)
		return -EINVAL;
	if (v4_any(&ad))
		any4 = 1;
	else if (IN6_IS_ADDR_UNSPECIFIED(&ad))
		any6 = 1, any4 = !s->v6only;
	else if (!is_loopback(&ad))
		return -EADDRNOTAVAIL;
	pthread_mutex_lock(&inet_lock);
	if (s->bound || s->state != IS_CLOSED) {
		r = -EINVAL;
		goto out;
	}
	s->laddr = ad;
	s->lany4 = any4;
	s->lany6 = any6;
	s->user_bound = port != 0;
	if (port == 0) {
		r = pick_port(s);
		if (r < 0)
			goto out;
		port = (uint16_t)r;
		r = 0;
	} else if (!is_port_free(s, port)) {
		r = -EADDRINUSE;
		goto out;
	}
	s->lport = port;
	is_link_bound(s);
out:
	pthread_mutex_unlock(&inet_lock);
	return r;
}

static int inet_getname(struct sock *sk, int peer, struct sock_addr *ret)
{
	struct isock *s = is_of(sk);
	int r = 0;

	pthread_mutex_lock(&inet_lock);
	if (peer) {
		if (!s->rset || (sk->type == SOCK_STREAM && s->state != IS_ESTABLISHED))
			r = -ENOTCONN;
		else
			is_addr_out(s, &s->raddr, s->rport, ret);
	} else {
		is_addr_out(s, &s->laddr, s->lport, ret);
	}
	pthread_mutex_unlock(&inet_lock);
	return r;
}

static unsigned inet_poll(struct sock *sk)
{
	struct isock *s = is_of(sk);
	unsigned ev;

	pthread_mutex_lock(&inet_lock);
	ev = sk->type == SOCK_STREAM ? tcp_poll_locked(s) : udp_poll_locked(s);
	pthread_mutex_unlock(&inet_lock);
	return ev;
}

static int64_t inet_ioctl(struct task *t, struct sock *sk, unsigned cmd, uint64_t arg)
{
	struct isock *s = is_of(sk);
	int n = 0;

	switch (cmd) {
	case FIONREAD:
	case TIOCOUTQ:
	case SIOCATMARK:
		break;
	default:
		return -ENOTTY;
	}
	pthread_mutex_lock(&inet_lock);
	if (sk->type == SOCK_STREAM && s->state == IS_LISTEN)
		n = -EINVAL;
	else if (cmd == FIONREAD)
		n = sk->type == SOCK_STREAM ? (int)s->rlen : s->dq ? (int)s->dq->len : 0;
	pthread_mutex_unlock(&inet_lock);
	if (n < 0)
		return n;
	return task_copy_out(t, arg, &n, sizeof(n)) == sizeof(n) ? 0 : -EFAULT;
}

static int inet_shutdown(struct task *t, struct sock *sk, int how)
{
	struct isock *s = is_of(sk);
	int r;

	(void)t;
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	pthread_mutex_lock(&inet_lock);
	if (sk->type == SOCK_STREAM) {
		r = tcp_shutdown_locked(s, how);
	} else {
		r = s->rset ? 0 : -ENOTCONN;
		s->shut |= (unsigned)how + 1;
	}
	is_wake();
	pthread_mutex_unlock(&inet_lock);
	return r;
}

static void inet_release(struct sock *sk)
{
	struct isock *s = is_of(sk);

	pthread_mutex_lock(&inet_lock);
	s->dead = 1;
	if (sk->type == SOCK_STREAM)
		tcp_release_locked(s, 0);
	else
		udp_release_locked(s);
	is_unbind_locked(s);
	is_wake();
	is_unref(s);
	pthread_mutex_unlock(&inet_lock);
}

static int inet_listen_op(struct task *t, struct sock *sk, int backlog)
{
	return tcp_listen(t, sk, backlog);
}

static const struct sock_ops inet_tcp_ops = {
	.bind = inet_bind,
	.listen = inet_listen_op,
	.connect = tcp_connect,
	.accept = tcp_accept,
	.send = tcp_send,
	.recv = tcp_recv,
	.shutdown = inet_shutdown,
	.getname = inet_getname,
	.getsockopt = inet_getsockopt,
	.setsockopt = inet_setsockopt,
	.ioctl = inet_ioctl,
	.poll = inet_poll,
	.release = inet_release,
};

static const struct sock_ops inet_udp_ops = {
	.bind = inet_bind,
	.connect = udp_connect,
	.send = udp_send,
	.recv = udp_recv,
	.shutdown = inet_shutdown,
	.getname = inet_getname,
	.getsockopt = inet_getsockopt,
	.setsockopt = inet_setsockopt,
	.ioctl = inet_ioctl,
	.poll = inet_poll,
	.release = inet_release,
};

static int inet_create(struct task *t, int family, int type, int proto, unsigned fflags,
		       struct file **ret)
{
	struct isock *s;
	int r;

	switch (type) {
	case SOCK_STREAM:
		if (proto && proto != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		proto = IPPROTO_TCP;
		break;
	case SOCK_DGRAM:
		/* UDP-Lite is UDP on a loopback without checksums. */
		if (proto && proto != IPPROTO_UDP && proto != IPPROTO_UDPLITE)
			return -EPROTONOSUPPORT;
		if (!proto)
			proto = IPPROTO_UDP;
		break;
	case SOCK_RAW:
		return -EPROTONOSUPPORT; /* no raw sockets on the loopback stack */
	default:
		return -ESOCKTNOSUPPORT;
	}
	s = is_new(family, type, proto);
	if (!s)
		return -ENOMEM;
	s->uid = t ? t->creds.euid : 0;
	memset(&s->laddr, 0, sizeof(s->laddr));
	if (family == AF_INET)
		mapped(&s->laddr, "\0\0\0");
	r = is_file(s, fflags, ret);
	if (r < 0)
		free(s);
	return r;
}

static int inet4_create(struct task *t, int type, int proto, unsigned fflags, struct file **ret)
{
	return inet_create(t, AF_INET, type, proto, fflags, ret);
}

static int inet6_create(struct task *t, int type, int proto, unsigned fflags, struct file **ret)
{
	return inet_create(t, AF_INET6, type, proto, fflags, ret);
}

const struct sock_family inet4_family = {
	.family = AF_INET,
	.modes = 1u << NET_NONE,
	.create = inet4_create,
};

const struct sock_family inet6_family = {
	.family = AF_INET6,
	.modes = 1u << NET_NONE,
	.create = inet6_create,
};
