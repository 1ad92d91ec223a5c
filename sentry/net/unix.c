/* SPDX-License-Identifier: Apache-2.0 */
/* AF_UNIX sockets: objects, queues, data transfer and file operations. */
#include "unix.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/notify.h"
#include "sentry/vfs/vnode.h"
#include "unix_impl.h"

pthread_mutex_t unix_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t unix_cond = PTHREAD_COND_INITIALIZER;
struct usock *us_all;
int us_inflight_total;

/* Bytes a chunk charges against its sender's buffer (payload + overhead,
 * as skb truesize does), so that many tiny messages fill it too. */
#define CHUNK_OVERHEAD 256

struct usock *us_new(int type)
{
	struct usock *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->refs = 1;
	s->type = type;
	s->rq_tail = &s->rq;
	s->accq_tail = &s->accq;
	s->sndbuf = s->rcvbuf = UNIX_BUF_DEFAULT;
	s->rcvlowat = 1;
	s->peercred.pid = 0;
	s->peercred.uid = s->peercred.gid = (uint32_t)-1;
	sock_init(&s->sk, &unix_sock_ops, AF_UNIX, type, 0);
	return s;
}

void us_ref(struct usock *s)
{
	s->refs++;
}

void us_unref(struct usock *s)
{
	if (--s->refs > 0)
		return;
	/* Released before: no queue, no peer, no name left. */
	free(s);
}

void us_wake(void)
{
	pthread_cond_broadcast(&unix_cond);
	vfs_notify();
}

uint64_t us_deadline(uint64_t timeo)
{
	return sock_deadline(timeo);
}

int us_wait(struct task *t, uint64_t deadline)
{
	return sock_wait(t, &unix_cond, &unix_lock, deadline);
}

int us_file(struct usock *s, unsigned fflags, struct file **ret)
{
	struct file *f;
	int r = sock_file_new(&s->sk, fflags, &f);

	if (r < 0)
		return r;
	pthread_mutex_lock(&unix_lock);
	s->file = f;
	s->all_next = us_all;
	if (us_all)
		us_all->all_pprev = &s->all_next;
	s->all_pprev = &us_all;
	us_all = s;
	pthread_mutex_unlock(&unix_lock);
	*ret = f;
	return 0;
}

/* The sockets among @c's files are @d more (or fewer) times in flight. */
static void inflight_add(struct sock_ctl *c, int d)
{
	for (int i = 0; i < c->nfiles; i++) {
		struct usock *x = unix_sock(c->files[i]);

		if (x) {
			x->inflight += d;
			us_inflight_total += d;
		}
	}
}

struct usock *unix_sock(struct file *f)
{
	struct sock *sk = sock_of(f);

	return sk && sk->ops == &unix_sock_ops ? (struct usock *)sk : NULL;
}

int unix_type(struct usock *s)
{
	return s->type;
}

struct sock_cred unix_task_cred(struct task *t)
{
	struct sock_cred c = { t->tg->tgid, t->creds.euid, t->creds.egid };

	return c;
}

struct uchunk *us_dequeue(struct usock *s)
{
	struct uchunk *c = s->rq;

	s->rq = c->next;
	if (!s->rq)
		s->rq_tail = &s->rq;
	s->rq_bytes -= c->len - c->off;
	s->rq_count--;
	c->next = NULL;
	if (c->sender) {
		c->sender->wmem -= c->charge;
		us_unref(c->sender);
		c->sender = NULL;
	}
	inflight_add(&c->ctl, -1);
	us_wake();
	return c;
}

void us_bury(struct us_grave *g)
{
	while (g->chunks) {
		struct uchunk *c = g->chunks;

		g->chunks = c->next;
		sock_ctl_release(&c->ctl);
		free(c);
	}
	for (int i = 0; i < g->nvnodes; i++)
		vnode_put(g->vnodes[i]);
	g->nvnodes = 0;
}

void us_release_locked(struct usock *s, int embryo, struct us_grave *g)
{
	struct usock *p = s->peer;

	s->dead = 1;
	us_unbind_locked(s, g);
	while (s->accq) {
		struct usock *e = s->accq;

		s->accq = e->acc_next;
		e->acc_next = NULL;
		s->nacc--;
		us_release_locked(e, 1, g);
		us_unref(e); /* the queue's reference */
	}
	s->accq_tail = &s->accq;
	if (p) {
		/* A stream or seqpacket peer is shut down; a datagram one is
		 * not (Linux): it keeps what was queued to it, and its next send
		 * to the dead socket fails with ECONNREFUSED and disconnects it
		 * (unix_send_locked). */
		if (s->type != SOCK_DGRAM) {
			p->shut = US_RCV_SHUT | US_SEND_SHUT;
			if (s->rq || embryo)
				p->err = ECONNRESET;
		}
		s->peer = NULL;
		us_unref(p);
	}
	while (s->rq) {
		struct uchunk *c = us_dequeue(s);

		c->next = g->chunks;
		g->chunks = c;
	}
	s->shut = US_RCV_SHUT | US_SEND_SHUT;
	us_wake();
}

void unix_release(struct sock *sk)
{
	struct usock *s = (struct usock *)sk;
	struct us_grave g = { 0 };

	pthread_mutex_lock(&unix_lock);
	us_release_locked(s, 0, &g);
	*s->all_pprev = s->all_next;
	if (s->all_next)
		s->all_next->all_pprev = s->all_pprev;
	s->file = NULL;
	us_unref(s);
	us_gc_locked(&g);
	pthread_mutex_unlock(&unix_lock);
	us_bury(&g);
}

int unix_socket(int type, unsigned fflags, struct file **ret)
{
	struct usock *s = us_new(type);
	int r;

	if (!s)
		return -ENOMEM;
	r = us_file(s, fflags, ret);
	if (r < 0)
		free(s);
	return r;
}

int unix_socketpair(int type, unsigned fflags, struct sock_cred cred, struct file **ret_a,
		    struct file **ret_b)
{
	struct usock *a = us_new(type), *b = us_new(type);
	struct file *fa = NULL, *fb = NULL;

	if (!a || !b || us_file(a, fflags, &fa) < 0 || us_file(b, fflags, &fb) < 0) {
		/* A socket with a file goes through its release. */
		if (fa)
			file_put(fa);
		else
			free(a);
		free(b);
		return -ENOMEM;
	}
	pthread_mutex_lock(&unix_lock);
	a->peer = b;
	b->peer = a;
	a->refs = b->refs = 2;
	if (type != SOCK_DGRAM)
		a->state = b->state = US_CONN;
	a->peercred = b->peercred = cred;
	a->has_peercred = b->has_peercred = 1;
	pthread_mutex_unlock(&unix_lock);
	*ret_a = fa;
	*ret_b = fb;
	return 0;
}

/* Queue @len bytes from @buf on @p, sent by @s.  Takes over @ctl's files. */
static int enqueue(struct usock *s, struct usock *p, const void *buf, size_t len,
		   struct sock_ctl *ctl)
{
	struct uchunk *c = malloc(sizeof(*c) + len);

	if (!c)
		return -ENOMEM;
	memset(c, 0, sizeof(*c));
	memcpy(c->data, buf, len);
	c->len = len;
	if (ctl) {
		c->ctl = *ctl;
		ctl->files = NULL;
		ctl->nfiles = 0;
		inflight_add(&c->ctl, 1);
	}
	c->from = s->addr;
	c->sender = s;
	c->charge = len + CHUNK_OVERHEAD;
	us_ref(s);
	s->wmem += c->charge;
	*p->rq_tail = c;
	p->rq_tail = &c->next;
	p->rq_bytes += len;
	p->rq_count++;
	us_wake();
	return 0;
}

static ssize_t stream_send(struct task *t, struct usock *s, const uint8_t *buf, size_t len,
			   int nonblock, const struct unix_addr *to, struct sock_ctl *ctl)
{
	uint64_t deadline = us_deadline(s->sndtimeo);
	size_t done = 0;
	int r = 0;

	if (to)
		return s->state == US_CONN ? -EISCONN : -EOPNOTSUPP;
	if (s->state != US_CONN || !s->peer)
		return -ENOTCONN;
	if (s->shut & US_SEND_SHUT)
		return -EPIPE;
	while (done < len) {
		struct usock *p = s->peer;
		size_t n;

		if (!p || p->dead || (p->shut & US_RCV_SHUT) || (s->shut & US_SEND_SHUT)) {
			r = -EPIPE;
			break;
		}
		if (s->wmem >= (size_t)s->sndbuf) {
			if (nonblock) {
				r = -EAGAIN;
				break;
			}
			r = us_wait(t, deadline);
			if (r < 0)
				break;
			continue;
		}
		/* At most half the buffer per chunk, as Linux sizes skbs. */
		n = MIN(len - done, MAX((size_t)s->sndbuf / 2, (size_t)1));
		r = enqueue(s, p, buf + done, n, ctl);
		if (r < 0)
			break;
		done += n;
	}
	return done ? (ssize_t)done : r;
}

/* May @s send to @o?  A socket connected elsewhere takes only its peer's. */
static int may_send(struct usock *s, struct usock *o)
{
	return !o->peer || o->peer == s;
}

static ssize_t dgram_send(struct task *t, struct usock *s, const uint8_t *buf, size_t len,
			  int nonblock, const struct unix_addr *to, struct sock_ctl *ctl)
{
	uint64_t deadline = us_deadline(s->sndtimeo);
	dev_t dev = 0;
	uint64_t ino = 0;
	int r;

	if (len > (size_t)s->sndbuf - 32)
		return -EMSGSIZE;
	if (s->type == SOCK_SEQPACKET) {
		to = NULL;
		if (s->state != US_CONN)
			return -ENOTCONN;
	}
	if (to && to->sa.sun_path[0]) {
		pthread_mutex_unlock(&unix_lock);
		r = us_resolve(t, to, &dev, &ino);
		pthread_mutex_lock(&unix_lock);
		if (r < 0)
			return r;
	}
	if (s->passcred && !s->addr.len && (r = us_autobind_locked(s)) < 0)
		return r;
	for (;;) {
		struct usock *o;

		if (s->shut & US_SEND_SHUT)
			return -EPIPE;
		if (to) {
			o = us_lookup_locked(to, s->type, dev, ino);
			if (!o)
				return -ECONNREFUSED;
			if (o->type != s->type)
				return -EPROTOTYPE;
		} else {
			o = s->peer;
			if (!o)
				return s->type == SOCK_SEQPACKET ? -EPIPE : -ENOTCONN;
		}
		if (o->dead) {
			if (o == s->peer && s->type == SOCK_DGRAM) {
				s->peer = NULL;
				us_unref(o);
			}
			return s->type == SOCK_SEQPACKET ? -EPIPE : -ECONNREFUSED;
		}
		if (!may_send(s, o))
			return -EPERM;
		if (o->shut & US_RCV_SHUT)
			return -EPIPE;
		if ((o->peer != s && o->rq_count > UNIX_DGRAM_QLEN) ||
		    s->wmem + len + CHUNK_OVERHEAD > (size_t)s->sndbuf + CHUNK_OVERHEAD * 2) {
			if (nonblock)
				return -EAGAIN;
			us_ref(o);
			r = us_wait(t, deadline);
			us_unref(o);
			if (r < 0)
				return r;
			continue;
		}
		r = enqueue(s, o, buf, len, ctl);
		return r < 0 ? r : (ssize_t)len;
	}
}

ssize_t unix_send(struct task *t, struct usock *s, const void *buf, size_t len, int flags,
		  int nonblock, const struct unix_addr *to, struct sock_ctl *ctl)
{
	struct us_grave g = { 0 };
	int files = ctl && ctl->nfiles;
	ssize_t r;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	nonblock |= !!(flags & MSG_DONTWAIT);
	pthread_mutex_lock(&unix_lock);
	if (s->type == SOCK_STREAM)
		r = stream_send(t, s, buf, len, nonblock, to, ctl);
	else
		r = dgram_send(t, s, buf, len, nonblock, to, ctl);
	if (files)
		us_gc_locked(&g); /* sending files may complete a cycle */
	pthread_mutex_unlock(&unix_lock);
	us_bury(&g);
	return r;
}

/* Hand @c's files to @info: moved, or new references when peeking. */
static int take_files(struct uchunk *c, int peek, struct unix_recv_info *info)
{
	if (!c->ctl.nfiles)
		return 0;
	if (!peek) {
		inflight_add(&c->ctl, -1);
		info->ctl.files = c->ctl.files;
		info->ctl.nfiles = c->ctl.nfiles;
		c->ctl.files = NULL;
		c->ctl.nfiles = 0;
		return 1;
	}
	info->ctl.files = calloc((size_t)c->ctl.nfiles, sizeof(*info->ctl.files));
	if (!info->ctl.files)
		return 1; /* peeked without the files */
	for (int i = 0; i < c->ctl.nfiles; i++)
		info->ctl.files[i] = file_get(c->ctl.files[i]);
	info->ctl.nfiles = c->ctl.nfiles;
	return 1;
}

static int cred_eq(const struct sock_cred *a, const struct sock_cred *b)
{
	return a->pid == b->pid && a->uid == b->uid && a->gid == b->gid;
}

static ssize_t stream_recv(struct task *t, struct usock *s, uint8_t *buf, size_t len, int flags,
			   int nonblock, struct unix_recv_info *info)
{
	uint64_t deadline = us_deadline(s->rcvtimeo);
	/* sock_rcvlowat: a stream read waits for SO_RCVLOWAT bytes. */
	size_t copied = 0,
	       target = (flags & MSG_WAITALL) ? len : MIN((size_t)MAX(s->rcvlowat, 1), len);
	int peek = !!(flags & MSG_PEEK), r = 0, have_cred = 0;

	if (s->state != US_CONN)
		return -EINVAL;
	if (len == 0)
		return 0;
	for (;;) {
		struct uchunk *c = s->rq;
		size_t skip = 0, n;
		int files;

		/* Peeking walks past what was already copied. */
		if (peek) {
			size_t want = copied;

			while (c && want >= c->len - c->off) {
				want -= c->len - c->off;
				c = c->next;
			}
			skip = want;
		}
		if (!c) {
			if (copied >= target)
				break;
			if (s->err) {
				r = -s->err;
				s->err = 0;
				break;
			}
			if (s->shut & US_RCV_SHUT)
				break;
			if (nonblock) {
				r = -EAGAIN;
				break;
			}
			r = us_wait(t, deadline);
			if (r < 0)
				break;
			continue;
		}
		/* With SO_PASSCRED, one read never mixes two senders. */
		if (s->passcred && c->ctl.has_cred) {
			if (have_cred && !cred_eq(&info->ctl.cred, &c->ctl.cred))
				break;
			info->ctl.cred = c->ctl.cred;
			info->ctl.has_cred = have_cred = 1;
		}
		if (copied == 0)
			info->from = c->from;
		n = MIN(len - copied, c->len - c->off - skip);
		memcpy(buf + copied, c->data + c->off + skip, n);
		copied += n;
		files = take_files(c, peek, info);
		if (!peek) {
			c->off += n;
			s->rq_bytes -= n;
			if (c->off == c->len) {
				c = us_dequeue(s);
				free(c);
			}
			us_wake();
		}
		if (files || copied == len)
			break;
	}
	return copied ? (ssize_t)copied : r;
}

static ssize_t dgram_recv(struct task *t, struct usock *s, uint8_t *buf, size_t len, int flags,
			  int nonblock, struct unix_recv_info *info)
{
	uint64_t deadline = us_deadline(s->rcvtimeo);
	struct uchunk *c;
	size_t n;
	int r;

	if (s->type == SOCK_SEQPACKET && s->state != US_CONN)
		return -ENOTCONN;
	while (!(c = s->rq)) {
		if (s->err) {
			r = -s->err;
			s->err = 0;
			return r;
		}
		if (s->shut & US_RCV_SHUT)
			return 0;
		if (nonblock)
			return -EAGAIN;
		r = us_wait(t, deadline);
		if (r < 0)
			return r;
	}
	n = MIN(len, c->len);
	memcpy(buf, c->data, n);
	info->from = c->from;
	info->truncated = c->len > len;
	info->full_len = c->len;
	if (c->ctl.has_cred) {
		info->ctl.cred = c->ctl.cred;
		info->ctl.has_cred = 1;
	}
	take_files(c, !!(flags & MSG_PEEK), info);
	if (!(flags & MSG_PEEK)) {
		/* dequeue() counts the unconsumed bytes; a datagram goes whole */
		c = us_dequeue(s);
		free(c);
	}
	return (flags & MSG_TRUNC) ? (ssize_t)info->full_len : (ssize_t)n;
}

ssize_t unix_recv(struct task *t, struct usock *s, void *buf, size_t len, int flags,
		  int nonblock, struct unix_recv_info *info)
{
	struct unix_recv_info dummy;
	ssize_t r;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (flags & MSG_OOB)
		return s->type == SOCK_STREAM ? -EINVAL : -EOPNOTSUPP;
	nonblock |= !!(flags & MSG_DONTWAIT);
	pthread_mutex_lock(&unix_lock);
	if (s->type == SOCK_STREAM)
		r = stream_recv(t, s, buf, len, flags, nonblock, info);
	else
		r = dgram_recv(t, s, buf, len, flags, nonblock, info);
	if (!s->passcred)
		info->ctl.has_cred = 0; /* SCM_CREDENTIALS only with SO_PASSCRED */
	pthread_mutex_unlock(&unix_lock);
	if (info == &dummy)
		sock_ctl_release(&dummy.ctl);
	return r;
}

unsigned unix_poll(struct sock *sk)
{
	struct usock *s = (struct usock *)sk;
	unsigned ev = 0;
	int writable;

	pthread_mutex_lock(&unix_lock);
	if (s->err)
		ev |= POLLERR;
	if (s->shut & US_RCV_SHUT)
		ev |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (s->shut == (US_RCV_SHUT | US_SEND_SHUT))
		ev |= POLLHUP;
	if (s->rq || s->accq)
		ev |= POLLIN | POLLRDNORM;
	if (s->type != SOCK_DGRAM && s->state == US_UNCONN)
		ev |= POLLHUP;
	writable = s->state != US_LISTEN && s->wmem * 4 <= (size_t)s->sndbuf;
	if (writable && s->type != SOCK_STREAM && s->peer && s->peer->peer != s &&
	    s->peer->rq_count > UNIX_DGRAM_QLEN)
		writable = 0;
	if (writable)
		ev |= POLLOUT | POLLWRNORM | POLLWRBAND;
	pthread_mutex_unlock(&unix_lock);
	return ev;
}

int64_t unix_ioctl(struct task *t, struct sock *sk, unsigned cmd, uint64_t arg)
{
	struct usock *s = (struct usock *)sk;
	int n;

	pthread_mutex_lock(&unix_lock);
	if (cmd == FIONREAD) {
		if (s->state == US_LISTEN)
			n = -EINVAL;
		else if (s->type != SOCK_DGRAM)
			n = (int)s->rq_bytes;
		else
			n = s->rq ? (int)s->rq->len : 0;
	} else if (cmd == TIOCOUTQ) {
		n = s->state == US_LISTEN ? -EINVAL : (int)s->wmem;
	} else {
		n = -ENOTTY;
	}
	pthread_mutex_unlock(&unix_lock);
	if (n < 0)
		return n;
	return task_copy_out(t, arg, &n, sizeof(n)) == sizeof(n) ? 0 : -EFAULT;
}
