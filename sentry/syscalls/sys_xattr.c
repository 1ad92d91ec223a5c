/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Extended attributes.  No file system of the Sentry stores them yet, so
 * they behave as on a Linux file system mounted without xattr support:
 * the object is resolved first (ENOENT, ENOTDIR, EBADF... as usual), the
 * name is checked (ERANGE past XATTR_NAME_MAX, EFAULT), then reading or
 * changing an attribute is EOPNOTSUPP and the list is empty.  `ls -l`,
 * `cp -a` and tar take that in their stride.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "lib/macro.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"
#include "sys_internal.h"
#include "syscall_handlers.h"

#define XATTR_NAME_MAX 255

/* Resolve the object: by path (following a final symlink or not) or fd. */
static int xattr_target(struct task *t, int fd, uint64_t upath, int follow)
{
	char path[VFS_PATH_MAX];
	struct path p;
	int r;

	if (fd >= 0) {
		struct file *f = fdt_lookup(t->fdt, fd);

		if (!f)
			return -EBADF;
		file_put(f);
		return 0;
	}
	r = sc_copy_str(t, upath, path, VFS_PATH_MAX - 1, -ENAMETOOLONG);
	if (r < 0)
		return r;
	if (!path[0])
		return -ENOENT;
	r = vfs_walk(t, AT_FDCWD, path, follow ? WALK_FOLLOW : 0, &p);
	if (r < 0)
		return r;
	path_put(&p);
	return 0;
}

static int xattr_name(struct task *t, uint64_t uname)
{
	char name[XATTR_NAME_MAX + 1];
	int r = sc_copy_str(t, uname, name, XATTR_NAME_MAX, -ERANGE);

	if (r == 0 && !name[0])
		r = -ERANGE;
	return r;
}

static int64_t get_or_set(struct task *t, int fd, uint64_t upath, int follow, uint64_t uname)
{
	int r = xattr_target(t, fd, upath, follow);

	if (r == 0)
		r = xattr_name(t, uname);
	return r < 0 ? r : -EOPNOTSUPP;
}

static int64_t list(struct task *t, int fd, uint64_t upath, int follow)
{
	int r = xattr_target(t, fd, upath, follow);

	return r < 0 ? r : 0; /* no attributes */
}

int64_t sys_getxattr(struct task *t, const uint64_t a[6])
{
	return get_or_set(t, -1, a[0], 1, a[1]);
}

int64_t sys_lgetxattr(struct task *t, const uint64_t a[6])
{
	return get_or_set(t, -1, a[0], 0, a[1]);
}

int64_t sys_fgetxattr(struct task *t, const uint64_t a[6])
{
	return (int)a[0] < 0 ? -EBADF : get_or_set(t, (int)a[0], 0, 0, a[1]);
}

int64_t sys_setxattr(struct task *t, const uint64_t a[6])
{
	return get_or_set(t, -1, a[0], 1, a[1]);
}

int64_t sys_lsetxattr(struct task *t, const uint64_t a[6])
{
	return get_or_set(t, -1, a[0], 0, a[1]);
}

int64_t sys_fsetxattr(struct task *t, const uint64_t a[6])
{
	return (int)a[0] < 0 ? -EBADF : get_or_set(t, (int)a[0], 0, 0, a[1]);
}

int64_t sys_removexattr(struct task *t, const uint64_t a[6])
{
	return get_or_set(t, -1, a[0], 1, a[1]);
}

int64_t sys_lremovexattr(struct task *t, const uint64_t a[6])
{
	return get_or_set(t, -1, a[0], 0, a[1]);
}

int64_t sys_fremovexattr(struct task *t, const uint64_t a[6])
{
	return (int)a[0] < 0 ? -EBADF : get_or_set(t, (int)a[0], 0, 0, a[1]);
}

int64_t sys_listxattr(struct task *t, const uint64_t a[6])
{
	return list(t, -1, a[0], 1);
}

int64_t sys_llistxattr(struct task *t, const uint64_t a[6])
{
	return list(t, -1, a[0], 0);
}

int64_t sys_flistxattr(struct task *t, const uint64_t a[6])
{
	return (int)a[0] < 0 ? -EBADF : list(t, (int)a[0], 0, 0);
}
