/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One 9P connection: a reader thread frames messages and queues them, a few
 * worker threads serve them concurrently (different tags run in parallel),
 * replies are written under one lock.  Tversion is handled by the reader once
 * nothing is in flight; Tflush by the reader too: a queued target is dropped
 * and answered at once, a running target gets its Rflush right after its own
 * reply.  A framing error (size below the header or above msize, a reused
 * tag) ends the connection; everything else gets an Rlerror.
 */
#include "gofer/gofer_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/fdutil.h"
#include "lib/macro.h"

#define FID_BUCKETS 256u
#define MAX_INFLIGHT 32u
#define MAX_FLUSH_WAIT 8u

struct gofer_req {
	struct gofer_req *next; /* queue or running list */
	uint16_t tag;
	bool running;
	unsigned n_flush;
	uint16_t flush_tags[MAX_FLUSH_WAIT];
	size_t len;
	uint8_t buf[];
};

struct gofer_conn {
	struct gofer_server *srv;
	int sock;
	pthread_mutex_t wlock; /* serialises writes on sock */

	pthread_mutex_t lock;	   /* protects everything down to closing */
	pthread_cond_t cond_work;  /* queue non-empty or closing */
	pthread_cond_t cond_space; /* a request finished */
	struct gofer_req *qhead, *qtail;
	struct gofer_req *running;
	unsigned n_inflight; /* queued + running */
	bool closing;
	/* Written by the reader only while n_inflight == 0 (Tversion). */
	uint32_t msize; /* 0 until Tversion */
	bool ext;
	uint8_t *inline_buf; /* reply buffer of the reader's fast path (may be NULL) */

	pthread_mutex_t fid_lock; /* protects fids[], n_fids, every fid's refs/next */
	struct gofer_fid *fids[FID_BUCKETS];
	unsigned n_fids;
};

uint32_t gofer_conn_msize(const struct gofer_conn *c)
{
	return c->msize;
}

bool gofer_conn_ext(const struct gofer_conn *c)
{
	return c->ext;
}

const struct gofer_server *gofer_conn_server(const struct gofer_conn *c)
{
	return c->srv;
}

/* ---- fid table ---------------------------------------------------------- */

struct gofer_fid *gofer_fid_get(struct gofer_conn *c, uint32_t fid)
{
	struct gofer_fid *f;

	pthread_mutex_lock(&c->fid_lock);
	for (f = c->fids[fid % FID_BUCKETS]; f; f = f->next)
		if (f->fid == fid) {
			f->refs++;
			break;
		}
	pthread_mutex_unlock(&c->fid_lock);
	return f;
}

void gofer_fid_put(struct gofer_conn *c, struct gofer_fid *f)
{
	bool last;

	if (!f)
		return;
	pthread_mutex_lock(&c->fid_lock);
	last = --f->refs == 0;
	pthread_mutex_unlock(&c->fid_lock);
	if (last)
		gofer_fid_free(f);
}

int gofer_fid_insert(struct gofer_conn *c, struct gofer_fid *f)
{
	struct gofer_fid **head = &c->fids[f->fid % FID_BUCKETS];
	int r = 0;

	if (f->fid == P9_NOFID)
		return -EINVAL;
	pthread_mutex_lock(&c->fid_lock);
	for (struct gofer_fid *g = *head; g; g = g->next)
		if (g->fid == f->fid) {
			r = -EEXIST;
			goto out;
		}
	if (c->n_fids >= c->srv->max_fids) {
		r = -EMFILE;
		goto out;
	}
	f->refs = 1;
	f->next = *head;
	*head = f;
	c->n_fids++;
out:
	pthread_mutex_unlock(&c->fid_lock);
	return r;
}

int gofer_fid_remove(struct gofer_conn *c, uint32_t fid)
{
	struct gofer_fid **pp, *f = NULL;

	pthread_mutex_lock(&c->fid_lock);
	for (pp = &c->fids[fid % FID_BUCKETS]; *pp; pp = &(*pp)->next)
		if ((*pp)->fid == fid) {
			f = *pp;
			*pp = f->next;
			c->n_fids--;
			break;
		}
	pthread_mutex_unlock(&c->fid_lock);
	if (!f)
		return -EBADF;
	gofer_fid_put(c, f);
	return 0;
}

static void fids_clear(struct gofer_conn *c)
{
	for (unsigned i = 0; i < FID_BUCKETS; i++) {
		struct gofer_fid *f;

		pthread_mutex_lock(&c->fid_lock);
		f = c->fids[i];
		c->fids[i] = NULL;
		pthread_mutex_unlock(&c->fid_lock);
		while (f) {
			struct gofer_fid *next = f->next;

			pthread_mutex_lock(&c->fid_lock);
			c->n_fids--;
			pthread_mutex_unlock(&c->fid_lock);
			gofer_fid_put(c, f);
			f = next;
		}
	}
}

/* ---- socket I/O ----------------------------------------------------------- */

static int read_full(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return neg_errno();
		if (n == 0)
			return -ECONNRESET;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Send one frame, with @fd attached to its first byte if >= 0; wlock held. */
static int send_frame_locked(struct gofer_conn *c, const uint8_t *buf, size_t len, int fd)
{
	while (len > 0) {
		ssize_t n = fd >= 0 ? fd_send(c->sock, buf, len, &fd, 1)
				    : fd_send(c->sock, buf, len, NULL, 0);

		if (n < 0)
			return (int)n;
		fd = -EBADF; /* attached once */
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Encode a reply without a body beyond ecode (Rlerror, Rflush) into @buf. */
static size_t encode_simple(uint8_t *buf, size_t cap, uint8_t type, uint16_t tag, uint32_t ecode)
{
	struct p9_msg m = {.type = type, .tag = tag};
	ssize_t n;

	m.u.lerror.ecode = ecode;
	n = p9_encode(&m, buf, cap);
	return n > 0 ? (size_t)n : 0;
}

static size_t encode_error(uint8_t *buf, size_t cap, uint16_t tag, int err)
{
	if (err >= 0 || err < -4095)
		err = -EIO;
	return encode_simple(buf, cap, P9_RLERROR, tag, (uint32_t)-err);
}

static void send_simple(struct gofer_conn *c, uint8_t type, uint16_t tag, uint32_t ecode)
{
	uint8_t buf[32];
	size_t n = encode_simple(buf, sizeof(buf), type, tag, ecode);

	pthread_mutex_lock(&c->wlock);
	if (n)
		(void)send_frame_locked(c, buf, n, -EBADF);
	pthread_mutex_unlock(&c->wlock);
}

static void send_error(struct gofer_conn *c, uint16_t tag, int err)
{
	if (err >= 0 || err < -4095)
		err = -EIO;
	send_simple(c, P9_RLERROR, tag, (uint32_t)-err);
}

/* ---- request queue ---------------------------------------------------------- */

static struct gofer_req **find_tag(struct gofer_req **head, uint16_t tag)
{
	for (; *head; head = &(*head)->next)
		if ((*head)->tag == tag)
			return head;
	return NULL;
}

/*
 * Retire @req and send its reply (@len bytes of @rbuf, @fd attached), then
 * the Rflush of every Tflush that waited for it.  wlock is taken before the
 * request leaves the running list: a Tflush that no longer finds it (and
 * answers at once) cannot overtake the reply, and the client cannot reuse the
 * tag before it is free again.
 */
static void finish_req(struct gofer_conn *c, struct gofer_req *req, const uint8_t *rbuf, size_t len,
		       int fd)
{
	struct gofer_req **pp;
	uint16_t flush[MAX_FLUSH_WAIT];
	uint8_t fbuf[16];
	unsigned n;

	pthread_mutex_lock(&c->wlock);
	pthread_mutex_lock(&c->lock);
	pp = find_tag(&c->running, req->tag);
	if (pp)
		*pp = req->next;
	n = req->n_flush;
	memcpy(flush, req->flush_tags, sizeof(flush));
	c->n_inflight--;
	pthread_cond_broadcast(&c->cond_space);
	pthread_mutex_unlock(&c->lock);
	if (len)
		(void)send_frame_locked(c, rbuf, len, fd);
	for (unsigned i = 0; i < n; i++) {
		size_t fl = encode_simple(fbuf, sizeof(fbuf), P9_RFLUSH, flush[i], 0);

		if (fl)
			(void)send_frame_locked(c, fbuf, fl, -EBADF);
	}
	pthread_mutex_unlock(&c->wlock);
	free(req);
}

/* Serve @req into @rbuf; returns the reply length, *ret_fd an fd to attach. */
static size_t serve_req(struct gofer_conn *c, struct gofer_req *req, uint8_t *rbuf, int *ret_fd)
{
	struct p9_msg t, r;
	struct gofer_ctx ctx = {.conn = c, .t = &t, .r = &r, .rbuf = rbuf, .donate_fd = -EBADF};
	ssize_t n;
	int e;

	*ret_fd = -EBADF;
	e = p9_decode(req->buf, req->len, c->msize, &t);
	if (e == -EPROTONOSUPPORT || (e == 0 && !p9_is_tmsg(t.type)))
		e = -EOPNOTSUPP;
	if (e < 0)
		return encode_error(rbuf, c->msize, req->tag, e == -EBADMSG ? -EINVAL : e);
	memset(&r, 0, sizeof(r));
	r.type = t.type + 1;
	r.tag = t.tag;
	e = gofer_dispatch(&ctx);
	if (e < 0) {
		safe_close(ctx.donate_fd);
		return encode_error(rbuf, c->msize, req->tag, e);
	}
	n = p9_encode(&r, rbuf, c->msize);
	if (n < 0) {
		safe_close(ctx.donate_fd);
		return encode_error(rbuf, c->msize, req->tag, (int)n);
	}
	*ret_fd = ctx.donate_fd;
	return (size_t)n;
}

static void *worker_main(void *arg)
{
	struct gofer_conn *c = arg;
	uint8_t *rbuf = malloc(c->srv->max_msize);

	for (;;) {
		struct gofer_req *req;

		pthread_mutex_lock(&c->lock);
		while (!c->qhead && !c->closing)
			pthread_cond_wait(&c->cond_work, &c->lock);
		req = c->qhead;
		if (!req || c->closing) {
			pthread_mutex_unlock(&c->lock);
			break;
		}
		c->qhead = req->next;
		if (!c->qhead)
			c->qtail = NULL;
		req->running = true;
		req->next = c->running;
		c->running = req;
		pthread_mutex_unlock(&c->lock);

		if (rbuf) {
			int fd;
			size_t len = serve_req(c, req, rbuf, &fd);

			finish_req(c, req, rbuf, len, fd);
			safe_close(fd);
		} else {
			uint8_t ebuf[16];

			finish_req(c, req, ebuf,
				   encode_error(ebuf, sizeof(ebuf), req->tag, -ENOMEM), -EBADF);
		}
	}
	free(rbuf);
	return NULL;
}

/* ---- reader ------------------------------------------------------------- */

static void handle_version(struct gofer_conn *c, struct gofer_req *req)
{
	struct p9_msg t, r = {.type = P9_RVERSION};
	uint8_t buf[64];
	const char *v = "unknown";
	ssize_t n;

	if (p9_decode(req->buf, req->len, P9_MSIZE_MAX, &t) < 0) {
		send_error(c, req->tag, -EINVAL);
		return;
	}
	/* Nothing is in flight (the caller waited): reset the session. */
	fids_clear(c);
	r.tag = t.tag;
	r.u.version.msize = MIN(t.u.version.msize, c->srv->max_msize);
	if (r.u.version.msize < P9_MSIZE_MIN) {
		send_error(c, t.tag, -EINVAL);
		return;
	}
	c->ext = false;
	if (t.u.version.version.len == strlen(P9_VERSION_L_CVISOR) &&
	    !memcmp(t.u.version.version.s, P9_VERSION_L_CVISOR, t.u.version.version.len) &&
	    !c->srv->no_donate) {
		v = P9_VERSION_L_CVISOR;
		c->ext = true;
	} else if (t.u.version.version.len >= strlen(P9_VERSION_L) &&
		   !memcmp(t.u.version.version.s, P9_VERSION_L, strlen(P9_VERSION_L))) {
		v = P9_VERSION_L;
	}
	c->msize = strcmp(v, "unknown") ? r.u.version.msize : 0;
	p9_str_from(v, &r.u.version.version);
	n = p9_encode(&r, buf, sizeof(buf));
	pthread_mutex_lock(&c->wlock);
	if (n > 0)
		(void)send_frame_locked(c, buf, (size_t)n, -EBADF);
	pthread_mutex_unlock(&c->wlock);
}

/* Returns false when the connection must end (framing error). */
static bool handle_flush(struct gofer_conn *c, struct gofer_req *req)
{
	struct gofer_req **pp, *victim = NULL;
	struct p9_msg t;
	bool answer_now = true;

	if (p9_decode(req->buf, req->len, c->msize, &t) < 0) {
		send_error(c, req->tag, -EINVAL);
		return true;
	}
	pthread_mutex_lock(&c->lock);
	pp = find_tag(&c->qhead, t.u.flush.oldtag);
	if (pp) {
		victim = *pp;
		*pp = victim->next;
		c->qtail = NULL;
		for (struct gofer_req *q = c->qhead; q; q = q->next)
			c->qtail = q;
		c->n_inflight--;
	} else {
		pp = find_tag(&c->running, t.u.flush.oldtag);
		if (pp && (*pp)->n_flush < MAX_FLUSH_WAIT) {
			(*pp)->flush_tags[(*pp)->n_flush++] = req->tag;
			answer_now = false;
		}
	}
	pthread_mutex_unlock(&c->lock);
	free(victim);
	if (answer_now)
		send_simple(c, P9_RFLUSH, req->tag, 0);
	return true;
}

static bool data_pending(int sock)
{
	uint8_t b;

	return recv(sock, &b, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

/*
 * Requests short enough to serve on the reader thread: not fsync, not bulk
 * I/O (the reader stops reading the socket while it serves).
 */
#define INLINE_IO_MAX (16u << 10)

static bool inline_ok(const struct gofer_req *req)
{
	uint8_t type = req->buf[4];
	uint32_t count;

	switch (type) {
	case P9_TFSYNC:
		return false;
	case P9_TWRITE:
		return req->len <= P9_TWRITE_HDRSZ + INLINE_IO_MAX;
	case P9_TREAD:
	case P9_TREADDIR:
		if (req->len < P9_HDRSZ + 16)
			return true; /* malformed: answered at once */
		count = (uint32_t)req->buf[19] | (uint32_t)req->buf[20] << 8 |
			(uint32_t)req->buf[21] << 16 | (uint32_t)req->buf[22] << 24;
		return count <= INLINE_IO_MAX;
	default:
		return true;
	}
}

static int read_loop(struct gofer_conn *c)
{
	for (;;) {
		uint8_t hdr[P9_HDRSZ];
		struct gofer_req *req;
		uint32_t size, limit;
		uint8_t type;
		uint16_t tag;
		int r;

		r = read_full(c->sock, hdr, 4);
		if (r < 0)
			return r == -ECONNRESET ? 0 : r;
		p9_peek_header(hdr, sizeof(hdr), &size, NULL, NULL);
		limit = c->msize ? c->msize : P9_MSIZE_MIN;
		if (size < P9_HDRSZ || size > limit)
			return -EMSGSIZE;
		req = malloc(sizeof(*req) + size);
		if (!req)
			return -ENOMEM;
		memset(req, 0, sizeof(*req));
		memcpy(req->buf, hdr, 4);
		req->len = size;
		r = read_full(c->sock, req->buf + 4, size - 4);
		if (r < 0) {
			free(req);
			return r;
		}
		p9_peek_header(req->buf, size, NULL, &type, &tag);
		req->tag = tag;

		pthread_mutex_lock(&c->lock);
		if (type == P9_TVERSION) {
			while (c->n_inflight > 0)
				pthread_cond_wait(&c->cond_space, &c->lock);
		} else if (find_tag(&c->qhead, tag) || find_tag(&c->running, tag)) {
			pthread_mutex_unlock(&c->lock);
			free(req);
			return -EPROTO; /* tag reuse while in flight */
		}
		pthread_mutex_unlock(&c->lock);

		if (type == P9_TVERSION) {
			handle_version(c, req);
			free(req);
			continue;
		}
		if (!c->msize) {
			send_error(c, tag, -EPROTO);
			free(req);
			continue;
		}
		if (type == P9_TFLUSH) {
			bool ok = handle_flush(c, req);

			free(req);
			if (!ok)
				return -EPROTO;
			continue;
		}
		pthread_mutex_lock(&c->lock);
		/*
		 * Fast path: a short request, nothing in flight and no further
		 * request already waiting on the socket (the client is not
		 * pipelining): serve it right here and spare two thread hand-offs.
		 */
		if (c->n_inflight == 0 && c->inline_buf && inline_ok(req) &&
		    !data_pending(c->sock)) {
			int fd;
			size_t len;

			req->running = true;
			req->next = c->running;
			c->running = req;
			c->n_inflight++;
			pthread_mutex_unlock(&c->lock);
			len = serve_req(c, req, c->inline_buf, &fd);
			finish_req(c, req, c->inline_buf, len, fd);
			safe_close(fd);
			continue;
		}
		while (c->n_inflight >= MAX_INFLIGHT)
			pthread_cond_wait(&c->cond_space, &c->lock);
		if (c->qtail)
			c->qtail->next = req;
		else
			c->qhead = req;
		c->qtail = req;
		c->n_inflight++;
		pthread_cond_signal(&c->cond_work);
		pthread_mutex_unlock(&c->lock);
	}
}

int gofer_serve_conn(struct gofer_server *s, int sock)
{
	pthread_t th[16];
	unsigned nth = 0;
	struct gofer_conn *c;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c) {
		safe_close(sock);
		return -ENOMEM;
	}
	c->srv = s;
	c->sock = sock;
	pthread_mutex_init(&c->wlock, NULL);
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->fid_lock, NULL);
	pthread_cond_init(&c->cond_work, NULL);
	pthread_cond_init(&c->cond_space, NULL);

	for (unsigned i = 0; i < MIN(s->workers, ARRAY_SIZE(th)); i++) {
		if (pthread_create(&th[nth], NULL, worker_main, c) != 0)
			break;
		nth++;
	}
	c->inline_buf = malloc(s->max_msize);
	r = nth ? read_loop(c) : -EAGAIN;

	pthread_mutex_lock(&c->lock);
	c->closing = true;
	pthread_cond_broadcast(&c->cond_work);
	pthread_mutex_unlock(&c->lock);
	for (unsigned i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	while (c->qhead) {
		struct gofer_req *q = c->qhead;

		c->qhead = q->next;
		free(q);
	}
	free(c->inline_buf);
	fids_clear(c);
	/* The peer sees EOF even if a copy of the socket lives elsewhere. */
	(void)shutdown(c->sock, SHUT_RDWR);
	safe_close(c->sock);
	pthread_mutex_destroy(&c->wlock);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->fid_lock);
	pthread_cond_destroy(&c->cond_work);
	pthread_cond_destroy(&c->cond_space);
	free(c);
	return r;
}
