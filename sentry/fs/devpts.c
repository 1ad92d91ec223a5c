/* SPDX-License-Identifier: Apache-2.0 */
/*
 * devpts: the slaves of the sandbox's pseudo-terminals as /dev/pts/<n>,
 * plus the ptmx node.  One instance per kernel; its root vnode owns it.
 */
#include "pty.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sysmacros.h>

#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vnode.h"
#include "tty.h"

#define TTY_GID 5 /* the "tty" group Debian mounts devpts with */

struct devpts {
	pthread_mutex_t lock;      /* protects nodes and used */
	struct vnode *root;        /* not referenced: the root owns this */
	struct vnode *ptmx;        /* /dev/pts/ptmx (a reference) */
	struct mount *mnt;         /* where it is mounted, NULL before */
	struct vnode *nodes[DEVPTS_MAX]; /* visible slaves (references) */
	uint8_t used[DEVPTS_MAX];  /* index taken (until its tty is freed) */
};

static const struct vnode_ops devpts_root_ops;
static const struct vnode_ops devpts_node_ops;

static struct devpts *pts_of(struct vnode *root)
{
	return root->priv;
}

static int devpts_lookup(struct vnode *dir, const char *name, struct vnode **ret)
{
	struct devpts *d = pts_of(dir);
	struct vnode *v = NULL;
	char *end;
	long n;

	if (!strcmp(name, "ptmx")) {
		*ret = vnode_get(d->ptmx);
		return 0;
	}
	if (!name[0] || (name[0] == '0' && name[1]) || name[0] < '0' || name[0] > '9')
		return -ENOENT;
	n = strtol(name, &end, 10);
	if (*end || n < 0 || n >= DEVPTS_MAX)
		return -ENOENT;
	pthread_mutex_lock(&d->lock);
	v = vnode_get(d->nodes[n]);
	pthread_mutex_unlock(&d->lock);
	if (!v)
		return -ENOENT;
	*ret = v;
	return 0;
}

static int devpts_readdir(struct vnode *dir, uint64_t cookie, vfs_dirent_fn fn, void *ctx)
{
	struct devpts *d = pts_of(dir);
	char name[16];

	/* cookies: 0 ".", 1 "..", 2 "ptmx", 3 + n for /dev/pts/<n> */
	if (cookie == 0 && fn(ctx, ".", dir->ino, DT_DIR, 1))
		return 0;
	if (cookie <= 1 && fn(ctx, "..", dir->ino, DT_DIR, 2))
		return 0;
	if (cookie <= 2 && fn(ctx, "ptmx", d->ptmx->ino, DT_CHR, 3))
		return 0;
	for (int n = cookie > 3 ? (int)(cookie - 3) : 0; n < DEVPTS_MAX; n++) {
		uint64_t ino;

		pthread_mutex_lock(&d->lock);
		ino = d->nodes[n] ? d->nodes[n]->ino : 0;
		pthread_mutex_unlock(&d->lock);
		if (!ino)
			continue;
		snprintf(name, sizeof(name), "%d", n);
		if (fn(ctx, name, ino, DT_CHR, 4 + (uint64_t)n))
			return 0;
	}
	return 0;
}

static int devpts_root_fstat(struct file *f, struct stat *st)
{
	vnode_stat(f->path.v, st);
	return 0;
}

/* Directory positions are entry cookies: rewinddir and telldir/seekdir. */
static int64_t devpts_dir_llseek(struct file *f, int64_t off, int whence, int64_t cur)
{
	(void)f;
	if (whence == SEEK_CUR)
		off += cur;
	else if (whence != SEEK_SET)
		return -EINVAL;
	return off < 0 ? -EINVAL : off;
}

static const struct file_ops devpts_dir_fops = {
	.iterate = file_dir_iterate,
	.llseek = devpts_dir_llseek,
	.fstat = devpts_root_fstat,
};

static int devpts_root_open(struct vnode *v, unsigned flags, struct file **ret)
{
	struct file *f;

	(void)v;
	f = file_new(&devpts_dir_fops, NULL, flags & ~(unsigned)(O_CREAT | O_EXCL | O_TRUNC));
	if (!f)
		return -ENOMEM;
	*ret = f;
	return 0;
}

static void devpts_root_release(struct vnode *v)
{
	struct devpts *d = pts_of(v);

	if (!d)
		return;
	for (int n = 0; n < DEVPTS_MAX; n++)
		vnode_put(d->nodes[n]);
	vnode_put(d->ptmx);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static int devpts_node_open(struct vnode *v, unsigned flags, struct file **ret)
{
	struct tty *tty = v->priv;

	if (major(v->rdev) == 5) /* ptmx */
		return pty_open_master(task_current() ? task_current()->k : NULL, flags, ret);
	return pty_open_slave(tty, flags, ret);
}

static void devpts_node_release(struct vnode *v)
{
	tty_put(v->priv);
}

static const struct vnode_ops devpts_root_ops = {
	.lookup = devpts_lookup,
	.readdir = devpts_readdir,
	.open = devpts_root_open,
	.release = devpts_root_release,
};

static const struct vnode_ops devpts_node_ops = {
	.open = devpts_node_open,
	.release = devpts_node_release,
};

struct vnode *devpts_create_root(struct kernel *k)
{
	struct devpts *d = calloc(1, sizeof(*d));
	struct vnode *root;

	if (!d)
		return NULL;
	root = vnode_new(&devpts_root_ops, vfs_new_dev(), S_IFDIR | 0755);
	if (!root) {
		free(d);
		return NULL;
	}
	d->ptmx = vnode_new(&devpts_node_ops, root->dev, S_IFCHR);
	if (!d->ptmx) {
		vnode_put(root);
		free(d);
		return NULL;
	}
	d->ptmx->rdev = makedev(5, 2);
	d->ptmx->parent = root;
	vnode_set_name_hint(d->ptmx, "ptmx");
	pthread_mutex_init(&d->lock, NULL);
	d->root = root;
	root->priv = d;
	k->devpts = root;
	return root;
}

void devpts_set_mount(struct kernel *k, struct mount *m)
{
	if (k->devpts)
		pts_of(k->devpts)->mnt = m;
}

int devpts_add(struct kernel *k, struct tty *tty, struct task *t)
{
	struct devpts *d;
	struct vnode *v;
	char name[16];
	int n;

	if (!k || !k->devpts)
		return -ENODEV;
	d = pts_of(k->devpts);
	v = vnode_new(&devpts_node_ops, k->devpts->dev, S_IFCHR | 0620);
	if (!v)
		return -ENOMEM;
	pthread_mutex_lock(&d->lock);
	for (n = 0; n < DEVPTS_MAX && d->used[n]; n++)
		;
	if (n == DEVPTS_MAX) {
		pthread_mutex_unlock(&d->lock);
		vnode_put(v);
		return -ENOSPC;
	}
	d->used[n] = 1;
	v->rdev = makedev(136, (unsigned)n);
	v->uid = t ? t->creds.euid : 0;
	v->gid = TTY_GID;
	v->parent = k->devpts;
	v->priv = tty_get(tty);
	tty->index = n;
	tty->rdev = v->rdev;
	tty->pts = vnode_get(k->devpts);
	tty->node = v; /* weak: the node holds the tty */
	d->nodes[n] = v;
	pthread_mutex_unlock(&d->lock);
	snprintf(name, sizeof(name), "%d", n);
	vnode_set_name_hint(v, name);
	return n;
}

void devpts_remove(struct tty *tty)
{
	struct vnode *root = tty->pts, *v = NULL;
	struct devpts *d;

	if (!root)
		return;
	d = pts_of(root);
	pthread_mutex_lock(&d->lock);
	if (d->nodes[tty->index] == tty->node) {
		v = d->nodes[tty->index];
		d->nodes[tty->index] = NULL;
	}
	tty->node = NULL;
	pthread_mutex_unlock(&d->lock);
	/* The node's own reference on the tty stays with the node, which
	 * lives while slave descriptions hold it. */
	vnode_put(v);
}

/* From tty_put(): the index is free again (@pts is the root vnode). */
void devpts_release_index(void *pts, int index);
void devpts_release_index(void *pts, int index)
{
	struct vnode *root = pts;
	struct devpts *d = pts_of(root);

	pthread_mutex_lock(&d->lock);
	d->used[index] = 0;
	pthread_mutex_unlock(&d->lock);
	vnode_put(root);
}

int devpts_slave_path(struct tty *tty, struct path *ret)
{
	struct devpts *d;

	if (!tty->pts || !tty->node)
		return -ENOENT;
	d = pts_of(tty->pts);
	if (!d->mnt)
		return -ENOENT;
	ret->mnt = d->mnt;
	ret->v = vnode_get(tty->node);
	return 0;
}
