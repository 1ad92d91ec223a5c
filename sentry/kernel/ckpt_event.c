/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checkpoint and restore of the event files (ckpt.h): epoll instances with
 * their interest lists, timerfds, signalfds, FIFOs (named pipes) with their
 * buffered data and packet-mode pipes.  ckpt_save.c / ckpt_restore.c call
 * in here for each description; the objects themselves are reached through
 * small accessors of sentry/fs/ (eventfd.h, pipe.h).
 */
#include "sentry/kernel/ckpt.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "checkpoint/image.h"
#include "lib/macro.h"
#include "sentry/fs/eventfd.h"
#include "sentry/fs/inotify.h"
#include "sentry/fs/pipe.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/root_ctx.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"

/* ---- save ---- */

static int ev_fail(const struct ckpt_event_saver *sv, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int ev_fail(const struct ckpt_event_saver *sv, int r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sv->fail(sv->ctx, r, msg);
}

static int save_epoll(const struct ckpt_event_saver *sv, struct file *f, const char *path,
		      Cvisor__Ckpt__File *pf)
{
	struct epoll_ckpt_item *v = NULL;
	size_t n = 0;
	int r;

	r = epoll_ckpt_items(f, &v, &n);
	if (r < 0)
		return ev_fail(sv, r, "%s: %s", path, strerror(-r));
	pf->kind = CVISOR__CKPT__FILE__KIND__EPOLL;
	pf->epoll_items = sv->alloc(sv->ctx, n * sizeof(*pf->epoll_items));
	r = pf->epoll_items ? 0 : -ENOMEM;
	for (size_t i = 0; i < n && r == 0; i++) {
		Cvisor__Ckpt__EpollItem *it = sv->alloc(sv->ctx, sizeof(*it));

		if (!it) {
			r = -ENOMEM;
			break;
		}
		cvisor__ckpt__epoll_item__init(it);
		it->fd = v[i].fd;
		it->events = v[i].events;
		it->data = v[i].data;
		it->disabled = v[i].disabled != 0;
		/* the watched file: any saved kind, an epoll too */
		r = sv->file_id(sv->ctx, v[i].file, v[i].fd, &it->file_id);
		if (r == 0)
			pf->epoll_items[pf->n_epoll_items++] = it;
	}
	epoll_ckpt_items_free(v, n);
	return r;
}

static int save_pipe(const struct ckpt_event_saver *sv, struct file *f, const char *path,
		     const struct pipe_ckpt *c, Cvisor__Ckpt__File *pf)
{
	Cvisor__Ckpt__Pipe *pp = NULL;
	int created = 0, r;

	if (c->fifo && (path[0] != '/' || strstr(path, " (deleted)")))
		return ev_fail(sv, -EOPNOTSUPP, "%s: an unlinked FIFO (not saved yet)", path);
	r = sv->pipe(sv->ctx, c->id, &pp, &created);
	if (r < 0)
		return r;
	pf->kind = c->fifo ? CVISOR__CKPT__FILE__KIND__FIFO : CVISOR__CKPT__FILE__KIND__PIPE;
	pf->pipe_id = pp->id;
	if (c->fifo) {
		pf->path = sv->alloc(sv->ctx, strlen(path) + 1);
		if (!pf->path)
			return -ENOMEM;
		memcpy(pf->path, path, strlen(path) + 1);
	}
	if (!created)
		return 0;
	pp->capacity = c->cap;
	pp->data.len = c->len;
	pp->data.data = sv->alloc(sv->ctx, c->len);
	pp->packets = sv->alloc(sv->ctx, c->npackets * sizeof(*pp->packets));
	if (!pp->data.data || !pp->packets)
		return -ENOMEM;
	if (c->len)
		memcpy(pp->data.data, c->data, c->len);
	if (c->npackets)
		memcpy(pp->packets, c->packets, c->npackets * sizeof(*pp->packets));
	pp->n_packets = c->npackets;
	return 0;
}

/* The absolute path at which the root context @c reaches @v: the mount
 * holding it is not recorded, so each is tried and the walk back must give
 * @v itself. */
static int vnode_path(struct kernel *k, struct kernel_root_ctx *c, struct vnode *v, char *buf,
		      size_t len)
{
	for (int i = -1; i < k->nmounts; i++) {
		struct path p = { i < 0 ? k->root.mnt : k->mounts[i], v }, back;
		int ok;

		if (!p.mnt || vfs_path_string(k->root, p, buf, len) < 0 || buf[0] != '/')
			continue;
		if (vfs_walk(&c->t, AT_FDCWD, buf, 0, &back) < 0)
			continue;
		ok = back.v == v;
		path_put(&back);
		if (ok)
			return 0;
	}
	return -ENOENT;
}

static int save_inotify(const struct ckpt_event_saver *sv, struct file *f, const char *path,
			Cvisor__Ckpt__File *pf)
{
	struct inotify_ckpt c = { 0 };
	struct kernel_root_ctx rc;
	char *wpath = malloc(VFS_PATH_MAX);
	int r;

	if (!wpath)
		return -ENOMEM;
	r = kernel_root_ctx_init(sv->k, &rc);
	if (r < 0) {
		free(wpath);
		return r;
	}
	r = inotify_ckpt_get(f, &c);
	if (r < 0)
		r = ev_fail(sv, r, "%s: %s", path, strerror(-r));
	pf->kind = CVISOR__CKPT__FILE__KIND__INOTIFY;
	pf->inotify_next_wd = c.next_wd;
	pf->inotify_watches = r == 0 ? sv->alloc(sv->ctx, c.nwatches * sizeof(void *)) : NULL;
	pf->inotify_events.data = r == 0 ? sv->alloc(sv->ctx, c.events_len) : NULL;
	if (r == 0 && (!pf->inotify_watches || !pf->inotify_events.data))
		r = -ENOMEM;
	if (r == 0) {
		memcpy(pf->inotify_events.data, c.events, c.events_len);
		pf->inotify_events.len = c.events_len;
	}
	for (size_t i = 0; i < c.nwatches && r == 0; i++) {
		Cvisor__Ckpt__InotifyWatch *w = sv->alloc(sv->ctx, sizeof(*w));

		if (!w) {
			r = -ENOMEM;
			break;
		}
		cvisor__ckpt__inotify_watch__init(w);
		w->wd = c.watches[i].wd;
		w->mask = c.watches[i].mask;
		if (vnode_path(sv->k, &rc, c.watches[i].v, wpath, VFS_PATH_MAX) < 0) {
			r = ev_fail(sv, -EOPNOTSUPP,
				    "%s: watch %d is on a file no path reaches (deleted, or "
				    "hidden by a mount): not saved yet", path, w->wd);
			break;
		}
		w->path = sv->alloc(sv->ctx, strlen(wpath) + 1);
		if (!w->path) {
			r = -ENOMEM;
			break;
		}
		memcpy(w->path, wpath, strlen(wpath) + 1);
		pf->inotify_watches[pf->n_inotify_watches++] = w;
	}
	inotify_ckpt_free(&c);
	kernel_root_ctx_fini(&rc);
	free(wpath);
	return r;
}

int ckpt_event_save(const struct ckpt_event_saver *sv, struct file *f, const char *path,
		    Cvisor__Ckpt__File *pf)
{
	clockid_t clock;
	int r;

	if (epoll_file_is(f))
		return save_epoll(sv, f, path, pf);
	if (timerfd_file_is(f)) {
		Cvisor__Ckpt__Timerfd *t = sv->alloc(sv->ctx, sizeof(*t));

		if (!t)
			return -ENOMEM;
		cvisor__ckpt__timerfd__init(t);
		r = timerfd_ckpt_get(f, &clock, &t->next_ns, &t->interval_ns, &t->ticks);
		if (r < 0)
			return ev_fail(sv, r, "%s: %s", path, strerror(-r));
		t->clock = clock;
		pf->kind = CVISOR__CKPT__FILE__KIND__TIMERFD;
		pf->timerfd = t;
		return 0;
	}
	if (inotify_file_is(f))
		return save_inotify(sv, f, path, pf);
	if (signalfd_file_is(f)) {
		r = signalfd_ckpt_get(f, &pf->signal_mask);
		if (r < 0)
			return ev_fail(sv, r, "%s: %s", path, strerror(-r));
		pf->kind = CVISOR__CKPT__FILE__KIND__SIGNALFD;
		return 0;
	}
	if (pipe_file_is(f)) {
		struct pipe_ckpt c;

		r = pipe_ckpt_get(f, &c);
		if (r < 0)
			return ev_fail(sv, r, "%s: %s", path, strerror(-r));
		/* plain anonymous pipes are ckpt_save.c's */
		r = c.fifo || c.npackets ? save_pipe(sv, f, path, &c, pf) : -ENOENT;
		free(c.data);
		free(c.packets);
		return r;
	}
	return -ENOENT;
}

/* ---- restore ---- */

static int rs_err(char *err, size_t errlen, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int rs_err(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	if (err[0])
		return r;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

static const Cvisor__Ckpt__Pipe *pipe_of(const ImgState *img, uint32_t id)
{
	for (size_t i = 0; i < img->n_pipes; i++)
		if (img->pipes[i]->id == id)
			return img->pipes[i];
	return NULL; /* img_state_check made this impossible */
}

static void set_flags(struct file *f, unsigned acc, const Cvisor__Ckpt__File *pf)
{
	pthread_mutex_lock(&f->lock);
	f->flags = acc | (pf->flags & FILE_SETFL_MASK);
	pthread_mutex_unlock(&f->lock);
}

/* An end of the FIFO at pf->path (recreated by ckpt_fs.c): opened without
 * waiting for a partner; the first end of a pipe in the image fills the
 * FIFO's buffer. */
static int restore_fifo(struct task *helper, const ImgState *img, const Cvisor__Ckpt__File *pf,
			struct file **ret, char *err, size_t errlen)
{
	const unsigned how = O_NONBLOCK | O_NOFOLLOW | O_NOCTTY;
	const Cvisor__Ckpt__Pipe *pp = pipe_of(img, pf->pipe_id);
	unsigned acc = pf->flags & O_ACCMODE;
	struct file *keep = NULL, *f = NULL;
	int first = 1, r;

	if (!pp)
		return -EINVAL;
	for (size_t i = 0; i < img->n_files && img->files[i] != pf; i++)
		first &= !(img->files[i]->kind == CVISOR__CKPT__FILE__KIND__FIFO &&
			   img->files[i]->pipe_id == pf->pipe_id);
	/* a reader and writer while the end is opened: a lone O_WRONLY open
	 * would fail (ENXIO) and a FIFO nobody holds drops its data */
	r = vfs_open(helper, AT_FDCWD, pf->path, O_RDWR | how, 0, &keep);
	if (r == 0 && (!pipe_file_is(keep) || !keep->path.v))
		r = -ESTALE;
	if (r == 0 && first)
		r = pipe_ckpt_fifo_fill(keep, pp->capacity, pp->data.data, pp->data.len,
					pp->packets, pp->n_packets);
	if (r == 0)
		r = vfs_open(helper, AT_FDCWD, pf->path, acc | how, 0, &f);
	if (keep)
		file_put(keep);
	if (r < 0)
		return rs_err(err, errlen, r, "FIFO %s: %s", pf->path, strerror(-r));
	set_flags(f, acc, pf);
	*ret = f;
	return 0;
}

int ckpt_event_restore_file(struct task *helper, const ImgState *img, const Cvisor__Ckpt__File *pf,
			    struct file **ret, char *err, size_t errlen)
{
	const Cvisor__Ckpt__Timerfd *t = pf->timerfd;
	struct file *f = NULL;
	int r;

	switch (pf->kind) {
	case CVISOR__CKPT__FILE__KIND__EPOLL:
		r = epoll_file_new(&f);
		if (r == 0)
			set_flags(f, O_RDWR, pf);
		break;
	case CVISOR__CKPT__FILE__KIND__TIMERFD:
		r = t ? timerfd_file_new(t->clock, 0, &f) : -EINVAL;
		if (r == 0)
			r = timerfd_ckpt_set(f, t->next_ns, t->interval_ns, t->ticks);
		if (r == 0)
			set_flags(f, O_RDWR, pf);
		break;
	case CVISOR__CKPT__FILE__KIND__SIGNALFD:
		r = signalfd_file_new(pf->signal_mask & ~SIG_UNBLOCKABLE, 0, &f);
		if (r == 0)
			set_flags(f, O_RDONLY, pf);
		break;
	case CVISOR__CKPT__FILE__KIND__FIFO:
		return restore_fifo(helper, img, pf, ret, err, errlen);
	case CVISOR__CKPT__FILE__KIND__INOTIFY:
		r = inotify_file_new(0, &f);
		for (size_t i = 0; i < pf->n_inotify_watches && r == 0; i++) {
			const Cvisor__Ckpt__InotifyWatch *w = pf->inotify_watches[i];
			struct path p;

			r = vfs_walk(helper, AT_FDCWD, w->path, 0, &p);
			if (r == 0) {
				r = inotify_ckpt_add_watch(f, p.v, w->mask, w->wd);
				path_put(&p);
			}
			if (r < 0)
				rs_err(err, errlen, r, "inotify watch %d on %s: %s", w->wd, w->path,
				       strerror(-r));
		}
		if (r == 0)
			r = inotify_ckpt_set(f, pf->inotify_next_wd, pf->inotify_events.data,
					     pf->inotify_events.len);
		if (r == 0)
			set_flags(f, O_RDONLY, pf);
		break;
	default:
		return -ENOENT;
	}
	if (r < 0) {
		if (f)
			file_put(f);
		return rs_err(err, errlen, r, "file %u: %s", pf->id, strerror(-r));
	}
	*ret = f;
	return 0;
}

int ckpt_event_restore_links(const ImgState *img, struct file **files, char *err, size_t errlen)
{
	for (size_t i = 0; i < img->n_files; i++) {
		const Cvisor__Ckpt__File *pf = img->files[i];

		if (pf->kind != CVISOR__CKPT__FILE__KIND__EPOLL)
			continue;
		for (size_t j = 0; j < pf->n_epoll_items; j++) {
			const Cvisor__Ckpt__EpollItem *pi = pf->epoll_items[j];
			struct epoll_ckpt_item it = { .fd = pi->fd, .events = pi->events,
						      .data = pi->data, .disabled = pi->disabled };
			int r = -EINVAL;

			for (size_t k = 0; k < img->n_files; k++)
				if (img->files[k]->id == pi->file_id)
					it.file = files[k];
			if (it.file)
				r = epoll_ckpt_add(files[i], &it);
			if (r < 0)
				return rs_err(err, errlen, r, "epoll file %u: fd %d (file %u): %s",
					      pf->id, pi->fd, pi->file_id, strerror(-r));
		}
	}
	return 0;
}

int ckpt_event_restore_pipe(void *pipe, const Cvisor__Ckpt__Pipe *pp)
{
	return pp->n_packets ? pipe_ckpt_set_packets(pipe, pp->packets, pp->n_packets) : 0;
}
