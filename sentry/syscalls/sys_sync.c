/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flushing: sync, syncfs, fsync, fdatasync, sync_file_range; fadvise64.
 *
 * tmpfs has nothing to flush and the Gofer's files are written through, so
 * these only check their arguments, with Linux's errors: a file without a
 * flush operation (pipes, character devices, host stdio) gives EINVAL to
 * fsync and ESPIPE to sync_file_range; O_PATH descriptors give EBADF.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "lib/macro.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "syscall_handlers.h"

#define SFR_FLAGS 7u /* SYNC_FILE_RANGE_WAIT_BEFORE | _WRITE | _WAIT_AFTER */

static void filep(struct file **f)
{
	file_put(*f);
}
#define _cleanup_file_ _cleanup_(filep)

/* The file type of @f: its vnode's, else what the file says (a host fd
 * may be a regular file: `> out`), else 0. */
static mode_t file_type(struct file *f)
{
	struct stat st;

	if (f->path.v)
		return f->path.v->mode & S_IFMT;
	if (f->ops->fstat && f->ops->fstat(f, &st) == 0)
		return st.st_mode & S_IFMT;
	return 0;
}

int64_t sys_sync(struct task *t, const uint64_t a[6])
{
	(void)t;
	(void)a;
	return 0;
}

int64_t sys_syncfs(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);

	if (!f || (f->flags & O_PATH))
		return -EBADF;
	return 0;
}

int64_t sys_fsync(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	mode_t type;

	if (!f || (f->flags & O_PATH))
		return -EBADF;
	type = file_type(f);
	return type == S_IFREG || type == S_IFDIR ? 0 : -EINVAL;
}

int64_t sys_fdatasync(struct task *t, const uint64_t a[6])
{
	return sys_fsync(t, a);
}

/* sync_file_range(fd, offset, nbytes, flags) */
int64_t sys_sync_file_range(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	int64_t off = (int64_t)a[1], n = (int64_t)a[2];
	mode_t type;

	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (a[3] & ~(uint64_t)SFR_FLAGS)
		return -EINVAL;
	if (off < 0 || n < 0 || off + n < off)
		return -EINVAL;
	type = file_type(f);
	if (type != S_IFREG && type != S_IFDIR && type != S_IFLNK && type != S_IFBLK)
		return -ESPIPE;
	return 0;
}

/* fadvise64(fd, offset, len, advice): a hint about the page cache, which
 * the Sentry's files do not have; checked like Linux's and ignored. */
int64_t sys_fadvise64(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);

	if (!f || (f->flags & O_PATH))
		return -EBADF;
	if (file_type(f) == S_IFIFO)
		return -ESPIPE;
	if ((int64_t)a[2] < 0 || a[3] > POSIX_FADV_NOREUSE)
		return -EINVAL;
	return 0;
}
