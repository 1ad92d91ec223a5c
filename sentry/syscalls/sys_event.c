/* SPDX-License-Identifier: Apache-2.0 */
/* eventfd, timerfd and epoll system calls (the files: sentry/fs/eventfd.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "sentry/fs/eventfd.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sys_internal.h"
#include "syscall_handlers.h"

#define EP_MAX_EVENTS (INT_MAX / (int)sizeof(struct epoll_event))

/* Install @f (consumed) as a new fd. */
static int64_t install(struct task *t, struct file *f, int cloexec)
{
	int fd = fdt_install_max(t->fdt, 0, f, cloexec, task_fd_limit(t));

	file_put(f);
	return fd < 0 ? -EMFILE : fd;
}

static int64_t do_eventfd(struct task *t, uint64_t initval, uint64_t flags)
{
	struct file *f;
	int r;

	if (flags & ~(uint64_t)(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	r = eventfd_file_new((uint32_t)initval, (unsigned)flags & ~(unsigned)EFD_CLOEXEC, &f);
	return r < 0 ? r : install(t, f, !!(flags & EFD_CLOEXEC));
}

int64_t sys_eventfd(struct task *t, const uint64_t a[6])
{
	return do_eventfd(t, a[0], 0);
}

int64_t sys_eventfd2(struct task *t, const uint64_t a[6])
{
	return do_eventfd(t, a[0], a[1]);
}

int64_t sys_timerfd_create(struct task *t, const uint64_t a[6])
{
	struct file *f;
	int r;

	if (a[1] & ~(uint64_t)(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	r = timerfd_file_new((clockid_t)a[0], (unsigned)a[1] & ~(unsigned)TFD_CLOEXEC, &f);
	return r < 0 ? r : install(t, f, !!(a[1] & TFD_CLOEXEC));
}

/* The timerfd behind @fd: -EBADF, or -EINVAL if it is something else. */
static int timerfd_of(struct task *t, int fd, struct file **ret)
{
	struct file *f = fdt_lookup(t->fdt, fd);

	if (!f)
		return -EBADF;
	if (!timerfd_file_is(f)) {
		file_put(f);
		return -EINVAL;
	}
	*ret = f;
	return 0;
}

int64_t sys_timerfd_settime(struct task *t, const uint64_t a[6])
{
	_cleanup_fput_ struct file *f = NULL;
	struct itimerspec nv, old;
	int r = timerfd_of(t, (int)a[0], &f);

	if (r < 0)
		return r;
	if (task_copy_in(t, a[2], &nv, sizeof(nv)) != sizeof(nv))
		return -EFAULT;
	r = timerfd_file_settime(f, (int)a[1], &nv, &old);
	if (r == 0 && a[3] && task_copy_out(t, a[3], &old, sizeof(old)) != sizeof(old))
		return -EFAULT;
	return r;
}

int64_t sys_timerfd_gettime(struct task *t, const uint64_t a[6])
{
	_cleanup_fput_ struct file *f = NULL;
	struct itimerspec cur;
	int r = timerfd_of(t, (int)a[0], &f);

	if (r < 0)
		return r;
	timerfd_file_gettime(f, &cur);
	return task_copy_out(t, a[1], &cur, sizeof(cur)) == sizeof(cur) ? 0 : -EFAULT;
}

static int64_t do_epoll_create(struct task *t, uint64_t flags)
{
	struct file *f;
	int r;

	if (flags & ~(uint64_t)EPOLL_CLOEXEC)
		return -EINVAL;
	r = epoll_file_new(&f);
	return r < 0 ? r : install(t, f, !!(flags & EPOLL_CLOEXEC));
}

int64_t sys_epoll_create(struct task *t, const uint64_t a[6])
{
	return (int)a[0] <= 0 ? -EINVAL : do_epoll_create(t, 0);
}

int64_t sys_epoll_create1(struct task *t, const uint64_t a[6])
{
	return do_epoll_create(t, a[0]);
}

int64_t sys_epoll_ctl(struct task *t, const uint64_t a[6])
{
	_cleanup_fput_ struct file *ep = fdt_lookup(t->fdt, (int)a[0]);
	_cleanup_fput_ struct file *target = fdt_lookup(t->fdt, (int)a[2]);
	struct epoll_event ev = { 0 };
	int op = (int)a[1];

	if (!ep || !target)
		return -EBADF;
	if (!epoll_file_is(ep))
		return -EINVAL;
	if (op != EPOLL_CTL_DEL && task_copy_in(t, a[3], &ev, sizeof(ev)) != sizeof(ev))
		return -EFAULT;
	return epoll_file_ctl(ep, op, (int)a[2], target, ev.events, ev.data.u64);
}

static int64_t do_epoll_wait(struct task *t, int epfd, uint64_t uevents, int max,
			     uint64_t deadline)
{
	_cleanup_fput_ struct file *ep = fdt_lookup(t->fdt, epfd);
	_cleanup_free_ struct epoll_event *ev = NULL;
	int n;

	if (!ep)
		return -EBADF;
	if (!epoll_file_is(ep) || max <= 0 || max > EP_MAX_EVENTS)
		return -EINVAL;
	ev = calloc((size_t)MIN(max, 1024), sizeof(*ev));
	if (!ev)
		return -ENOMEM;
	n = epoll_file_wait(ep, t, ev, MIN(max, 1024), deadline);
	if (n > 0 && task_copy_out(t, uevents, ev, (size_t)n * sizeof(*ev)) !=
			     (ssize_t)((size_t)n * sizeof(*ev)))
		return -EFAULT;
	return n;
}

static uint64_t ms_deadline(int ms)
{
	if (ms < 0)
		return UINT64_MAX;
	return ms == 0 ? 0 : mono_ns() + (uint64_t)ms * NSEC_PER_MSEC;
}

int64_t sys_epoll_wait(struct task *t, const uint64_t a[6])
{
	return do_epoll_wait(t, (int)a[0], a[1], (int)a[2], ms_deadline((int)a[3]));
}

static int64_t pwait(struct task *t, const uint64_t a[6], uint64_t deadline)
{
	int swapped = sc_swap_mask(t, a[4], a[5]);
	int64_t r;

	if (swapped < 0)
		return swapped;
	r = do_epoll_wait(t, (int)a[0], a[1], (int)a[2], deadline);
	sc_restore_mask(t, swapped, r);
	return r;
}

int64_t sys_epoll_pwait(struct task *t, const uint64_t a[6])
{
	return pwait(t, a, ms_deadline((int)a[3]));
}

int64_t sys_epoll_pwait2(struct task *t, const uint64_t a[6])
{
	struct timespec ts;
	uint64_t deadline = UINT64_MAX;

	if (a[3]) {
		if (task_copy_in(t, a[3], &ts, sizeof(ts)) != sizeof(ts))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
			return -EINVAL;
		deadline = (ts.tv_sec == 0 && ts.tv_nsec == 0)
				   ? 0
				   : mono_ns() + (uint64_t)ts.tv_sec * NSEC_PER_SEC +
					     (uint64_t)ts.tv_nsec;
	}
	return pwait(t, a, deadline);
}

static int64_t do_signalfd(struct task *t, int fd, uint64_t umask, uint64_t size, uint64_t flags)
{
	uint64_t mask;
	struct file *f;
	int r;

	if (flags & ~(uint64_t)(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	if (size != sizeof(mask))
		return -EINVAL;
	if (task_copy_in(t, umask, &mask, sizeof(mask)) != sizeof(mask))
		return -EFAULT;
	mask &= ~SIG_UNBLOCKABLE; /* SIGKILL and SIGSTOP are silently dropped */
	if (fd != -1) {
		_cleanup_fput_ struct file *old = fdt_lookup(t->fdt, fd);

		if (!old)
			return -EBADF;
		if (!signalfd_file_is(old))
			return -EINVAL;
		signalfd_file_set_mask(old, mask);
		return fd;
	}
	r = signalfd_file_new(mask, (unsigned)flags & SFD_NONBLOCK, &f);
	return r < 0 ? r : install(t, f, !!(flags & SFD_CLOEXEC));
}

int64_t sys_signalfd(struct task *t, const uint64_t a[6])
{
	return do_signalfd(t, (int)a[0], a[1], a[2], 0);
}

int64_t sys_signalfd4(struct task *t, const uint64_t a[6])
{
	return do_signalfd(t, (int)a[0], a[1], a[2], a[3]);
}
