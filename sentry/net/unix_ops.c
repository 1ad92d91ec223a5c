/* SPDX-License-Identifier: Apache-2.0 */
/* AF_UNIX as a socket family: address validation and the sock_ops table
 * over unix.c and unix_name.c. */
#include "unix.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "socket.h"

#define SUN_OFF offsetof(struct sockaddr_un, sun_path)

static struct usock *us_of(struct sock *sk)
{
	return (struct usock *)sk;
}

/* The application's bytes as an AF_UNIX name (cut at sockaddr_un). */
static void to_unix(const struct sock_addr *a, struct unix_addr *u)
{
	memset(u, 0, sizeof(*u));
	u->len = MIN(a->len, (socklen_t)sizeof(u->sa));
	memcpy(&u->sa, &a->ss, u->len);
}

static void from_unix(const struct unix_addr *u, struct sock_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->len = u->len;
	memcpy(&a->ss, &u->sa, MIN((size_t)u->len, sizeof(u->sa)));
}

/* unix_validate_addr: a named AF_UNIX address. */
static int addr_valid(const struct sock_addr *a)
{
	if (a->len <= SUN_OFF || a->len > sizeof(struct sockaddr_un))
		return -EINVAL;
	return a->ss.ss_family == AF_UNIX ? 0 : -EINVAL;
}

static int u_bind(struct task *t, struct sock *sk, const struct sock_addr *a)
{
	struct unix_addr u;
	int r;

	if (!(a->len == SUN_OFF && a->ss.ss_family == AF_UNIX) && (r = addr_valid(a)) < 0)
		return r;
	to_unix(a, &u);
	return unix_bind(t, us_of(sk), &u);
}

static int u_listen(struct task *t, struct sock *sk, int backlog)
{
	return unix_listen(t, us_of(sk), backlog);
}

static int u_connect(struct task *t, struct sock *sk, const struct sock_addr *a, int nonblock)
{
	struct unix_addr u;
	int r;

	if (sk->type == SOCK_DGRAM) {
		if (a->len < sizeof(sa_family_t))
			return -EINVAL;
		if (a->ss.ss_family != AF_UNSPEC && (r = addr_valid(a)) < 0)
			return r;
	} else if ((r = addr_valid(a)) < 0) {
		return r;
	}
	to_unix(a, &u);
	return unix_connect(t, us_of(sk), &u, nonblock);
}

static int u_accept(struct task *t, struct sock *sk, unsigned fflags, int nonblock,
		    struct file **ret, struct sock_addr *ret_peer)
{
	struct unix_addr u;
	int r = unix_accept(t, us_of(sk), fflags, nonblock, ret, &u);

	if (r == 0)
		from_unix(&u, ret_peer);
	return r;
}

static ssize_t u_send(struct task *t, struct sock *sk, const void *buf, size_t len, int flags,
		      int nonblock, const struct sock_addr *to, struct sock_ctl *ctl)
{
	struct unix_addr u;
	int r;

	if (to && sk->type == SOCK_DGRAM && (r = addr_valid(to)) < 0)
		return r;
	if (to && sk->type == SOCK_SEQPACKET)
		to = NULL; /* ignored, as Linux does */
	if (to)
		to_unix(to, &u);
	return unix_send(t, us_of(sk), buf, len, flags, nonblock, to ? &u : NULL, ctl);
}

static ssize_t u_recv(struct task *t, struct sock *sk, void *buf, size_t len, int flags,
		      int nonblock, struct sock_recv_info *info)
{
	struct unix_recv_info ui;
	ssize_t r = unix_recv(t, us_of(sk), buf, len, flags, nonblock, &ui);

	info->ctl = ui.ctl;
	if (r >= 0) {
		if (ui.from.len)
			from_unix(&ui.from, &info->from);
		info->truncated = ui.truncated;
		info->full_len = ui.full_len;
	}
	return r;
}

static int u_shutdown(struct task *t, struct sock *sk, int how)
{
	(void)t;
	return unix_shutdown(us_of(sk), how);
}

static int u_getname(struct sock *sk, int peer, struct sock_addr *ret)
{
	struct unix_addr u;
	int r = unix_getname(us_of(sk), peer, &u);

	if (r == 0)
		from_unix(&u, ret);
	return r;
}

static int u_getsockopt(struct task *t, struct sock *sk, int level, int name, void *val,
			socklen_t *len)
{
	(void)t;
	return unix_getsockopt(us_of(sk), level, name, val, len);
}

static int u_setsockopt(struct task *t, struct sock *sk, int level, int name, const void *val,
			socklen_t len)
{
	(void)t;
	return unix_setsockopt(us_of(sk), level, name, val, len);
}

const struct sock_ops unix_sock_ops = {
	.bind = u_bind,
	.listen = u_listen,
	.connect = u_connect,
	.accept = u_accept,
	.send = u_send,
	.recv = u_recv,
	.shutdown = u_shutdown,
	.getname = u_getname,
	.getsockopt = u_getsockopt,
	.setsockopt = u_setsockopt,
	.ioctl = unix_ioctl,
	.poll = unix_poll,
	.release = unix_release,
};

/* The base type AF_UNIX serves for socket(2) and socketpair(2). */
static int u_type(int type, int proto, int *ret)
{
	if (proto && proto != PF_UNIX)
		return -EPROTONOSUPPORT;
	switch (type) {
	case SOCK_RAW:
		type = SOCK_DGRAM; /* as Linux does for AF_UNIX */
		break;
	case SOCK_STREAM:
	case SOCK_DGRAM:
	case SOCK_SEQPACKET:
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}
	*ret = type;
	return 0;
}

static int u_create(struct task *t, int type, int proto, unsigned fflags, struct file **ret)
{
	int r;

	(void)t;
	if ((r = u_type(type, proto, &type)) < 0)
		return r;
	return unix_socket(type, fflags, ret);
}

static int u_socketpair(struct task *t, int type, int proto, unsigned fflags,
			struct file **ret_a, struct file **ret_b)
{
	int r;

	if ((r = u_type(type, proto, &type)) < 0)
		return r;
	return unix_socketpair(type, fflags, unix_task_cred(t), ret_a, ret_b);
}

const struct sock_family unix_family = {
	.family = AF_UNIX,
	.modes = (1u << NET_NONE) | (1u << NET_HOST),
	.create = u_create,
	.socketpair = u_socketpair,
};
