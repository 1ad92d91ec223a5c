/* SPDX-License-Identifier: Apache-2.0 */
/* inotify system calls (the instances and hooks: sentry/fs/inotify.h). */
#include <errno.h>
#include <fcntl.h>
#include <sys/inotify.h>

#include "sentry/fs/inotify.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"
#include "sys_internal.h"
#include "syscall_handlers.h"

static int64_t do_init(struct task *t, uint64_t flags)
{
	struct file *f;
	int fd, r;

	if (flags & ~(uint64_t)(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	r = inotify_file_new((unsigned)flags & IN_NONBLOCK, &f);
	if (r < 0)
		return r;
	fd = fdt_install_max(t->fdt, 0, f, !!(flags & IN_CLOEXEC), task_fd_limit(t));
	file_put(f);
	return fd < 0 ? -EMFILE : fd;
}

int64_t sys_inotify_init(struct task *t, const uint64_t a[6])
{
	(void)a;
	return do_init(t, 0);
}

int64_t sys_inotify_init1(struct task *t, const uint64_t a[6])
{
	return do_init(t, a[0]);
}

/* The inotify instance behind @fd: -EBADF, or -EINVAL for another file. */
static int instance(struct task *t, int fd, struct file **ret)
{
	struct file *f = fdt_lookup(t->fdt, fd);

	if (!f)
		return -EBADF;
	if (!inotify_file_is(f)) {
		file_put(f);
		return -EINVAL;
	}
	*ret = f;
	return 0;
}

int64_t sys_inotify_add_watch(struct task *t, const uint64_t a[6])
{
	char path[VFS_PATH_MAX];
	uint32_t mask = (uint32_t)a[2];
	struct file *f;
	struct path p;
	int r;

	r = instance(t, (int)a[0], &f);
	if (r < 0)
		return r;
	r = sc_copy_str(t, a[1], path, sizeof(path) - 1, -ENAMETOOLONG);
	if (r == 0 && !(mask & INOTIFY_ALL_BITS))
		r = -EINVAL;
	if (r == 0)
		r = vfs_walk(t, AT_FDCWD, path,
			     ((mask & IN_DONT_FOLLOW) ? 0 : WALK_FOLLOW) |
				     ((mask & IN_ONLYDIR) ? WALK_DIRECTORY : 0),
			     &p);
	if (r == 0) {
		r = vfs_permission(&t->creds, p.v, MAY_READ);
		if (r == 0)
			r = inotify_file_add_watch(f, p.v, mask);
		path_put(&p);
	}
	file_put(f);
	return r;
}

int64_t sys_inotify_rm_watch(struct task *t, const uint64_t a[6])
{
	struct file *f;
	int r = instance(t, (int)a[0], &f);

	if (r < 0)
		return r;
	r = inotify_file_rm_watch(f, (int)a[1]);
	file_put(f);
	return r;
}
