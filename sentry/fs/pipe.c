/* SPDX-License-Identifier: Apache-2.0 */
#include "pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/macro.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/notify.h"

struct pipe {
	pthread_mutex_t lock; /* protects everything below */
	pthread_cond_t cond;  /* state changed: data, space, an end closed */
	uint8_t *buf;         /* ring of cap bytes */
	size_t cap;           /* F_SETPIPE_SZ: a power of two pages */
	size_t head, len;     /* read position, bytes buffered */
	/* Packet mode (O_DIRECT writers): the lengths of the buffered packets,
	 * oldest first, a ring of cap / PIPE_BUF slots like Linux's buffers.
	 * Reads take at most one packet and drop what does not fit. */
	uint16_t *pkts;
	size_t pkt_head, npkts;
	int readers, writers;
	/* Opens of each end ever made: a FIFO's blocking open waits for the
	 * other count to move, so a partner that came and went already
	 * (Linux's wait_for_partner) still lets it through. */
	unsigned rcount, wcount;
	int refs;             /* ends alive */
	uint64_t ino;         /* st_ino: a counter, never a Sentry address */
};

static uint64_t pipe_ino_next = 1;

/* Wait for a state change; -EINTR if the task must stop, -ERESTARTSYS if a
 * signal is pending.  Timed (50 ms) so that neither needs a wake-up of the
 * pipe's condition variable. */
static int pipe_wait(struct pipe *p, struct task *t)
{
	return vfs_wait_interruptible(t, &p->cond, &p->lock);
}

/* Move up to @len buffered bytes to @buf (NULL: drop them). */
static size_t ring_take(struct pipe *p, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len && p->len > 0) {
		size_t n = MIN(len - done, MIN(p->len, p->cap - p->head));

		if (buf)
			memcpy((uint8_t *)buf + done, p->buf + p->head, n);
		p->head = (p->head + n) % p->cap;
		p->len -= n;
		done += n;
	}
	return done;
}

/* Wait (p->lock held) until @p holds data: 1, or 0 at EOF (no writer
 * left), -EAGAIN for a non-blocking reader, -EINTR/-ERESTARTSYS... */
static int pipe_wait_data_locked(struct pipe *p, struct task *t, int nonblock)
{
	int r;

	while (p->len == 0) {
		if (p->writers == 0)
			return 0;
		if (nonblock)
			return -EAGAIN;
		r = pipe_wait(p, t);
		if (r < 0)
			return r;
	}
	return 1;
}

static ssize_t pipe_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *off)
{
	struct pipe *p = f->priv;
	ssize_t r = 0;
	int nonblock;

	(void)off;
	if (len == 0)
		return 0;
	pthread_mutex_lock(&f->lock);
	nonblock = !!(f->flags & O_NONBLOCK);
	pthread_mutex_unlock(&f->lock);
	pthread_mutex_lock(&p->lock);
	r = pipe_wait_data_locked(p, t, nonblock);
	if (r <= 0)
		goto out; /* EOF (0) or an error */
	r = 0;
	if (p->npkts > 0) {
		size_t plen = p->pkts[p->pkt_head];

		r = (ssize_t)ring_take(p, buf, MIN(len, plen));
		ring_take(p, NULL, plen - (size_t)r); /* the rest of the packet */
		p->pkt_head = (p->pkt_head + 1) % (p->cap / PIPE_BUF);
		p->npkts--;
	} else {
		r = (ssize_t)ring_take(p, buf, len);
	}
	pthread_cond_broadcast(&p->cond);
	vfs_notify();
out:
	pthread_mutex_unlock(&p->lock);
	return r;
}

ssize_t pipe_peek(struct file *f, struct task *t, void *buf, size_t len, int nonblock)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	ssize_t r = 0;

	if (len == 0)
		return 0;
	pthread_mutex_lock(&p->lock);
	r = pipe_wait_data_locked(p, t, nonblock);
	if (r <= 0)
		goto out; /* EOF (0) or an error */
	r = 0;
	len = MIN(len, p->len);
	while (done < len) {
		size_t pos = (p->head + done) % p->cap;
		size_t n = MIN(len - done, p->cap - pos);

		memcpy((uint8_t *)buf + done, p->buf + pos, n);
		done += n;
	}
	r = (ssize_t)done;
out:
	pthread_mutex_unlock(&p->lock);
	return r;
}

static ssize_t pipe_write(struct file *f, struct task *t, const void *buf, size_t len,
			  int64_t *off)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	int nonblock, packet, r;

	(void)off;
	if (len == 0)
		return 0;
	pthread_mutex_lock(&f->lock);
	nonblock = !!(f->flags & O_NONBLOCK);
	packet = !!(f->flags & O_DIRECT);
	pthread_mutex_unlock(&f->lock);
	pthread_mutex_lock(&p->lock);
	while (done < len) {
		size_t room, n, tail;

		if (p->readers == 0) {
			pthread_mutex_unlock(&p->lock);
			return done ? (ssize_t)done : -EPIPE; /* SIGPIPE: with signals */
		}
		room = p->cap - p->len;
		if (packet && p->npkts == p->cap / PIPE_BUF)
			room = 0;
		/* Up to PIPE_BUF bytes go in one piece or not at all. */
		if (room == 0 || (len <= PIPE_BUF && room < len) ||
		    (packet && room < MIN(len - done, (size_t)PIPE_BUF))) {
			if (nonblock) {
				pthread_mutex_unlock(&p->lock);
				return done ? (ssize_t)done : -EAGAIN;
			}
			r = pipe_wait(p, t);
			if (r < 0) {
				pthread_mutex_unlock(&p->lock);
				return done ? (ssize_t)done : r;
			}
			continue;
		}
		n = MIN(len - done, room);
		if (packet) {
			n = MIN(n, (size_t)PIPE_BUF);
			p->pkts[(p->pkt_head + p->npkts) % (p->cap / PIPE_BUF)] = (uint16_t)n;
			p->npkts++;
		}
		for (size_t put = 0; put < n;) {
			size_t m;

			tail = (p->head + p->len) % p->cap;
			m = MIN(n - put, p->cap - tail);
			memcpy(p->buf + tail, (const uint8_t *)buf + done + put, m);
			p->len += m;
			put += m;
		}
		done += n;
		pthread_cond_broadcast(&p->cond);
		vfs_notify();
	}
	pthread_mutex_unlock(&p->lock);
	return (ssize_t)done;
}

static int pipe_fstat(struct file *f, struct stat *st)
{
	(void)f;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFIFO | 0600;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	st->st_dev = 0xc; /* pipefs */
	st->st_ino = (ino_t)((struct pipe *)f->priv)->ino;
	return 0;
}

static void pipe_put(struct pipe *p)
{
	int last;

	pthread_mutex_lock(&p->lock);
	last = --p->refs == 0;
	if (p->readers == 0 && p->writers == 0) {
		/* A FIFO nobody holds open keeps no data (Linux frees its
		 * pipe then); the vnode's reference keeps only the object. */
		p->head = p->len = 0;
		p->pkt_head = p->npkts = 0;
	}
	pthread_cond_broadcast(&p->cond);
	vfs_notify();
	pthread_mutex_unlock(&p->lock);
	if (last) {
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->cond);
		free(p->buf);
		free(p->pkts);
		free(p);
	}
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	int last;

	pthread_mutex_lock(&p->lock);
	if (file_readable(f))
		p->readers--;
	if (file_writable(f))
		p->writers--;
	last = --p->refs == 0;
	if (p->readers == 0 && p->writers == 0) {
		/* A FIFO nobody holds open keeps no data (Linux frees its
		 * pipe then); the vnode's reference keeps only the object. */
		p->head = p->len = 0;
		p->pkt_head = p->npkts = 0;
	}
	pthread_cond_broadcast(&p->cond);
	vfs_notify();
	pthread_mutex_unlock(&p->lock);
	if (last) {
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->cond);
		free(p->buf);
		free(p->pkts);
		free(p);
	}
}

static unsigned pipe_poll(struct file *f)
{
	struct pipe *p = f->priv;
	unsigned ev = 0;

	pthread_mutex_lock(&p->lock);
	if (file_readable(f)) {
		if (p->len > 0)
			ev |= POLLIN | POLLRDNORM;
		if (p->writers == 0)
			ev |= POLLHUP;
	} else {
		if (p->cap - p->len >= PIPE_BUF && p->npkts < p->cap / PIPE_BUF)
			ev |= POLLOUT | POLLWRNORM;
		if (p->readers == 0)
			ev |= POLLERR;
	}
	pthread_mutex_unlock(&p->lock);
	return ev;
}

static int64_t pipe_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	struct pipe *p = f->priv;
	int n;

	if (cmd != FIONREAD)
		return -ENOTTY;
	pthread_mutex_lock(&p->lock);
	n = (int)p->len;
	pthread_mutex_unlock(&p->lock);
	return task_copy_out(t, arg, &n, sizeof(n)) == sizeof(n) ? 0 : -EFAULT;
}

static const struct file_ops pipe_ops = {
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.read = pipe_read,
	.write = pipe_write,
	.fstat = pipe_fstat,
	.release = pipe_release,
};

int pipe_file_is(struct file *f)
{
	return f->ops == &pipe_ops;
}

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = calloc(1, sizeof(*p));

	if (!p || !(p->buf = malloc(PIPE_SIZE)) ||
	    !(p->pkts = calloc(PIPE_SIZE / PIPE_BUF, sizeof(*p->pkts)))) {
		if (p)
			free(p->buf);
		free(p);
		return NULL;
	}
	p->cap = PIPE_SIZE;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->ino = __atomic_fetch_add(&pipe_ino_next, 1, __ATOMIC_RELAXED);
	return p;
}

void pipe_fifo_put(void *fifo)
{
	if (fifo)
		pipe_put(fifo);
}

int pipe_fifo_open(void **fifo, pthread_mutex_t *slot_lock, unsigned flags, struct task *t,
		   struct file **ret)
{
	unsigned acc = flags & O_ACCMODE;
	int nonblock = !!(flags & O_NONBLOCK), r = 0;
	struct pipe *p;
	struct file *f;

	if (acc == 3)
		return -EINVAL;
	pthread_mutex_lock(slot_lock);
	if (!*fifo) {
		*fifo = pipe_alloc();
		if (*fifo)
			((struct pipe *)*fifo)->refs = 1; /* the vnode's */
	}
	p = *fifo;
	pthread_mutex_unlock(slot_lock);
	if (!p)
		return -ENOMEM;
	f = file_new(&pipe_ops, p, acc | (flags & O_NONBLOCK));
	if (!f)
		return -ENOMEM;
	pthread_mutex_lock(&p->lock);
	if (acc == O_WRONLY && nonblock && p->readers == 0) {
		pthread_mutex_unlock(&p->lock);
		free(f);
		return -ENXIO;
	}
	p->refs++;
	if (acc != O_WRONLY) {
		p->readers++;
		p->rcount++;
	}
	if (acc != O_RDONLY) {
		p->writers++;
		p->wcount++;
	}
	pthread_cond_broadcast(&p->cond);
	vfs_notify();
	/* A reader waits for a writer and a writer for a reader (O_RDWR and
	 * O_NONBLOCK readers never wait): for the partner's count of opens to
	 * move, not for the partner to be there still. */
	if (!nonblock && acc != O_RDWR &&
	    (acc == O_RDONLY ? p->writers == 0 : p->readers == 0)) {
		unsigned *cnt = acc == O_RDONLY ? &p->wcount : &p->rcount, seen = *cnt;

		while (r == 0 && *cnt == seen)
			r = pipe_wait(p, t);
	}
	pthread_mutex_unlock(&p->lock);
	if (r < 0) {
		file_put(f); /* undoes the counts through pipe_release */
		return r;
	}
	*ret = f;
	return 0;
}

int pipe_create(unsigned flags, struct file **ret_read, struct file **ret_write)
{
	struct pipe *p = pipe_alloc();
	struct file *r, *w;

	if (!p)
		return -ENOMEM;
	p->readers = p->writers = 1;
	p->refs = 2;
	flags &= O_NONBLOCK | O_DIRECT;
	r = file_new(&pipe_ops, p, O_RDONLY | flags);
	w = file_new(&pipe_ops, p, O_WRONLY | flags);
	if (!r || !w) {
		free(r); /* never shared: no release needed */
		free(w);
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->cond);
		free(p->buf);
		free(p->pkts);
		free(p);
		return -ENOMEM;
	}
	*ret_read = r;
	*ret_write = w;
	return 0;
}

int64_t pipe_fcntl(struct file *f, int cmd, uint64_t arg, int privileged)
{
	struct pipe *p = f->priv;
	uint8_t *nbuf;
	uint16_t *npk;
	size_t cap = PIPE_BUF;
	int64_t r;

	if (f->ops != &pipe_ops)
		return -EBADF;
	if (cmd == F_GETPIPE_SZ) {
		pthread_mutex_lock(&p->lock);
		r = (int64_t)p->cap;
		pthread_mutex_unlock(&p->lock);
		return r;
	}
	if (arg > (1ULL << 31))
		return -EINVAL;
	while (cap < arg)
		cap <<= 1;
	if (cap > PIPE_MAX_SIZE && !privileged)
		return -EPERM;
	if (cap > PIPE_MAX_SIZE)
		return -ENOMEM; /* beyond what the Sentry lets a pipe hold */
	nbuf = malloc(cap);
	npk = calloc(cap / PIPE_BUF, sizeof(*npk));
	if (!nbuf || !npk) {
		free(nbuf);
		free(npk);
		return -ENOMEM;
	}
	pthread_mutex_lock(&p->lock);
	if (p->len > cap || p->npkts > cap / PIPE_BUF) {
		pthread_mutex_unlock(&p->lock);
		free(nbuf);
		free(npk);
		return -EBUSY;
	}
	for (size_t i = 0; i < p->npkts; i++)
		npk[i] = p->pkts[(p->pkt_head + i) % (p->cap / PIPE_BUF)];
	p->len = ring_take(p, nbuf, p->len);
	free(p->buf);
	free(p->pkts);
	p->buf = nbuf;
	p->pkts = npk;
	p->head = p->pkt_head = 0;
	p->cap = cap;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return (int64_t)cap;
}

int pipe_ckpt_get(struct file *f, struct pipe_ckpt *ret)
{
	struct pipe *p = f->priv;
	uint8_t *data = NULL;
	uint32_t *pk = NULL;
	size_t len, cap, npk;

	if (f->ops != &pipe_ops)
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	len = p->len;
	cap = p->cap;
	npk = p->npkts;
	if ((len && !(data = malloc(len))) || (npk && !(pk = malloc(npk * sizeof(*pk))))) {
		pthread_mutex_unlock(&p->lock);
		free(data);
		return -ENOMEM;
	}
	for (size_t done = 0, pos = p->head; done < len;) {
		size_t n = MIN(len - done, cap - pos);

		memcpy(data + done, p->buf + pos, n);
		done += n;
		pos = (pos + n) % cap;
	}
	for (size_t i = 0; i < npk; i++)
		pk[i] = p->pkts[(p->pkt_head + i) % (cap / PIPE_BUF)];
	pthread_mutex_unlock(&p->lock);
	*ret = (struct pipe_ckpt){ .id = p, .cap = cap, .data = data, .len = len,
				   .packets = pk, .npackets = npk, .fifo = f->path.v != NULL };
	return 0;
}

int pipe_ckpt_save(struct file *f, const void **ret_id, size_t *ret_cap, void **ret_data,
		   size_t *ret_len)
{
	struct pipe_ckpt c;
	int r;

	if (f->path.v)
		return -EOPNOTSUPP; /* a FIFO: its vnode would need saving too */
	r = pipe_ckpt_get(f, &c);
	if (r < 0)
		return r;
	free(c.packets);
	if (c.npackets) {
		free(c.data);
		return -EOPNOTSUPP;
	}
	*ret_id = c.id;
	*ret_cap = c.cap;
	*ret_data = c.data;
	*ret_len = c.len;
	return 0;
}

/* Give the empty @p a buffer of @cap bytes holding @data and @npk packets
 * of the lengths @pk (summing to @len). */
static int pipe_load(struct pipe *p, size_t cap, const void *data, size_t len,
		     const uint32_t *pk, size_t npk)
{
	uint8_t *nbuf = NULL;
	uint16_t *npks = NULL;
	size_t sum = 0;

	if (cap < PIPE_SIZE / 16 || (cap & (cap - 1)) || cap > (1u << 20) || len > cap ||
	    npk > cap / PIPE_BUF)
		return -EINVAL;
	for (size_t i = 0; i < npk; i++) {
		if (pk[i] == 0 || pk[i] > PIPE_BUF)
			return -EINVAL;
		sum += pk[i];
	}
	if (npk && sum != len)
		return -EINVAL;
	nbuf = malloc(cap);
	npks = calloc(cap / PIPE_BUF, sizeof(*npks));
	if (!nbuf || !npks) {
		free(nbuf);
		free(npks);
		return -ENOMEM;
	}
	if (len)
		memcpy(nbuf, data, len);
	for (size_t i = 0; i < npk; i++)
		npks[i] = (uint16_t)pk[i];
	pthread_mutex_lock(&p->lock);
	if (p->len) {
		pthread_mutex_unlock(&p->lock);
		free(nbuf);
		free(npks);
		return -EBUSY;
	}
	free(p->buf);
	free(p->pkts);
	p->buf = nbuf;
	p->pkts = npks;
	p->cap = cap;
	p->head = p->pkt_head = 0;
	p->len = len;
	p->npkts = npk;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int pipe_ckpt_set_packets(void *pipe, const uint32_t *pk, size_t npk)
{
	struct pipe *p = pipe;
	size_t sum = 0;

	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < npk; i++)
		sum += pk[i] >= 1 && pk[i] <= PIPE_BUF ? pk[i] : p->cap + 1;
	if (p->npkts || npk > p->cap / PIPE_BUF || (npk && sum != p->len)) {
		pthread_mutex_unlock(&p->lock);
		return -EINVAL;
	}
	for (size_t i = 0; i < npk; i++)
		p->pkts[i] = (uint16_t)pk[i];
	p->pkt_head = 0;
	p->npkts = npk;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int pipe_ckpt_fifo_fill(struct file *f, size_t cap, const void *data, size_t len,
			const uint32_t *pk, size_t npk)
{
	if (f->ops != &pipe_ops || !f->path.v)
		return -EINVAL;
	return pipe_load(f->priv, cap, data, len, pk, npk);
}

int pipe_ckpt_new(size_t cap, const void *data, size_t len, void **ret)
{
	struct pipe *p;
	int r;

	if (cap < PIPE_SIZE / 16 || (cap & (cap - 1)) || cap > (1u << 20) || len > cap)
		return -EINVAL;
	p = pipe_alloc();
	if (!p)
		return -ENOMEM;
	p->refs = 1;
	r = pipe_load(p, cap, data, len, NULL, 0);
	if (r < 0) {
		pipe_put(p);
		return r;
	}
	*ret = p;
	return 0;
}

int pipe_ckpt_open(void *pipe, unsigned flags, struct file **ret)
{
	struct pipe *p = pipe;
	unsigned acc = flags & O_ACCMODE;
	struct file *f;

	if (acc == 3)
		return -EINVAL;
	f = file_new(&pipe_ops, p, flags);
	if (!f)
		return -ENOMEM;
	pthread_mutex_lock(&p->lock);
	p->refs++;
	if (acc != O_WRONLY)
		p->readers++;
	if (acc != O_RDONLY)
		p->writers++;
	pthread_mutex_unlock(&p->lock);
	*ret = f;
	return 0;
}

void pipe_ckpt_put(void *pipe)
{
	if (pipe)
		pipe_put(pipe);
}
