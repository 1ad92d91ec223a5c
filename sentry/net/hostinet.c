/* SPDX-License-Identifier: Apache-2.0 */
/* Host network mode: AF_INET/AF_INET6 sockets held by the Sentry (hostinet.h). */
#include "hostinet.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <unistd.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/notify.h"

#define HOSTINET_SLICE_NS (50 * NSEC_PER_MSEC)
/* include/uapi/linux/udp.h (not in glibc's headers) */
#define HS_UDPLITE_SEND_CSCOV 10
#define HS_UDPLITE_RECV_CSCOV 11

/* One application socket: the Sentry's host socket behind it. */
struct hsock {
	struct sock sk;
	int fd; /* host socket, O_NONBLOCK | O_CLOEXEC; owned, never shared */
	/* SO_RCVTIMEO / SO_SNDTIMEO in ns (0: none); the host fd never
	 * blocks, so the Sentry keeps them.  Atomic accesses. */
	uint64_t rcv_timeo, snd_timeo;
};

static struct hsock *hs(struct sock *s)
{
	return (struct hsock *)s; /* sk is the first member */
}

/* ---- readiness watcher: host epoll set -> vfs_notify() ---- */

static pthread_once_t watch_once = PTHREAD_ONCE_INIT;
static int watch_ep = -1;

static void *watch_thread(void *arg)
{
	struct epoll_event ev[16];

	(void)arg;
	for (;;) {
		int n = epoll_wait(watch_ep, ev, (int)ARRAY_SIZE(ev), -1);

		if (n > 0)
			vfs_notify();
		else if (n < 0 && errno != EINTR)
			return NULL; /* waiters still re-check every 50 ms */
	}
}

static void watch_start(void)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t th;
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0)
		return;
	watch_ep = ep;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old); /* no signal for the watcher */
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 << 10);
	if (pthread_create(&th, &attr, watch_thread, NULL) != 0) {
		close(ep);
		watch_ep = -1;
	}
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Watch @fd; without a watcher, poll/epoll still see it within 50 ms. */
static void watch_add(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP | EPOLLET };

	pthread_once(&watch_once, watch_start);
	if (watch_ep >= 0)
		(void)epoll_ctl(watch_ep, EPOLL_CTL_ADD, fd, &ev);
	/* closing the fd (release) removes it from the set */
}

/* ---- host errors ---- */

/* Host errors reach the application only through this list; anything else
 * (EBADF, EFAULT, ENOTSOCK: a Sentry bug) is EIO. */
static int host_err(int e)
{
	switch (e) {
	case EAGAIN:
	case EINPROGRESS:
	case EALREADY:
	case EISCONN:
	case ENOTCONN:
	case ECONNREFUSED:
	case ECONNRESET:
	case ECONNABORTED:
	case EPIPE:
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case EHOSTDOWN:
	case ENETUNREACH:
	case ENETDOWN:
	case ENETRESET:
	case EADDRINUSE:
	case EADDRNOTAVAIL:
	case EAFNOSUPPORT:
	case EPROTONOSUPPORT:
	case EPROTOTYPE:
	case ENOPROTOOPT:
	case EOPNOTSUPP:
	case EDESTADDRREQ:
	case EMSGSIZE:
	case EINVAL:
	case EACCES:
	case EPERM:
	case ENOBUFS:
	case ENOMEM:
	case EMFILE:
	case ENFILE:
	case EINTR:
		return -e;
	default:
		return -EIO;
	}
}

static int neg_host(void)
{
	return host_err(errno);
}

/*
 * Wait until the host fd has @events, the deadline (ns, CLOCK_MONOTONIC;
 * 0: none) passes (-EAGAIN, as Linux's SO_RCVTIMEO), a signal is pending
 * (-ERESTARTSYS, or -EINTR with a timeout set: sock_intr_errno) or the
 * task must stop (-EINTR).  0 when ready or in error (the call reports it).
 */
static int hwait(struct task *t, struct hsock *h, short events, uint64_t timeo)
{
	uint64_t deadline = timeo ? mono_ns() + timeo : 0;

	if (!t)
		return -EAGAIN; /* no task to block (control-socket calls) */
	for (;;) {
		struct pollfd p = { .fd = h->fd, .events = events };
		uint64_t slice = HOSTINET_SLICE_NS, now;
		int r;

		if (deadline) {
			now = mono_ns();
			if (now >= deadline)
				return -EAGAIN;
			slice = MIN(slice, deadline - now);
		}
		task_block_begin(t);
		r = poll(&p, 1, (int)((slice + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC));
		task_block_end(t);
		if (r > 0 || (r < 0 && errno != EINTR))
			return 0;
		r = task_interrupted(t, timeo ? -EINTR : -ERESTARTSYS);
		if (r < 0)
			return r;
	}
}

/* ---- addresses ---- */

/* An address is a Sentry copy of at most sizeof(sockaddr_storage) bytes;
 * the host socket's own protocol validates it (family, length, AF_UNSPEC
 * cases) exactly as for any process, so it is passed as is. */
static int addr_ok(const struct sock_addr *a)
{
	return a->len <= sizeof(a->ss) ? 0 : -EINVAL;
}

/* ---- operations ---- */

static int hs_bind(struct task *t, struct sock *s, const struct sock_addr *a)
{
	int r = addr_ok(a);

	(void)t;
	if (r < 0)
		return r;
	return bind(hs(s)->fd, (const struct sockaddr *)&a->ss, a->len) < 0 ? neg_host() : 0;
}

static int hs_listen(struct task *t, struct sock *s, int backlog)
{
	(void)t;
	return listen(hs(s)->fd, backlog) < 0 ? neg_host() : 0;
}

static int hs_connect(struct task *t, struct sock *s, const struct sock_addr *a, int nonblock)
{
	struct hsock *h = hs(s);
	int r = addr_ok(a);

	if (r < 0)
		return r;
	if (connect(h->fd, (const struct sockaddr *)&a->ss, a->len) == 0)
		return 0;
	r = neg_host();
	/* a stream connect in progress: blocking callers wait for it (also
	 * after a restart, which the host answers with EALREADY) */
	if (nonblock || s->type != SOCK_STREAM || (r != -EINPROGRESS && r != -EALREADY))
		return r;
	for (;;) {
		r = hwait(t, h, POLLOUT, __atomic_load_n(&h->snd_timeo, __ATOMIC_RELAXED));
		if (r == -EAGAIN)
			return -EINPROGRESS; /* SO_SNDTIMEO expired, as Linux */
		if (r < 0)
			return r;
		/* Connect again rather than read SO_ERROR: the host then ends
		 * its connect as a blocking one would (connected, or the error
		 * reported once and the socket unconnected again), so a later
		 * connect gets EISCONN or a new attempt, as on Linux. */
		if (connect(h->fd, (const struct sockaddr *)&a->ss, a->len) == 0)
			return 0;
		r = neg_host();
		if (r == -EISCONN)
			return 0;
		if (r != -EALREADY && r != -EINPROGRESS)
			return r;
	}
}

static unsigned hs_poll(struct sock *s);
static int hs_new(int family, int type, int proto, int fd, unsigned fflags, struct file **ret);

static int hs_accept(struct task *t, struct sock *s, unsigned fflags, int nonblock,
		     struct file **ret, struct sock_addr *ret_peer)
{
	struct hsock *h = hs(s);
	struct sock_addr peer = { .len = sizeof(peer.ss) };

	for (;;) {
		int fd = accept4(h->fd, (struct sockaddr *)&peer.ss, &peer.len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		int r;

		if (fd >= 0) {
			r = hs_new(s->family, s->type, s->protocol, fd, fflags, ret);
			if (r < 0)
				return r; /* hs_new closed fd */
			if (ret_peer)
				*ret_peer = peer;
			return 0;
		}
		r = neg_host();
		if (r != -EAGAIN || nonblock)
			return r;
		r = hwait(t, h, POLLIN, __atomic_load_n(&h->rcv_timeo, __ATOMIC_RELAXED));
		if (r < 0)
			return r;
		peer.len = sizeof(peer.ss);
	}
}

/* MSG_* flags forwarded to the host (the host fd never blocks; SIGPIPE is
 * the syscall layer's business). */
#define SEND_FLAGS (MSG_OOB | MSG_MORE | MSG_EOR | MSG_CONFIRM)
#define RECV_FLAGS (MSG_OOB | MSG_PEEK | MSG_TRUNC)

/* Control data of a datagram send (Linux's ip_cmsg_send reads it for UDP;
 * TCP ignores it): the application's buffer, checked, with only its
 * IPPROTO_IP and IPPROTO_IPV6 messages copied to @out (IP_TTL, IP_TOS,
 * IP_PKTINFO, IPV6_HOPLIMIT...: what any unprivileged process may send;
 * the host validates them).  SOL_SOCKET ones (SCM_RIGHTS: Sentry files)
 * never reach the host.  Returns the length of @out. */
#define HS_CTL_MAX 256
static int ctl_ip_only(const struct sock_ctl *ctl, uint8_t *out, size_t *ret_len)
{
	size_t off = 0, olen = 0;
	int r = sock_cmsg_check(ctl->raw, ctl->rawlen);

	if (r < 0)
		return r;
	while (off + sizeof(struct cmsghdr) <= ctl->rawlen) {
		struct cmsghdr h;

		memcpy(&h, ctl->raw + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > ctl->rawlen - off)
			break; /* checked above; stop at the tail */
		if (h.cmsg_level == IPPROTO_IP || h.cmsg_level == IPPROTO_IPV6) {
			if (olen + CMSG_ALIGN(h.cmsg_len) > HS_CTL_MAX)
				return -ENOBUFS;
			memcpy(out + olen, ctl->raw + off, h.cmsg_len);
			olen += CMSG_ALIGN(h.cmsg_len);
		}
		off += CMSG_ALIGN(h.cmsg_len);
	}
	*ret_len = olen;
	return 0;
}

static ssize_t hs_send(struct task *t, struct sock *s, const void *buf, size_t len, int flags,
		       int nonblock, const struct sock_addr *to, struct sock_ctl *ctl)
{
	struct hsock *h = hs(s);
	int hflags = (flags & SEND_FLAGS) | MSG_DONTWAIT | MSG_NOSIGNAL;
	union {
		struct cmsghdr align;
		uint8_t b[HS_CTL_MAX];
	} cbuf;
	size_t done = 0, clen = 0;

	nonblock |= !!(flags & MSG_DONTWAIT);
	if (ctl && ctl->raw && ctl->rawlen && s->type == SOCK_DGRAM) {
		int r = ctl_ip_only(ctl, cbuf.b, &clen);

		if (r < 0)
			return r;
	}
	if (to) {
		int r = addr_ok(to);

		if (r < 0)
			return r;
	}
	for (;;) {
		struct iovec iov = { (char *)buf + done, len - done };
		struct msghdr m = { .msg_name = to ? (void *)&to->ss : NULL,
				    .msg_namelen = to ? to->len : 0,
				    .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = clen ? cbuf.b : NULL,
				    .msg_controllen = clen };
		ssize_t n = sendmsg(h->fd, &m, hflags);
		int r;

		if (n >= 0) {
			done += (size_t)n;
			/* a blocking stream send queues everything */
			if (done == len || s->type != SOCK_STREAM || nonblock)
				return (ssize_t)done;
			continue;
		}
		r = neg_host();
		if (r != -EAGAIN || nonblock)
			return done ? (ssize_t)done : r;
		r = hwait(t, h, POLLOUT, __atomic_load_n(&h->snd_timeo, __ATOMIC_RELAXED));
		if (r < 0)
			return done ? (ssize_t)done : r;
	}
}

/* The IPPROTO_IP / IPPROTO_IPV6 control messages of a host datagram
 * receive (IP_PKTINFO, IP_TTL, IPV6_HOPLIMIT... the options the
 * application enabled) into @info; others, and what does not fit, are
 * dropped (MSG_CTRUNC is the syscall layer's). */
static void ctl_from_host(struct msghdr *m, struct sock_recv_info *info)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		size_t dlen = c->cmsg_len - CMSG_LEN(0);
		struct sock_cmsg *o;

		if (c->cmsg_level != IPPROTO_IP && c->cmsg_level != IPPROTO_IPV6)
			continue;
		if (info->ncmsg >= SOCK_CMSG_MAX || dlen > sizeof(o->data))
			continue;
		o = &info->cmsg[info->ncmsg++];
		o->level = c->cmsg_level;
		o->type = c->cmsg_type;
		o->len = (unsigned)dlen;
		memcpy(o->data, CMSG_DATA(c), dlen);
	}
}

static ssize_t hs_recv(struct task *t, struct sock *s, void *buf, size_t len, int flags,
		       int nonblock, struct sock_recv_info *info)
{
	struct hsock *h = hs(s);
	int waitall = (flags & MSG_WAITALL) && s->type == SOCK_STREAM && !(flags & MSG_PEEK);
	size_t done = 0;

	nonblock |= !!(flags & MSG_DONTWAIT);
	/* MSG_TRUNC on a stream discards the data (Linux): the caller still
	 * copies the buffer out, so it must hold no Sentry memory */
	if ((flags & MSG_TRUNC) && s->type == SOCK_STREAM)
		memset(buf, 0, len);
	for (;;) {
		union {
			struct cmsghdr align;
			uint8_t b[HS_CTL_MAX];
		} cbuf;
		struct iovec iov = { (char *)buf + done, len - done };
		struct msghdr m = { .msg_name = &info->from.ss,
				    .msg_namelen = sizeof(info->from.ss),
				    .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = s->type == SOCK_DGRAM ? cbuf.b : NULL,
				    .msg_controllen = s->type == SOCK_DGRAM ? sizeof(cbuf) : 0 };
		ssize_t n = recvmsg(h->fd, &m, (flags & RECV_FLAGS) | MSG_DONTWAIT);
		int r;

		if (n >= 0) {
			if (s->type != SOCK_STREAM) {
				info->from.len =
					m.msg_namelen <= sizeof(info->from.ss) ? m.msg_namelen : 0;
				info->truncated = !!(m.msg_flags & MSG_TRUNC);
				info->full_len = (size_t)n;
				ctl_from_host(&m, info);
				return n;
			}
			done += (size_t)n;
			if (!waitall || n == 0 || done == len)
				return (ssize_t)done;
			continue;
		}
		r = neg_host();
		if (r != -EAGAIN || nonblock)
			return done ? (ssize_t)done : r;
		/* a blocking receive after SHUT_RD returns 0 (Linux), where the
		 * host's non-blocking one says EAGAIN and poll says readable */
		if (hs_poll(s) & POLLRDHUP)
			return (ssize_t)done;
		r = hwait(t, h, POLLIN | POLLPRI, __atomic_load_n(&h->rcv_timeo, __ATOMIC_RELAXED));
		if (r < 0)
			return done ? (ssize_t)done : r;
	}
}

static int hs_shutdown(struct task *t, struct sock *s, int how)
{
	(void)t;
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	return shutdown(hs(s)->fd, how) < 0 ? neg_host() : 0;
}

static int hs_getname(struct sock *s, int peer, struct sock_addr *ret)
{
	struct sock_addr a = { .len = sizeof(a.ss) };
	int r = peer ? getpeername(hs(s)->fd, (struct sockaddr *)&a.ss, &a.len)
		     : getsockname(hs(s)->fd, (struct sockaddr *)&a.ss, &a.len);

	if (r < 0)
		return neg_host();
	if (a.len > sizeof(a.ss))
		return -EIO;
	*ret = a;
	return 0;
}

/*
 * The options the application may set or read on a host socket: those
 * programs use that change only this socket's behaviour, and that an
 * unprivileged host process may use (the IP-level control messages they
 * turn on come back through ctl_from_host()).  SO_BINDTODEVICE, SO_MARK,
 * SO_ATTACH_FILTER, SO_TIMESTAMP* (SOL_SOCKET control messages), IP_OPTIONS,
 * IP_HDRINCL, IP_TRANSPARENT, multicast, TCP_CONGESTION (may load a
 * module), TCP_REPAIR and the like are refused with ENOPROTOOPT.
 */
struct hopt {
	int level, name;
	int get_only;
};

static const struct hopt hopts[] = {
	{ SOL_SOCKET, SO_REUSEADDR, 0 },	 { SOL_SOCKET, SO_REUSEPORT, 0 },
	{ SOL_SOCKET, SO_KEEPALIVE, 0 },	 { SOL_SOCKET, SO_RCVBUF, 0 },
	{ SOL_SOCKET, SO_SNDBUF, 0 },		 { SOL_SOCKET, SO_LINGER, 0 },
	{ SOL_SOCKET, SO_BROADCAST, 0 },	 { SOL_SOCKET, SO_OOBINLINE, 0 },
	{ SOL_SOCKET, SO_RCVLOWAT, 0 },		 { SOL_SOCKET, SO_SNDLOWAT, 0 },
	{ SOL_SOCKET, SO_PRIORITY, 0 },
	{ SOL_SOCKET, SO_ERROR, 1 },		 { SOL_SOCKET, SO_TYPE, 1 },
	{ SOL_SOCKET, SO_DOMAIN, 1 },		 { SOL_SOCKET, SO_PROTOCOL, 1 },
	{ SOL_SOCKET, SO_ACCEPTCONN, 1 },	 { IPPROTO_TCP, TCP_NODELAY, 0 },
	{ IPPROTO_TCP, TCP_KEEPIDLE, 0 },	 { IPPROTO_TCP, TCP_KEEPINTVL, 0 },
	{ IPPROTO_TCP, TCP_KEEPCNT, 0 },	 { IPPROTO_TCP, TCP_CORK, 0 },
	{ IPPROTO_TCP, TCP_QUICKACK, 0 },	 { IPPROTO_TCP, TCP_DEFER_ACCEPT, 0 },
	{ IPPROTO_TCP, TCP_USER_TIMEOUT, 0 },	 { IPPROTO_TCP, TCP_MAXSEG, 0 },
	{ IPPROTO_TCP, TCP_LINGER2, 0 },	 { IPPROTO_TCP, TCP_SYNCNT, 0 },
	{ IPPROTO_TCP, TCP_WINDOW_CLAMP, 0 },	 { IPPROTO_TCP, TCP_NOTSENT_LOWAT, 0 },
	{ IPPROTO_TCP, TCP_FASTOPEN, 0 },	 { IPPROTO_TCP, TCP_INFO, 1 },
	{ IPPROTO_TCP, TCP_CONGESTION, 1 },	 { IPPROTO_IP, IP_TOS, 0 },
	{ IPPROTO_IP, IP_TTL, 0 },		 { IPPROTO_IP, IP_MTU_DISCOVER, 0 },
	{ IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 0 }, { IPPROTO_IP, IP_MTU, 1 },
	{ IPPROTO_IP, IP_PKTINFO, 0 },		 { IPPROTO_IP, IP_RECVTTL, 0 },
	{ IPPROTO_IP, IP_RECVTOS, 0 },		 { IPPROTO_IPV6, IPV6_RECVPKTINFO, 0 },
	{ IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 0 },	 { IPPROTO_IPV6, IPV6_RECVTCLASS, 0 },
	{ IPPROTO_IPV6, IPV6_V6ONLY, 0 },	 { IPPROTO_IPV6, IPV6_UNICAST_HOPS, 0 },
	{ IPPROTO_IPV6, IPV6_TCLASS, 0 },	 { IPPROTO_IPV6, IPV6_MTU_DISCOVER, 0 },
	{ IPPROTO_IPV6, IPV6_MTU, 1 },		 { IPPROTO_UDP, UDP_CORK, 0 },
	{ IPPROTO_UDPLITE, HS_UDPLITE_SEND_CSCOV, 0 },
	{ IPPROTO_UDPLITE, HS_UDPLITE_RECV_CSCOV, 0 },
};

static const struct hopt *hopt_find(int level, int name)
{
	for (size_t i = 0; i < ARRAY_SIZE(hopts); i++)
		if (hopts[i].level == level && hopts[i].name == name)
			return &hopts[i];
	return NULL;
}

static int hs_getsockopt(struct task *t, struct sock *s, int level, int name, void *val,
			 socklen_t *len)
{
	struct hsock *h = hs(s);
	socklen_t l = *len;

	(void)t;
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
		sock_timeo_out(__atomic_load_n(name == SO_RCVTIMEO ? &h->rcv_timeo : &h->snd_timeo,
					       __ATOMIC_RELAXED),
			       val, len);
		return 0;
	}
	if (!hopt_find(level, name))
		return -ENOPROTOOPT;
	if (getsockopt(h->fd, level, name, val, &l) < 0)
		return neg_host();
	*len = MIN(l, *len);
	return 0;
}

static int hs_setsockopt(struct task *t, struct sock *s, int level, int name, const void *val,
			 socklen_t len)
{
	struct hsock *h = hs(s);
	const struct hopt *o;

	(void)t;
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
		uint64_t ns;
		int r = sock_timeo_in(val, len, &ns);

		if (r < 0)
			return r;
		__atomic_store_n(name == SO_RCVTIMEO ? &h->rcv_timeo : &h->snd_timeo, ns,
				 __ATOMIC_RELAXED);
		return 0;
	}
	o = hopt_find(level, name);
	if (!o)
		return -ENOPROTOOPT;
	if (o->get_only)
		return -ENOPROTOOPT;
	return setsockopt(h->fd, level, name, val, len) < 0 ? neg_host() : 0;
}

static int64_t hs_ioctl(struct task *t, struct sock *s, unsigned cmd, uint64_t arg)
{
	int v;

	if (cmd != FIONREAD && cmd != SIOCOUTQ)
		return -ENOTTY;
	if (ioctl(hs(s)->fd, cmd, &v) < 0)
		return neg_host();
	return task_copy_out(t, arg, &v, sizeof(v)) == sizeof(v) ? 0 : -EFAULT;
}

static unsigned hs_poll(struct sock *s)
{
	struct pollfd p = { .fd = hs(s)->fd, .events = POLLIN | POLLOUT | POLLPRI | POLLRDHUP };

	if (poll(&p, 1, 0) < 0)
		return POLLERR;
	return (unsigned)p.revents;
}

static void hs_release(struct sock *s)
{
	struct hsock *h = hs(s);

	safe_close(h->fd); /* also leaves the watcher's epoll set */
	free(h);
	vfs_notify(); /* nothing waits on a closed socket, but epoll items go */
}

static const struct sock_ops hostinet_ops = {
	.bind = hs_bind,
	.listen = hs_listen,
	.connect = hs_connect,
	.accept = hs_accept,
	.send = hs_send,
	.recv = hs_recv,
	.shutdown = hs_shutdown,
	.getname = hs_getname,
	.getsockopt = hs_getsockopt,
	.setsockopt = hs_setsockopt,
	.ioctl = hs_ioctl,
	.poll = hs_poll,
	.release = hs_release,
};

/* Wrap host socket @fd (taken over: closed on failure). */
static int hs_new(int family, int type, int proto, int fd, unsigned fflags, struct file **ret)
{
	struct hsock *h = calloc(1, sizeof(*h));
	int r;

	if (!h) {
		close(fd);
		return -ENOMEM;
	}
	sock_init(&h->sk, &hostinet_ops, family, type, proto);
	h->fd = fd;
	r = sock_file_new(&h->sk, fflags, ret);
	if (r < 0) {
		close(fd);
		free(h);
		return r;
	}
	watch_add(fd);
	return 0;
}

static int hs_create(int family, int type, int proto, unsigned fflags, struct file **ret)
{
	int fd;

	switch (type) {
	case SOCK_STREAM:
		if (proto != 0 && proto != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		break;
	case SOCK_DGRAM:
		if (proto != 0 && proto != IPPROTO_UDP && proto != IPPROTO_UDPLITE)
			return -EPROTONOSUPPORT;
		break;
	default:
		return -ESOCKTNOSUPPORT; /* no raw or packet sockets from the host */
	}
	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return neg_host();
	return hs_new(family, type, proto, fd, fflags, ret);
}

static int hs_create4(struct task *t, int type, int proto, unsigned fflags, struct file **ret)
{
	(void)t;
	return hs_create(AF_INET, type, proto, fflags, ret);
}

static int hs_create6(struct task *t, int type, int proto, unsigned fflags, struct file **ret)
{
	(void)t;
	return hs_create(AF_INET6, type, proto, fflags, ret);
}

const struct sock_family hostinet_family = {
	.family = AF_INET,
	.modes = 1u << NET_HOST,
	.create = hs_create4,
};

const struct sock_family hostinet6_family = {
	.family = AF_INET6,
	.modes = 1u << NET_HOST,
	.create = hs_create6,
};
