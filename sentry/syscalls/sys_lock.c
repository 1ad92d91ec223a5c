/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Advisory locks from the application: fcntl record locks (POSIX and open
 * file description locks) and flock().  The rules live in sentry/vfs/lock.c;
 * this file decodes struct flock and checks arguments as Linux does.
 */
#include "sys_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "lib/macro.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/lock.h"
#include "syscall_handlers.h"

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif

/* struct flock as the x86-64 kernel lays it out. */
struct kflock {
	int16_t l_type;
	int16_t l_whence;
	int32_t pad0;
	int64_t l_start;
	int64_t l_len;
	int32_t l_pid;
	int32_t pad1;
};

static void filep(struct file **f)
{
	file_put(*f);
}
#define _cleanup_file_ _cleanup_(filep)

/* The byte range of @fl on @f, as an inclusive [start, end]. */
static int to_range(struct file *f, const struct kflock *fl, struct lock_range *r)
{
	int64_t base, start, len = fl->l_len;

	switch (fl->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		pthread_mutex_lock(&f->lock);
		base = f->pos;
		pthread_mutex_unlock(&f->lock);
		break;
	case SEEK_END:
		pthread_mutex_lock(&f->path.v->lock);
		base = (int64_t)f->path.v->size;
		pthread_mutex_unlock(&f->path.v->lock);
		break;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, fl->l_start, &start))
		return -EOVERFLOW;
	if (len < 0) { /* the len bytes before start */
		if (__builtin_add_overflow(start, len, &start))
			return -EINVAL;
		len = -len;
	}
	if (start < 0)
		return -EINVAL;
	r->start = (uint64_t)start;
	if (len == 0)
		r->end = UINT64_MAX;
	else if ((uint64_t)start + (uint64_t)len - 1 > (uint64_t)INT64_MAX)
		return -EOVERFLOW;
	else
		r->end = (uint64_t)start + (uint64_t)len - 1;
	r->type = fl->l_type;
	return 0;
}

int64_t sys_fcntl_lock(struct task *t, struct file *f, int cmd, uint64_t arg)
{
	int ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	int get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	enum lock_kind kind = ofd ? LOCK_KIND_OFD : LOCK_KIND_POSIX;
	const void *owner = ofd ? (const void *)f : (const void *)t->fdt;
	struct lock_range req, found;
	struct kflock fl;
	int r;

	if (task_copy_in(t, arg, &fl, sizeof(fl)) != sizeof(fl))
		return -EFAULT;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
		return -EINVAL;
	if (ofd && fl.l_pid != 0)
		return -EINVAL;
	if (!f->path.v)
		return -EINVAL; /* pipes and host fds: nothing to lock here */
	r = to_range(f, &fl, &req);
	if (r < 0)
		return r;
	if (get) {
		if (fl.l_type == F_UNLCK)
			return -EINVAL;
		lock_test(f, kind, owner, &req, &found);
		fl.l_type = (int16_t)found.type;
		if (found.type != F_UNLCK) {
			fl.l_whence = SEEK_SET;
			fl.l_start = (int64_t)found.start;
			fl.l_len = found.end == UINT64_MAX ? 0 : (int64_t)(found.end - found.start + 1);
			fl.l_pid = found.pid;
		}
		return task_copy_out(t, arg, &fl, sizeof(fl)) == sizeof(fl) ? 0 : -EFAULT;
	}
	if ((fl.l_type == F_RDLCK && !file_readable(f)) ||
	    (fl.l_type == F_WRLCK && !file_writable(f)))
		return -EBADF;
	return lock_set(t, f, kind, owner, &req, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

int64_t sys_flock(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	unsigned op = (unsigned)a[1];
	struct lock_range req = { .start = 0, .end = UINT64_MAX };

	if (!f || (f->flags & O_PATH))
		return -EBADF;
	switch (op & ~(unsigned)LOCK_NB) {
	case LOCK_SH:
		req.type = F_RDLCK;
		break;
	case LOCK_EX:
		req.type = F_WRLCK;
		break;
	case LOCK_UN:
		req.type = F_UNLCK;
		break;
	default:
		return -EINVAL;
	}
	if (!f->path.v)
		return 0; /* pipes, host fds: no other holder can exist here */
	/* a conversion is not atomic: the old lock goes first (as Linux) */
	if (req.type != F_UNLCK) {
		struct lock_range un = req;

		un.type = F_UNLCK;
		(void)lock_set(t, f, LOCK_KIND_FLOCK, f, &un, 0);
	}
	int r = lock_set(t, f, LOCK_KIND_FLOCK, f, &req, !(op & LOCK_NB));

	return r == -EAGAIN ? -EWOULDBLOCK : r;
}
