/* SPDX-License-Identifier: Apache-2.0 */
/*
 * epoll: an interest list of (fd, file) pairs scanned for readiness.
 *
 * Registrations hold a reference to their file and are dropped when a scan
 * finds that the fd no longer names that file in the waiting task's table
 * (Linux drops them when the description dies; a description kept alive
 * only by a dup of a closed fd is the one case that differs).  Waiting
 * uses the sandbox-wide readiness sequence (sentry/vfs/notify.h).
 *
 * EPOLLET reports a ready file again only after a readiness change
 * somewhere in the sandbox since its last report (or new ready bits):
 * never fewer events than Linux, sometimes more, which edge-triggered
 * programs (that read until EAGAIN) accept.  EPOLLONESHOT disables the
 * item after one report until EPOLL_CTL_MOD.  EPOLLEXCLUSIVE is accepted.
 */
#include "eventfd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/notify.h"

#define EP_MAX_ITEMS 65536
#define EP_DEPTH_MAX 5
#define EP_SIGNAL_CHECK_NS (50 * NSEC_PER_MSEC)
#define EP_VALID                                                                            \
	(EPOLLIN | EPOLLPRI | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLRDNORM | EPOLLRDBAND |  \
	 EPOLLWRNORM | EPOLLWRBAND | EPOLLMSG | EPOLLRDHUP | EPOLLEXCLUSIVE | EPOLLWAKEUP | \
	 EPOLLONESHOT | EPOLLET)

struct epitem {
	int fd;
	struct file *file; /* referenced */
	uint32_t events;
	uint64_t data;
	int disabled;      /* EPOLLONESHOT fired */
	unsigned last;     /* readiness at the last report (EPOLLET) */
	uint32_t seq;      /* notify sequence at the last report (EPOLLET) */
};

struct ep {
	pthread_mutex_t lock; /* protects items */
	struct epitem *items;
	size_t n, cap;
	uint64_t ino;
};

static uint64_t ep_ino_next = 1;
static const struct file_ops ep_ops;

int epoll_file_is(struct file *f)
{
	return f->ops == &ep_ops;
}

static unsigned readiness(struct file *f, int depth);

/* Readiness of @ep itself (nested epoll, poll on an epoll fd): readable
 * when any enabled item is ready. */
static unsigned ep_ready(struct ep *ep, int depth)
{
	unsigned ev = 0;

	if (depth > EP_DEPTH_MAX)
		return 0;
	pthread_mutex_lock(&ep->lock);
	for (size_t i = 0; i < ep->n && !ev; i++) {
		struct epitem *it = &ep->items[i];

		if (!it->disabled &&
		    (readiness(it->file, depth + 1) & (it->events | EPOLLERR | EPOLLHUP)))
			ev = POLLIN | POLLRDNORM;
	}
	pthread_mutex_unlock(&ep->lock);
	return ev;
}

static unsigned readiness(struct file *f, int depth)
{
	if (f->ops == &ep_ops)
		return ep_ready(f->priv, depth);
	if (f->ops->poll)
		return f->ops->poll(f);
	return (file_readable(f) ? POLLIN | POLLRDNORM : 0) |
	       (file_writable(f) ? POLLOUT | POLLWRNORM : 0);
}

static unsigned ep_poll(struct file *f)
{
	return ep_ready(f->priv, 0);
}

static int ep_fstat(struct file *f, struct stat *st)
{
	return anon_fstat(st, ((struct ep *)f->priv)->ino);
}

static void ep_release(struct file *f)
{
	struct ep *ep = f->priv;

	for (size_t i = 0; i < ep->n; i++)
		file_put(ep->items[i].file);
	free(ep->items);
	pthread_mutex_destroy(&ep->lock);
	free(ep);
}

static const struct file_ops ep_ops = {
	.poll = ep_poll,
	.fstat = ep_fstat,
	.release = ep_release,
};

int epoll_file_new(struct file **ret)
{
	struct ep *ep = calloc(1, sizeof(*ep));
	struct file *f;

	if (!ep)
		return -ENOMEM;
	pthread_mutex_init(&ep->lock, NULL);
	ep->ino = __atomic_fetch_add(&ep_ino_next, 1, __ATOMIC_RELAXED);
	f = file_new(&ep_ops, ep, O_RDWR);
	if (!f) {
		pthread_mutex_destroy(&ep->lock);
		free(ep);
		return -ENOMEM;
	}
	*ret = f;
	return 0;
}

static struct epitem *find(struct ep *ep, int fd, struct file *file)
{
	for (size_t i = 0; i < ep->n; i++)
		if (ep->items[i].fd == fd && ep->items[i].file == file)
			return &ep->items[i];
	return NULL;
}

/* Does @f (an epoll) watch @target, directly or through nested epolls? */
static int watches(struct file *f, struct file *target, int depth)
{
	struct ep *ep = f->priv;
	int found = 0;

	if (depth > EP_DEPTH_MAX)
		return 1; /* too deep counts as a loop */
	pthread_mutex_lock(&ep->lock);
	for (size_t i = 0; i < ep->n && !found; i++)
		found = ep->items[i].file == target ||
			(epoll_file_is(ep->items[i].file) && watches(ep->items[i].file, target, depth + 1));
	pthread_mutex_unlock(&ep->lock);
	return found;
}

int epoll_file_ctl(struct file *epf, int op, int fd, struct file *target, uint32_t events,
	      uint64_t data)
{
	struct ep *ep = epf->priv;
	struct epitem *it;
	int r = 0;

	if (target == epf)
		return -EINVAL;
	/* Regular files and directories are always ready: Linux refuses them. */
	if (target->path.v && (S_ISREG(target->path.v->mode) || S_ISDIR(target->path.v->mode)))
		return -EPERM;
	if (op != EPOLL_CTL_DEL && (events & ~(uint32_t)EP_VALID))
		return -EINVAL;
	if ((events & EPOLLEXCLUSIVE) &&
	    (op == EPOLL_CTL_MOD || (events & (EPOLLONESHOT | EPOLLWAKEUP)) != 0 ||
	     epoll_file_is(target)))
		return -EINVAL;
	if (op == EPOLL_CTL_ADD && epoll_file_is(target) && watches(target, epf, 0))
		return -ELOOP;
	pthread_mutex_lock(&ep->lock);
	it = find(ep, fd, target);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (it) {
			r = -EEXIST;
			break;
		}
		if (ep->n >= EP_MAX_ITEMS) {
			r = -ENOSPC;
			break;
		}
		if (ep->n == ep->cap) {
			size_t cap = ep->cap ? ep->cap * 2 : 8;
			struct epitem *ni = realloc(ep->items, cap * sizeof(*ni));

			if (!ni) {
				r = -ENOMEM;
				break;
			}
			ep->items = ni;
			ep->cap = cap;
		}
		ep->items[ep->n++] = (struct epitem){ .fd = fd, .file = file_get(target),
						      .events = events, .data = data };
		break;
	case EPOLL_CTL_MOD:
		if (!it) {
			r = -ENOENT;
			break;
		}
		if (it->events & EPOLLEXCLUSIVE) {
			r = -EINVAL;
			break;
		}
		it->events = events;
		it->data = data;
		it->disabled = 0;
		it->last = 0;
		break;
	case EPOLL_CTL_DEL:
		if (!it) {
			r = -ENOENT;
			break;
		}
		file_put(it->file);
		*it = ep->items[--ep->n];
		break;
	default:
		r = -EINVAL;
	}
	pthread_mutex_unlock(&ep->lock);
	if (r == 0 && op != EPOLL_CTL_DEL)
		vfs_notify(); /* a waiter may now have something to report */
	return r;
}

/* One pass: drop stale registrations, collect up to @max events. */
static int scan(struct ep *ep, struct task *t, struct epoll_event *out, int max, uint32_t seq)
{
	int n = 0;

	pthread_mutex_lock(&ep->lock);
	for (size_t i = 0; i < ep->n && n < max;) {
		struct epitem *it = &ep->items[i];
		struct file *now = fdt_lookup(t->fdt, it->fd);
		unsigned ready;

		if (now != it->file) { /* the fd was closed (or reused) */
			file_put(now);
			file_put(it->file);
			*it = ep->items[--ep->n];
			continue;
		}
		file_put(now);
		i++;
		if (it->disabled)
			continue;
		ready = readiness(it->file, 1) & (it->events | EPOLLERR | EPOLLHUP);
		if (!ready) {
			it->last = 0;
			continue;
		}
		if ((it->events & EPOLLET) && it->seq == seq && !(ready & ~it->last))
			continue;
		it->last = ready;
		it->seq = seq;
		if (it->events & EPOLLONESHOT)
			it->disabled = 1;
		out[n].events = ready;
		out[n].data.u64 = it->data;
		n++;
	}
	pthread_mutex_unlock(&ep->lock);
	return n;
}

int epoll_file_wait(struct file *epf, struct task *t, struct epoll_event *out, int max,
		      uint64_t deadline)
{
	struct ep *ep = epf->priv;

	for (;;) {
		/* ET items report again only once the sequence moved past the
		 * value their last report saw: take it before scanning. */
		uint32_t seq = vfs_notify_seq();
		int n = scan(ep, t, out, max, seq), intr;
		uint64_t now;

		if (n > 0 || deadline == 0)
			return n;
		now = mono_ns();
		if (now >= deadline)
			return 0;
		intr = task_interrupted(t, -EINTR);
		if (intr < 0)
			return intr;
		task_block_begin(t);
		vfs_notify_wait(seq, MIN(deadline, now + EP_SIGNAL_CHECK_NS));
		task_block_end(t);
	}
}

int epoll_ckpt_items(struct file *epf, struct epoll_ckpt_item **ret, size_t *ret_n)
{
	struct ep *ep = epf->priv;
	struct epoll_ckpt_item *v;
	size_t n;

	if (!epoll_file_is(epf))
		return -EINVAL;
	pthread_mutex_lock(&ep->lock);
	n = ep->n;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		pthread_mutex_unlock(&ep->lock);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = (struct epoll_ckpt_item){ .fd = ep->items[i].fd,
						 .file = file_get(ep->items[i].file),
						 .events = ep->items[i].events,
						 .data = ep->items[i].data,
						 .disabled = ep->items[i].disabled };
	pthread_mutex_unlock(&ep->lock);
	*ret = v;
	*ret_n = n;
	return 0;
}

void epoll_ckpt_items_free(struct epoll_ckpt_item *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		file_put(v[i].file);
	free(v);
}

int epoll_ckpt_add(struct file *epf, const struct epoll_ckpt_item *it)
{
	struct ep *ep = epf->priv;
	int r;

	if (!epoll_file_is(epf) || it->fd < 0 || it->file == epf)
		return -EINVAL;
	/* the checks of EPOLL_CTL_ADD (loops, kinds, flags), then the state */
	r = epoll_file_ctl(epf, EPOLL_CTL_ADD, it->fd, it->file, it->events, it->data);
	if (r < 0 || !it->disabled)
		return r;
	pthread_mutex_lock(&ep->lock);
	find(ep, it->fd, it->file)->disabled = 1;
	pthread_mutex_unlock(&ep->lock);
	return 0;
}
