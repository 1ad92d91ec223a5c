/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fallocate, posix_fadvise and readahead.
 *
 * Files here are memory (tmpfs, the overlay's upper layer) or read-only
 * (goferfs), so allocation has nothing to reserve: fallocate mode 0 grows
 * the size through the file system's truncate, FALLOC_FL_KEEP_SIZE only
 * validates, and FALLOC_FL_PUNCH_HOLE / FALLOC_FL_ZERO_RANGE write zeros
 * over the part of the range inside the file (the result reads the same
 * as Linux's; blocks are not released).  The page-cache hints are no-ops
 * that check their arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "lib/macro.h"
#include "sentry/fs/inotify.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sys_limits.h"
#include "syscall_handlers.h"

#define ZERO_CHUNK 65536

/* Write zeros over [off, end) of @f through its write op. */
static int write_zeros(struct task *t, struct file *f, uint64_t off, uint64_t end)
{
	_cleanup_free_ void *z = NULL;

	if (off >= end)
		return 0;
	z = calloc(1, ZERO_CHUNK);
	if (!z)
		return -ENOMEM;
	while (off < end) {
		size_t n = (size_t)MIN(end - off, (uint64_t)ZERO_CHUNK);
		int64_t pos = (int64_t)off;
		ssize_t w = f->ops->write(f, t, z, n, &pos);

		if (w < 0)
			return (int)w;
		if (w == 0)
			return -EIO;
		off += (uint64_t)w;
	}
	return 0;
}

/* A file without a vnode: ESPIPE for pipes, else ENODEV. */
static int pipe_like(struct file *f)
{
	struct stat st;

	if (f->ops->fstat && f->ops->fstat(f, &st) == 0 && S_ISFIFO(st.st_mode))
		return -ESPIPE;
	return -ENODEV;
}

int64_t sys_fallocate(struct task *t, const uint64_t a[6])
{
	_cleanup_fput_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	int mode = (int)a[1];
	int64_t off = (int64_t)a[2], len = (int64_t)a[3];
	struct vnode *v;
	uint64_t end, size;
	int r;

	if (!f)
		return -EBADF;
	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE |
		     FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && !(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && (mode & FALLOC_FL_ZERO_RANGE))
		return -EOPNOTSUPP;
	if (mode & (FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE))
		return -EOPNOTSUPP;
	if (!file_writable(f) || (f->flags & O_PATH))
		return -EBADF;
	if ((f->flags & O_APPEND) && (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)))
		return -EPERM;
	v = f->path.v;
	if (!v) /* pipes, sockets, anonymous files */
		return pipe_like(f);
	if (S_ISDIR(v->mode))
		return -EISDIR;
	if (S_ISFIFO(v->mode))
		return -ESPIPE;
	if (!S_ISREG(v->mode))
		return -ENODEV;
	if ((uint64_t)off + (uint64_t)len > (uint64_t)INT64_MAX)
		return -EFBIG;
	end = (uint64_t)off + (uint64_t)len;
	if (!v->ops->truncate || !f->ops->write)
		return -EOPNOTSUPP; /* the file system cannot change the file */
	if (!(mode & FALLOC_FL_KEEP_SIZE) && (r = sys_fsize_check(t, end, NULL)) < 0)
		return r;
	pthread_mutex_lock(&v->lock);
	size = v->size;
	pthread_mutex_unlock(&v->lock);
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		r = write_zeros(t, f, (uint64_t)off, MIN(end, size));
		if (r < 0)
			return r;
	}
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > size) {
		r = v->ops->truncate(v, end);
		if (r < 0)
			return r;
	}
	fsnotify_file(f, IN_MODIFY);
	return 0;
}

int64_t sys_fadvise64(struct task *t, const uint64_t a[6])
{
	_cleanup_fput_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	int advice = (int)a[3];

	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if ((f->path.v && S_ISFIFO(f->path.v->mode)) || (!f->path.v && pipe_like(f) == -ESPIPE))
		return -ESPIPE;
	if ((int64_t)a[2] < 0)
		return -EINVAL;
	switch (advice) {
	case POSIX_FADV_NORMAL:
	case POSIX_FADV_RANDOM:
	case POSIX_FADV_SEQUENTIAL:
	case POSIX_FADV_WILLNEED:
	case POSIX_FADV_DONTNEED:
	case POSIX_FADV_NOREUSE:
		return 0; /* the page cache is the Sentry's memory: nothing to do */
	default:
		return -EINVAL;
	}
}

int64_t sys_readahead(struct task *t, const uint64_t a[6])
{
	_cleanup_fput_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);

	if (!f || !file_readable(f) || (f->flags & O_PATH))
		return -EBADF;
	if (!f->path.v || !S_ISREG(f->path.v->mode))
		return -EINVAL;
	if ((int64_t)a[1] < 0)
		return -EINVAL;
	return 0;
}
