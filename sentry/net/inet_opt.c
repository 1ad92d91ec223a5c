/* SPDX-License-Identifier: Apache-2.0 */
/* Loopback AF_INET/AF_INET6 socket options: stored and returned as Linux
 * does (defaults, ranges, doubled buffer sizes), most without effect. */
#include "inet.h"

#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "lib/macro.h"

#define ANY_TYPE 0
#define ONLY_TCP SOCK_STREAM

/* Integer options kept in isock.opt[]. */
struct optdef {
	int level, name, idx, def, min, max;
	int type;     /* ANY_TYPE or ONLY_TCP */
	int boolean;  /* stored as 0/1 */
	int minus_one; /* -1 restores the default */
};

static const struct optdef optdefs[] = {
	{ SOL_SOCKET, SO_KEEPALIVE, IO_KEEPALIVE, 0, INT_MIN, INT_MAX, ANY_TYPE, 1, 0 },
	{ SOL_SOCKET, SO_BROADCAST, IO_BROADCAST, 0, INT_MIN, INT_MAX, ANY_TYPE, 1, 0 },
	{ SOL_SOCKET, SO_OOBINLINE, IO_OOBINLINE, 0, INT_MIN, INT_MAX, ANY_TYPE, 1, 0 },
	{ SOL_SOCKET, SO_PRIORITY, IO_PRIORITY, 0, 0, 6, ANY_TYPE, 0, 0 },
	{ SOL_SOCKET, SO_RCVLOWAT, IO_RCVLOWAT, 1, INT_MIN, INT_MAX, ANY_TYPE, 0, 0 },
	{ SOL_SOCKET, SO_DONTROUTE, IO_DONTROUTE, 0, INT_MIN, INT_MAX, ANY_TYPE, 1, 0 },
	{ SOL_SOCKET, SO_TIMESTAMP, IO_TIMESTAMP, 0, INT_MIN, INT_MAX, ANY_TYPE, 1, 0 },
	{ SOL_SOCKET, SO_TIMESTAMPNS, IO_TIMESTAMPNS, 0, INT_MIN, INT_MAX, ANY_TYPE, 1, 0 },
	{ IPPROTO_TCP, TCP_NODELAY, IO_NODELAY, 0, INT_MIN, INT_MAX, ONLY_TCP, 1, 0 },
	{ IPPROTO_TCP, TCP_CORK, IO_CORK, 0, INT_MIN, INT_MAX, ONLY_TCP, 1, 0 },
	{ IPPROTO_TCP, TCP_KEEPIDLE, IO_KEEPIDLE, 7200, 1, 32767, ONLY_TCP, 0, 0 },
	{ IPPROTO_TCP, TCP_KEEPINTVL, IO_KEEPINTVL, 75, 1, 32767, ONLY_TCP, 0, 0 },
	{ IPPROTO_TCP, TCP_KEEPCNT, IO_KEEPCNT, 9, 1, 127, ONLY_TCP, 0, 0 },
	{ IPPROTO_TCP, TCP_SYNCNT, IO_SYNCNT, 6, 1, 127, ONLY_TCP, 0, 0 },
	{ IPPROTO_TCP, TCP_LINGER2, IO_LINGER2, 60, INT_MIN, INT_MAX, ONLY_TCP, 0, 0 },
	{ IPPROTO_TCP, TCP_DEFER_ACCEPT, IO_DEFER_ACCEPT, 0, INT_MIN, INT_MAX, ONLY_TCP, 0, 0 },
	{ IPPROTO_TCP, TCP_WINDOW_CLAMP, IO_WINDOW_CLAMP, 0, 0, INT_MAX, ONLY_TCP, 0, 0 },
	{ IPPROTO_TCP, TCP_QUICKACK, IO_QUICKACK, 1, INT_MIN, INT_MAX, ONLY_TCP, 1, 0 },
	{ IPPROTO_TCP, TCP_USER_TIMEOUT, IO_USER_TIMEOUT, 0, 0, INT_MAX, ONLY_TCP, 0, 0 },
	{ IPPROTO_TCP, TCP_NOTSENT_LOWAT, IO_NOTSENT_LOWAT, -1, INT_MIN, INT_MAX, ONLY_TCP, 0, 0 },
	{ IPPROTO_TCP, TCP_FASTOPEN, IO_FASTOPEN, 0, 0, INT_MAX, ONLY_TCP, 0, 0 },
	{ IPPROTO_IP, IP_TOS, IO_TOS, 0, 0, 255, ANY_TYPE, 0, 0 },
	{ IPPROTO_IP, IP_TTL, IO_TTL, 64, 1, 255, ANY_TYPE, 0, 1 },
	{ IPPROTO_IP, IP_RECVTOS, IO_RECVTOS, 0, INT_MIN, INT_MAX, ANY_TYPE, 1, 0 },
	{ IPPROTO_IP, IP_PKTINFO, IO_PKTINFO, 0, INT_MIN, INT_MAX, ANY_TYPE, 1, 0 },
	{ IPPROTO_IP, IP_RECVERR, IO_RECVERR, 0, INT_MIN, INT_MAX, ANY_TYPE, 1, 0 },
	{ IPPROTO_IP, IP_MTU_DISCOVER, IO_MTU_DISCOVER, 1, 0, 5, ANY_TYPE, 0, 0 },
	{ IPPROTO_IP, IP_MULTICAST_TTL, IO_MC_TTL, 1, 0, 255, ANY_TYPE, 0, 1 },
	{ IPPROTO_IP, IP_MULTICAST_LOOP, IO_MC_LOOP, 1, INT_MIN, INT_MAX, ANY_TYPE, 1, 0 },
	{ IPPROTO_IP, IP_FREEBIND, IO_FREEBIND, 0, INT_MIN, INT_MAX, ANY_TYPE, 1, 0 },
	{ IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, IO_BIND_NO_PORT, 0, INT_MIN, INT_MAX, ANY_TYPE, 1,
	  0 },
	{ IPPROTO_IP, IP_RECVTTL, IO_RECVTTL, 0, INT_MIN, INT_MAX, ANY_TYPE, 1, 0 },
	{ IPPROTO_IPV6, IPV6_UNICAST_HOPS, IO_V6_HOPS, 64, 0, 255, ANY_TYPE, 0, 1 },
	{ IPPROTO_IPV6, IPV6_TCLASS, IO_V6_TCLASS, 0, 0, 255, ANY_TYPE, 0, 1 },
	{ IPPROTO_IPV6, IPV6_RECVPKTINFO, IO_V6_RECVPKTINFO, 0, INT_MIN, INT_MAX, ANY_TYPE, 1, 0 },
	{ IPPROTO_IPV6, IPV6_MULTICAST_HOPS, IO_V6_MC_HOPS, 1, 0, 255, ANY_TYPE, 0, 1 },
	{ IPPROTO_IPV6, IPV6_MULTICAST_LOOP, IO_V6_MC_LOOP, 1, 0, 1, ANY_TYPE, 0, 0 },
	{ IPPROTO_IPV6, IPV6_RECVTCLASS, IO_V6_RECVTCLASS, 0, INT_MIN, INT_MAX, ANY_TYPE, 1, 0 },
	{ IPPROTO_IPV6, IPV6_RECVERR, IO_V6_RECVERR, 0, INT_MIN, INT_MAX, ANY_TYPE, 1, 0 },
	{ IPPROTO_IPV6, IPV6_MTU_DISCOVER, IO_V6_MTU_DISCOVER, 1, 0, 5, ANY_TYPE, 0, 0 },
	{ IPPROTO_IPV6, IPV6_RECVHOPLIMIT, IO_V6_RECVHOPLIMIT, 0, INT_MIN, INT_MAX, ANY_TYPE, 1,
	  0 },
	{ IPPROTO_UDPLITE, 10 /* UDPLITE_SEND_CSCOV */, IO_UDPLITE_SEND, 0, 0, 65535, ANY_TYPE, 0,
	  0 },
	{ IPPROTO_UDPLITE, 11 /* UDPLITE_RECV_CSCOV */, IO_UDPLITE_RECV, 0, 0, 65535, ANY_TYPE, 0,
	  0 },
};

void inet_opts_init(struct isock *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(optdefs); i++)
		s->opt[optdefs[i].idx] = optdefs[i].def;
}

static const struct optdef *find_opt(struct isock *s, int level, int name)
{
	for (size_t i = 0; i < ARRAY_SIZE(optdefs); i++) {
		const struct optdef *d = &optdefs[i];

		if (d->level != level || d->name != name)
			continue;
		if (d->type == ONLY_TCP && s->sk.type != SOCK_STREAM)
			return NULL;
		return d;
	}
	return NULL;
}

/* Which levels a socket answers; others are -ENOPROTOOPT (Linux passes
 * unknown levels down to IP, which refuses them). */
static int level_ok(struct isock *s, int level)
{
	switch (level) {
	case SOL_SOCKET:
	case IPPROTO_IP:
		return 1;
	case IPPROTO_TCP:
		return s->sk.type == SOCK_STREAM;
	case IPPROTO_UDP:
		return s->sk.type == SOCK_DGRAM;
	case IPPROTO_UDPLITE:
		return s->sk.protocol == IPPROTO_UDPLITE;
	case IPPROTO_IPV6:
		return s->sk.family == AF_INET6;
	default:
		return 0;
	}
}

static int buf_size(int v, int min)
{
	unsigned u = MIN((unsigned)v, (unsigned)INET_BUF_MAX);

	return (int)MAX(u * 2, (unsigned)min);
}

int inet_getsockopt(struct task *t, struct sock *sk, int level, int name, void *val,
		    socklen_t *len)
{
	struct isock *s = is_of(sk);
	const struct optdef *d;
	int v = 0, r = 0;

	(void)t;
	if ((int)*len < 0)
		return -EINVAL;
	pthread_mutex_lock(&inet_lock);
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_TYPE:
			v = sk->type;
			break;
		case SO_DOMAIN:
			v = sk->family;
			break;
		case SO_PROTOCOL:
			v = sk->protocol;
			break;
		case SO_ERROR:
			v = s->err;
			s->err = 0;
			break;
		case SO_ACCEPTCONN:
			v = s->state == IS_LISTEN;
			break;
		case SO_REUSEADDR:
			v = s->reuseaddr;
			break;
		case SO_REUSEPORT:
			v = s->reuseport;
			break;
		case SO_SNDBUF:
			v = s->sndbuf;
			break;
		case SO_RCVBUF:
			v = s->rcvbuf;
			break;
		case SO_SNDLOWAT:
			v = 1;
			break;
		case SO_LINGER:
			sock_opt_put(val, len, &s->linger, sizeof(s->linger));
			goto out;
		case SO_RCVTIMEO:
		case SO_SNDTIMEO:
			sock_timeo_out(name == SO_RCVTIMEO ? s->rcvtimeo : s->sndtimeo, val, len);
			goto out;
		default:
			goto table;
		}
		sock_opt_put(val, len, &v, sizeof(v));
		goto out;
	}
	if (!level_ok(s, level)) {
		r = -ENOPROTOOPT;
		goto out;
	}
	if (level == IPPROTO_TCP && name == TCP_MAXSEG) {
		v = s->state == IS_ESTABLISHED ? 65483 : s->maxseg;
		sock_opt_put(val, len, &v, sizeof(v));
		goto out;
	}
	if (level == IPPROTO_TCP && name == TCP_INFO) {
		struct tcp_info ti;

		memset(&ti, 0, sizeof(ti));
		ti.tcpi_state = (uint8_t)tcp_state(s);
		ti.tcpi_snd_mss = ti.tcpi_rcv_mss = 65483;
		ti.tcpi_pmtu = 65535;
		ti.tcpi_snd_cwnd = 10;
		ti.tcpi_rcv_space = 65483;
		ti.tcpi_advmss = 65483;
		ti.tcpi_reordering = 3;
		sock_opt_put(val, len, &ti, sizeof(ti));
		goto out;
	}
	if (level == IPPROTO_TCP && name == TCP_CONGESTION) {
		char cc[16] = "cubic";

		sock_opt_put(val, len, cc, sizeof(cc));
		goto out;
	}
	if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY) {
		v = s->v6only;
		sock_opt_put(val, len, &v, sizeof(v));
		goto out;
	}
table:
	d = find_opt(s, level, name);
	if (!d) {
		r = -ENOPROTOOPT;
		goto out;
	}
	v = s->opt[d->idx];
	if (level == IPPROTO_IP && *len > 0 && *len < sizeof(int) && v >= 0 && v <= 255) {
		unsigned char c = (unsigned char)v;

		sock_opt_put(val, len, &c, 1);
		goto out;
	}
	sock_opt_put(val, len, &v, sizeof(v));
out:
	pthread_mutex_unlock(&inet_lock);
	return r;
}

/* The integer argument: IP-level options also take a single byte. */
static int int_arg(int level, const void *val, socklen_t len, int *ret)
{
	if (level == IPPROTO_IP && len >= 1 && len < sizeof(int)) {
		*ret = *(const unsigned char *)val;
		return 0;
	}
	return sock_opt_int(val, len, ret);
}

int inet_setsockopt(struct task *t, struct sock *sk, int level, int name, const void *val,
		    socklen_t len)
{
	struct isock *s = is_of(sk);
	const struct optdef *d;
	uint64_t ns;
	int v = 0, r = 0;

	(void)t;
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
		r = sock_timeo_in(val, len, &ns);
		if (r < 0)
			return r;
		pthread_mutex_lock(&inet_lock);
		if (name == SO_RCVTIMEO)
			s->rcvtimeo = ns;
		else
			s->sndtimeo = ns;
		pthread_mutex_unlock(&inet_lock);
		return 0;
	}
	if (level == SOL_SOCKET && name == SO_LINGER) {
		struct linger l;

		if (len < sizeof(l))
			return -EINVAL;
		memcpy(&l, val, sizeof(l));
		pthread_mutex_lock(&inet_lock);
		s->linger.l_onoff = !!l.l_onoff;
		s->linger.l_linger = l.l_linger;
		pthread_mutex_unlock(&inet_lock);
		return 0;
	}
	if (level != SOL_SOCKET && !level_ok(s, level))
		return -ENOPROTOOPT;
	if (level == IPPROTO_TCP && name == TCP_CONGESTION) {
		char cc[16] = { 0 };

		memcpy(cc, val, MIN((size_t)len, sizeof(cc) - 1));
		return !strcmp(cc, "cubic") || !strcmp(cc, "reno") ? 0 : -ENOENT;
	}
	r = int_arg(level, val, len, &v);
	if (r < 0)
		return r;
	pthread_mutex_lock(&inet_lock);
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_REUSEADDR:
			s->reuseaddr = !!v;
			goto out;
		case SO_REUSEPORT:
			s->reuseport = !!v;
			goto out;
		case SO_SNDBUF:
			s->sndbuf = buf_size(v, INET_MIN_SNDBUF);
			is_wake();
			goto out;
		case SO_RCVBUF:
			s->rcvbuf = buf_size(v, INET_MIN_RCVBUF);
			s->rcvbuf_set = 1;
			is_wake();
			goto out;
		case SO_RCVLOWAT:
			s->opt[IO_RCVLOWAT] = v < 0 ? INT_MAX : MAX(v, 1);
			is_wake();
			goto out;
		case SO_TYPE:
		case SO_DOMAIN:
		case SO_PROTOCOL:
		case SO_ERROR:
		case SO_ACCEPTCONN:
		case SO_SNDLOWAT:
			r = -ENOPROTOOPT;
			goto out;
		}
	}
	if (level == IPPROTO_TCP && name == TCP_MAXSEG) {
		if (v && (v < 88 || v > 32767))
			r = -EINVAL;
		else
			s->maxseg = v ? v : 536;
		goto out;
	}
	if (level == IPPROTO_IPV6 && name == IPV6_V6ONLY) {
		if (s->bound)
			r = -EINVAL;
		else
			s->v6only = !!v;
		goto out;
	}
	d = find_opt(s, level, name);
	if (!d) {
		r = -ENOPROTOOPT;
		goto out;
	}
	if (d->minus_one && v == -1) {
		s->opt[d->idx] = d->def;
		goto out;
	}
	if (d->boolean) {
		v = !!v;
	} else if (v < d->min || v > d->max) {
		r = (level == SOL_SOCKET && name == SO_PRIORITY) ? -EPERM : -EINVAL;
		goto out;
	}
	if (level == IPPROTO_IP && name == IP_TOS && sk->type == SOCK_STREAM)
		v &= ~3; /* the ECN bits belong to TCP */
	if (level == IPPROTO_UDPLITE && v != 0 && v < 8)
		v = 8; /* the header is always covered */
	s->opt[d->idx] = v;
	is_wake();
out:
	pthread_mutex_unlock(&inet_lock);
	return r;
}
