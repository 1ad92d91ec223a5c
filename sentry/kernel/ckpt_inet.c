/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checkpoint and restore of loopback AF_INET/AF_INET6 sockets (the
 * Sentry's own stack of NET_NONE, sentry/net/inet*.c; docs/checkpoint.md,
 * "Loopback inet sockets"): the sockets of open files and the connections
 * waiting in their listeners' accept queues become InetSocket messages,
 * with their names (ports taken again on restore), TCP peers by id, the
 * bytes of TCP receive rings, queued UDP datagrams with their addresses,
 * and options.  Calls blocked in accept/recv/connect restart (they return
 * restart codes when the checkpoint stops their thread).
 * A connect waiting for room in a full accept queue (blocking: its call
 * restarts and waits on) is queued again after the listeners exist.
 * Refused with a message: a socket reached only outside an fd table, an
 * epoll and an AF_UNIX message.
 */
#include "sentry/kernel/ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint/image.h"
#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/net/inet.h"
#include "sentry/net/socket.h"
#include "sentry/vfs/file.h"

#define DGRAM_OVERHEAD 768 /* as inet_udp.c charges a queued datagram */
#define INET_CKPT_TIMEO_MAX (1ULL << 62)
#define INET_CKPT_MAX 8192

struct ckpt_inet {
	struct isock **v; /* saved sockets; image id = index + 1 */
	int *has_file;
	size_t n, cap;
	void **arena;
	size_t narena, carena;
};

static void *ci_keep(struct ckpt_inet *ci, void *p)
{
	if (!p)
		return NULL;
	if (ci->narena == ci->carena) {
		size_t nc = ci->carena ? ci->carena * 2 : 64;
		void **n = realloc(ci->arena, nc * sizeof(*n));

		if (!n) {
			free(p);
			return NULL;
		}
		ci->arena = n;
		ci->carena = nc;
	}
	ci->arena[ci->narena++] = p;
	return p;
}

static void *ci_alloc(struct ckpt_inet *ci, size_t n)
{
	return ci_keep(ci, calloc(1, n ? n : 1));
}

static int ci_bytes(struct ckpt_inet *ci, ProtobufCBinaryData *d, const void *src, size_t len)
{
	d->len = len;
	d->data = ci_alloc(ci, len);
	if (!d->data)
		return -ENOMEM;
	if (len)
		memcpy(d->data, src, len);
	return 0;
}

/* The index of @s in the set, added when new; SIZE_MAX: no memory. */
static size_t ci_index(struct ckpt_inet *ci, struct isock *s, int file)
{
	for (size_t i = 0; i < ci->n; i++)
		if (ci->v[i] == s) {
			ci->has_file[i] |= file;
			return i;
		}
	if (ci->n == ci->cap) {
		size_t nc = ci->cap ? ci->cap * 2 : 16;
		struct isock **nv = realloc(ci->v, nc * sizeof(*nv));
		int *nf;

		if (!nv)
			return SIZE_MAX;
		ci->v = nv;
		nf = realloc(ci->has_file, nc * sizeof(*nf));
		if (!nf)
			return SIZE_MAX;
		ci->has_file = nf;
		ci->cap = nc;
	}
	ci->v[ci->n] = s;
	ci->has_file[ci->n] = file;
	return ci->n++;
}

int ckpt_inet_is(struct file *f)
{
	return is_of_file(f) != NULL;
}

int ckpt_inet_save_file(struct ckpt_inet **pci, struct file *f, uint32_t *ret_id)
{
	struct isock *s = is_of_file(f);
	size_t i;

	if (!s)
		return -EINVAL;
	if (!*pci && !(*pci = calloc(1, sizeof(**pci))))
		return -ENOMEM;
	i = ci_index(*pci, s, 1);
	if (i == SIZE_MAX)
		return -ENOMEM;
	*ret_id = (uint32_t)i + 1;
	return 0;
}

void ckpt_inet_save_free(struct ckpt_inet *ci)
{
	if (!ci)
		return;
	for (size_t i = 0; i < ci->narena; i++)
		free(ci->arena[i]);
	free(ci->arena);
	free(ci->v);
	free(ci->has_file);
	free(ci);
}

static const char *kind_name(const struct isock *s)
{
	return s->sk.type == SOCK_STREAM ? (s->sk.family == AF_INET ? "TCP" : "TCPv6")
					 : (s->sk.family == AF_INET ? "UDP" : "UDPv6");
}

/* The message of socket @i (inet_lock held; the set is complete). */
static int save_one(struct ckpt_inet *ci, size_t i, Cvisor__Ckpt__InetSocket **ret, char *err,
		    size_t errlen)
{
	struct isock *s = ci->v[i];
	Cvisor__Ckpt__InetSocket *m = ci_alloc(ci, sizeof(*m));
	size_t na = 0, nd = 0;
	int r;

	if (!m)
		return -ENOMEM;
	cvisor__ckpt__inet_socket__init(m);
	if ((s->state == IS_SYN_SENT) != (s->syn_pending != 0)) { /* not seen outside calls */
		snprintf(err, errlen, "%s socket:[%llu]: a connect in an unexpected state",
			 kind_name(s), (unsigned long long)s->sk.ino);
		return -EOPNOTSUPP;
	}
	if (s->dead) {
		snprintf(err, errlen, "%s socket:[%llu]: closed but still reached (not saved)",
			 kind_name(s), (unsigned long long)s->sk.ino);
		return -EOPNOTSUPP;
	}
	m->id = (uint32_t)i + 1;
	m->family = s->sk.family;
	m->type = s->sk.type;
	m->protocol = s->sk.protocol;
	m->state = s->state == IS_LISTEN	  ? CVISOR__CKPT__INET_SOCKET__STATE__LISTEN
		   : s->state == IS_ESTABLISHED ? CVISOR__CKPT__INET_SOCKET__STATE__ESTABLISHED
		   : s->state == IS_SYN_SENT	  ? CVISOR__CKPT__INET_SOCKET__STATE__SYN_SENT
						: CVISOR__CKPT__INET_SOCKET__STATE__CLOSED;
	m->has_file = ci->has_file[i] != 0;
	m->connecting = s->connecting != 0;
	m->ss_connected = s->ss_connected != 0;
	m->bound = s->bound != 0;
	m->user_bound = s->user_bound != 0;
	if ((r = ci_bytes(ci, &m->laddr, &s->laddr, 16)) < 0 ||
	    (r = ci_bytes(ci, &m->raddr, &s->raddr, 16)) < 0)
		return r;
	m->lany4 = s->lany4 != 0;
	m->lany6 = s->lany6 != 0;
	m->lport = s->lport;
	m->rset = s->rset != 0;
	m->rport = s->rport;
	m->v6only = s->v6only != 0;
	if (s->peer) {
		size_t p = ci_index(ci, s->peer, 0);

		if (p == SIZE_MAX)
			return -ENOMEM;
		m->peer_id = (uint32_t)p + 1;
	}
	if (s->rlen) {
		uint8_t *d = ci_alloc(ci, s->rlen);
		size_t first = MIN(s->rlen, s->rcap - s->rhead);

		if (!d)
			return -ENOMEM;
		memcpy(d, s->rbuf + s->rhead, first);
		memcpy(d + first, s->rbuf, s->rlen - first);
		m->rdata.data = d;
		m->rdata.len = s->rlen;
	}
	m->shut = s->shut & (IS_RCV_SHUT | IS_SEND_SHUT);
	m->fin = s->fin != 0;
	m->peer_closed = s->peer_closed != 0;
	m->err = s->err;
	m->conn_laddr = s->conn_laddr != 0;
	m->backlog = s->backlog;
	for (struct isock *e = s->accq; e; e = e->acc_next)
		na++;
	m->accept_queue = ci_alloc(ci, na * sizeof(uint32_t));
	if (!m->accept_queue)
		return -ENOMEM;
	for (struct isock *e = s->accq; e; e = e->acc_next) {
		size_t x = ci_index(ci, e, 0);

		if (x == SIZE_MAX)
			return -ENOMEM;
		m->accept_queue[m->n_accept_queue++] = (uint32_t)x + 1;
	}
	for (struct idgram *d = s->dq; d; d = d->next)
		nd++;
	m->dgrams = ci_alloc(ci, nd * sizeof(*m->dgrams));
	if (!m->dgrams)
		return -ENOMEM;
	for (struct idgram *d = s->dq; d; d = d->next) {
		Cvisor__Ckpt__InetDgram *pd = ci_alloc(ci, sizeof(*pd));

		if (!pd)
			return -ENOMEM;
		cvisor__ckpt__inet_dgram__init(pd);
		if ((r = ci_bytes(ci, &pd->data, d->data, d->len)) < 0 ||
		    (r = ci_bytes(ci, &pd->from, &d->from, 16)) < 0 ||
		    (r = ci_bytes(ci, &pd->to, &d->to, 16)) < 0)
			return r;
		pd->from_port = d->from_port;
		pd->ttl = d->ttl;
		pd->tos = d->tos;
		m->dgrams[m->n_dgrams++] = pd;
	}
	m->reuseaddr = s->reuseaddr != 0;
	m->reuseport = s->reuseport != 0;
	m->sndbuf = s->sndbuf;
	m->rcvbuf = s->rcvbuf;
	m->rcvbuf_set = s->rcvbuf_set != 0;
	m->linger_onoff = s->linger.l_onoff;
	m->linger_secs = s->linger.l_linger;
	m->rcvtimeo_ns = MIN(s->rcvtimeo, INET_CKPT_TIMEO_MAX);
	m->sndtimeo_ns = MIN(s->sndtimeo, INET_CKPT_TIMEO_MAX);
	m->maxseg = s->maxseg;
	m->opts = ci_alloc(ci, IO_COUNT * sizeof(int32_t));
	if (!m->opts)
		return -ENOMEM;
	for (int k = 0; k < IO_COUNT; k++)
		m->opts[k] = s->opt[k];
	m->n_opts = IO_COUNT;
	m->uid = s->uid;
	*ret = m;
	return 0;
}

int ckpt_inet_save_finish(struct ckpt_inet *ci, struct Cvisor__Ckpt__Image *img, char *err,
			  size_t errlen)
{
	Cvisor__Ckpt__InetSocket **out;
	int r = 0;

	if (!ci || !ci->n)
		return 0;
	pthread_mutex_lock(&inet_lock);
	/* the whole set first: queued connections and peers */
	for (size_t i = 0; i < ci->n && r == 0; i++) {
		struct isock *s = ci->v[i];

		if (i >= INET_CKPT_MAX) {
			snprintf(err, errlen, "more than %d inet sockets (not saved)", INET_CKPT_MAX);
			r = -EFBIG;
			break;
		}
		for (struct isock *e = s->accq; e && r == 0; e = e->acc_next)
			if (ci_index(ci, e, 0) == SIZE_MAX)
				r = -ENOMEM;
		if (r == 0 && s->peer && ci_index(ci, s->peer, 0) == SIZE_MAX)
			r = -ENOMEM;
	}
	/* every socket without a file must wait in an accept queue */
	for (size_t i = 0; i < ci->n && r == 0; i++) {
		int queued = 0;

		if (ci->has_file[i])
			continue;
		for (size_t j = 0; j < ci->n && !queued; j++)
			for (struct isock *e = ci->v[j]->accq; e && !queued; e = e->acc_next)
				queued = e == ci->v[i];
		if (!queued) {
			snprintf(err, errlen, "%s socket:[%llu] is open only outside the fd tables "
				 "(in an epoll or an AF_UNIX message: not saved yet)",
				 kind_name(ci->v[i]), (unsigned long long)ci->v[i]->sk.ino);
			r = -EOPNOTSUPP;
		}
	}
	out = r == 0 ? ci_alloc(ci, ci->n * sizeof(*out)) : NULL;
	if (r == 0 && !out)
		r = -ENOMEM;
	for (size_t i = 0; i < ci->n && r == 0; i++)
		r = save_one(ci, i, &out[i], err, errlen);
	pthread_mutex_unlock(&inet_lock);
	if (r < 0)
		return r;
	img->inet_sockets = out;
	img->n_inet_sockets = ci->n;
	return 0;
}

/* ---- restore ---- */

static size_t rs_index(const ImgState *img, uint32_t id)
{
	for (size_t i = 0; i < img->n_inet_sockets; i++)
		if (img->inet_sockets[i]->id == id)
			return i;
	return SIZE_MAX; /* img_check_inet_sockets made this impossible */
}

/* Drop a socket built but not linked (inet_lock held). */
static void rs_drop_locked(struct isock *s, struct file *f)
{
	if (f) { /* its release frees it (unlock: it takes inet_lock) */
		pthread_mutex_unlock(&inet_lock);
		file_put(f);
		pthread_mutex_lock(&inet_lock);
		return;
	}
	udp_release_locked(s);
	inet_mem -= s->rcap;
	free(s->rbuf);
	free(s);
}

/* Build socket @i unlinked (inet_lock held): fields, ring, datagrams, file. */
static int rs_build(const ImgState *img, struct isock **v, struct file **fv, size_t i,
		    struct file **files, char *err, size_t errlen)
{
	const Cvisor__Ckpt__InetSocket *m = img->inet_sockets[i];
	struct isock *s;
	int r;

	if (m->n_opts != IO_COUNT) {
		snprintf(err, errlen, "inet socket %u: %zu options saved, this Sentry has %d",
			 m->id, m->n_opts, IO_COUNT);
		return -EINVAL;
	}
	s = is_new(m->family, m->type, m->protocol);
	if (!s)
		return -ENOMEM;
	v[i] = s;
	s->state = m->state == CVISOR__CKPT__INET_SOCKET__STATE__LISTEN	  ? IS_LISTEN
		   : m->state == CVISOR__CKPT__INET_SOCKET__STATE__ESTABLISHED ? IS_ESTABLISHED
		   : m->state == CVISOR__CKPT__INET_SOCKET__STATE__SYN_SENT	  ? IS_SYN_SENT
									       : IS_CLOSED;
	s->connecting = m->connecting;
	s->ss_connected = m->ss_connected;
	s->user_bound = m->user_bound;
	if (m->laddr.len == 16)
		memcpy(&s->laddr, m->laddr.data, 16);
	s->lany4 = m->lany4;
	s->lany6 = m->lany6;
	s->lport = (uint16_t)m->lport;
	s->rset = m->rset;
	if (m->raddr.len == 16)
		memcpy(&s->raddr, m->raddr.data, 16);
	s->rport = (uint16_t)m->rport;
	s->v6only = m->v6only;
	s->shut = m->shut & (IS_RCV_SHUT | IS_SEND_SHUT);
	s->fin = m->fin;
	s->peer_closed = m->peer_closed;
	s->err = m->err;
	s->conn_laddr = m->conn_laddr;
	s->backlog = m->backlog;
	s->reuseaddr = m->reuseaddr;
	s->reuseport = m->reuseport;
	s->sndbuf = MAX(m->sndbuf, INET_MIN_SNDBUF);
	s->rcvbuf = MAX(m->rcvbuf, INET_MIN_RCVBUF);
	s->rcvbuf_set = m->rcvbuf_set;
	s->linger.l_onoff = !!m->linger_onoff;
	s->linger.l_linger = m->linger_secs;
	s->rcvtimeo = m->rcvtimeo_ns;
	s->sndtimeo = m->sndtimeo_ns;
	s->maxseg = m->maxseg;
	for (int k = 0; k < IO_COUNT; k++)
		s->opt[k] = m->opts[k];
	s->uid = m->uid;
	if (m->rdata.len) {
		size_t cap = MAX(m->rdata.len, (size_t)65536);

		s->rbuf = malloc(cap);
		if (!s->rbuf)
			return -ENOMEM;
		memcpy(s->rbuf, m->rdata.data, m->rdata.len);
		s->rcap = cap;
		s->rlen = m->rdata.len;
		inet_mem += cap;
	}
	for (size_t j = 0; j < m->n_dgrams; j++) {
		const Cvisor__Ckpt__InetDgram *pd = m->dgrams[j];
		struct idgram *d = calloc(1, sizeof(*d) + pd->data.len);

		if (!d)
			return -ENOMEM;
		memcpy(d->data, pd->data.data, pd->data.len);
		d->len = pd->data.len;
		memcpy(&d->from, pd->from.data, 16);
		memcpy(&d->to, pd->to.data, 16);
		d->from_port = (uint16_t)pd->from_port;
		d->ttl = pd->ttl;
		d->tos = pd->tos;
		*s->dq_tail = d;
		s->dq_tail = &d->next;
		s->dq_bytes += d->len + DGRAM_OVERHEAD;
		inet_mem += d->len + DGRAM_OVERHEAD;
	}
	if (m->has_file) {
		const Cvisor__Ckpt__File *pf = NULL;
		size_t fi = 0;

		for (size_t j = 0; j < img->n_files; j++)
			if (img->files[j]->kind == CVISOR__CKPT__FILE__KIND__INET_SOCKET &&
			    img->files[j]->inet_sock_id == m->id) {
				pf = img->files[j];
				fi = j;
			}
		if (!pf)
			return -EINVAL; /* img_check_inet_sockets made this impossible */
		r = is_file(s, pf->flags & O_NONBLOCK, &fv[i]);
		if (r < 0)
			return r;
		pthread_mutex_lock(&fv[i]->lock);
		fv[i]->flags = O_RDWR | (pf->flags & FILE_SETFL_MASK);
		pthread_mutex_unlock(&fv[i]->lock);
		files[fi] = file_get(fv[i]);
	}
	return 0;
}

int ckpt_inet_restore(const struct Cvisor__Ckpt__Image *img, struct file **files, char *err,
		      size_t errlen)
{
	size_t n = img->n_inet_sockets;
	struct isock **v;
	struct file **fv;
	int r = 0;

	if (n == 0)
		return 0;
	v = calloc(n, sizeof(*v));
	fv = calloc(n, sizeof(*fv));
	if (!v || !fv) {
		free(v);
		free(fv);
		return -ENOMEM;
	}
	pthread_mutex_lock(&inet_lock);
	for (size_t i = 0; i < n && r == 0; i++)
		r = rs_build(img, v, fv, i, files, err, errlen);
	if (r < 0) {
		for (size_t j = 0; j < img->n_files; j++)
			if (files[j] && img->files[j]->kind == CVISOR__CKPT__FILE__KIND__INET_SOCKET) {
				pthread_mutex_unlock(&inet_lock);
				file_put(files[j]);
				pthread_mutex_lock(&inet_lock);
				files[j] = NULL;
			}
		for (size_t i = 0; i < n; i++)
			if (v[i])
				rs_drop_locked(v[i], fv[i]);
		pthread_mutex_unlock(&inet_lock);
		free(v);
		free(fv);
		if (!err[0])
			snprintf(err, errlen, "inet sockets: %s", strerror(-r));
		return r;
	}
	/* everything exists: link it (nothing fails from here); each socket
	 * has one reference, its file's or its accept queue's */
	for (size_t i = 0; i < n; i++) {
		const Cvisor__Ckpt__InetSocket *m = img->inet_sockets[i];
		struct isock *s = v[i];

		if (m->peer_id) {
			s->peer = v[rs_index(img, m->peer_id)];
			is_ref(s->peer);
		}
		for (size_t j = 0; j < m->n_accept_queue; j++) {
			struct isock *e = v[rs_index(img, m->accept_queue[j])];

			*s->accq_tail = e;
			s->accq_tail = &e->acc_next;
			s->nacc++;
		}
		if (m->bound)
			is_link_bound(s);
	}
	/* connects waiting for room, in id order, once every listener exists */
	for (size_t i = 0; i < n; i++)
		if (img->inet_sockets[i]->state == CVISOR__CKPT__INET_SOCKET__STATE__SYN_SENT)
			tcp_syn_restore_locked(v[i]);
	is_wake();
	pthread_mutex_unlock(&inet_lock);
	for (size_t i = 0; i < n; i++)
		if (fv[i])
			file_put(fv[i]); /* @files holds it */
	free(v);
	free(fv);
	return 0;
}
