/* SPDX-License-Identifier: Apache-2.0 */
#include "vnode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "sentry/fs/inotify.h"

static uint64_t next_ino = 1;
static unsigned next_minor = 1;

dev_t vfs_new_dev(void)
{
	/* Anonymous devices have major 0, as Linux's tmpfs/proc do. */
	return makedev(0, __atomic_fetch_add(&next_minor, 1, __ATOMIC_RELAXED) + 16);
}

struct vnode *vnode_new(const struct vnode_ops *ops, dev_t dev, mode_t mode)
{
	struct vnode *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->refs = 1;
	v->ops = ops;
	v->dev = dev;
	v->ino = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
	v->mode = mode;
	v->nlink = S_ISDIR(mode) ? 2 : 1;
	pthread_mutex_init(&v->lock, NULL);
	clock_gettime(CLOCK_REALTIME, &v->mtime);
	v->atime = v->ctime = v->mtime;
	return v;
}

struct vnode *vnode_get(struct vnode *v)
{
	if (v)
		__atomic_add_fetch(&v->refs, 1, __ATOMIC_RELAXED);
	return v;
}

void vnode_put(struct vnode *v)
{
	if (!v || __atomic_sub_fetch(&v->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (v->ops && v->ops->release)
		v->ops->release(v);
	pthread_mutex_destroy(&v->lock);
	free(v->name_hint);
	free(v);
}

void vnode_set_name_hint(struct vnode *v, const char *name)
{
	char *copy;

	pthread_mutex_lock(&v->lock);
	if (v->name_hint && !strcmp(v->name_hint, name)) {
		pthread_mutex_unlock(&v->lock);
		return;
	}
	pthread_mutex_unlock(&v->lock);
	copy = strdup(name);
	if (!copy)
		return; /* only a hint */
	pthread_mutex_lock(&v->lock);
	free(v->name_hint);
	v->name_hint = copy;
	pthread_mutex_unlock(&v->lock);
}

int vnode_name_hint(struct vnode *v, char *buf)
{
	int r = -ENOENT;

	pthread_mutex_lock(&v->lock);
	if (v->name_hint) {
		snprintf(buf, VFS_NAME_MAX + 1, "%s", v->name_hint);
		r = 0;
	}
	pthread_mutex_unlock(&v->lock);
	return r;
}

void vnode_stat(struct vnode *v, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	if (v->ops && v->ops->getattr)
		v->ops->getattr(v);
	pthread_mutex_lock(&v->lock);
	st->st_dev = v->dev;
	st->st_ino = v->ino;
	st->st_mode = v->mode;
	st->st_nlink = v->nlink;
	st->st_uid = v->uid;
	st->st_gid = v->gid;
	st->st_rdev = v->rdev;
	st->st_size = (off_t)v->size;
	st->st_blksize = 4096;
	st->st_blocks = (blkcnt_t)((v->size + 511) / 512);
	st->st_atim = v->atime;
	st->st_mtim = v->mtime;
	st->st_ctim = v->ctime;
	pthread_mutex_unlock(&v->lock);
}

void vnode_touch(struct vnode *v, int atime, int mtime, int ctime)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	pthread_mutex_lock(&v->lock);
	if (atime)
		v->atime = now;
	if (mtime)
		v->mtime = now;
	if (ctime)
		v->ctime = now;
	pthread_mutex_unlock(&v->lock);
}

void vnode_apply_attr(struct vnode *v, const struct vnode_attr *a)
{
	pthread_mutex_lock(&v->lock);
	if (a->mask & VA_MODE)
		v->mode = (v->mode & S_IFMT) | (a->mode & 07777);
	if (a->mask & VA_UID)
		v->uid = a->uid;
	if (a->mask & VA_GID)
		v->gid = a->gid;
	if (a->mask & VA_ATIME)
		v->atime = a->atime;
	if (a->mask & VA_MTIME)
		v->mtime = a->mtime;
	if (a->mask & VA_CTIME)
		v->ctime = a->ctime;
	pthread_mutex_unlock(&v->lock);
}

int vnode_setattr(struct vnode *v, const struct vnode_attr *a)
{
	int r = 0;

	if (v->ops && v->ops->setattr)
		r = v->ops->setattr(v, a);
	else
		vnode_apply_attr(v, a);
	if (r == 0)
		fsnotify(v, IN_ATTRIB);
	return r;
}

static int collect_name(void *ctx, const char *name, uint64_t ino, unsigned type,
			uint64_t next_cookie)
{
	struct vnode_names *ns = ctx;

	(void)ino;
	(void)type;
	(void)next_cookie;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	if (ns->n == ns->cap) {
		size_t nc = ns->cap ? ns->cap * 2 : 16;
		char **nv = realloc(ns->v, nc * sizeof(*nv));

		if (!nv) {
			ns->err = -ENOMEM;
			return 1;
		}
		ns->v = nv;
		ns->cap = nc;
	}
	ns->v[ns->n] = strdup(name);
	if (!ns->v[ns->n]) {
		ns->err = -ENOMEM;
		return 1;
	}
	ns->n++;
	return 0;
}

int vnode_read_names(struct vnode *dir, struct vnode_names *ret)
{
	struct vnode_names ns = { 0 };
	int r = dir->ops->readdir ? dir->ops->readdir(dir, 0, collect_name, &ns) : -ENOTDIR;

	if (r == 0)
		r = ns.err;
	if (r < 0) {
		vnode_names_free(&ns);
		return r;
	}
	*ret = ns;
	return 0;
}

void vnode_names_free(struct vnode_names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	*ns = (struct vnode_names){ 0 };
}
