/* SPDX-License-Identifier: Apache-2.0 */
/* Loopback TCP: listen, connect, accept, byte streams, shutdown, close. */
#include "inet.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"
#include "sentry/kernel/task.h"

/* Non-blocking connects waiting for room in a listener's queue. */
static struct isock *syn_list;

static size_t ring_limit(const struct isock *s)
{
	return s->rcvbuf_set ? (size_t)MAX(s->rcvbuf, INET_MIN_RCVBUF) : INET_STREAM_QMAX;
}

static size_t ring_space(const struct isock *s)
{
	size_t lim = ring_limit(s);

	if (inet_mem >= INET_MEM_MAX)
		lim = MIN(lim, s->rcap); /* no growth past the sandbox's budget */

	return s->rlen >= lim ? 0 : lim - s->rlen;
}

/* Append @n bytes to @s's ring (growing it up to its limit). */
static int ring_put(struct isock *s, const uint8_t *buf, size_t n)
{
	size_t tail, first;

	if (s->rlen + n > s->rcap) {
		size_t cap = MAX(s->rcap * 2, (size_t)65536);
		uint8_t *nb;

		while (cap < s->rlen + n)
			cap *= 2;
		cap = MIN(cap, MAX(ring_limit(s), s->rlen + n));
		nb = malloc(cap);
		if (!nb)
			return -ENOMEM;
		first = MIN(s->rlen, s->rcap - s->rhead);
		if (s->rlen) {
			memcpy(nb, s->rbuf + s->rhead, first);
			memcpy(nb + first, s->rbuf, s->rlen - first);
		}
		free(s->rbuf);
		inet_mem += cap - s->rcap;
		s->rbuf = nb;
		s->rcap = cap;
		s->rhead = 0;
	}
	tail = (s->rhead + s->rlen) % s->rcap;
	first = MIN(n, s->rcap - tail);
	memcpy(s->rbuf + tail, buf, first);
	memcpy(s->rbuf, buf + first, n - first);
	s->rlen += n;
	return 0;
}

/* Copy @n bytes from @off into the ring (@buf NULL: discard), consuming
 * them unless @peek. */
static void ring_get(struct isock *s, uint8_t *buf, size_t off, size_t n, int peek)
{
	size_t start = (s->rhead + off) % (s->rcap ? s->rcap : 1), first;

	if (buf && n) {
		first = MIN(n, s->rcap - start);
		memcpy(buf, s->rbuf + start, first);
		memcpy(buf + first, s->rbuf, n - first);
	}
	if (!peek) {
		s->rhead = (s->rhead + n) % s->rcap;
		s->rlen -= n;
		if (!s->rlen)
			s->rhead = 0;
	}
}

int tcp_state(const struct isock *s)
{
	switch (s->state) {
	case IS_LISTEN:
		return 10; /* TCP_LISTEN */
	case IS_SYN_SENT:
		return 2;
	case IS_ESTABLISHED:
		if (s->fin)
			return 8; /* TCP_CLOSE_WAIT */
		return (s->shut & IS_SEND_SHUT) ? 5 : 1; /* FIN_WAIT2 / ESTABLISHED */
	default:
		return 7; /* TCP_CLOSE */
	}
}

static void syn_unlink(struct isock *s)
{
	if (!s->syn_pending)
		return;
	for (struct isock **pp = &syn_list; *pp; pp = &(*pp)->syn_next) {
		if (*pp == s) {
			*pp = s->syn_next;
			break;
		}
	}
	s->syn_next = NULL;
	s->syn_pending = 0;
}

/* Queue @s last: attempts complete in the order they were made. */
static void syn_append(struct isock *s)
{
	struct isock **pp = &syn_list;

	while (*pp)
		pp = &(*pp)->syn_next;
	*pp = s;
	s->syn_next = NULL;
	s->syn_pending = 1;
}

static void progress_locked(void);

void tcp_syn_restore_locked(struct isock *s)
{
	syn_append(s);
	progress_locked();
}

/* The listener for @dst:@port, the one with the exact address first; a
 * SO_REUSEPORT group shares connections by the source port (Linux hashes
 * the 4-tuple). */
static struct isock *find_listener(const struct in6_addr *dst, uint16_t port, uint16_t sport)
{
	struct isock *best = NULL;
	int best_sc = 0, n = 0, k;

	for (struct isock *b = is_bound_list(IPPROTO_TCP); b; b = b->bound_next) {
		int sc;

		if (b->state != IS_LISTEN || b->dead)
			continue;
		sc = is_matches(b, dst, port);
		if (sc > best_sc) {
			best = b;
			best_sc = sc;
		}
	}
	if (!best || !best->reuseport)
		return best;
	for (struct isock *b = is_bound_list(IPPROTO_TCP); b; b = b->bound_next)
		if (b->state == IS_LISTEN && !b->dead && b->reuseport &&
		    is_matches(b, dst, port) == best_sc)
			n++;
	k = (int)((sport * 2654435761u) >> 16) % n;
	for (struct isock *b = is_bound_list(IPPROTO_TCP); b; b = b->bound_next)
		if (b->state == IS_LISTEN && !b->dead && b->reuseport &&
		    is_matches(b, dst, port) == best_sc && k-- == 0)
			return b;
	return best;
}

/* The connection attempt of @s (SYN_SENT, raddr/rport set): 0 when
 * established, -EAGAIN while the listener's queue is full,
 * -ECONNREFUSED, -ENOMEM. */
static int try_connect_locked(struct isock *s)
{
	struct isock *l = find_listener(&s->raddr, s->rport, s->lport), *e;

	if (!l)
		return -ECONNREFUSED;
	if (l->nacc > l->backlog)
		return -EAGAIN;
	e = is_new(l->sk.family, SOCK_STREAM, IPPROTO_TCP);
	if (!e)
		return -ENOMEM;
	/* The child inherits the listener's options (sk_clone_lock). */
	memcpy(e->opt, l->opt, sizeof(e->opt));
	e->reuseaddr = l->reuseaddr;
	e->reuseport = l->reuseport;
	e->sndbuf = l->sndbuf;
	e->rcvbuf = l->rcvbuf;
	e->rcvbuf_set = l->rcvbuf_set;
	e->linger = l->linger;
	e->rcvtimeo = l->rcvtimeo;
	e->sndtimeo = l->sndtimeo;
	e->uid = l->uid;
	e->v6only = l->v6only;
	e->laddr = s->raddr;
	e->lport = l->lport;
	is_link_bound(e);
	e->rset = 1;
	e->raddr = s->laddr;
	e->rport = s->lport;
	e->state = IS_ESTABLISHED;
	e->ss_connected = 1;
	e->peer = s;
	is_ref(s);
	e->refs = 2; /* the accept queue's and s->peer */
	s->peer = e;
	s->state = IS_ESTABLISHED;
	*l->accq_tail = e;
	l->accq_tail = &e->acc_next;
	l->nacc++;
	is_wake();
	return 0;
}

/* A failed attempt: back to a closed socket (the port goes unless bound
 * by the application). */
static void connect_failed(struct isock *s)
{
	s->state = IS_CLOSED;
	s->rset = 0;
	if (!s->user_bound)
		is_unbind_locked(s);
}

/* Move non-blocking connects on: a queue has room or a listener went. */
static void progress_locked(void)
{
	struct isock **pp = &syn_list;

	while (*pp) {
		struct isock *s = *pp;
		int r = try_connect_locked(s);

		if (r == -EAGAIN) {
			pp = &s->syn_next;
			continue;
		}
		*pp = s->syn_next;
		s->syn_next = NULL;
		s->syn_pending = 0;
		if (r < 0) {
			connect_failed(s);
			s->err = -r;
		}
		is_wake();
	}
}

int tcp_listen(struct task *t, struct sock *sk, int backlog)
{
	struct isock *s = is_of(sk);
	int r = 0;

	(void)t;
	pthread_mutex_lock(&inet_lock);
	if (s->state != IS_CLOSED && s->state != IS_LISTEN)
		r = -EINVAL;
	else if (s->connecting)
		r = -EINVAL;
	else if (!s->bound)
		r = is_autobind_locked(s, NULL);
	if (r == 0 && s->state != IS_LISTEN) {
		/* SO_REUSEADDR shares a port with no listener. */
		if (!is_port_free(s, s->lport))
			r = -EADDRINUSE;
	}
	if (r == 0) {
		if ((unsigned)backlog > INET_SOMAXCONN)
			backlog = INET_SOMAXCONN;
		s->backlog = backlog;
		s->state = IS_LISTEN;
		progress_locked();
		is_wake();
	}
	pthread_mutex_unlock(&inet_lock);
	return r;
}

/* connect(AF_UNSPEC): drop the connection (tcp_disconnect). */
static int disconnect_locked(struct isock *s)
{
	syn_unlink(s);
	s->connecting = 0;
	if (s->state == IS_LISTEN || s->state == IS_ESTABLISHED)
		tcp_release_locked(s, 1);
	s->state = IS_CLOSED;
	s->ss_connected = 0;
	s->shut = 0;
	s->fin = 0;
	s->peer_closed = 0;
	s->rset = 0;
	if (!s->user_bound)
		is_unbind_locked(s);
	is_wake();
	return 0;
}

int tcp_connect(struct task *t, struct sock *sk, const struct sock_addr *a, int nonblock)
{
	struct isock *s = is_of(sk);
	uint64_t deadline = is_deadline(s->sndtimeo);
	struct in6_addr dst;
	uint16_t port;
	int r;

	if (a->len < sizeof(sa_family_t))
		return -EINVAL;
	if (a->ss.ss_family == AF_UNSPEC) {
		pthread_mutex_lock(&inet_lock);
		r = disconnect_locked(s);
		pthread_mutex_unlock(&inet_lock);
		return r;
	}
	r = is_addr_in(s, a, 0, &dst, &port);
	if (r < 0)
		return r;
	pthread_mutex_lock(&inet_lock);
	if (s->connecting) {
		/* A second call after EINPROGRESS reports how it went; a
		 * blocking one (a restarted call) waits for the outcome. */
		while (!nonblock && s->state == IS_SYN_SENT) {
			r = is_wait(t, deadline);
			if (r < 0) {
				if (r == -EAGAIN)
					r = -EINPROGRESS;
				goto out;
			}
		}
		if (s->state == IS_SYN_SENT) {
			r = -EALREADY;
		} else if (s->state == IS_ESTABLISHED) {
			s->connecting = 0;
			s->ss_connected = 1;
			r = 0;
		} else {
			s->connecting = 0;
			r = s->err ? -s->err : -ECONNABORTED;
			s->err = 0;
		}
		goto out;
	}
	if (s->state != IS_CLOSED || s->ss_connected) {
		r = -EISCONN;
		goto out;
	}
	r = is_route(s, &dst);
	if (r < 0)
		goto out;
	if (s->bound && !s->lany4 && !s->lany6 && is_v4(&s->laddr) != is_v4(&dst)) {
		r = -ENETUNREACH; /* ::1 cannot reach an IPv4 address, nor back */
		goto out;
	}
	if (s->bound && (s->lany4 || s->lany6)) {
		/* A wildcard name becomes the source address. */
		if (is_v4(&dst)) {
			static const uint8_t lo[16] = { [10] = 0xff, [11] = 0xff, [12] = 127, [15] = 1 };

			memcpy(&s->laddr, lo, 16);
		} else {
			s->laddr = in6addr_loopback;
		}
		s->lany4 = s->lany6 = 0;
	}
	r = is_autobind_locked(s, &dst);
	if (r < 0)
		goto out;
	s->rset = 1;
	s->raddr = dst;
	s->rport = port;
	s->state = IS_SYN_SENT;
	s->err = 0;
	for (;;) {
		r = try_connect_locked(s);
		if (r != -EAGAIN)
			break;
		if (nonblock) {
			syn_append(s);
			s->connecting = 1;
			r = -EINPROGRESS;
			goto out;
		}
		r = is_wait(t, deadline);
		if (r < 0) {
			/* The attempt goes on (SS_CONNECTING). */
			syn_append(s);
			s->connecting = 1;
			if (r == -EAGAIN)
				r = -EINPROGRESS;
			goto out;
		}
	}
	if (r < 0) {
		connect_failed(s);
		if (nonblock && r == -ECONNREFUSED) {
			s->err = -r;
			s->connecting = 1;
			r = -EINPROGRESS;
		}
	} else if (nonblock) {
		s->connecting = 1;
		r = -EINPROGRESS;
	} else {
		s->ss_connected = 1;
	}
	is_wake();
out:
	pthread_mutex_unlock(&inet_lock);
	return r;
}

int tcp_accept(struct task *t, struct sock *sk, unsigned fflags, int nonblock,
	       struct file **ret, struct sock_addr *ret_peer)
{
	struct isock *s = is_of(sk), *e = NULL;
	uint64_t deadline = is_deadline(s->rcvtimeo);
	int r = 0;

	pthread_mutex_lock(&inet_lock);
	if (s->state != IS_LISTEN)
		r = -EINVAL;
	while (r == 0 && !s->accq) {
		if (nonblock)
			r = -EAGAIN;
		else
			r = is_wait(t, deadline);
		if (r == 0 && s->state != IS_LISTEN)
			r = -EINVAL;
	}
	if (r == 0) {
		e = s->accq;
		s->accq = e->acc_next;
		if (!s->accq)
			s->accq_tail = &s->accq;
		e->acc_next = NULL;
		s->nacc--;
		is_addr_out(e, &e->raddr, e->rport, ret_peer);
		progress_locked();
		is_wake();
	}
	pthread_mutex_unlock(&inet_lock);
	if (r < 0)
		return r;
	r = is_file(e, fflags, ret);
	if (r < 0) {
		pthread_mutex_lock(&inet_lock);
		e->dead = 1;
		tcp_release_locked(e, 1);
		is_unbind_locked(e);
		is_unref(e);
		pthread_mutex_unlock(&inet_lock);
	}
	return r;
}

ssize_t tcp_send(struct task *t, struct sock *sk, const void *buf, size_t len, int flags,
		 int nonblock, const struct sock_addr *to, struct sock_ctl *ctl)
{
	struct isock *s = is_of(sk);
	uint64_t deadline = is_deadline(s->sndtimeo);
	size_t done = 0;
	ssize_t r = 0;

	(void)to; /* ignored on a connected stream (no TCP fast open) */
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	nonblock |= !!(flags & MSG_DONTWAIT);
	pthread_mutex_lock(&inet_lock);
	if (ctl && ctl->raw && s->state == IS_ESTABLISHED && !s->err && !(s->shut & IS_SEND_SHUT) &&
	    sock_cmsg_check(ctl->raw, ctl->rawlen) < 0) {
		pthread_mutex_unlock(&inet_lock);
		return -EINVAL;
	}
	while (done < len) {
		struct isock *p = s->peer;
		size_t n;

		if (s->err) {
			r = -s->err;
			s->err = 0;
			break;
		}
		if (s->shut & IS_SEND_SHUT) {
			r = -EPIPE;
			break;
		}
		if (s->state == IS_SYN_SENT) {
			if (nonblock) {
				r = -EAGAIN;
				break;
			}
			r = is_wait(t, deadline);
			if (r < 0)
				break;
			continue;
		}
		if (s->state != IS_ESTABLISHED) {
			r = -EPIPE;
			break;
		}
		if (!p) {
			/* The peer is gone: this data draws a reset. */
			done = len;
			s->err = s->fin ? EPIPE : ECONNRESET;
			s->shut = IS_RCV_SHUT | IS_SEND_SHUT;
			s->state = IS_CLOSED;
			s->peer_closed = 0;
			is_wake();
			break;
		}
		n = MIN(len - done, ring_space(p));
		if (n == 0) {
			if (nonblock) {
				r = -EAGAIN;
				break;
			}
			r = is_wait(t, deadline);
			if (r < 0)
				break;
			continue;
		}
		r = ring_put(p, (const uint8_t *)buf + done, n);
		if (r < 0)
			break;
		done += n;
		is_wake();
	}
	pthread_mutex_unlock(&inet_lock);
	return done ? (ssize_t)done : r;
}

ssize_t tcp_recv(struct task *t, struct sock *sk, void *buf, size_t len, int flags,
		 int nonblock, struct sock_recv_info *info)
{
	struct isock *s = is_of(sk);
	uint64_t deadline = is_deadline(s->rcvtimeo);
	int peek = !!(flags & MSG_PEEK), trunc = !!(flags & MSG_TRUNC);
	size_t copied = 0, target;
	ssize_t r = 0;

	if (flags & MSG_OOB)
		return -EINVAL;
	nonblock |= !!(flags & MSG_DONTWAIT);
	pthread_mutex_lock(&inet_lock);
	target = (flags & MSG_WAITALL) ? len
				       : MIN((size_t)MAX(s->opt[IO_RCVLOWAT], 1), len);
	if (s->state == IS_LISTEN) {
		r = -ENOTCONN;
		goto out;
	}
	while (copied < len) {
		size_t off = peek ? copied : 0, avail = s->rlen > off ? s->rlen - off : 0;

		if (avail) {
			size_t n = MIN(len - copied, avail);

			ring_get(s, trunc ? NULL : (uint8_t *)buf + copied, off, n, peek);
			copied += n;
			if (!peek)
				is_wake();
			continue;
		}
		if (copied >= target && copied)
			break;
		if (s->fin)
			break;
		if (s->err) {
			if (!copied) {
				r = -s->err;
				s->err = 0;
			}
			break;
		}
		if (s->shut & IS_RCV_SHUT)
			break;
		if (s->state == IS_CLOSED) {
			if (!copied)
				r = -ENOTCONN;
			break;
		}
		if (nonblock) {
			if (!copied)
				r = -EAGAIN;
			break;
		}
		r = is_wait(t, deadline);
		if (r < 0) {
			if (copied)
				r = 0;
			break;
		}
	}
out:
	pthread_mutex_unlock(&inet_lock);
	(void)info;
	return copied ? (ssize_t)copied : r;
}

unsigned tcp_poll_locked(struct isock *s)
{
	unsigned ev = 0;

	if (s->state == IS_LISTEN)
		return s->accq ? POLLIN | POLLRDNORM : 0;
	if (s->shut == (IS_RCV_SHUT | IS_SEND_SHUT) || s->state == IS_CLOSED)
		ev |= POLLHUP;
	if ((s->shut & IS_RCV_SHUT) || s->fin)
		ev |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (s->state != IS_SYN_SENT) {
		if (s->rlen >= (size_t)MAX(s->opt[IO_RCVLOWAT], 1) || (s->rlen && s->fin))
			ev |= POLLIN | POLLRDNORM;
		if ((s->shut & IS_SEND_SHUT) || !s->peer || ring_space(s->peer) > 0)
			ev |= POLLOUT | POLLWRNORM;
	}
	if (s->err)
		ev |= POLLERR;
	return ev;
}

/* Stop listening: reset every connection not yet accepted. */
static void stop_listen_locked(struct isock *s)
{
	while (s->accq) {
		struct isock *e = s->accq;

		s->accq = e->acc_next;
		e->acc_next = NULL;
		s->nacc--;
		e->dead = 1;
		tcp_release_locked(e, 1);
		is_unbind_locked(e);
		is_unref(e); /* the queue's reference */
	}
	s->accq_tail = &s->accq;
	s->state = IS_CLOSED;
	progress_locked(); /* attempts waiting for it are refused now */
}

void tcp_release_locked(struct isock *s, int reset)
{
	struct isock *p = s->peer;

	syn_unlink(s);
	if (s->state == IS_LISTEN)
		stop_listen_locked(s);
	if (p) {
		if (reset || s->rlen || (s->linger.l_onoff && s->linger.l_linger == 0)) {
			p->err = p->fin ? EPIPE : ECONNRESET;
			p->shut = IS_RCV_SHUT | IS_SEND_SHUT;
			p->state = IS_CLOSED;
			p->peer_closed = 0;
		} else {
			p->fin = 1;
			p->peer_closed = 1;
		}
		p->peer = NULL;
		is_unref(s); /* p's reference */
		s->peer = NULL;
		is_unref(p);
	}
	s->state = IS_CLOSED;
	s->shut = IS_RCV_SHUT | IS_SEND_SHUT;
	is_wake();
}

int tcp_shutdown_locked(struct isock *s, int how)
{
	unsigned mode = (unsigned)how + 1;

	switch (s->state) {
	case IS_CLOSED:
		s->shut |= mode;
		return -ENOTCONN;
	case IS_SYN_SENT:
		syn_unlink(s);
		s->connecting = 0;
		connect_failed(s);
		return 0;
	case IS_LISTEN:
		if (mode & IS_RCV_SHUT)
			stop_listen_locked(s);
		return 0;
	case IS_ESTABLISHED:
		s->shut |= mode;
		if ((mode & IS_SEND_SHUT) && s->peer)
			s->peer->fin = 1;
		return 0;
	}
	return 0;
}
