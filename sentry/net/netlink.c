/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AF_NETLINK sockets: port ids, queues, options and the file operations.
 * The NETLINK_ROUTE protocol itself is netlink_route.c.
 */
#include "netlink.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/notify.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#define NL_SOCK_MIN_RCVBUF 2304
#define NL_SOCK_MIN_SNDBUF 4608
#define NL_BUF_MAX (2 * 212992) /* twice net.core.[rw]mem_max */
#define NL_AUTOBIND_FIRST (-4096)

/* One queued datagram. */
struct nlskb {
	struct nlskb *next;
	uint32_t from;   /* sender's port id (0: the kernel) */
	uint32_t group;  /* multicast group it was sent to (never yet) */
	size_t len;
	uint8_t data[];
};

/* NETLINK_* socket flags (SOL_NETLINK options). */
enum {
	NLF_PKTINFO = 1u << 0,
	NLF_BROADCAST_ERROR = 1u << 1,
	NLF_NO_ENOBUFS = 1u << 2,
	NLF_LISTEN_ALL_NSID = 1u << 3,
	NLF_CAP_ACK = 1u << 4,
	NLF_EXT_ACK = 1u << 5,
	NLF_STRICT_CHK = 1u << 6,
};

/* Fields under nl_lock.  Invariants: @bound implies @portid is unique among
 * bound sockets and @s is on nl_socks; rq_bytes = sum of rq lengths. */
struct nlsock {
	struct sock sk;      /* first: socket.h */
	struct nlsock *next; /* nl_socks, bound sockets */
	int bound;
	uint32_t portid;
	uint32_t groups;             /* bound multicast groups (1-32) */
	uint32_t dst_portid, dst_group; /* connect(2) */
	struct nlskb *rq, *rq_tail;
	size_t rq_bytes;
	int rcvbuf, sndbuf;
	int err;                     /* pending error (ENOBUFS), SO_ERROR */
	unsigned flags;              /* NLF_* */
	int passcred;
	uint64_t rcvtimeo, sndtimeo; /* ns, 0: none (sndtimeo: stored only) */
	int closed;
};

static pthread_mutex_t nl_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t nl_cond = PTHREAD_COND_INITIALIZER;
static struct nlsock *nl_socks;
static int32_t nl_rover = NL_AUTOBIND_FIRST;
static const struct sock_ops nl_ops;

/* Wait for a change (nl_lock held): sock_wait(). */
static int nl_wait(struct task *t, uint64_t deadline)
{
	return sock_wait(t, &nl_cond, &nl_lock, deadline);
}

uint32_t netlink_portid_locked(struct nlsock *s)
{
	return s->portid;
}

int netlink_cap_ack_locked(struct nlsock *s)
{
	return !!(s->flags & NLF_CAP_ACK);
}

static struct nlsock *find_locked(uint32_t portid)
{
	for (struct nlsock *s = nl_socks; s; s = s->next)
		if (s->portid == portid)
			return s;
	return NULL;
}

static int insert_locked(struct nlsock *s, uint32_t portid)
{
	if (s->bound)
		return s->portid == portid ? 0 : -EINVAL;
	if (find_locked(portid))
		return -EADDRINUSE;
	s->portid = portid;
	s->bound = 1;
	s->next = nl_socks;
	nl_socks = s;
	return 0;
}

/* netlink_autobind: the tgid first, then negative ids from -4096 down. */
static int autobind_locked(struct task *t, struct nlsock *s)
{
	int32_t id = t ? t->tg->tgid : NL_AUTOBIND_FIRST;

	if (s->bound)
		return 0;
	for (int tries = 0; tries < 1 << 20; tries++) {
		if (!find_locked((uint32_t)id))
			return insert_locked(s, (uint32_t)id);
		id = nl_rover--;
		if (nl_rover > NL_AUTOBIND_FIRST) /* wrapped */
			nl_rover = NL_AUTOBIND_FIRST;
	}
	return -EADDRINUSE;
}

static void unlink_locked(struct nlsock *s)
{
	for (struct nlsock **pp = &nl_socks; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	s->bound = 0;
}

static int nl_create(struct task *t, int type, int protocol, unsigned fflags, struct file **ret)
{
	struct nlsock *s;
	int r;

	(void)t;
	if (type != SOCK_RAW && type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != NETLINK_ROUTE) /* the others (and < 0, >= MAX_LINKS) */
		return -EPROTONOSUPPORT;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	sock_init(&s->sk, &nl_ops, AF_NETLINK, type, protocol);
	s->rcvbuf = NL_BUF_DEFAULT;
	s->sndbuf = NL_BUF_DEFAULT;
	r = sock_file_new(&s->sk, fflags, ret);
	if (r < 0)
		free(s);
	return r;
}

/* An application's struct sockaddr_nl of @len bytes. */
static int addr_in(const struct sock_addr *a, struct sockaddr_nl *ret)
{
	if (a->len < sizeof(*ret))
		return -EINVAL;
	memcpy(ret, &a->ss, sizeof(*ret));
	if (ret->nl_family != AF_NETLINK)
		return -EINVAL;
	return 0;
}

static int nl_bind(struct task *t, struct sock *sk, const struct sock_addr *a)
{
	struct nlsock *s = (struct nlsock *)sk;
	struct sockaddr_nl nl;
	int r = addr_in(a, &nl);

	if (r < 0)
		return r;
	pthread_mutex_lock(&nl_lock);
	if (s->bound && nl.nl_pid != s->portid) {
		r = -EINVAL;
	} else if (!s->bound) {
		r = nl.nl_pid ? insert_locked(s, nl.nl_pid) : autobind_locked(t, s);
	}
	/* NETLINK_ROUTE lets anyone listen (NL_CFG_F_NONROOT_RECV); nothing
	 * is ever multicast yet */
	if (r == 0)
		s->groups = nl.nl_groups;
	pthread_mutex_unlock(&nl_lock);
	return r;
}

static int nl_connect(struct task *t, struct sock *sk, const struct sock_addr *a, int nonblock)
{
	struct nlsock *s = (struct nlsock *)sk;
	struct sockaddr_nl nl;
	int r;

	(void)nonblock;
	if (a->len < sizeof(sa_family_t))
		return -EINVAL;
	if (a->ss.ss_family == AF_UNSPEC) {
		pthread_mutex_lock(&nl_lock);
		s->dst_portid = 0;
		s->dst_group = 0;
		pthread_mutex_unlock(&nl_lock);
		return 0;
	}
	if ((r = addr_in(a, &nl)) < 0)
		return r;
	if (nl.nl_groups && t && t->creds.euid != 0)
		return -EPERM; /* sending to groups needs CAP_NET_ADMIN */
	pthread_mutex_lock(&nl_lock);
	r = autobind_locked(t, s);
	if (r == 0) {
		s->dst_portid = nl.nl_pid;
		s->dst_group = nl.nl_groups ? (uint32_t)__builtin_ffs((int)nl.nl_groups) : 0;
	}
	pthread_mutex_unlock(&nl_lock);
	return r;
}

static int nl_getname(struct sock *sk, int peer, struct sock_addr *ret)
{
	struct nlsock *s = (struct nlsock *)sk;
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };

	pthread_mutex_lock(&nl_lock);
	if (peer) {
		nl.nl_pid = s->dst_portid;
		nl.nl_groups = s->dst_group ? 1u << (s->dst_group - 1) : 0;
	} else {
		nl.nl_pid = s->bound ? s->portid : 0;
		nl.nl_groups = s->groups;
	}
	pthread_mutex_unlock(&nl_lock);
	memset(ret, 0, sizeof(*ret));
	memcpy(&ret->ss, &nl, sizeof(nl));
	ret->len = sizeof(nl);
	return 0;
}

static int queue_from_locked(struct nlsock *s, uint32_t from, const void *buf, size_t len)
{
	struct nlskb *skb;

	if (s->closed)
		return -ECONNREFUSED;
	if (s->rq_bytes + len > (size_t)s->rcvbuf && s->rq) {
		if (!(s->flags & NLF_NO_ENOBUFS))
			s->err = ENOBUFS;
		return -ENOBUFS;
	}
	skb = malloc(sizeof(*skb) + len);
	if (!skb)
		return -ENOMEM;
	skb->next = NULL;
	skb->from = from;
	skb->group = 0;
	skb->len = len;
	memcpy(skb->data, buf, len);
	if (s->rq_tail)
		s->rq_tail->next = skb;
	else
		s->rq = skb;
	s->rq_tail = skb;
	s->rq_bytes += len;
	pthread_cond_broadcast(&nl_cond);
	vfs_notify();
	return 0;
}

int netlink_queue_locked(struct nlsock *s, const void *buf, size_t len)
{
	return queue_from_locked(s, 0, buf, len);
}

static ssize_t nl_send(struct task *t, struct sock *sk, const void *buf, size_t len, int flags,
		       int nonblock, const struct sock_addr *to, struct sock_ctl *ctl)
{
	struct nlsock *s = (struct nlsock *)sk;
	uint32_t dst_portid, dst_group;
	int r;

	(void)nonblock;
	(void)ctl; /* SCM_CREDENTIALS: the kernel end does not look */
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (len == 0)
		return -ENODATA; /* Linux >= 6.x rejects empty netlink messages */
	if (to && to->len) {
		struct sockaddr_nl nl;

		if ((r = addr_in(to, &nl)) < 0)
			return r;
		dst_portid = nl.nl_pid;
		dst_group = nl.nl_groups ? (uint32_t)__builtin_ffs((int)nl.nl_groups) : 0;
		if ((dst_group || dst_portid) && t && t->creds.euid != 0)
			return -EPERM; /* NETLINK_ROUTE: no NL_CFG_F_NONROOT_SEND */
	} else {
		pthread_mutex_lock(&nl_lock);
		dst_portid = s->dst_portid;
		dst_group = s->dst_group;
		pthread_mutex_unlock(&nl_lock);
	}
	pthread_mutex_lock(&nl_lock);
	r = autobind_locked(t, s);
	if (r == 0 && len > (size_t)s->sndbuf - 32)
		r = -EMSGSIZE;
	if (r < 0)
		goto out;
	if (dst_portid == 0 && !dst_group) {
		netlink_route_input_locked(t, s, buf, len);
	} else if (dst_portid) {
		struct nlsock *peer = find_locked(dst_portid);

		r = peer ? queue_from_locked(peer, s->portid, buf, len) : -ECONNREFUSED;
		if (r == -ENOBUFS)
			r = -EAGAIN;
	}
	/* a group alone: no other listener is ever subscribed yet */
out:
	pthread_mutex_unlock(&nl_lock);
	return r < 0 ? r : (ssize_t)len;
}

static ssize_t nl_recv(struct task *t, struct sock *sk, void *buf, size_t len, int flags,
		       int nonblock, struct sock_recv_info *info)
{
	struct nlsock *s = (struct nlsock *)sk;
	struct sockaddr_nl from;
	struct nlskb *skb;
	uint64_t deadline;
	ssize_t ret;
	size_t n;
	int r;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&nl_lock);
	deadline = s->rcvtimeo ? mono_ns() + s->rcvtimeo : 0;
	for (;;) {
		if (s->err) {
			r = -s->err;
			s->err = 0;
			pthread_mutex_unlock(&nl_lock);
			return r;
		}
		if (s->rq)
			break;
		if (nonblock || (flags & MSG_DONTWAIT)) {
			pthread_mutex_unlock(&nl_lock);
			return -EAGAIN;
		}
		r = nl_wait(t, deadline);
		if (r < 0) {
			pthread_mutex_unlock(&nl_lock);
			return r;
		}
	}
	skb = s->rq;
	n = MIN(len, skb->len);
	memcpy(buf, skb->data, n);
	memset(&from, 0, sizeof(from));
	from.nl_family = AF_NETLINK;
	from.nl_pid = skb->from;
	from.nl_groups = skb->group ? 1u << (skb->group - 1) : 0;
	memcpy(&info->from.ss, &from, sizeof(from));
	info->from.len = sizeof(from);
	info->truncated = n < skb->len;
	info->full_len = skb->len;
	/* MSG_TRUNC: the datagram's real length (netlink_recvmsg) */
	ret = (flags & MSG_TRUNC) ? (ssize_t)skb->len : (ssize_t)n;
	if (!(flags & MSG_PEEK)) {
		s->rq = skb->next;
		if (!s->rq)
			s->rq_tail = NULL;
		s->rq_bytes -= skb->len;
		free(skb);
	}
	pthread_mutex_unlock(&nl_lock);
	return ret;
}

/* ---- options ---- */

static unsigned nl_flag_of(int name)
{
	switch (name) {
	case NETLINK_PKTINFO:
		return NLF_PKTINFO;
	case NETLINK_BROADCAST_ERROR:
		return NLF_BROADCAST_ERROR;
	case NETLINK_NO_ENOBUFS:
		return NLF_NO_ENOBUFS;
	case NETLINK_LISTEN_ALL_NSID:
		return NLF_LISTEN_ALL_NSID;
	case NETLINK_CAP_ACK:
		return NLF_CAP_ACK;
	case NETLINK_EXT_ACK:
		return NLF_EXT_ACK;
	case NETLINK_GET_STRICT_CHK:
		return NLF_STRICT_CHK;
	default:
		return 0;
	}
}

static int put_int(void *val, socklen_t *len, int v)
{
	if (*len < sizeof(int))
		return -EINVAL;
	memcpy(val, &v, sizeof(v));
	*len = sizeof(int);
	return 0;
}

static int nl_getsockopt(struct task *t, struct sock *sk, int level, int name, void *val,
			 socklen_t *len)
{
	struct nlsock *s = (struct nlsock *)sk;
	int r = 0, v = 0;

	(void)t;
	pthread_mutex_lock(&nl_lock);
	if (level == SOL_NETLINK) {
		unsigned fl = nl_flag_of(name);

		if (name == NETLINK_LIST_MEMBERSHIPS) {
			/* the group bitmap: one u32 here (32 groups) */
			if (*len >= sizeof(uint32_t))
				memcpy(val, &s->groups, sizeof(uint32_t));
			*len = sizeof(uint32_t);
			goto out;
		}
		if (!fl) {
			r = -ENOPROTOOPT;
			goto out;
		}
		r = put_int(val, len, !!(s->flags & fl));
		goto out;
	}
	if (level != SOL_SOCKET) {
		r = -ENOPROTOOPT;
		goto out;
	}
	switch (name) {
	case SO_TYPE:
		v = s->sk.type;
		break;
	case SO_PROTOCOL:
		v = s->sk.protocol;
		break;
	case SO_DOMAIN:
		v = AF_NETLINK;
		break;
	case SO_RCVBUF:
		v = s->rcvbuf;
		break;
	case SO_SNDBUF:
		v = s->sndbuf;
		break;
	case SO_ERROR:
		v = s->err;
		s->err = 0;
		break;
	case SO_PASSCRED:
		v = s->passcred;
		break;
	case SO_ACCEPTCONN:
		v = 0;
		break;
	case SO_RCVTIMEO:
	case SO_SNDTIMEO:
		sock_timeo_out(name == SO_RCVTIMEO ? s->rcvtimeo : s->sndtimeo, val, len);
		goto out;
	default:
		r = -ENOPROTOOPT;
		goto out;
	}
	/* sock_getsockopt: a short buffer gets the truncated value */
	if (*len < sizeof(int)) {
		if (*len == 0) {
			r = -EINVAL;
			goto out;
		}
		memcpy(val, &v, *len);
	} else {
		memcpy(val, &v, sizeof(v));
		*len = sizeof(int);
	}
out:
	pthread_mutex_unlock(&nl_lock);
	return r;
}

static int clamp_buf(int v, int min)
{
	int64_t d = (int64_t)MIN((int64_t)v, (int64_t)NL_BUF_MAX / 2) * 2;

	return d < min ? min : (int)d;
}

static int nl_setsockopt(struct task *t, struct sock *sk, int level, int name, const void *val,
			 socklen_t len)
{
	struct nlsock *s = (struct nlsock *)sk;
	int v = 0, r = 0;

	(void)t;
	if (len >= sizeof(int))
		memcpy(&v, val, sizeof(int));
	pthread_mutex_lock(&nl_lock);
	if (level == SOL_NETLINK) {
		unsigned fl = nl_flag_of(name);

		if (name == NETLINK_ADD_MEMBERSHIP || name == NETLINK_DROP_MEMBERSHIP) {
			if (len < sizeof(uint32_t))
				r = -EINVAL;
			else if (v > 32) /* groups beyond rtnetlink's: nothing to join */
				r = -EINVAL;
			else if (v > 0 && name == NETLINK_ADD_MEMBERSHIP)
				s->groups |= 1u << (v - 1);
			else if (v > 0)
				s->groups &= ~(1u << (v - 1));
			goto out;
		}
		if (!fl) {
			r = -ENOPROTOOPT;
			goto out;
		}
		if (len < sizeof(int)) { /* Linux: the flag is set from a zero */
			s->flags &= ~fl;
			goto out;
		}
		if (v)
			s->flags |= fl;
		else
			s->flags &= ~fl;
		goto out;
	}
	if (level != SOL_SOCKET) {
		r = -ENOPROTOOPT;
		goto out;
	}
	if (name == SO_RCVTIMEO || name == SO_SNDTIMEO) {
		uint64_t ns;

		r = sock_timeo_in(val, len, &ns);
		if (r == 0)
			*(name == SO_RCVTIMEO ? &s->rcvtimeo : &s->sndtimeo) = ns;
		goto out;
	}
	if (len < sizeof(int)) {
		r = -EINVAL;
		goto out;
	}
	switch (name) {
	case SO_RCVBUF:
	case SO_RCVBUFFORCE:
		s->rcvbuf = clamp_buf(v, NL_SOCK_MIN_RCVBUF);
		break;
	case SO_SNDBUF:
	case SO_SNDBUFFORCE:
		s->sndbuf = clamp_buf(v, NL_SOCK_MIN_SNDBUF);
		break;
	case SO_PASSCRED:
		s->passcred = !!v;
		break;
	case SO_REUSEADDR:
	case SO_KEEPALIVE:
	case SO_PRIORITY:
	case SO_BROADCAST:
		break;
	default:
		r = -ENOPROTOOPT;
	}
out:
	pthread_mutex_unlock(&nl_lock);
	return r;
}

/* ---- socket operations ---- */

static unsigned nl_poll(struct sock *sk)
{
	struct nlsock *s = (struct nlsock *)sk;
	unsigned ev = POLLOUT | POLLWRNORM | POLLWRBAND;

	pthread_mutex_lock(&nl_lock);
	if (s->rq)
		ev |= POLLIN | POLLRDNORM;
	if (s->err)
		ev |= POLLERR;
	pthread_mutex_unlock(&nl_lock);
	return ev;
}

static void nl_release(struct sock *sk)
{
	struct nlsock *s = (struct nlsock *)sk;
	struct nlskb *q;

	pthread_mutex_lock(&nl_lock);
	if (s->bound)
		unlink_locked(s);
	s->closed = 1;
	q = s->rq;
	s->rq = s->rq_tail = NULL;
	pthread_mutex_unlock(&nl_lock);
	while (q) {
		struct nlskb *n = q->next;

		free(q);
		q = n;
	}
	free(s);
}

/* No ioctl op: netlink has none of its own, socket.c answers the
 * interface ioctls; no listen/accept/shutdown (sock_no_*). */
static const struct sock_ops nl_ops = {
	.bind = nl_bind,
	.connect = nl_connect,
	.send = nl_send,
	.recv = nl_recv,
	.getname = nl_getname,
	.getsockopt = nl_getsockopt,
	.setsockopt = nl_setsockopt,
	.poll = nl_poll,
	.release = nl_release,
};

const struct sock_family netlink_family = {
	.family = AF_NETLINK,
	.modes = (1u << NET_NONE) | (1u << NET_HOST),
	.create = nl_create,
};
