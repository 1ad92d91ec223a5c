/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Files for the control socket (control.h): read, written, listed and
 * removed through the VFS the application sees (overlay upper included),
 * as root, by the same walkers and open paths as the syscalls.
 */
#include "sentry/kernel/control.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <dirent.h>
#include <sys/stat.h>

#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/root_ctx.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"

#define CTL_FILE_MAX KERNEL_FILE_CHUNK

int kernel_root_ctx_init(struct kernel *k, struct kernel_root_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->tg.k = k;
	task_rlimits_default(&c->tg);
	c->t.k = k;
	c->t.tg = &c->tg;
	c->t.fs = fs_context_new(k->root);
	if (!c->t.fs)
		return -ENOMEM;
	c->t.fs->umask = 0;
	pthread_cond_init(&c->t.sigcond, NULL);
	return 0;
}

void kernel_root_ctx_fini(struct kernel_root_ctx *c)
{
	pthread_cond_destroy(&c->t.sigcond);
	fs_context_put(c->t.fs);
}

/* Open @path as a regular file only: never blocks on a FIFO, never opens
 * a device (both could hang or surprise the control thread). */
static int open_regular(struct kernel_root_ctx *c, const char *path, unsigned flags, mode_t mode,
			struct file **ret)
{
	struct file *f = NULL;
	int r = vfs_open(&c->t, AT_FDCWD, path, flags | O_NONBLOCK | O_NOCTTY, mode, &f);

	if (r < 0)
		return r == -ENXIO ? -EINVAL : r; /* a FIFO without readers */
	if (!f->path.v || !S_ISREG(f->path.v->mode)) {
		r = f->path.v && S_ISDIR(f->path.v->mode) ? -EISDIR : -EINVAL;
		file_put(f);
		return r;
	}
	*ret = f;
	return 0;
}

static int check_path(const char *path)
{
	if (!path || path[0] != '/')
		return -EINVAL;
	if (strnlen(path, VFS_PATH_MAX) >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

int kernel_file_write(struct kernel *k, const char *path, const void *data, size_t len,
		      uint32_t mode, bool append)
{
	struct kernel_root_ctx c;
	struct file *f = NULL;
	int64_t off = 0;
	size_t done = 0;
	int r = check_path(path);

	if (r < 0)
		return r;
	if (len > CTL_FILE_MAX)
		return -EFBIG;
	r = kernel_root_ctx_init(k, &c);
	if (r < 0)
		return r;
	r = open_regular(&c, path, O_WRONLY | O_CREAT | O_NOFOLLOW | (append ? 0 : O_TRUNC),
			 mode & 07777, &f);
	if (r == 0 && !f->ops->write)
		r = -EINVAL;
	if (r == 0 && append) {
		struct stat st;

		vnode_stat(f->path.v, &st);
		off = st.st_size;
	}
	while (r == 0 && done < len) {
		ssize_t n = f->ops->write(f, &c.t, (const char *)data + done, len - done, &off);

		if (n < 0)
			r = (int)n;
		else if (n == 0)
			r = -EIO;
		else
			done += (size_t)n;
	}
	file_put(f);
	kernel_root_ctx_fini(&c);
	return r;
}

int kernel_make_parents(struct kernel *k, const char *path)
{
	_cleanup_free_ char *dir = NULL;
	char *slash;
	int r = check_path(path);

	if (r < 0)
		return r;
	dir = strdup(path);
	if (!dir)
		return -ENOMEM;
	/* no "." or ".." components: nothing is made outside the named path */
	for (const char *c = dir; *c; c += strcspn(c, "/")) {
		size_t n;

		c += strspn(c, "/");
		n = strcspn(c, "/");
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return -EINVAL;
	}
	slash = strrchr(dir, '/');
	*slash = 0; /* "/x" leaves "": the root, nothing to make */
	return kernel_make_dir(k, *dir ? dir : "/");
}

int kernel_file_read(struct kernel *k, const char *path, uint64_t offset, size_t max,
		     bool partial, void **ret_data, size_t *ret_len)
{
	struct kernel_root_ctx c;
	struct file *f = NULL;
	char *buf = NULL;
	size_t len = 0, cap;
	int64_t off;
	int r = check_path(path);

	if (r < 0)
		return r;
	if (offset > INT64_MAX)
		return -EINVAL;
	off = (int64_t)offset;
	if (max > CTL_FILE_MAX)
		max = CTL_FILE_MAX;
	r = kernel_root_ctx_init(k, &c);
	if (r < 0)
		return r;
	r = open_regular(&c, path, O_RDONLY, 0, &f);
	if (r == 0 && !f->ops->read)
		r = -EINVAL;
	cap = partial ? max : max + 1; /* one more byte tells a larger file */
	if (r == 0 && !(buf = malloc(cap)))
		r = -ENOMEM;
	while (r == 0 && len < cap) {
		ssize_t n = f->ops->read(f, &c.t, buf + len, cap - len, &off);

		if (n < 0)
			r = (int)n;
		else if (n == 0)
			break;
		else
			len += (size_t)n;
	}
	if (r == 0 && len > max)
		r = -EFBIG;
	if (r == 0 && len == 0) {
		free(buf);
		buf = NULL;
	}
	file_put(f);
	kernel_root_ctx_fini(&c);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret_data = buf;
	*ret_len = len;
	return 0;
}

struct list_ctx {
	struct kernel_dirent *v;
	size_t n, cap;
	int err;
};

static int list_one(void *opaque, const char *name, uint64_t ino, unsigned type,
		    uint64_t next)
{
	struct list_ctx *l = opaque;

	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	if (l->n >= 65536) {
		l->err = -E2BIG;
		return 1;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct kernel_dirent *nv = realloc(l->v, cap * sizeof(*nv));

		if (!nv) {
			l->err = -ENOMEM;
			return 1;
		}
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n].name = strdup(name);
	if (!l->v[l->n].name) {
		l->err = -ENOMEM;
		return 1;
	}
	l->v[l->n].mode = (uint32_t)DTTOIF(type);
	l->v[l->n].size = 0;
	l->n++;
	return 0;
}

int kernel_file_list(struct kernel *k, const char *path, struct kernel_dirent **ret,
		     size_t *ret_n)
{
	struct list_ctx l = { 0 };
	struct kernel_root_ctx c;
	struct file *f = NULL;
	struct path dir = { 0 };
	int r = check_path(path);

	if (r < 0)
		return r;
	r = kernel_root_ctx_init(k, &c);
	if (r < 0)
		return r;
	r = vfs_open(&c.t, AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0, &f);
	if (r == 0 && !f->ops->iterate)
		r = -ENOTDIR;
	while (r == 0) {
		size_t before = l.n;

		r = f->ops->iterate(f, list_one, &l);
		if (r == 0)
			r = l.err;
		if (l.n == before)
			break;
	}
	if (r == 0)
		r = vfs_walk(&c.t, AT_FDCWD, path, WALK_FOLLOW | WALK_DIRECTORY, &dir);
	/* lstat each entry (the walk crosses mounts as the application's) */
	for (size_t i = 0; r == 0 && i < l.n; i++) {
		struct vnode *v = NULL;
		struct stat st;

		if (dir.v->ops->lookup && dir.v->ops->lookup(dir.v, l.v[i].name, &v) == 0) {
			vnode_stat(v, &st);
			l.v[i].mode = st.st_mode;
			l.v[i].size = (uint64_t)st.st_size;
			vnode_put(v);
		}
	}
	if (dir.v)
		path_put(&dir);
	file_put(f);
	kernel_root_ctx_fini(&c);
	if (r < 0) {
		kernel_dirents_free(l.v, l.n);
		return r;
	}
	*ret = l.v;
	*ret_n = l.n;
	return 0;
}

void kernel_dirents_free(struct kernel_dirent *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].name);
	free(v);
}

int kernel_file_remove(struct kernel *k, const char *path)
{
	char name[VFS_NAME_MAX + 1];
	struct kernel_root_ctx c;
	struct path dir;
	struct vnode *v = NULL;
	int slash = 0, r = check_path(path);

	if (r < 0)
		return r;
	r = kernel_root_ctx_init(k, &c);
	if (r < 0)
		return r;
	r = vfs_walk_parent(&c.t, AT_FDCWD, path, &dir, name, &slash);
	if (r < 0) {
		kernel_root_ctx_fini(&c);
		return r == -EEXIST ? -EBUSY : r;
	}
	if (dir.mnt->flags & MS_RDONLY)
		r = -EROFS;
	if (r == 0)
		r = dir.v->ops->lookup ? dir.v->ops->lookup(dir.v, name, &v) : -ENOTDIR;
	if (r == 0) {
		int isdir = S_ISDIR(v->mode);

		if (vfs_is_mountpoint(dir.mnt, v))
			r = -EBUSY;
		else if (slash && !isdir)
			r = -ENOTDIR;
		else
			r = dir.v->ops->unlink ? dir.v->ops->unlink(dir.v, name, isdir) : -EPERM;
		vnode_put(v);
	}
	path_put(&dir);
	kernel_root_ctx_fini(&c);
	return r;
}
