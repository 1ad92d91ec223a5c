/* SPDX-License-Identifier: Apache-2.0 */
/*
 * overlay: nodes, lookup, copy-up, attributes and open files.
 *
 * Identity: every overlay object reports the overlay's st_dev.  An object
 * that has (or had) a lower copy keeps the lower inode number, also after
 * copy-up (the origin is recorded per upper inode, as Linux's xino/origin);
 * pure upper objects report the upper inode number with OVL_UPPER_INO_BIT.
 * The VFS matches mount points by (dev, ino), which this keeps stable.
 *
 * Open files are served by the real (upper or lower) object's file behind a
 * thin forwarding description, so f->path stays the overlay path.
 */
#include "overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "overlay_impl.h"
#include "tmpfs.h"
#include "lib/macro.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vnode.h"

#define COPY_CHUNK 65536

static void sb_put(struct ovl_sb *sb)
{
	if (__atomic_sub_fetch(&sb->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (size_t i = 0; i < OVL_INFO_BUCKETS; i++)
		while (sb->info[i]) {
			struct ovl_info *n = sb->info[i];

			sb->info[i] = n->next;
			free(n);
		}
	vnode_put(sb->upper_root);
	pthread_mutex_destroy(&sb->lock);
	free(sb);
}

struct ovl_info *ovl_info_get(struct ovl_sb *sb, uint64_t upper_ino, int create)
{
	struct ovl_info **b = &sb->info[upper_ino % OVL_INFO_BUCKETS], *i;

	for (i = *b; i; i = i->next)
		if (i->upper_ino == upper_ino)
			return i;
	if (!create)
		return NULL;
	i = calloc(1, sizeof(*i));
	if (!i)
		return NULL;
	i->upper_ino = upper_ino;
	i->next = *b;
	*b = i;
	return i;
}

void ovl_info_drop(struct ovl_sb *sb, uint64_t upper_ino)
{
	struct ovl_info **pp = &sb->info[upper_ino % OVL_INFO_BUCKETS];

	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->upper_ino == upper_ino) {
			struct ovl_info *i = *pp;

			*pp = i->next;
			free(i);
			return;
		}
}

int ovl_is_whiteout(struct ovl_sb *sb, mode_t mode, uint64_t upper_ino)
{
	struct ovl_info *i;

	if (!S_ISCHR(mode))
		return 0;
	i = ovl_info_get(sb, upper_ino, 0);
	return i && i->whiteout;
}

static int upper_opaque(struct ovl_sb *sb, struct vnode *u)
{
	struct ovl_info *i = ovl_info_get(sb, u->ino, 0);

	return i && i->opaque;
}

int ovl_is_opaque(struct ovl_node *n)
{
	return n->upper && upper_opaque(n->sb, n->upper);
}

uint64_t ovl_upper_entry_ino(struct ovl_sb *sb, uint64_t upper_ino)
{
	struct ovl_info *i = ovl_info_get(sb, upper_ino, 0);

	return i && i->has_origin ? i->lower_ino : upper_ino | OVL_UPPER_INO_BIT;
}

static uint64_t node_ino(struct ovl_node *n)
{
	if (n->lower)
		return n->lower->ino;
	return ovl_upper_entry_ino(n->sb, n->upper->ino);
}

void ovl_sync_attrs(struct vnode *v)
{
	struct ovl_node *n = ovl_n(v);
	struct stat st;

	vnode_stat(ovl_real(n), &st);
	pthread_mutex_lock(&v->lock);
	v->mode = st.st_mode;
	v->uid = st.st_uid;
	v->gid = st.st_gid;
	if (n->removed && (S_ISDIR(st.st_mode) || !n->upper))
		v->nlink = 0;
	else if (S_ISDIR(st.st_mode) && n->upper && n->lower && !ovl_is_opaque(n))
		v->nlink = 1; /* merged: unknown, as Linux reports (no leaf optimization) */
	else
		v->nlink = st.st_nlink;
	v->size = (uint64_t)st.st_size;
	v->rdev = st.st_rdev;
	v->atime = st.st_atim;
	v->mtime = st.st_mtim;
	v->ctime = st.st_ctim;
	pthread_mutex_unlock(&v->lock);
}

static struct vnode *cache_find(struct vnode *dir, const char *name)
{
	for (struct ovl_node *c = ovl_n(dir)->kids; c; c = c->sibling) {
		int refs;

		if (strcmp(c->name, name))
			continue;
		/* Take a reference unless it is already being released. */
		refs = __atomic_load_n(&c->self->refs, __ATOMIC_ACQUIRE);
		while (refs > 0 && !__atomic_compare_exchange_n(&c->self->refs, &refs, refs + 1, 0,
								 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			;
		if (refs > 0)
			return c->self;
	}
	return NULL;
}

void ovl_uncache(struct ovl_node *n)
{
	struct ovl_node **pp;

	if (!n->oparent)
		return;
	for (pp = &ovl_n(n->oparent)->kids; *pp; pp = &(*pp)->sibling)
		if (*pp == n) {
			*pp = n->sibling;
			n->sibling = NULL;
			return;
		}
}

int ovl_make_node(struct vnode *dir, const char *name, struct vnode *upper, struct vnode *lower,
		  struct vnode **ret)
{
	struct ovl_sb *sb = ovl_n(dir)->sb;
	struct vnode *real = upper ? upper : lower;
	struct ovl_node *n = calloc(1, sizeof(*n));
	struct vnode *v = vnode_new(&ovl_vops, sb->dev, real->mode);

	if (!n || !v || !(n->name = strdup(name))) {
		if (n)
			free(n->name);
		free(n);
		vnode_put(v);
		return -ENOMEM;
	}
	n->sb = sb;
	n->self = v;
	n->upper = vnode_get(upper);
	n->lower = vnode_get(lower);
	n->oparent = vnode_get(dir);
	n->sibling = ovl_n(dir)->kids;
	ovl_n(dir)->kids = n;
	__atomic_add_fetch(&sb->refs, 1, __ATOMIC_RELAXED);
	v->priv = n;
	v->ino = node_ino(n);
	v->parent = dir; /* files too: /proc/pid/exe names them (vfs_path_string) */
	ovl_sync_attrs(v);
	*ret = v;
	return 0;
}

/* The upper and lower objects named @name in @dir (references). */
static int resolve(struct vnode *dir, const char *name, struct vnode **ret_u,
		   struct vnode **ret_l)
{
	struct ovl_node *d = ovl_n(dir);
	struct vnode *u = NULL, *l = NULL;
	int r;

	if (d->upper) {
		r = d->upper->ops->lookup(d->upper, name, &u);
		if (r < 0 && r != -ENOENT)
			return r;
		if (r == 0 && ovl_is_whiteout(d->sb, u->mode, u->ino)) {
			vnode_put(u);
			return -ENOENT;
		}
	}
	if (u && (!S_ISDIR(u->mode) || upper_opaque(d->sb, u)))
		goto done;
	if (d->lower && !ovl_is_opaque(d)) {
		r = d->lower->ops->lookup(d->lower, name, &l);
		if (r < 0 && r != -ENOENT) {
			vnode_put(u);
			return r;
		}
		if (r == 0 && u && !S_ISDIR(l->mode)) {
			vnode_put(l);
			l = NULL;
		}
	}
done:
	if (!u && !l)
		return -ENOENT;
	*ret_u = u;
	*ret_l = l;
	return 0;
}

int ovl_lower_visible(struct vnode *dir, const char *name)
{
	struct ovl_node *d = ovl_n(dir);
	struct vnode *l;

	if (!d->lower || ovl_is_opaque(d))
		return 0;
	if (d->lower->ops->lookup(d->lower, name, &l) < 0)
		return 0;
	vnode_put(l);
	return 1;
}

int ovl_lookup_locked(struct vnode *dir, const char *name, struct vnode **ret)
{
	struct vnode *u, *l, *v;
	int r;

	if (ovl_n(dir)->removed)
		return -ENOENT;
	v = cache_find(dir, name);
	if (v) {
		*ret = v;
		return 0;
	}
	r = resolve(dir, name, &u, &l);
	if (r < 0)
		return r;
	r = ovl_make_node(dir, name, u, l, ret);
	vnode_put(u);
	vnode_put(l);
	return r;
}

static int ovl_lookup(struct vnode *dir, const char *name, struct vnode **ret)
{
	struct ovl_sb *sb = ovl_n(dir)->sb;
	int r;

	pthread_mutex_lock(&sb->lock);
	r = ovl_lookup_locked(dir, name, ret);
	pthread_mutex_unlock(&sb->lock);
	return r;
}

/* ---- copy-up ---- */

static int open_raw(struct vnode *v, unsigned flags, struct file **ret)
{
	int r = v->ops->open ? v->ops->open(v, flags, ret) : -ENXIO;

	if (r == 0)
		(*ret)->path.v = vnode_get(v);
	return r;
}

/* Stream the contents of @from into the empty regular file @to. */
static int copy_data(struct vnode *from, struct vnode *to)
{
	_cleanup_free_ char *buf = malloc(COPY_CHUNK);
	struct file *in = NULL, *out = NULL;
	int64_t ioff = 0, ooff = 0;
	struct task *t = task_current();
	int r;

	if (!buf)
		return -ENOMEM;
	r = open_raw(from, O_RDONLY, &in);
	if (r == 0)
		r = open_raw(to, O_WRONLY, &out);
	while (r == 0) {
		ssize_t n = in->ops->read ? in->ops->read(in, t, buf, COPY_CHUNK, &ioff) : -EIO;

		if (n <= 0) {
			r = (int)n;
			break;
		}
		for (ssize_t done = 0; done < n && r == 0;) {
			ssize_t w = out->ops->write(out, t, buf + done, (size_t)(n - done), &ooff);

			if (w <= 0)
				r = w < 0 ? (int)w : -EIO;
			else
				done += w;
		}
	}
	file_put(in);
	file_put(out);
	return r;
}

static int create_copy(struct vnode *pu, const char *name, struct vnode *lower, int data,
		       struct vnode **ret)
{
	mode_t type = lower->mode & S_IFMT;
	int r;

	if (type == S_IFLNK) {
		char target[VFS_PATH_MAX + 1];

		r = lower->ops->readlink ? lower->ops->readlink(lower, target, VFS_PATH_MAX) : -EIO;
		if (r < 0)
			return r;
		target[r] = 0;
		r = pu->ops->symlink(pu, name, target, NULL);
		if (r == 0)
			r = pu->ops->lookup(pu, name, ret);
		return r;
	}
	r = pu->ops->create(pu, name, type | (lower->mode & 07777), lower->rdev, NULL, ret);
	if (r == 0 && type == S_IFREG && data) {
		r = copy_data(lower, *ret);
		if (r < 0) {
			vnode_put(*ret);
			(void)pu->ops->unlink(pu, name, 0);
		}
	}
	return r;
}

/* @data: copy the contents (not when they are about to be truncated away). */
static int copy_up(struct vnode *v, int data)
{
	struct ovl_node *n = ovl_n(v);
	struct vnode *pu, *u = NULL;
	struct timespec pm, pc;
	struct ovl_info *info;
	struct stat st;
	int r;

	if (n->upper)
		return 0;
	if (!n->oparent)
		return -EIO; /* the root always has an upper */
	if (n->removed)
		return -ENOENT;
	r = ovl_copy_up(n->oparent);
	if (r < 0)
		return r;
	pu = ovl_n(n->oparent)->upper;
	pthread_mutex_lock(&pu->lock);
	pm = pu->mtime;
	pc = pu->ctime;
	pthread_mutex_unlock(&pu->lock);
	vnode_stat(n->lower, &st);
	r = create_copy(pu, n->name, n->lower, data, &u);
	if (r < 0)
		return r;
	info = ovl_info_get(n->sb, u->ino, 1);
	if (!info) {
		vnode_put(u);
		(void)pu->ops->unlink(pu, n->name, S_ISDIR(st.st_mode));
		return -ENOMEM;
	}
	info->has_origin = 1;
	info->lower_ino = n->lower->ino;
	vnode_apply_attr(u, &(struct vnode_attr){
				    .mask = VA_UID | VA_GID | VA_ATIME | VA_MTIME | VA_CTIME |
					    (S_ISLNK(st.st_mode) ? 0 : VA_MODE),
				    .mode = st.st_mode & 07777,
				    .uid = st.st_uid,
				    .gid = st.st_gid,
				    .atime = st.st_atim,
				    .mtime = st.st_mtim,
				    .ctime = st.st_ctim,
			    });
	/* A copy-up is not a modification of the parent directory. */
	vnode_apply_attr(pu, &(struct vnode_attr){ .mask = VA_MTIME | VA_CTIME,
						    .mtime = pm,
						    .ctime = pc });
	n->upper = u;
	return 0;
}

int ovl_copy_up(struct vnode *v)
{
	return copy_up(v, 1);
}

/* ---- attributes ---- */

static void ovl_getattr(struct vnode *v)
{
	struct ovl_sb *sb = ovl_n(v)->sb;

	pthread_mutex_lock(&sb->lock);
	ovl_sync_attrs(v);
	pthread_mutex_unlock(&sb->lock);
}

static int ovl_setattr(struct vnode *v, const struct vnode_attr *a)
{
	struct ovl_sb *sb = ovl_n(v)->sb;
	int r;

	pthread_mutex_lock(&sb->lock);
	r = ovl_copy_up(v);
	if (r == 0)
		r = vnode_setattr(ovl_n(v)->upper, a);
	if (r == 0)
		ovl_sync_attrs(v);
	pthread_mutex_unlock(&sb->lock);
	return r;
}

static int ovl_truncate(struct vnode *v, uint64_t size)
{
	struct ovl_sb *sb = ovl_n(v)->sb;
	struct vnode *u;
	int r;

	if (!S_ISREG(v->mode))
		return S_ISDIR(v->mode) ? -EISDIR : -EINVAL;
	pthread_mutex_lock(&sb->lock);
	r = copy_up(v, size != 0);
	u = r == 0 ? vnode_get(ovl_n(v)->upper) : NULL;
	pthread_mutex_unlock(&sb->lock);
	if (r == 0)
		r = u->ops->truncate ? u->ops->truncate(u, size) : -EINVAL;
	vnode_put(u);
	return r;
}

static int ovl_readlink(struct vnode *v, char *buf, size_t len)
{
	struct ovl_sb *sb = ovl_n(v)->sb;
	struct vnode *real;
	int r;

	pthread_mutex_lock(&sb->lock);
	real = vnode_get(ovl_real(ovl_n(v)));
	pthread_mutex_unlock(&sb->lock);
	r = real->ops->readlink ? real->ops->readlink(real, buf, len) : -EINVAL;
	vnode_put(real);
	return r;
}

/* ---- open files: forwarded to the real object's description ---- */

static struct file *inner(struct file *f)
{
	struct file *in = f->priv;

	/* F_SETFL changes the outer description: the inner one follows. */
	in->flags = f->flags;
	return in;
}

static ssize_t of_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *off)
{
	struct file *in = inner(f);

	return in->ops->read ? in->ops->read(in, t, buf, len, off) : -EINVAL;
}

static ssize_t of_write(struct file *f, struct task *t, const void *buf, size_t len,
			int64_t *off)
{
	struct file *in = inner(f);

	return in->ops->write ? in->ops->write(in, t, buf, len, off) : -EINVAL;
}

static unsigned of_poll(struct file *f)
{
	struct file *in = inner(f);

	if (in->ops->poll)
		return in->ops->poll(in);
	return (file_readable(f) ? POLLIN | POLLRDNORM : 0) |
	       (file_writable(f) ? POLLOUT | POLLWRNORM : 0);
}

static int64_t of_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	struct file *in = inner(f);

	return in->ops->ioctl ? in->ops->ioctl(in, t, cmd, arg) : -ENOTTY;
}

static int64_t of_llseek(struct file *f, int64_t off, int whence, int64_t cur)
{
	struct file *in = inner(f);

	return in->ops->llseek ? in->ops->llseek(in, off, whence, cur) : -ESPIPE;
}

static int of_fstat(struct file *f, struct stat *st)
{
	vnode_stat(f->path.v, st);
	return 0;
}

/* A lower file's page cache (the Gofer's donated fd) for execve's mmaps. */
static int of_host_fd(struct file *f)
{
	struct file *in = inner(f);

	return in->ops->host_fd ? in->ops->host_fd(in) : -ENODEV;
}

static int of_mmap_fd(struct file *f)
{
	struct file *in = inner(f);

	return in->ops->mmap_fd ? in->ops->mmap_fd(in) : -ENODEV;
}

static void of_release(struct file *f)
{
	file_put(f->priv);
}

static const struct file_ops ovl_fops = {
	.read = of_read,
	.write = of_write,
	.poll = of_poll,
	.ioctl = of_ioctl,
	.llseek = of_llseek,
	.fstat = of_fstat,
	.host_fd = of_host_fd,
	.mmap_fd = of_mmap_fd,
	.release = of_release,
};


static int64_t od_llseek(struct file *f, int64_t off, int whence, int64_t cur)
{
	(void)f;
	(void)cur;
	return whence == SEEK_SET && off >= 0 ? off : -EINVAL;
}

static const struct file_ops ovl_dir_fops = {
	.iterate = file_dir_iterate,
	.llseek = od_llseek,
	.fstat = of_fstat,
};

static int ovl_open(struct vnode *v, unsigned flags, struct file **ret)
{
	unsigned fflags = flags & ~(unsigned)(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY);
	struct ovl_sb *sb = ovl_n(v)->sb;
	struct file *in, *f;
	struct vnode *real;
	int r = 0;

	if (S_ISDIR(v->mode)) {
		f = file_new(&ovl_dir_fops, NULL, fflags);
		if (!f)
			return -ENOMEM;
		*ret = f;
		return 0;
	}
	pthread_mutex_lock(&sb->lock);
	/* Writers copy up; so do FIFOs and devices (their state lives in the
	 * Sentry's node, and the Gofer does not open them). */
	if (!S_ISREG(v->mode) || (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		r = ovl_copy_up(v);
	real = r == 0 ? vnode_get(ovl_real(ovl_n(v))) : NULL;
	pthread_mutex_unlock(&sb->lock);
	if (r < 0)
		return r;
	r = open_raw(real, flags, &in);
	vnode_put(real);
	if (r < 0)
		return r;
	f = file_new(&ovl_fops, in, fflags);
	if (!f) {
		file_put(in);
		return -ENOMEM;
	}
	*ret = f;
	return 0;
}

static void ovl_release(struct vnode *v)
{
	struct ovl_node *n = ovl_n(v);
	struct ovl_sb *sb;

	if (!n)
		return;
	sb = n->sb;
	pthread_mutex_lock(&sb->lock);
	ovl_uncache(n);
	/* Children hold a reference on their parent: no kids remain. */
	pthread_mutex_unlock(&sb->lock);
	vnode_put(n->upper);
	vnode_put(n->lower);
	vnode_put(n->oparent);
	v->parent = NULL;
	free(n->name);
	free(n);
	sb_put(sb);
}

/* Shared mappings of a copied-up file use the upper file's memory (tmpfs:
 * a memfd); a lower-only file has none (-EOPNOTSUPP: the caller maps the
 * lower file's host fd privately, as for any read-only file). */
static int ovl_mmap_fd(struct vnode *v)
{
	struct vnode *up = ovl_n(v)->upper;

	return up && up->ops->mmap_fd ? up->ops->mmap_fd(up) : -EOPNOTSUPP;
}

const struct vnode_ops ovl_vops = {
	.lookup = ovl_lookup,
	.create = ovl_create,
	.symlink = ovl_symlink,
	.link = ovl_link,
	.unlink = ovl_unlink,
	.rename = ovl_rename,
	.readdir = ovl_readdir,
	.readlink = ovl_readlink,
	.open = ovl_open,
	.truncate = ovl_truncate,
	.setattr = ovl_setattr,
	.getattr = ovl_getattr,
	.mmap_fd = ovl_mmap_fd,
	.release = ovl_release,
};

int overlay_create(struct vnode *lower, struct vnode **ret)
{
	struct ovl_sb *sb = calloc(1, sizeof(*sb));
	pthread_mutexattr_t ma;
	struct ovl_info *info;
	struct ovl_node *n;
	struct vnode *v;
	struct stat st;

	if (!sb) {
		vnode_put(lower);
		return -ENOMEM;
	}
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&sb->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	sb->refs = 1;
	sb->dev = vfs_new_dev();
	vnode_stat(lower, &st);
	sb->upper_root = tmpfs_create_root(st.st_mode & 07777);
	n = calloc(1, sizeof(*n));
	v = vnode_new(&ovl_vops, sb->dev, S_IFDIR | (st.st_mode & 07777));
	info = sb->upper_root ? ovl_info_get(sb, sb->upper_root->ino, 1) : NULL;
	if (!n || !v || !info) {
		free(n);
		vnode_put(v);
		vnode_put(lower);
		sb_put(sb);
		return -ENOMEM;
	}
	info->has_origin = 1;
	info->lower_ino = lower->ino;
	vnode_apply_attr(sb->upper_root, &(struct vnode_attr){
						 .mask = VA_UID | VA_GID | VA_ATIME | VA_MTIME |
							 VA_CTIME,
						 .uid = st.st_uid,
						 .gid = st.st_gid,
						 .atime = st.st_atim,
						 .mtime = st.st_mtim,
						 .ctime = st.st_ctim,
					 });
	n->sb = sb;
	n->self = v;
	n->upper = vnode_get(sb->upper_root);
	n->lower = lower;
	v->priv = n;
	v->ino = lower->ino;
	ovl_sync_attrs(v);
	*ret = v; /* holds the sb reference taken at creation */
	return 0;
}

int overlay_upper_root(struct vnode *root, struct vnode **ret)
{
	struct ovl_node *n;

	if (!root || root->ops != &ovl_vops)
		return -EINVAL;
	n = root->priv;
	if (!n->sb->upper_root)
		return -EINVAL;
	*ret = vnode_get(n->sb->upper_root);
	return 0;
}

int overlay_upper_kind(struct vnode *root, struct vnode *upper)
{
	struct ovl_sb *sb;
	int r = 0;

	if (!root || root->ops != &ovl_vops)
		return 0;
	sb = ((struct ovl_node *)root->priv)->sb;
	pthread_mutex_lock(&sb->lock);
	if (ovl_is_whiteout(sb, upper->mode, upper->ino))
		r = OVERLAY_WHITEOUT;
	else if (S_ISDIR(upper->mode) && upper_opaque(sb, upper))
		r = OVERLAY_OPAQUE;
	pthread_mutex_unlock(&sb->lock);
	return r;
}
