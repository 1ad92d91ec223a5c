/* SPDX-License-Identifier: Apache-2.0 */
/* Loopback UDP: default destinations, delivery by (address, port),
 * per-socket datagram queues. */
#include "inet.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"
#include "sentry/kernel/task.h"

/* What a queued datagram charges against SO_RCVBUF (skb truesize). */
#define DGRAM_OVERHEAD 768

static void loopback_of(const struct in6_addr *dst, struct in6_addr *ret)
{
	if (is_v4(dst)) {
		static const uint8_t lo[16] = { [10] = 0xff, [11] = 0xff, [12] = 127, [15] = 1 };

		memcpy(ret, lo, 16);
	} else {
		*ret = in6addr_loopback;
	}
}

int udp_connect(struct task *t, struct sock *sk, const struct sock_addr *a, int nonblock)
{
	struct isock *s = is_of(sk);
	struct in6_addr dst;
	uint16_t port;
	int r;

	(void)t;
	(void)nonblock;
	if (a->len < sizeof(sa_family_t))
		return -EINVAL;
	if (a->ss.ss_family == AF_UNSPEC) {
		pthread_mutex_lock(&inet_lock);
		s->rset = 0;
		if (s->conn_laddr) {
			memset(&s->laddr, 0, sizeof(s->laddr));
			if (sk->family == AF_INET) {
				s->laddr.s6_addr[10] = s->laddr.s6_addr[11] = 0xff;
				s->lany4 = 1;
			} else {
				s->lany6 = 1;
				s->lany4 = !s->v6only;
			}
			s->conn_laddr = 0;
		}
		if (!s->user_bound)
			is_unbind_locked(s);
		is_wake();
		pthread_mutex_unlock(&inet_lock);
		return 0;
	}
	r = is_addr_in(s, a, 0, &dst, &port);
	if (r < 0)
		return r;
	pthread_mutex_lock(&inet_lock);
	r = is_route(s, &dst);
	if (r == 0 && s->bound && (s->lany4 || s->lany6)) {
		loopback_of(&dst, &s->laddr);
		s->lany4 = s->lany6 = 0;
		s->conn_laddr = 1;
	}
	if (r == 0)
		r = is_autobind_locked(s, &dst);
	if (r == 0) {
		s->rset = 1;
		s->raddr = dst;
		s->rport = port;
		is_wake();
	}
	pthread_mutex_unlock(&inet_lock);
	return r;
}

/* The per-datagram values a sender's control messages set (ip_cmsg_send,
 * ip6_datagram_send_ctl): -EINVAL for malformed ones. */
static int send_ctl(const struct sock_ctl *ctl, int v6, int *ttl, int *tos)
{
	size_t off = 0;
	int r;

	if (!ctl || !ctl->raw)
		return 0;
	r = sock_cmsg_check(ctl->raw, ctl->rawlen);
	if (r < 0)
		return r;
	while (off + sizeof(struct cmsghdr) <= ctl->rawlen) {
		struct cmsghdr h;
		const uint8_t *d = ctl->raw + off + CMSG_LEN(0);
		size_t dlen;
		int v = 0;

		memcpy(&h, ctl->raw + off, sizeof(h));
		dlen = h.cmsg_len - CMSG_LEN(0);
		off += CMSG_ALIGN(h.cmsg_len);
		if (h.cmsg_level != (v6 ? IPPROTO_IPV6 : IPPROTO_IP))
			continue;
		if (dlen == sizeof(int))
			memcpy(&v, d, sizeof(v));
		switch (h.cmsg_type) {
		case IP_TTL: /* == IPV6_HOPLIMIT's role; numbers differ */
			if (v6)
				goto other;
			if (dlen != sizeof(int) || v < 1 || v > 255)
				return -EINVAL;
			*ttl = v;
			break;
		case IP_TOS:
			if (v6)
				goto other;
			if (dlen == 1)
				v = *d;
			else if (dlen != sizeof(int) || v < 0 || v > 255)
				return -EINVAL;
			*tos = v;
			break;
		case IP_PKTINFO:
			if (v6)
				goto other;
			if (dlen != sizeof(struct in_pktinfo))
				return -EINVAL;
			break;
		default:
other:
			if (!v6)
				return -EINVAL;
			if (h.cmsg_type == IPV6_HOPLIMIT || h.cmsg_type == IPV6_TCLASS) {
				if (dlen != sizeof(int) || v < -1 || v > 255)
					return -EINVAL;
				if (v == -1)
					break;
				if (h.cmsg_type == IPV6_HOPLIMIT)
					*ttl = v;
				else
					*tos = v;
			} else if (h.cmsg_type != IPV6_PKTINFO && h.cmsg_type != IPV6_DONTFRAG) {
				return -EINVAL;
			}
			break;
		}
	}
	return 0;
}

/* Control messages a receiver asked for (IP_RECVTTL, IPV6_RECVHOPLIMIT...). */
static void recv_ctl(struct isock *s, const struct idgram *d, struct sock_recv_info *info)
{
	struct sock_cmsg *c = info->cmsg;
	int v;

	if (is_v4(&d->to) && s->sk.family == AF_INET) {
		if (s->opt[IO_PKTINFO]) {
			struct in_pktinfo pi = { .ipi_ifindex = 1 };

			memcpy(&pi.ipi_spec_dst, &d->to.s6_addr[12], 4);
			memcpy(&pi.ipi_addr, &d->to.s6_addr[12], 4);
			*c = (struct sock_cmsg){ IPPROTO_IP, IP_PKTINFO, sizeof(pi), { 0 } };
			memcpy(c++->data, &pi, sizeof(pi));
		}
		if (s->opt[IO_RECVTTL]) {
			*c = (struct sock_cmsg){ IPPROTO_IP, IP_TTL, sizeof(int), { 0 } };
			memcpy(c++->data, &d->ttl, sizeof(int));
		}
		if (s->opt[IO_RECVTOS]) {
			*c = (struct sock_cmsg){ IPPROTO_IP, IP_TOS, 1, { (uint8_t)d->tos } };
			c++;
		}
	} else if (!is_v4(&d->to) && s->sk.family == AF_INET6) {
		if (s->opt[IO_V6_RECVPKTINFO]) {
			struct in6_pktinfo pi = { .ipi6_addr = d->to, .ipi6_ifindex = 1 };

			*c = (struct sock_cmsg){ IPPROTO_IPV6, IPV6_PKTINFO, sizeof(pi), { 0 } };
			memcpy(c++->data, &pi, sizeof(pi));
		}
		if (s->opt[IO_V6_RECVHOPLIMIT]) {
			*c = (struct sock_cmsg){ IPPROTO_IPV6, IPV6_HOPLIMIT, sizeof(int), { 0 } };
			memcpy(c++->data, &d->ttl, sizeof(int));
		}
		if (s->opt[IO_V6_RECVTCLASS]) {
			v = d->tos;
			*c = (struct sock_cmsg){ IPPROTO_IPV6, IPV6_TCLASS, sizeof(int), { 0 } };
			memcpy(c++->data, &v, sizeof(int));
		}
	}
	info->ncmsg = (int)(c - info->cmsg);
}

/* The socket that takes a datagram from @src:@sport to @dst:@dport. */
static struct isock *find_receiver(int proto, const struct in6_addr *src, uint16_t sport,
				   const struct in6_addr *dst, uint16_t dport)
{
	struct isock *best = NULL;
	int best_sc = 0;

	for (struct isock *b = is_bound_list(proto); b; b = b->bound_next) {
		int sc = is_matches(b, dst, dport);

		if (!sc || b->dead)
			continue;
		if (b->rset) {
			if (b->rport != sport || !IN6_ARE_ADDR_EQUAL(&b->raddr, src))
				continue;
			sc += 4;
		}
		if (sc > best_sc) {
			best = b;
			best_sc = sc;
		}
	}
	if (best && best->reuseport && !best->rset) {
		/* A SO_REUSEPORT group shares datagrams by source port. */
		int n = 0, k;

		for (struct isock *b = is_bound_list(proto); b; b = b->bound_next)
			if (!b->dead && b->reuseport && !b->rset &&
			    is_matches(b, dst, dport) == best_sc)
				n++;
		k = (int)((sport * 2654435761u) >> 16) % MAX(n, 1);
		for (struct isock *b = is_bound_list(proto); b; b = b->bound_next)
			if (!b->dead && b->reuseport && !b->rset &&
			    is_matches(b, dst, dport) == best_sc && k-- == 0)
				return b;
	}
	return best;
}

ssize_t udp_send(struct task *t, struct sock *sk, const void *buf, size_t len, int flags,
		 int nonblock, const struct sock_addr *to, struct sock_ctl *ctl)
{
	struct isock *s = is_of(sk), *o;
	struct in6_addr dst, src;
	uint16_t port;
	struct idgram *d;
	int r, ttl, tos;

	(void)t;
	(void)nonblock;
	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (to) {
		r = is_addr_in(s, to, 0, &dst, &port);
		if (r < 0)
			return r;
		if (port == 0)
			return -EINVAL;
	}
	pthread_mutex_lock(&inet_lock);
	if (!to) {
		if (!s->rset) {
			r = -EDESTADDRREQ;
			goto out;
		}
		dst = s->raddr;
		port = s->rport;
	}
	if (len > (is_v4(&dst) ? 65507u : 65527u)) {
		r = -EMSGSIZE;
		goto out;
	}
	if (s->shut & IS_SEND_SHUT) {
		r = -EPIPE;
		goto out;
	}
	r = is_route(s, &dst);
	if (r == 0)
		r = is_autobind_locked(s, NULL);
	if (r < 0)
		goto out;
	ttl = is_v4(&dst) ? s->opt[IO_TTL] : s->opt[IO_V6_HOPS];
	tos = is_v4(&dst) ? s->opt[IO_TOS] : s->opt[IO_V6_TCLASS];
	r = send_ctl(ctl, !is_v4(&dst), &ttl, &tos);
	if (r < 0)
		goto out;
	if (!s->lany4 && !s->lany6 && is_v4(&s->laddr) == is_v4(&dst))
		src = s->laddr;
	else
		loopback_of(&dst, &src);
	o = find_receiver(sk->protocol, &src, s->lport, &dst, port);
	r = (int)len;
	if (!o) {
		/* ICMP port unreachable: reported to connected sockets. */
		if (s->rset)
			s->err = ECONNREFUSED;
		is_wake();
		goto out;
	}
	if (o->dq_bytes + len + DGRAM_OVERHEAD > (size_t)o->rcvbuf || inet_mem >= INET_MEM_MAX)
		goto out; /* dropped, as a full receive buffer does */
	d = malloc(sizeof(*d) + len);
	if (!d) {
		r = -ENOMEM;
		goto out;
	}
	d->next = NULL;
	d->len = len;
	d->from = src;
	d->to = dst;
	d->from_port = s->lport;
	d->ttl = ttl;
	d->tos = tos;
	memcpy(d->data, buf, len);
	*o->dq_tail = d;
	o->dq_tail = &d->next;
	o->dq_bytes += len + DGRAM_OVERHEAD;
	inet_mem += len + DGRAM_OVERHEAD;
	is_wake();
out:
	pthread_mutex_unlock(&inet_lock);
	return r;
}

ssize_t udp_recv(struct task *t, struct sock *sk, void *buf, size_t len, int flags,
		 int nonblock, struct sock_recv_info *info)
{
	struct isock *s = is_of(sk);
	uint64_t deadline = is_deadline(s->rcvtimeo);
	struct idgram *d = NULL;
	ssize_t r = 0;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	nonblock |= !!(flags & MSG_DONTWAIT);
	pthread_mutex_lock(&inet_lock);
	for (;;) {
		if (s->err) {
			r = -s->err;
			s->err = 0;
			break;
		}
		if ((d = s->dq))
			break;
		if (s->shut & IS_RCV_SHUT)
			break;
		if (nonblock) {
			r = -EAGAIN;
			break;
		}
		r = is_wait(t, deadline);
		if (r < 0)
			break;
	}
	if (d) {
		size_t n = MIN(len, d->len);

		memcpy(buf, d->data, n);
		is_addr_out(s, &d->from, d->from_port, &info->from);
		info->truncated = d->len > len;
		info->full_len = d->len;
		recv_ctl(s, d, info);
		r = (flags & MSG_TRUNC) ? (ssize_t)d->len : (ssize_t)n;
		if (!(flags & MSG_PEEK)) {
			s->dq = d->next;
			if (!s->dq)
				s->dq_tail = &s->dq;
			s->dq_bytes -= d->len + DGRAM_OVERHEAD;
			inet_mem -= d->len + DGRAM_OVERHEAD;
			free(d);
		}
	}
	pthread_mutex_unlock(&inet_lock);
	return r;
}

unsigned udp_poll_locked(struct isock *s)
{
	unsigned ev = 0;

	if (s->err)
		ev |= POLLERR;
	if (s->shut & IS_RCV_SHUT)
		ev |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (s->shut == (IS_RCV_SHUT | IS_SEND_SHUT))
		ev |= POLLHUP;
	if (s->dq)
		ev |= POLLIN | POLLRDNORM;
	ev |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return ev;
}

void udp_release_locked(struct isock *s)
{
	while (s->dq) {
		struct idgram *d = s->dq;

		s->dq = d->next;
		free(d);
	}
	s->dq_tail = &s->dq;
	inet_mem -= s->dq_bytes;
	s->dq_bytes = 0;
}
