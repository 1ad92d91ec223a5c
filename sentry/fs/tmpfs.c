/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tmpfs: an in-memory file system.  Directories keep their entries in
 * insertion order with stable cookies (so getdents64 can resume), regular
 * files keep their bytes in a heap buffer (moved into a memfd the first
 * time the file is mapped, so that shared mappings, read() and write() see
 * one copy), symlinks their target.
 * Character devices created here are opened through devfs.
 */
#include "tmpfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devfs.h"
#include "pipe.h"
#include "lib/macro.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vnode.h"

#define TMPFS_FILE_MAX (1ULL << 40) /* per-file size limit: EFBIG beyond */
/* Files grow on the heap up to this size, then move to a memfd (sparse: a
 * write far past the end does not fill the gap). */
#define TMPFS_HEAP_MAX (1ULL << 20)

struct tmpfs_dirent {
	struct tmpfs_dirent *next;
	uint64_t cookie; /* >= 2; 0 and 1 are "." and ".." */
	struct vnode *v;
	char name[];
};

struct tmpfs_node {
	/* directories */
	struct tmpfs_dirent *entries, *tail;
	uint64_t next_cookie;
	/* regular files: bytes in data[0..cap), or, once the file has been
	 * mapped (tmpfs_mmap_fd) or has grown past TMPFS_HEAP_MAX, in the
	 * memfd (has_memfd) and data is NULL */
	uint8_t *data;
	size_t cap;
	int memfd;
	bool has_memfd;
	/* symlinks */
	char *target;
	/* FIFOs: the pipe (pipe.c), created on first open */
	void *fifo;
	/* A removed directory keeps its parent (for ".." from a removed
	 * cwd, as Linux): this is that reference, dropped at release. */
	struct vnode *held_parent;
};

/* @v (a directory, v->lock held) was removed from @dir: hold the parent. */
static void keep_parent_locked(struct vnode *v, struct vnode *dir)
{
	struct tmpfs_node *n = v->priv;

	if (n && !n->held_parent)
		n->held_parent = vnode_get(dir);
	else
		v->parent = NULL;
}

static pthread_mutex_t rename_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct vnode_ops tmpfs_vops;

static struct tmpfs_node *node(struct vnode *v)
{
	return v->priv;
}

static struct vnode *tmpfs_new(struct vnode *dir, mode_t mode, const struct creds *c)
{
	struct vnode *v = vnode_new(&tmpfs_vops, dir ? dir->dev : vfs_new_dev(), mode);
	struct tmpfs_node *n = calloc(1, sizeof(*n));

	if (!v || !n) {
		free(n);
		vnode_put(v);
		return NULL;
	}
	n->next_cookie = 2;
	v->priv = n;
	if (c) {
		v->uid = c->fsuid;
		v->gid = c->fsgid;
	}
	return v;
}

struct vnode *tmpfs_create_unlinked(mode_t mode, const struct creds *c)
{
	struct vnode *v = tmpfs_new(NULL, S_IFREG | (mode & 07777), c);

	if (v)
		v->nlink = 0;
	return v;
}

struct vnode *tmpfs_create_root(mode_t mode)
{
	return tmpfs_new(NULL, S_IFDIR | (mode & 07777), NULL);
}

static struct tmpfs_dirent *find(struct vnode *dir, const char *name,
				 struct tmpfs_dirent ***ret_pp)
{
	struct tmpfs_dirent **pp = &node(dir)->entries;

	for (; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->name, name)) {
			if (ret_pp)
				*ret_pp = pp;
			return *pp;
		}
	return NULL;
}

static int add_entry(struct vnode *dir, const char *name, struct vnode *v)
{
	struct tmpfs_node *n = node(dir);
	size_t len = strlen(name);
	struct tmpfs_dirent *e = malloc(sizeof(*e) + len + 1);

	if (!e)
		return -ENOMEM;
	memcpy(e->name, name, len + 1);
	e->v = vnode_get(v);
	e->cookie = n->next_cookie++;
	e->next = NULL;
	if (n->tail)
		n->tail->next = e;
	else
		n->entries = e;
	n->tail = e;
	return 0;
}

static void del_entry(struct vnode *dir, struct tmpfs_dirent **pp)
{
	struct tmpfs_node *n = node(dir);
	struct tmpfs_dirent *e = *pp, *prev = NULL;

	*pp = e->next;
	if (n->tail == e) {
		for (struct tmpfs_dirent *i = n->entries; i; i = i->next)
			prev = i;
		n->tail = prev;
	}
	vnode_put(e->v);
	free(e);
}

static int tmpfs_lookup(struct vnode *dir, const char *name, struct vnode **ret)
{
	struct tmpfs_dirent *e;
	int r = -ENOENT;

	pthread_mutex_lock(&dir->lock);
	e = find(dir, name, NULL);
	if (e) {
		*ret = vnode_get(e->v);
		r = 0;
	}
	pthread_mutex_unlock(&dir->lock);
	return r;
}

static int insert_new(struct vnode *dir, const char *name, struct vnode *v)
{
	int r;

	pthread_mutex_lock(&dir->lock);
	if (dir->nlink == 0)
		r = -ENOENT; /* removed directory */
	else if (find(dir, name, NULL))
		r = -EEXIST;
	else
		r = add_entry(dir, name, v);
	if (r == 0 && S_ISDIR(v->mode))
		dir->nlink++;
	if (r == 0)
		v->parent = dir; /* non-directories: the name /proc shows */
	pthread_mutex_unlock(&dir->lock);
	if (r == 0)
		vnode_touch(dir, 0, 1, 1);
	return r;
}

static int tmpfs_create(struct vnode *dir, const char *name, mode_t mode, dev_t rdev,
			const struct creds *c, struct vnode **ret)
{
	struct vnode *v = tmpfs_new(dir, mode, c);
	int r;

	if (!v)
		return -ENOMEM;
	v->rdev = rdev;
	r = insert_new(dir, name, v);
	if (r < 0) {
		vnode_put(v);
		return r;
	}
	if (ret)
		*ret = v;
	else
		vnode_put(v);
	return 0;
}

static int tmpfs_symlink(struct vnode *dir, const char *name, const char *target,
			 const struct creds *c)
{
	struct vnode *v = tmpfs_new(dir, S_IFLNK | 0777, c);
	int r;

	if (!v)
		return -ENOMEM;
	node(v)->target = strdup(target);
	if (!node(v)->target) {
		vnode_put(v);
		return -ENOMEM;
	}
	v->size = strlen(target);
	r = insert_new(dir, name, v);
	vnode_put(v);
	return r;
}

static int tmpfs_link(struct vnode *dir, const char *name, struct vnode *v)
{
	int r;

	if (S_ISDIR(v->mode))
		return -EPERM;
	if (v->dev != dir->dev)
		return -EXDEV;
	pthread_mutex_lock(&dir->lock);
	r = find(dir, name, NULL) ? -EEXIST : add_entry(dir, name, v);
	pthread_mutex_unlock(&dir->lock);
	if (r == 0) {
		pthread_mutex_lock(&v->lock);
		v->nlink++;
		if (!v->parent)
			v->parent = dir;
		pthread_mutex_unlock(&v->lock);
		vnode_touch(v, 0, 0, 1);
		vnode_touch(dir, 0, 1, 1);
	}
	return r;
}

static int dir_empty(struct vnode *v)
{
	int empty;

	pthread_mutex_lock(&v->lock);
	empty = node(v)->entries == NULL;
	pthread_mutex_unlock(&v->lock);
	return empty;
}

static int tmpfs_unlink(struct vnode *dir, const char *name, int rmdir)
{
	struct tmpfs_dirent *e, **pp;
	struct vnode *v;
	int r = 0;

	pthread_mutex_lock(&dir->lock);
	e = find(dir, name, &pp);
	if (!e) {
		pthread_mutex_unlock(&dir->lock);
		return -ENOENT;
	}
	v = e->v;
	if (rmdir && !S_ISDIR(v->mode))
		r = -ENOTDIR;
	else if (!rmdir && S_ISDIR(v->mode))
		r = -EISDIR;
	else if (rmdir && !dir_empty(v))
		r = -ENOTEMPTY;
	if (r == 0) {
		vnode_get(v);
		del_entry(dir, pp);
		if (rmdir)
			dir->nlink--;
	}
	pthread_mutex_unlock(&dir->lock);
	if (r < 0)
		return r;
	pthread_mutex_lock(&v->lock);
	v->nlink = rmdir ? 0 : v->nlink - 1;
	if (rmdir)
		keep_parent_locked(v, dir);
	else if (v->parent == dir)
		v->parent = NULL; /* never left pointing at a directory it is not in */
	pthread_mutex_unlock(&v->lock);
	vnode_touch(v, 0, 0, 1);
	vnode_touch(dir, 0, 1, 1);
	vnode_put(v);
	return 0;
}

/* Is @a an ancestor of (or equal to) @b? */
static int is_ancestor(struct vnode *a, struct vnode *b)
{
	for (struct vnode *p = b; p; p = p->parent)
		if (p == a)
			return 1;
	return 0;
}

static int tmpfs_rename(struct vnode *odir, const char *oname, struct vnode *ndir,
			const char *nname, unsigned flags)
{
	struct tmpfs_dirent *e, *t, **opp = NULL, **npp = NULL;
	struct vnode *v, *victim = NULL;
	int r = 0;

	if (flags & ~3U /* RENAME_NOREPLACE | RENAME_EXCHANGE */)
		return -EINVAL;
	if ((flags & 3U) == 3U)
		return -EINVAL;
	if (odir->dev != ndir->dev)
		return -EXDEV;
	pthread_mutex_lock(&rename_lock);
	pthread_mutex_lock(&odir->lock);
	if (ndir != odir)
		pthread_mutex_lock(&ndir->lock);
	e = find(odir, oname, &opp);
	t = find(ndir, nname, &npp);
	if (!e) {
		r = -ENOENT;
		goto out;
	}
	v = e->v;
	if (flags & 2U) { /* RENAME_EXCHANGE: both must exist; swap */
		struct vnode *tv;

		if (!t) {
			r = -ENOENT;
			goto out;
		}
		tv = t->v;
		if (S_ISDIR(v->mode) && is_ancestor(v, ndir)) {
			r = -EINVAL;
			goto out;
		}
		if (S_ISDIR(tv->mode) && is_ancestor(tv, odir)) {
			r = -EINVAL;
			goto out;
		}
		e->v = tv;
		t->v = v;
		if (odir != ndir) {
			if (S_ISDIR(v->mode) || v->parent == odir)
				v->parent = ndir;
			if (S_ISDIR(tv->mode) || tv->parent == ndir)
				tv->parent = odir;
			odir->nlink += S_ISDIR(tv->mode) - S_ISDIR(v->mode);
			ndir->nlink += S_ISDIR(v->mode) - S_ISDIR(tv->mode);
		}
		goto out;
	}
	if (t && t->v == v)
		goto out; /* same file: nothing to do */
	if (S_ISDIR(v->mode) && is_ancestor(v, ndir)) {
		r = -EINVAL;
		goto out;
	}
	if (t) {
		if (flags & 1U) {
			r = -EEXIST;
			goto out;
		}
		if (S_ISDIR(v->mode) && !S_ISDIR(t->v->mode))
			r = -ENOTDIR;
		else if (!S_ISDIR(v->mode) && S_ISDIR(t->v->mode))
			r = -EISDIR;
		else if (S_ISDIR(t->v->mode) && !dir_empty(t->v))
			r = -ENOTEMPTY;
		if (r < 0)
			goto out;
		victim = vnode_get(t->v);
		del_entry(ndir, npp);
		if (S_ISDIR(victim->mode))
			ndir->nlink--;
		e = find(odir, oname, &opp); /* the list may have moved */
		if (!e) {
			r = -ENOENT;
			goto out;
		}
	}
	vnode_get(v);
	del_entry(odir, opp);
	r = add_entry(ndir, nname, v);
	if (r == 0 && S_ISDIR(v->mode) && odir != ndir) {
		odir->nlink--;
		ndir->nlink++;
	}
	if (r == 0 && (S_ISDIR(v->mode) || v->parent == odir || !v->parent))
		v->parent = ndir;
	else if (r < 0 && v->parent == odir)
		v->parent = NULL;
	vnode_put(v);
out:
	if (ndir != odir)
		pthread_mutex_unlock(&ndir->lock);
	pthread_mutex_unlock(&odir->lock);
	pthread_mutex_unlock(&rename_lock);
	if (victim) {
		pthread_mutex_lock(&victim->lock);
		victim->nlink = S_ISDIR(victim->mode) ? 0 : victim->nlink - 1;
		if (S_ISDIR(victim->mode))
			keep_parent_locked(victim, ndir);
		else if (victim->parent == ndir)
			victim->parent = NULL;
		pthread_mutex_unlock(&victim->lock);
		vnode_put(victim);
	}
	if (r == 0) {
		vnode_touch(odir, 0, 1, 1);
		vnode_touch(ndir, 0, 1, 1);
	}
	return r;
}

static unsigned dtype(mode_t m)
{
	return (m >> 12) & 15; /* DT_* == S_IFMT >> 12 */
}

static int tmpfs_readdir(struct vnode *dir, uint64_t cookie, vfs_dirent_fn fn, void *ctx)
{
	struct vnode *parent;
	int stop = 0;

	if (cookie == 0) {
		if (fn(ctx, ".", dir->ino, DT_DIR, 1))
			return 0;
		cookie = 1;
	}
	pthread_mutex_lock(&dir->lock);
	parent = dir->parent ? dir->parent : dir;
	if (cookie == 1) {
		stop = fn(ctx, "..", parent->ino, DT_DIR, 2);
		cookie = 2;
	}
	for (struct tmpfs_dirent *e = node(dir)->entries; e && !stop; e = e->next)
		if (e->cookie >= cookie)
			stop = fn(ctx, e->name, e->v->ino, dtype(e->v->mode), e->cookie + 1);
	pthread_mutex_unlock(&dir->lock);
	return 0;
}

static int tmpfs_readlink(struct vnode *v, char *buf, size_t len)
{
	size_t n;

	if (!S_ISLNK(v->mode))
		return -EINVAL;
	n = strlen(node(v)->target);
	if (n > len)
		n = len;
	memcpy(buf, node(v)->target, n);
	return (int)n;
}

/* Move the file's bytes from the heap into a memfd (once); v->lock held. */
static int to_memfd_locked(struct vnode *v)
{
	struct tmpfs_node *n = node(v);
	int fd;

	if (n->has_memfd)
		return 0;
	fd = memfd_create("cvisor-tmpfs", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)v->size) < 0 ||
	    (v->size && pwrite(fd, n->data, v->size, 0) != (ssize_t)v->size)) {
		safe_close(fd);
		return -ENOMEM;
	}
	free(n->data);
	n->data = NULL;
	n->cap = 0;
	n->memfd = fd;
	n->has_memfd = true;
	return 0;
}

static int grow(struct tmpfs_node *n, size_t want)
{
	size_t cap = n->cap ? n->cap : 4096;
	uint8_t *p;

	if (want <= n->cap)
		return 0;
	while (cap < want)
		cap *= 2;
	p = realloc(n->data, cap);
	if (!p)
		return -ENOSPC;
	n->data = p;
	n->cap = cap;
	return 0;
}

static int tmpfs_truncate(struct vnode *v, uint64_t size)
{
	struct tmpfs_node *n = node(v);
	int r = 0;

	if (!S_ISREG(v->mode))
		return S_ISDIR(v->mode) ? -EISDIR : -EINVAL;
	if (size > TMPFS_FILE_MAX)
		return -EFBIG;
	pthread_mutex_lock(&v->lock);
	if (size > TMPFS_HEAP_MAX)
		r = to_memfd_locked(v);
	if (r == 0 && n->has_memfd) {
		if (ftruncate(n->memfd, (off_t)size) < 0)
			r = errno == EFBIG ? -EFBIG : -ENOSPC;
	} else if (r == 0 && size > v->size) {
		r = grow(n, size);
		if (r == 0)
			memset(n->data + v->size, 0, size - v->size);
	}
	if (r == 0)
		v->size = size;
	pthread_mutex_unlock(&v->lock);
	if (r == 0)
		vnode_touch(v, 0, 1, 1);
	return r;
}

/* ---- open files ---- */

static ssize_t reg_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *off)
{
	struct vnode *v = f->path.v;
	ssize_t n = 0;

	(void)t;
	pthread_mutex_lock(&v->lock);
	if ((uint64_t)*off < v->size) {
		n = (ssize_t)MIN((uint64_t)len, v->size - (uint64_t)*off);
		if (node(v)->has_memfd)
			n = pread(node(v)->memfd, buf, (size_t)n, *off);
		else
			memcpy(buf, node(v)->data + *off, (size_t)n);
		if (n < 0)
			n = -EIO;
		else
			*off += n;
	}
	pthread_mutex_unlock(&v->lock);
	return n;
}

static ssize_t reg_write(struct file *f, struct task *t, const void *buf, size_t len,
			 int64_t *off)
{
	struct vnode *v = f->path.v;
	int r;

	(void)t;
	pthread_mutex_lock(&v->lock);
	if (f->flags & O_APPEND)
		*off = (int64_t)v->size;
	if ((uint64_t)*off + len > TMPFS_FILE_MAX) {
		pthread_mutex_unlock(&v->lock);
		return -EFBIG;
	}
	r = (uint64_t)*off + len > TMPFS_HEAP_MAX ? to_memfd_locked(v) : 0;
	if (r < 0) {
		len = 0;
	} else if (node(v)->has_memfd) {
		ssize_t n = pwrite(node(v)->memfd, buf, len, *off);

		r = n == (ssize_t)len ? 0 : -ENOSPC;
		if (r == 0) {
			*off += (int64_t)len;
			if ((uint64_t)*off > v->size)
				v->size = (uint64_t)*off;
		}
		len = r == 0 ? len : 0;
	} else if ((r = grow(node(v), (size_t)*off + len)) == 0) {
		if ((uint64_t)*off > v->size)
			memset(node(v)->data + v->size, 0, (size_t)*off - v->size);
		memcpy(node(v)->data + *off, buf, len);
		*off += (int64_t)len;
		if ((uint64_t)*off > v->size)
			v->size = (uint64_t)*off;
	}
	pthread_mutex_unlock(&v->lock);
	if (r < 0)
		return r;
	vnode_touch(v, 0, 1, 1);
	return (ssize_t)len;
}

static int64_t any_llseek(struct file *f, int64_t off, int whence, int64_t cur)
{
	int64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = cur;
		break;
	case SEEK_END:
		pthread_mutex_lock(&f->path.v->lock);
		base = (int64_t)f->path.v->size;
		pthread_mutex_unlock(&f->path.v->lock);
		break;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	return base + off;
}

static int any_fstat(struct file *f, struct stat *st)
{
	vnode_stat(f->path.v, st);
	return 0;
}


static const struct file_ops reg_fops = {
	.read = reg_read,
	.write = reg_write,
	.llseek = any_llseek,
	.fstat = any_fstat,
};

static const struct file_ops dir_fops = {
	.iterate = file_dir_iterate,
	.llseek = any_llseek,
	.fstat = any_fstat,
};

static int tmpfs_open(struct vnode *v, unsigned flags, struct file **ret)
{
	const struct file_ops *ops;
	struct file *f;

	if (S_ISREG(v->mode))
		ops = &reg_fops;
	else if (S_ISDIR(v->mode))
		ops = &dir_fops;
	else if (S_ISCHR(v->mode))
		return devfs_open(v, flags, ret);
	else if (S_ISFIFO(v->mode))
		return pipe_fifo_open(&node(v)->fifo, &v->lock, flags, task_current(), ret);
	else
		return -ENXIO; /* sockets: later */
	f = file_new(ops, NULL, flags & ~(unsigned)(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY));
	if (!f)
		return -ENOMEM;
	*ret = f;
	return 0;
}

static void tmpfs_release(struct vnode *v)
{
	struct tmpfs_node *n = node(v);

	if (!n)
		return;
	while (n->entries) {
		struct tmpfs_dirent *e = n->entries;

		n->entries = e->next;
		vnode_put(e->v);
		free(e);
	}
	free(n->data);
	if (n->has_memfd)
		close(n->memfd);
	free(n->target);
	pipe_fifo_put(n->fifo);
	vnode_put(n->held_parent);
	free(n);
}

/* Move the file's bytes into a memfd (once) and hand out a duplicate. */
static int tmpfs_mmap_fd(struct vnode *v)
{
	struct tmpfs_node *n = node(v);
	int r = 0;

	if (!S_ISREG(v->mode))
		return -ENODEV;
	pthread_mutex_lock(&v->lock);
	r = to_memfd_locked(v);
	if (r == 0) {
		r = fcntl(n->memfd, F_DUPFD_CLOEXEC, 3);
		if (r < 0)
			r = -EMFILE;
	}
	pthread_mutex_unlock(&v->lock);
	return r;
}

static const struct vnode_ops tmpfs_vops = {
	.mmap_fd = tmpfs_mmap_fd,
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rename = tmpfs_rename,
	.readdir = tmpfs_readdir,
	.readlink = tmpfs_readlink,
	.open = tmpfs_open,
	.truncate = tmpfs_truncate,
	.release = tmpfs_release,
};
