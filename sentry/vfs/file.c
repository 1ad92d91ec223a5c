/* SPDX-License-Identifier: Apache-2.0 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "lock.h"
#include "sentry/fs/inotify.h"
#include "sentry/vfs/vnode.h"

struct file *file_new(const struct file_ops *ops, void *priv, unsigned flags)
{
	struct file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->refs = 1;
	f->ops = ops;
	f->priv = priv;
	f->flags = flags;
	pthread_mutex_init(&f->lock, NULL);
	return f;
}

struct file *file_get(struct file *f)
{
	if (f)
		__atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
	return f;
}

void file_put(struct file *f)
{
	if (!f || __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (f->path.v)
		lock_release_file(f);
	if (f->path.v && !(f->flags & O_PATH))
		fsnotify_file(f, file_writable(f) ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
	if (f->ops->release)
		f->ops->release(f);
	if (f->path.v)
		path_put(&f->path);
	if (f->dir.v)
		path_put(&f->dir);
	free(f->name);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

struct dir_iter {
	struct file *f;
	vfs_dirent_fn fn;
	void *ctx;
};

static int dir_iter_cb(void *p, const char *name, uint64_t ino, unsigned type, uint64_t next)
{
	struct dir_iter *it = p;
	int stop = it->fn(it->ctx, name, ino, type, next);

	if (!stop)
		it->f->pos = (int64_t)next; /* consumed */
	return stop;
}

int file_dir_iterate(struct file *f, vfs_dirent_fn fn, void *ctx)
{
	struct dir_iter it = { f, fn, ctx };
	struct vnode *v = f->path.v;

	if (!v || !v->ops->readdir)
		return -ENOTDIR;
	return v->ops->readdir(v, (uint64_t)f->pos, dir_iter_cb, &it);
}
