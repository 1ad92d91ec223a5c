/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checkpoint and restore of AF_UNIX sockets (docs/checkpoint.md, "Sockets"):
 * the sockets of open files and everything they reach (peers, the senders
 * of queued messages, connections waiting in accept queues, closed sockets
 * still named by those) become UnixSocket messages; path names are tied to
 * the socket nodes the in-memory file system walk found (FsEntry SOCKET).
 * Files in flight (SCM_RIGHTS) are saved as open file descriptions by
 * ckpt_save.c and attached to their messages again on restore.
 * Refused with a message: other families (host sockets, netlink; the
 * loopback stack's inet sockets are ckpt_inet.c's), a socket whose file
 * is held elsewhere than in an fd table or a message (an epoll), a path
 * name outside the in-memory file
 * systems.
 */
#include "sentry/kernel/ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checkpoint/image.h"
#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/root_ctx.h"
#include "sentry/kernel/task.h"
#include "sentry/net/socket.h"
#include "sentry/net/unix.h"
#include "sentry/net/unix_impl.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"
#include "sentry/vfs/vnode.h"

#define CHUNK_OVERHEAD 256 /* as unix.c charges a queued message */
#define UNIX_CKPT_TIMEO_MAX (1ULL << 62) /* ns: ~146 years, as img_check_unix_sockets */

struct sock_node {
	char *path;
	dev_t dev;
	uint64_t ino;
	int found;
};

struct ckpt_socks {
	struct usock **v; /* saved sockets; image id = index + 1 */
	int *has_file;
	size_t n, cap;
	struct sock_node *nodes;
	size_t nnodes, cnodes;
	void **arena;
	size_t narena, carena;
	ckpt_save_file_fn save_file; /* files in flight */
	void *ctx;
};

static int cs_get(struct ckpt_socks **pcs)
{
	if (!*pcs)
		*pcs = calloc(1, sizeof(**pcs));
	return *pcs ? 0 : -ENOMEM;
}

static void *cs_keep(struct ckpt_socks *cs, void *p)
{
	if (!p)
		return NULL;
	if (cs->narena == cs->carena) {
		size_t nc = cs->carena ? cs->carena * 2 : 64;
		void **n = realloc(cs->arena, nc * sizeof(*n));

		if (!n) {
			free(p);
			return NULL;
		}
		cs->arena = n;
		cs->carena = nc;
	}
	cs->arena[cs->narena++] = p;
	return p;
}

static void *cs_alloc(struct ckpt_socks *cs, size_t n)
{
	return cs_keep(cs, calloc(1, n ? n : 1));
}

static int cs_bytes(struct ckpt_socks *cs, ProtobufCBinaryData *d, const void *src, size_t len)
{
	d->len = len;
	d->data = cs_alloc(cs, len);
	if (!d->data)
		return -ENOMEM;
	if (len)
		memcpy(d->data, src, len);
	return 0;
}

/* The image id of @s, added to the set when new. */
static int cs_id(struct ckpt_socks *cs, struct usock *s, int file, uint32_t *ret)
{
	for (size_t i = 0; i < cs->n; i++)
		if (cs->v[i] == s) {
			cs->has_file[i] |= file;
			*ret = (uint32_t)i + 1;
			return 0;
		}
	if (cs->n == cs->cap) {
		size_t nc = cs->cap ? cs->cap * 2 : 16;
		struct usock **nv = realloc(cs->v, nc * sizeof(*nv));
		int *nf;

		if (!nv)
			return -ENOMEM;
		cs->v = nv;
		nf = realloc(cs->has_file, nc * sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		cs->has_file = nf;
		cs->cap = nc;
	}
	cs->v[cs->n] = s;
	cs->has_file[cs->n] = file;
	*ret = (uint32_t)++cs->n;
	return 0;
}

void ckpt_sock_save_free(struct ckpt_socks *cs)
{
	if (!cs)
		return;
	for (size_t i = 0; i < cs->narena; i++)
		free(cs->arena[i]);
	for (size_t i = 0; i < cs->nnodes; i++)
		free(cs->nodes[i].path);
	free(cs->arena);
	free(cs->nodes);
	free(cs->v);
	free(cs->has_file);
	free(cs);
}

int ckpt_sock_note_node(struct ckpt_socks **pcs, const char *path)
{
	struct ckpt_socks *cs;
	int r = cs_get(pcs);

	if (r < 0)
		return r;
	cs = *pcs;
	if (cs->nnodes == cs->cnodes) {
		size_t nc = cs->cnodes ? cs->cnodes * 2 : 8;
		struct sock_node *n = realloc(cs->nodes, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		cs->nodes = n;
		cs->cnodes = nc;
	}
	memset(&cs->nodes[cs->nnodes], 0, sizeof(cs->nodes[0]));
	cs->nodes[cs->nnodes].path = strdup(path);
	if (!cs->nodes[cs->nnodes].path)
		return -ENOMEM;
	cs->nnodes++;
	return 0;
}

static const char *family_name(int family)
{
	switch (family) {
	case AF_INET:
		return "an AF_INET socket";
	case AF_INET6:
		return "an AF_INET6 socket";
	case AF_NETLINK:
		return "a netlink socket";
	default:
		return "a socket";
	}
}

int ckpt_sock_save_file(struct ckpt_socks **pcs, struct kernel *k, struct file *f,
			uint32_t *ret_id, char *err, size_t errlen)
{
	struct sock *sk = sock_of(f);
	struct usock *u = unix_sock(f);
	int r;

	if (!sk)
		return -EINVAL;
	if (!u) {
		snprintf(err, errlen,
			 "%s%s (only AF_UNIX sockets and the loopback stack's inet sockets are "
			 "saved)",
			 family_name(sk->family),
			 (sk->family == AF_INET || sk->family == AF_INET6) && k->opts.net_mode == NET_HOST
				 ? " of the host network"
				 : "");
		return -EOPNOTSUPP;
	}
	r = cs_get(pcs);
	if (r == 0)
		r = cs_id(*pcs, u, 1, ret_id);
	return r;
}

static Cvisor__Ckpt__UnixCred *save_cred(struct ckpt_socks *cs, const struct sock_cred *c)
{
	Cvisor__Ckpt__UnixCred *p = cs_alloc(cs, sizeof(*p));

	if (p) {
		cvisor__ckpt__unix_cred__init(p);
		p->pid = c->pid;
		p->uid = c->uid;
		p->gid = c->gid;
	}
	return p;
}

/* Add what socket @i reaches to the set (unix_lock held): its peer, its
 * queued connections, the senders of its messages and the files in flight
 * in them (a socket in flight has a file, though in no fd table). */
static int reach_one(struct ckpt_socks *cs, size_t i)
{
	struct usock *s = cs->v[i];
	uint32_t id;
	int r = 0;

	if (s->peer)
		r = cs_id(cs, s->peer, 0, &id);
	for (struct usock *e = s->accq; e && r == 0; e = e->acc_next)
		r = cs_id(cs, e, 0, &id);
	for (struct uchunk *c = s->rq; c && r == 0; c = c->next) {
		if (c->sender)
			r = cs_id(cs, c->sender, 0, &id);
		for (int k = 0; k < c->ctl.nfiles && r == 0; k++)
			r = cs->save_file(cs->ctx, c->ctl.files[k], &id);
	}
	return r;
}

/* The message of socket @i (unix_lock held; the set is complete). */
static int save_one(struct ckpt_socks *cs, size_t i, Cvisor__Ckpt__UnixSocket **ret, char *err,
		    size_t errlen)
{
	struct usock *s = cs->v[i];
	Cvisor__Ckpt__UnixSocket *m = cs_alloc(cs, sizeof(*m));
	size_t nq = 0, na = 0;
	int r = 0;

	if (!m)
		return -ENOMEM;
	cvisor__ckpt__unix_socket__init(m);
	m->id = (uint32_t)i + 1;
	m->type = s->type;
	m->state = s->state == US_LISTEN   ? CVISOR__CKPT__UNIX_SOCKET__STATE__LISTENING
		   : s->state == US_CONN ? CVISOR__CKPT__UNIX_SOCKET__STATE__CONNECTED
					 : CVISOR__CKPT__UNIX_SOCKET__STATE__UNCONNECTED;
	m->dead = s->dead != 0;
	m->has_file = cs->has_file[i] != 0;
	if (s->file && !cs->has_file[i]) {
		snprintf(err, errlen, "AF_UNIX socket:[%llu] is open only outside the fd tables and "
			 "messages (in an epoll: not saved yet)",
			 (unsigned long long)s->sk.ino);
		return -EOPNOTSUPP;
	}
	if (s->peer && (r = cs_id(cs, s->peer, 0, &m->peer_id)) < 0)
		return r;
	m->shut = s->shut & (US_RCV_SHUT | US_SEND_SHUT);
	m->err = s->err;
	if (s->addr.len && (r = cs_bytes(cs, &m->addr, &s->addr.sa, s->addr.len)) < 0)
		return r;
	m->bound_path = (char *)"";
	if (s->bound_v) {
		struct stat st;

		for (size_t j = 0; j < cs->nnodes; j++)
			if (cs->nodes[j].found && cs->nodes[j].dev == s->bound_dev &&
			    cs->nodes[j].ino == s->bound_ino)
				m->bound_path = cs->nodes[j].path;
		vnode_stat(s->bound_v, &st);
		if (!m->bound_path[0] && st.st_nlink > 0) {
			snprintf(err, errlen, "AF_UNIX socket bound at %.*s: its node is outside the "
				 "overlay, /tmp and /dev/shm (not saved yet)",
				 (int)strnlen(s->addr.sa.sun_path, sizeof(s->addr.sa.sun_path)),
				 s->addr.sa.sun_path);
			return -EOPNOTSUPP;
		}
	}
	m->bound = us_bound_locked(s);
	m->backlog = s->backlog;
	for (struct usock *e = s->accq; e; e = e->acc_next)
		na++;
	m->accept_queue = cs_alloc(cs, na * sizeof(uint32_t));
	if (!m->accept_queue)
		return -ENOMEM;
	for (struct usock *e = s->accq; e; e = e->acc_next)
		if ((r = cs_id(cs, e, 0, &m->accept_queue[m->n_accept_queue++])) < 0)
			return r;
	m->cred = save_cred(cs, &s->cred);
	m->peercred = save_cred(cs, &s->peercred);
	if (!m->cred || !m->peercred)
		return -ENOMEM;
	m->has_peercred = s->has_peercred != 0;
	m->passcred = s->passcred != 0;
	m->reuseaddr = s->reuseaddr != 0;
	m->keepalive = s->keepalive != 0;
	m->broadcast = s->broadcast != 0;
	m->oobinline = s->oobinline != 0;
	m->priority = s->priority;
	m->rcvlowat = s->rcvlowat;
	m->linger_onoff = s->linger.l_onoff;
	m->linger_secs = s->linger.l_linger;
	m->sndbuf = s->sndbuf;
	m->rcvbuf = s->rcvbuf;
	m->rcvtimeo_ns = MIN(s->rcvtimeo, UNIX_CKPT_TIMEO_MAX);
	m->sndtimeo_ns = MIN(s->sndtimeo, UNIX_CKPT_TIMEO_MAX);
	for (struct uchunk *c = s->rq; c; c = c->next)
		nq++;
	m->queue = cs_alloc(cs, nq * sizeof(*m->queue));
	if (!m->queue)
		return -ENOMEM;
	for (struct uchunk *c = s->rq; c; c = c->next) {
		Cvisor__Ckpt__UnixChunk *pc = cs_alloc(cs, sizeof(*pc));

		if (!pc)
			return -ENOMEM;
		cvisor__ckpt__unix_chunk__init(pc);
		pc->file_ids = cs_alloc(cs, (size_t)c->ctl.nfiles * sizeof(uint32_t));
		if (!pc->file_ids)
			return -ENOMEM;
		for (int k = 0; k < c->ctl.nfiles; k++) {
			r = cs->save_file(cs->ctx, c->ctl.files[k], &pc->file_ids[k]);
			if (r < 0)
				return r;
			pc->n_file_ids++;
		}
		r = cs_bytes(cs, &pc->data, c->data + c->off, c->len - c->off);
		if (r == 0 && c->from.len)
			r = cs_bytes(cs, &pc->from, &c->from.sa, c->from.len);
		if (r == 0 && c->sender)
			r = cs_id(cs, c->sender, 0, &pc->sender_id);
		else if (r == 0)
			pc->sender_id = m->id; /* not charged to anyone: to itself */
		if (r < 0)
			return r;
		pc->has_cred = c->ctl.has_cred != 0;
		if (pc->has_cred && !(pc->cred = save_cred(cs, &c->ctl.cred)))
			return -ENOMEM;
		m->queue[m->n_queue++] = pc;
	}
	*ret = m;
	return 0;
}

int ckpt_sock_save_finish(struct ckpt_socks *cs, struct kernel *k, ImgState *img,
			  ckpt_save_file_fn save_file, void *ctx, char *err, size_t errlen)
{
	Cvisor__Ckpt__UnixSocket **out = NULL;
	struct kernel_root_ctx c;
	size_t cap = 0;
	int r;

	if (!cs || (!cs->n && !cs->nnodes))
		return 0;
	/* the nodes' identities, as connect(2) finds them */
	r = kernel_root_ctx_init(k, &c);
	if (r < 0)
		return r;
	for (size_t i = 0; i < cs->nnodes; i++) {
		struct path p;

		if (vfs_walk(&c.t, AT_FDCWD, cs->nodes[i].path, 0, &p) < 0)
			continue;
		if (S_ISSOCK(p.v->mode)) {
			cs->nodes[i].dev = p.v->dev;
			cs->nodes[i].ino = p.v->ino;
			cs->nodes[i].found = 1;
		}
		path_put(&p);
	}
	kernel_root_ctx_fini(&c);
	cs->save_file = save_file;
	cs->ctx = ctx;
	pthread_mutex_lock(&unix_lock);
	/* the whole set first: a socket may turn out to have a file (in
	 * flight) after it was reached as a peer */
	for (size_t i = 0; i < cs->n && r == 0; i++) {
		if (i >= 8192) {
			snprintf(err, errlen, "more than 8192 AF_UNIX sockets (not saved)");
			r = -EFBIG;
			break;
		}
		r = reach_one(cs, i);
	}
	for (size_t i = 0; i < cs->n && r == 0; i++) {
		Cvisor__Ckpt__UnixSocket *m = NULL;

		r = save_one(cs, i, &m, err, errlen);
		if (r == 0 && i == cap) {
			size_t nc = cap ? cap * 2 : 16;
			Cvisor__Ckpt__UnixSocket **n = cs_alloc(cs, nc * sizeof(*n));

			if (!n) {
				r = -ENOMEM;
				break;
			}
			if (cap)
				memcpy(n, out, cap * sizeof(*n));
			out = n;
			cap = nc;
		}
		if (r == 0)
			out[i] = m;
	}
	pthread_mutex_unlock(&unix_lock);
	if (r < 0)
		return r;
	img->unix_sockets = out;
	img->n_unix_sockets = cs->n;
	return 0;
}

/* ---- restore ---- */

struct rs_sock {
	struct usock *s;
	struct vnode *v;      /* the node of a path name */
	struct uchunk **q;    /* its queue, built but not linked yet */
	struct file *file;
};

static void rs_free(struct rs_sock *v, size_t n, const ImgState *img)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; v[i].q && j < img->unix_sockets[i]->n_queue; j++) {
			if (v[i].q[j])
				free(v[i].q[j]->ctl.files); /* no reference taken yet */
			free(v[i].q[j]);
		}
		free(v[i].q);
		if (v[i].v)
			vnode_put(v[i].v);
		if (v[i].file) /* unlinked yet: its release frees it */
			file_put(v[i].file);
		else
			free(v[i].s);
	}
	free(v);
}

static size_t rs_index(const ImgState *img, uint32_t id)
{
	for (size_t i = 0; i < img->n_unix_sockets; i++)
		if (img->unix_sockets[i]->id == id)
			return i;
	return SIZE_MAX; /* img_check_unix_sockets made this impossible */
}

static size_t file_index(const ImgState *img, uint32_t id)
{
	for (size_t i = 0; i < img->n_files; i++)
		if (img->files[i]->id == id)
			return i;
	return SIZE_MAX;
}

static void to_addr(struct unix_addr *a, const ProtobufCBinaryData *d)
{
	memset(a, 0, sizeof(*a));
	a->len = (socklen_t)d->len; /* checked: at most sizeof(sa) */
	memcpy(&a->sa, d->data, d->len);
}

static struct sock_cred to_cred(const Cvisor__Ckpt__UnixCred *c)
{
	struct sock_cred r = { 0, (uint32_t)-1, (uint32_t)-1 };

	if (c) {
		r.pid = c->pid;
		r.uid = c->uid;
		r.gid = c->gid;
	}
	return r;
}

/* Build socket @i unlinked: fields, queue (not linked), node, file. */
static int rs_build(struct kernel_root_ctx *c, const ImgState *img, struct rs_sock *v, size_t i,
		    struct file **files, char *err, size_t errlen)
{
	const Cvisor__Ckpt__UnixSocket *m = img->unix_sockets[i];
	struct usock *s = us_new(m->type);
	int r;

	if (!s)
		return -ENOMEM;
	v[i].s = s;
	s->state = m->state == CVISOR__CKPT__UNIX_SOCKET__STATE__LISTENING ? US_LISTEN
		   : m->state == CVISOR__CKPT__UNIX_SOCKET__STATE__CONNECTED ? US_CONN
									     : US_UNCONN;
	s->shut = m->shut & (US_RCV_SHUT | US_SEND_SHUT);
	s->err = m->err;
	if (m->addr.len)
		to_addr(&s->addr, &m->addr);
	s->backlog = m->backlog;
	s->cred = to_cred(m->cred);
	s->peercred = to_cred(m->peercred);
	s->has_peercred = m->has_peercred;
	s->passcred = m->passcred;
	s->reuseaddr = m->reuseaddr;
	s->keepalive = m->keepalive;
	s->broadcast = m->broadcast;
	s->oobinline = m->oobinline;
	s->priority = m->priority;
	s->rcvlowat = m->rcvlowat;
	s->linger.l_onoff = !!m->linger_onoff;
	s->linger.l_linger = m->linger_secs;
	s->sndbuf = MAX(m->sndbuf, (int)UNIX_BUF_MIN);
	s->rcvbuf = MAX(m->rcvbuf, (int)UNIX_BUF_MIN / 2);
	s->rcvtimeo = m->rcvtimeo_ns;
	s->sndtimeo = m->sndtimeo_ns;
	v[i].q = calloc(m->n_queue + 1, sizeof(*v[i].q));
	if (!v[i].q)
		return -ENOMEM;
	for (size_t j = 0; j < m->n_queue; j++) {
		const Cvisor__Ckpt__UnixChunk *pc = m->queue[j];
		struct uchunk *u = calloc(1, sizeof(*u) + pc->data.len);

		if (!u)
			return -ENOMEM;
		v[i].q[j] = u;
		memcpy(u->data, pc->data.data, pc->data.len);
		u->len = pc->data.len;
		u->charge = u->len + CHUNK_OVERHEAD;
		if (pc->from.len)
			to_addr(&u->from, &pc->from);
		u->ctl.has_cred = pc->has_cred;
		if (pc->has_cred)
			u->ctl.cred = to_cred(pc->cred);
		if (pc->n_file_ids && !(u->ctl.files = calloc(pc->n_file_ids, sizeof(struct file *))))
			return -ENOMEM;
	}
	if (m->bound_path[0]) {
		struct path p;

		r = vfs_walk(&c->t, AT_FDCWD, m->bound_path, 0, &p);
		if (r == 0 && !S_ISSOCK(p.v->mode)) {
			path_put(&p);
			r = -ENOTSOCK;
		}
		if (r < 0) {
			snprintf(err, errlen, "AF_UNIX socket %u: its node %s: %s", m->id,
				 m->bound_path, strerror(-r));
			return r;
		}
		v[i].v = vnode_get(p.v);
		path_put(&p);
	}
	if (m->has_file) {
		const Cvisor__Ckpt__File *pf = NULL;

		for (size_t j = 0; j < img->n_files; j++)
			if (img->files[j]->kind == CVISOR__CKPT__FILE__KIND__UNIX_SOCKET &&
			    img->files[j]->unix_sock_id == m->id)
				pf = img->files[j];
		if (!pf)
			return -EINVAL; /* img_check_unix_sockets made this impossible */
		r = us_file(s, pf->flags & O_NONBLOCK, &v[i].file);
		if (r < 0)
			return r;
		pthread_mutex_lock(&v[i].file->lock);
		v[i].file->flags = O_RDWR | (pf->flags & FILE_SETFL_MASK);
		pthread_mutex_unlock(&v[i].file->lock);
		for (size_t j = 0; j < img->n_files; j++)
			if (img->files[j] == pf)
				files[j] = file_get(v[i].file);
	}
	return 0;
}

int ckpt_sock_restore(struct kernel *k, const ImgState *img, struct file **files, char *err,
		      size_t errlen)
{
	size_t n = img->n_unix_sockets;
	struct kernel_root_ctx c;
	struct rs_sock *v;
	int r = 0;

	if (n == 0)
		return 0;
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	r = kernel_root_ctx_init(k, &c);
	if (r < 0) {
		free(v);
		return r;
	}
	for (size_t i = 0; i < n && r == 0; i++)
		r = rs_build(&c, img, v, i, files, err, errlen);
	kernel_root_ctx_fini(&c);
	/* every file in flight exists (made by make_files or above) */
	for (size_t i = 0; i < n && r == 0; i++)
		for (size_t j = 0; j < img->unix_sockets[i]->n_queue && r == 0; j++)
			for (size_t q = 0; q < img->unix_sockets[i]->queue[j]->n_file_ids; q++) {
				size_t fi = file_index(img, img->unix_sockets[i]->queue[j]->file_ids[q]);

				if (fi == SIZE_MAX || !files[fi])
					r = -EINVAL;
			}
	if (r < 0) {
		for (size_t j = 0; j < img->n_files; j++)
			if (files[j] && img->files[j]->kind == CVISOR__CKPT__FILE__KIND__UNIX_SOCKET) {
				file_put(files[j]);
				files[j] = NULL;
			}
		rs_free(v, n, img);
		if (!err[0])
			snprintf(err, errlen, "AF_UNIX sockets: %s", strerror(-r));
		return r;
	}
	/* everything exists: link it (nothing fails from here) */
	pthread_mutex_lock(&unix_lock);
	for (size_t i = 0; i < n; i++) {
		const Cvisor__Ckpt__UnixSocket *m = img->unix_sockets[i];
		struct usock *s = v[i].s;

		/* one reference: the file or the accept queue; closed ones
		 * live by the references of others */
		s->refs = m->dead ? 0 : 1;
		s->dead = m->dead;
	}
	for (size_t i = 0; i < n; i++) {
		const Cvisor__Ckpt__UnixSocket *m = img->unix_sockets[i];
		struct usock *s = v[i].s;

		if (m->peer_id) {
			s->peer = v[rs_index(img, m->peer_id)].s;
			us_ref(s->peer);
		}
		for (size_t j = 0; j < m->n_accept_queue; j++) {
			struct usock *e = v[rs_index(img, m->accept_queue[j])].s;

			*s->accq_tail = e;
			s->accq_tail = &e->acc_next;
			s->nacc++;
		}
		for (size_t j = 0; j < m->n_queue; j++) {
			struct uchunk *u = v[i].q[j];

			for (size_t q = 0; q < m->queue[j]->n_file_ids; q++) {
				struct file *f = files[file_index(img, m->queue[j]->file_ids[q])];
				struct usock *x = unix_sock(f);

				u->ctl.files[u->ctl.nfiles++] = file_get(f);
				if (x) { /* in flight, for the collector (unix_gc.c) */
					x->inflight++;
					us_inflight_total++;
				}
			}
			u->sender = v[rs_index(img, m->queue[j]->sender_id)].s;
			us_ref(u->sender);
			u->sender->wmem += u->charge;
			*s->rq_tail = u;
			s->rq_tail = &u->next;
			s->rq_bytes += u->len;
			s->rq_count++;
			v[i].q[j] = NULL;
		}
		if (v[i].v) {
			s->bound_v = v[i].v;
			s->bound_dev = v[i].v->dev;
			s->bound_ino = v[i].v->ino;
			v[i].v = NULL;
		}
		if (m->bound && !m->dead && (s->bound_v || !s->addr.sa.sun_path[0]))
			us_link_bound_locked(s);
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].s->refs == 0) /* a closed socket nobody names */
			free(v[i].s);
		free(v[i].q);
		if (v[i].file)
			file_put(v[i].file); /* @files holds it */
	}
	us_wake();
	pthread_mutex_unlock(&unix_lock);
	free(v);
	return 0;
}
