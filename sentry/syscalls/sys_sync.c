/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Flushing: sync, syncfs, fsync, fdatasync, sync_file_range.
 *
 * tmpfs has nothing to flush; a file opened for writing in a bind mount
 * asks the Gofer (file_ops.fsync: Tfsync, the host's fsync); otherwise these
 * only check their arguments, with Linux's errors: a file without a
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

static int64_t do_fsync(struct task *t, int fd, int datasync)
{
	_cleanup_file_ struct file *f = fdt_lookup(t->fdt, fd);
	mode_t type;

	if (!f || (f->flags & O_PATH))
		return -EBADF;
	type = file_type(f);
	if (type != S_IFREG && type != S_IFDIR)
		return -EINVAL;
	return f->ops->fsync ? f->ops->fsync(f, datasync) : 0;
}

int64_t sys_fsync(struct task *t, const uint64_t a[6])
{
	return do_fsync(t, (int)a[0], 0);
}

int64_t sys_fdatasync(struct task *t, const uint64_t a[6])
{
	return do_fsync(t, (int)a[0], 1);
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
