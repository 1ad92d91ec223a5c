/* SPDX-License-Identifier: Apache-2.0 */
/* inotify instances, watches and event queues (inotify.h). */
#include "inotify.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "eventfd.h"
#include "lib/macro.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/notify.h"
#include "sentry/vfs/vnode.h"

#define QUEUE_MAX 16384 /* /proc/sys/fs/inotify/max_queued_events */
#define WATCHES_MAX 8192 /* per instance */

/* Event bits a watch may ask for, and those always delivered. */
#define EV_ALL IN_ALL_EVENTS
#define EV_ALWAYS (IN_IGNORED | IN_Q_OVERFLOW | IN_UNMOUNT)
/* Events also reported to the parent directory's watches. */
#define EV_ON_CHILD (IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_OPEN)

int inotify_nwatches;

/* Protects every instance's queue and watch list, and vnode.watches. */
static pthread_mutex_t ino_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t cookie_next;
static uint64_t ino_next = 1;

struct ino_event {
	struct ino_event *next;
	int32_t wd;
	uint32_t mask, cookie;
	uint32_t len; /* name bytes in the record: NUL-padded to 16, 0 = none */
	char name[];
};

struct inotify_inst {
	pthread_cond_t cond; /* events queued */
	struct ino_event *head, **tail;
	size_t nevents, bytes;
	struct inotify_watch *watches; /* this instance's, by next_i */
	int nwatches;
	int next_wd;
	uint64_t ino;
};

struct inotify_watch {
	struct inotify_inst *in;
	struct vnode *v; /* referenced */
	int wd;
	uint32_t mask;
	struct inotify_watch *next_v; /* on the vnode */
	struct inotify_watch *next_i; /* in the instance */
};

uint32_t inotify_cookie(void)
{
	uint32_t c;

	do
		c = __atomic_add_fetch(&cookie_next, 1, __ATOMIC_RELAXED);
	while (c == 0);
	return c;
}

/* Queue an event on @in (ino_lock held), merging it with an identical
 * unread last one, as Linux. */
static void queue(struct inotify_inst *in, int32_t wd, uint32_t mask, uint32_t cookie,
		  const char *name)
{
	size_t nl = name && *name ? strlen(name) : 0;
	uint32_t len = nl ? (uint32_t)ALIGN_UP(nl + 1, sizeof(struct inotify_event)) : 0;
	struct ino_event *last = in->head ? (struct ino_event *)((char *)in->tail -
								 offsetof(struct ino_event, next))
					  : NULL;
	struct ino_event *e;

	if (last && last->wd == wd && last->mask == mask && last->cookie == cookie &&
	    last->len == len && (!len || strcmp(last->name, name) == 0))
		return;
	if (in->nevents >= QUEUE_MAX) {
		if (last && last->mask == IN_Q_OVERFLOW)
			return;
		wd = -1;
		mask = IN_Q_OVERFLOW;
		cookie = 0;
		len = 0;
	}
	e = calloc(1, sizeof(*e) + len);
	if (!e)
		return; /* lost, as under memory pressure */
	e->wd = wd;
	e->mask = mask;
	e->cookie = cookie;
	e->len = len;
	if (len)
		memcpy(e->name, name, nl);
	*in->tail = e;
	in->tail = &e->next;
	in->nevents++;
	in->bytes += sizeof(struct inotify_event) + len;
	pthread_cond_broadcast(&in->cond);
	vfs_notify();
}

/* Unlink @w from its vnode and instance (ino_lock held); the caller puts
 * the vnode reference and frees @w. */
static void unlink_watch(struct inotify_watch *w)
{
	struct inotify_watch **pp;

	for (pp = &w->v->watches; *pp; pp = &(*pp)->next_v)
		if (*pp == w) {
			__atomic_store_n(pp, w->next_v, __ATOMIC_RELEASE);
			break;
		}
	for (pp = &w->in->watches; *pp; pp = &(*pp)->next_i)
		if (*pp == w) {
			*pp = w->next_i;
			break;
		}
	w->in->nwatches--;
	__atomic_sub_fetch(&inotify_nwatches, 1, __ATOMIC_RELAXED);
}

/* Deliver @mask to the watches of @v (ino_lock held); removed watches
 * (IN_ONESHOT) are put on *@gone. */
static void deliver(struct vnode *v, uint32_t mask, uint32_t cookie, const char *name,
		    struct inotify_watch **gone)
{
	struct inotify_watch *w = v->watches, *next;

	for (; w; w = next) {
		uint32_t ev = mask & (w->mask | EV_ALWAYS);

		next = w->next_v;
		if (!(ev & (EV_ALL | EV_ALWAYS)))
			continue;
		queue(w->in, w->wd, ev | (mask & IN_ISDIR), cookie, name);
		if (w->mask & IN_ONESHOT) {
			queue(w->in, w->wd, IN_IGNORED, 0, NULL);
			unlink_watch(w);
			w->next_v = *gone;
			*gone = w;
		}
	}
}

static void put_gone(struct inotify_watch *gone)
{
	while (gone) {
		struct inotify_watch *w = gone;

		gone = w->next_v;
		vnode_put(w->v);
		free(w);
	}
}

/* @mask on @v, and on @parent (may be NULL) as the event of its entry
 * @name: the parent first, as Linux. */
static void event2(struct vnode *v, struct vnode *parent, const char *name, uint32_t mask)
{
	struct inotify_watch *gone = NULL;

	if (S_ISDIR(v->mode))
		mask |= IN_ISDIR;
	pthread_mutex_lock(&ino_lock);
	if (parent && (mask & EV_ON_CHILD))
		deliver(parent, mask & (EV_ON_CHILD | IN_ISDIR), 0, name, &gone);
	deliver(v, mask, 0, NULL, &gone);
	pthread_mutex_unlock(&ino_lock);
	put_gone(gone);
}

void inotify_vnode_event(struct vnode *v, uint32_t mask, bool to_parent)
{
	struct vnode *parent = NULL;
	char name[VFS_NAME_MAX + 1];

	if (to_parent && (mask & EV_ON_CHILD)) {
		pthread_mutex_lock(&v->lock);
		if (v->parent && __atomic_load_n(&v->parent->watches, __ATOMIC_ACQUIRE))
			parent = vnode_get(v->parent);
		pthread_mutex_unlock(&v->lock);
		if (parent && vnode_name_hint(v, name) < 0) {
			vnode_put(parent);
			parent = NULL;
		}
	}
	if (!__atomic_load_n(&v->watches, __ATOMIC_ACQUIRE) && !parent)
		return;
	event2(v, parent, name, mask);
	if (parent)
		vnode_put(parent);
}

void inotify_file_event(struct file *f, uint32_t mask)
{
	struct vnode *v = f->path.v, *dir = f->dir.v;

	if (!v)
		return;
	if (!dir || !f->name || !__atomic_load_n(&dir->watches, __ATOMIC_ACQUIRE)) {
		inotify_vnode_event(v, mask, true);
		return;
	}
	if (!__atomic_load_n(&v->watches, __ATOMIC_ACQUIRE) &&
	    !__atomic_load_n(&dir->watches, __ATOMIC_ACQUIRE))
		return;
	event2(v, dir, f->name, mask);
}

void inotify_dir_event(struct vnode *dir, const char *name, uint32_t mask, uint32_t cookie)
{
	struct inotify_watch *gone = NULL;

	if (!__atomic_load_n(&dir->watches, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&ino_lock);
	deliver(dir, mask, cookie, name, &gone);
	pthread_mutex_unlock(&ino_lock);
	put_gone(gone);
}

void inotify_vnode_deleted(struct vnode *v)
{
	struct inotify_watch *gone = NULL;

	if (!inotify_active() || !__atomic_load_n(&v->watches, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&ino_lock);
	deliver(v, IN_DELETE_SELF | (S_ISDIR(v->mode) ? IN_ISDIR : 0), 0, NULL, &gone);
	while (v->watches) {
		struct inotify_watch *w = v->watches;

		queue(w->in, w->wd, IN_IGNORED, 0, NULL);
		unlink_watch(w);
		w->next_v = gone;
		gone = w;
	}
	pthread_mutex_unlock(&ino_lock);
	put_gone(gone);
}

/* The file. */

static ssize_t ino_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *off)
{
	struct inotify_inst *in = f->priv;
	size_t done = 0;
	ssize_t r = 0;
	int nb;

	(void)off;
	pthread_mutex_lock(&f->lock);
	nb = !!(f->flags & O_NONBLOCK);
	pthread_mutex_unlock(&f->lock);
	pthread_mutex_lock(&ino_lock);
	while (!in->head) {
		if (nb) {
			r = -EAGAIN;
			goto out;
		}
		r = vfs_wait_interruptible(t, &in->cond, &ino_lock);
		if (r < 0)
			goto out;
	}
	while (in->head) {
		struct ino_event *e = in->head;
		struct inotify_event rec = {
			.wd = e->wd, .mask = e->mask, .cookie = e->cookie, .len = e->len,
		};
		size_t need = sizeof(rec) + e->len;

		if (done + need > len)
			break;
		memcpy((char *)buf + done, &rec, sizeof(rec));
		memcpy((char *)buf + done + sizeof(rec), e->name, e->len);
		done += need;
		in->head = e->next;
		if (!in->head)
			in->tail = &in->head;
		in->nevents--;
		in->bytes -= need;
		free(e);
	}
	r = done ? (ssize_t)done : -EINVAL; /* the first event does not fit */
out:
	pthread_mutex_unlock(&ino_lock);
	return r;
}

static unsigned ino_poll(struct file *f)
{
	struct inotify_inst *in = f->priv;
	unsigned ev;

	pthread_mutex_lock(&ino_lock);
	ev = in->head ? POLLIN | POLLRDNORM : 0;
	pthread_mutex_unlock(&ino_lock);
	return ev;
}

static int64_t ino_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	struct inotify_inst *in = f->priv;
	int n;

	if (cmd != FIONREAD)
		return -ENOTTY;
	pthread_mutex_lock(&ino_lock);
	n = (int)in->bytes;
	pthread_mutex_unlock(&ino_lock);
	return task_copy_out(t, arg, &n, sizeof(n)) == sizeof(n) ? 0 : -EFAULT;
}

static int ino_fstat(struct file *f, struct stat *st)
{
	return anon_fstat(st, ((struct inotify_inst *)f->priv)->ino);
}

static void ino_release(struct file *f)
{
	struct inotify_inst *in = f->priv;
	struct inotify_watch *gone = NULL;

	pthread_mutex_lock(&ino_lock);
	while (in->watches) {
		struct inotify_watch *w = in->watches;

		unlink_watch(w);
		w->next_v = gone;
		gone = w;
	}
	while (in->head) {
		struct ino_event *e = in->head;

		in->head = e->next;
		free(e);
	}
	pthread_mutex_unlock(&ino_lock);
	put_gone(gone);
	pthread_cond_destroy(&in->cond);
	free(in);
}

static const struct file_ops ino_ops = {
	.read = ino_read,
	.poll = ino_poll,
	.ioctl = ino_ioctl,
	.fstat = ino_fstat,
	.release = ino_release,
};

int inotify_file_new(unsigned flags, struct file **ret)
{
	struct inotify_inst *in;
	struct file *f;

	if (flags & ~(unsigned)IN_NONBLOCK)
		return -EINVAL;
	in = calloc(1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	pthread_cond_init(&in->cond, NULL);
	in->tail = &in->head;
	in->next_wd = 1;
	in->ino = __atomic_fetch_add(&ino_next, 1, __ATOMIC_RELAXED);
	f = file_new(&ino_ops, in, O_RDONLY | ((flags & IN_NONBLOCK) ? O_NONBLOCK : 0));
	if (!f) {
		pthread_cond_destroy(&in->cond);
		free(in);
		return -ENOMEM;
	}
	*ret = f;
	return 0;
}

int inotify_file_is(struct file *f)
{
	return f->ops == &ino_ops;
}

int inotify_file_add_watch(struct file *f, struct vnode *v, uint32_t mask)
{
	struct inotify_inst *in = f->priv;
	struct inotify_watch *w;
	int r;

	if (!(mask & INOTIFY_ALL_BITS))
		return -EINVAL;
	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	if ((mask & IN_ONLYDIR) && !S_ISDIR(v->mode))
		return -ENOTDIR;
	bool create_only = mask & IN_MASK_CREATE;

	mask &= EV_ALL | IN_ONESHOT | IN_EXCL_UNLINK | IN_MASK_ADD;
	pthread_mutex_lock(&ino_lock);
	for (w = v->watches; w; w = w->next_v)
		if (w->in == in)
			break;
	if (w) {
		if (create_only) {
			r = -EEXIST;
		} else {
			w->mask = (mask & IN_MASK_ADD) ? w->mask | (mask & ~(uint32_t)IN_MASK_ADD)
						       : mask;
			r = w->wd;
		}
		pthread_mutex_unlock(&ino_lock);
		return r;
	}
	if (in->nwatches >= WATCHES_MAX) {
		pthread_mutex_unlock(&ino_lock);
		return -ENOSPC;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		pthread_mutex_unlock(&ino_lock);
		return -ENOMEM;
	}
	w->in = in;
	w->v = vnode_get(v);
	w->wd = in->next_wd++;
	w->mask = mask & ~(uint32_t)IN_MASK_ADD;
	w->next_i = in->watches;
	in->watches = w;
	in->nwatches++;
	w->next_v = v->watches;
	__atomic_store_n(&v->watches, w, __ATOMIC_RELEASE);
	__atomic_add_fetch(&inotify_nwatches, 1, __ATOMIC_RELAXED);
	r = w->wd;
	pthread_mutex_unlock(&ino_lock);
	return r;
}

int inotify_file_rm_watch(struct file *f, int wd)
{
	struct inotify_inst *in = f->priv;
	struct inotify_watch *w;

	pthread_mutex_lock(&ino_lock);
	for (w = in->watches; w; w = w->next_i)
		if (w->wd == wd)
			break;
	if (!w) {
		pthread_mutex_unlock(&ino_lock);
		return -EINVAL;
	}
	queue(in, w->wd, IN_IGNORED, 0, NULL);
	unlink_watch(w);
	pthread_mutex_unlock(&ino_lock);
	vnode_put(w->v);
	free(w);
	return 0;
}

int inotify_ckpt_get(struct file *f, struct inotify_ckpt *ret)
{
	struct inotify_inst *in = f->priv;
	struct inotify_ckpt c = { 0 };
	size_t i = 0, off = 0;

	if (!inotify_file_is(f))
		return -EINVAL;
	pthread_mutex_lock(&ino_lock);
	c.watches = calloc((size_t)in->nwatches + 1, sizeof(*c.watches));
	c.events = malloc(in->bytes + 1);
	if (!c.watches || !c.events) {
		pthread_mutex_unlock(&ino_lock);
		free(c.watches);
		free(c.events);
		return -ENOMEM;
	}
	for (struct inotify_watch *w = in->watches; w; w = w->next_i, i++)
		c.watches[i] = (struct inotify_ckpt_watch){ w->wd, w->mask, vnode_get(w->v) };
	c.nwatches = i;
	for (struct ino_event *e = in->head; e; e = e->next) {
		struct inotify_event rec = {
			.wd = e->wd, .mask = e->mask, .cookie = e->cookie, .len = e->len,
		};

		memcpy(c.events + off, &rec, sizeof(rec));
		memcpy(c.events + off + sizeof(rec), e->name, e->len);
		off += sizeof(rec) + e->len;
	}
	c.events_len = off;
	c.next_wd = in->next_wd;
	pthread_mutex_unlock(&ino_lock);
	*ret = c;
	return 0;
}

void inotify_ckpt_free(struct inotify_ckpt *c)
{
	for (size_t i = 0; c->watches && i < c->nwatches; i++)
		vnode_put(c->watches[i].v);
	free(c->watches);
	free(c->events);
}

int inotify_ckpt_add_watch(struct file *f, struct vnode *v, uint32_t mask, int wd)
{
	struct inotify_inst *in = f->priv;
	struct inotify_watch *w;
	int r;

	if (!inotify_file_is(f) || wd <= 0 ||
	    (mask & ~(uint32_t)(EV_ALL | IN_ONESHOT | IN_EXCL_UNLINK)))
		return -EINVAL;
	pthread_mutex_lock(&ino_lock);
	for (w = in->watches; w; w = w->next_i)
		if (w->wd == wd || w->v == v)
			break;
	pthread_mutex_unlock(&ino_lock);
	if (w)
		return -EEXIST;
	r = inotify_file_add_watch(f, v, mask | IN_MASK_CREATE);
	if (r < 0)
		return r;
	pthread_mutex_lock(&ino_lock);
	for (w = in->watches; w; w = w->next_i)
		if (w->wd == r)
			w->wd = wd; /* the saved descriptor */
	in->next_wd = MAX(in->next_wd, wd + 1);
	pthread_mutex_unlock(&ino_lock);
	return 0;
}

int inotify_ckpt_set(struct file *f, int next_wd, const void *events, size_t len)
{
	struct inotify_inst *in = f->priv;
	const char *p = events;
	size_t off = 0, n = 0;

	if (!inotify_file_is(f) || next_wd <= 0)
		return -EINVAL;
	/* the records first: whole, names NUL-terminated, not too many */
	while (off < len) {
		struct inotify_event rec;

		if (len - off < sizeof(rec))
			return -EINVAL;
		memcpy(&rec, p + off, sizeof(rec));
		if (rec.len > len - off - sizeof(rec) || rec.len > VFS_NAME_MAX + 1 + 16 ||
		    (rec.len && p[off + sizeof(rec) + rec.len - 1] != 0) || ++n > QUEUE_MAX)
			return -EINVAL;
		off += sizeof(rec) + rec.len;
	}
	pthread_mutex_lock(&ino_lock);
	in->next_wd = MAX(in->next_wd, next_wd);
	for (off = 0; off < len;) {
		struct inotify_event rec;

		memcpy(&rec, p + off, sizeof(rec));
		queue(in, rec.wd, rec.mask, rec.cookie, rec.len ? p + off + sizeof(rec) : NULL);
		off += sizeof(rec) + rec.len;
	}
	pthread_mutex_unlock(&ino_lock);
	return 0;
}
