/* SPDX-License-Identifier: Apache-2.0 */
/*
 * poll, ppoll, select, pselect6.  Readiness comes from each file's poll op;
 * a blocked call sleeps until the sandbox's readiness sequence moves
 * (sentry/vfs/notify.h) and re-scans, returning early on a signal or a
 * group exit (checked at least every 50 ms).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/notify.h"
#include "sys_internal.h"
#include "syscall_handlers.h"

#define POLL_MAX FDT_MAX
#define POLL_SIGNAL_CHECK_NS (50 * NSEC_PER_MSEC)

static unsigned file_ready(struct file *f)
{
	if (f->ops->poll)
		return f->ops->poll(f);
	/* Linux's DEFAULT_POLLMASK, whatever the access mode */
	return POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
}

static int scan(struct task *t, struct pollfd *p, size_t n)
{
	int ready = 0;

	for (size_t i = 0; i < n; i++) {
		struct file *f;

		p[i].revents = 0;
		if (p[i].fd < 0)
			continue;
		f = fdt_lookup(t->fdt, p[i].fd);
		if (!f) {
			p[i].revents = POLLNVAL;
		} else {
			p[i].revents = (short)(file_ready(f) &
					       ((unsigned)p[i].events | POLLHUP | POLLERR));
			file_put(f);
		}
		if (p[i].revents)
			ready++;
	}
	return ready;
}

/* @deadline: CLOCK_MONOTONIC ns, 0 = do not block, UINT64_MAX = forever. */
static int do_poll(struct task *t, struct pollfd *p, size_t n, uint64_t deadline)
{
	for (;;) {
		uint32_t seq = vfs_notify_seq();
		int r = scan(t, p, n), intr;
		uint64_t now;

		if (r > 0 || deadline == 0)
			return r;
		now = mono_ns();
		if (now >= deadline)
			return 0;
		intr = task_interrupted(t, -ERESTARTNOHAND);
		if (intr < 0)
			return intr != -ERESTARTNOHAND ? intr
			       : signal_ckpt_only(t) ? -ERESTARTNOINTR : -EINTR;
		task_block_begin(t);
		vfs_notify_wait(seq, MIN(deadline, now + POLL_SIGNAL_CHECK_NS));
		task_block_end(t);
	}
}

static int64_t poll_common(struct task *t, uint64_t ufds, uint64_t nfds, uint64_t deadline)
{
	struct pollfd *p;
	int64_t r;

	if (nfds > POLL_MAX)
		return -EINVAL;
	p = calloc(nfds ? nfds : 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	if (nfds && task_copy_in(t, ufds, p, nfds * sizeof(*p)) != (ssize_t)(nfds * sizeof(*p))) {
		free(p);
		return -EFAULT;
	}
	r = do_poll(t, p, nfds, deadline);
	if (r >= 0 && nfds &&
	    task_copy_out(t, ufds, p, nfds * sizeof(*p)) != (ssize_t)(nfds * sizeof(*p)))
		r = -EFAULT;
	free(p);
	return r;
}

static uint64_t deadline_ms(int ms)
{
	if (ms < 0)
		return UINT64_MAX;
	if (ms == 0)
		return 0;
	return mono_ns() + (uint64_t)ms * NSEC_PER_MSEC;
}

int64_t sys_poll(struct task *t, const uint64_t a[6])
{
	return poll_common(t, a[0], a[1], deadline_ms((int)a[2]));
}

static int ts_deadline(struct task *t, uint64_t uts, uint64_t *ret)
{
	struct timespec ts;

	if (!uts) {
		*ret = UINT64_MAX;
		return 0;
	}
	if (task_copy_in(t, uts, &ts, sizeof(ts)) != sizeof(ts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	*ret = (ts.tv_sec == 0 && ts.tv_nsec == 0)
		       ? 0
		       : mono_ns() + (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	return 0;
}

/* select, pselect6 and ppoll write the time left back into the caller's
 * timeout (0 once it expired).  A failing copy does not change the result,
 * as Linux. */
static void write_back(struct task *t, uint64_t uaddr, uint64_t deadline, int usec)
{
	uint64_t now = mono_ns(), left;

	if (!uaddr || deadline == UINT64_MAX)
		return;
	left = deadline > now ? deadline - now : 0;
	if (usec) {
		struct timeval tv = { (time_t)(left / NSEC_PER_SEC),
				      (suseconds_t)(left % NSEC_PER_SEC / NSEC_PER_USEC) };

		(void)task_copy_out(t, uaddr, &tv, sizeof(tv));
	} else {
		struct timespec ts = { (time_t)(left / NSEC_PER_SEC), (long)(left % NSEC_PER_SEC) };

		(void)task_copy_out(t, uaddr, &ts, sizeof(ts));
	}
}

/* The temporary signal mask of ppoll/pselect6: delivery restores the old
 * one after the handler (like rt_sigsuspend). */
int sc_swap_mask(struct task *t, uint64_t umask, uint64_t size)
{
	uint64_t m;

	if (!umask)
		return 0;
	if (size != 8)
		return -EINVAL;
	if (task_copy_in(t, umask, &m, sizeof(m)) != sizeof(m))
		return -EFAULT;
	pthread_mutex_lock(&t->k->lock);
	t->saved_mask = t->sig.mask;
	t->saved_mask_valid = 1;
	t->sig.mask = m & ~SIG_UNBLOCKABLE;
	pthread_mutex_unlock(&t->k->lock);
	return 1;
}

void sc_restore_mask(struct task *t, int swapped, int64_t r)
{
	if (!swapped || r == -EINTR)
		return; /* on EINTR the handler's frame restores it */
	pthread_mutex_lock(&t->k->lock);
	t->sig.mask = t->saved_mask;
	t->saved_mask_valid = 0;
	pthread_mutex_unlock(&t->k->lock);
}

int64_t sys_ppoll(struct task *t, const uint64_t a[6])
{
	uint64_t deadline;
	int swapped, r = ts_deadline(t, a[2], &deadline);
	int64_t ret;

	if (r < 0)
		return r;
	swapped = sc_swap_mask(t, a[3], a[4]);
	if (swapped < 0)
		return swapped;
	ret = poll_common(t, a[0], a[1], deadline);
	sc_restore_mask(t, swapped, ret);
	write_back(t, a[2], deadline, 0);
	return ret;
}

static int64_t select_common(struct task *t, uint64_t nfds, uint64_t ur, uint64_t uw,
			     uint64_t ue, uint64_t deadline)
{
	fd_set in[3], out[3];
	uint64_t u[3] = { ur, uw, ue };
	struct pollfd *p;
	size_t n = 0, bytes;
	int64_t r;

	if (nfds > FD_SETSIZE)
		return -EINVAL;
	bytes = (nfds + 7) / 8;
	memset(in, 0, sizeof(in));
	memset(out, 0, sizeof(out));
	for (int k = 0; k < 3; k++)
		if (u[k] && bytes && task_copy_in(t, u[k], &in[k], bytes) != (ssize_t)bytes)
			return -EFAULT;
	p = calloc(nfds ? nfds : 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (uint64_t fd = 0; fd < nfds; fd++) {
		short ev = 0;

		if (FD_ISSET((int)fd, &in[0]))
			ev |= POLLIN;
		if (FD_ISSET((int)fd, &in[1]))
			ev |= POLLOUT;
		if (FD_ISSET((int)fd, &in[2]))
			ev |= POLLPRI;
		if (ev) {
			p[n].fd = (int)fd;
			p[n].events = ev;
			n++;
		}
	}
	r = do_poll(t, p, n, deadline);
	if (r >= 0) {
		int count = 0;

		for (size_t i = 0; i < n; i++) {
			if (p[i].revents & POLLNVAL) {
				free(p);
				return -EBADF;
			}
			if ((p[i].events & POLLIN) && (p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				FD_SET(p[i].fd, &out[0]), count++;
			if ((p[i].events & POLLOUT) && (p[i].revents & (POLLOUT | POLLERR)))
				FD_SET(p[i].fd, &out[1]), count++;
			if ((p[i].events & POLLPRI) && (p[i].revents & POLLPRI))
				FD_SET(p[i].fd, &out[2]), count++;
		}
		r = count;
		for (int k = 0; k < 3; k++)
			if (u[k] && bytes && task_copy_out(t, u[k], &out[k], bytes) != (ssize_t)bytes)
				r = -EFAULT;
	}
	free(p);
	return r;
}

int64_t sys_select(struct task *t, const uint64_t a[6])
{
	uint64_t deadline = UINT64_MAX;
	int64_t r;

	if (a[4]) {
		struct timeval tv;

		if (task_copy_in(t, a[4], &tv, sizeof(tv)) != sizeof(tv))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		deadline = (tv.tv_sec == 0 && tv.tv_usec == 0)
				   ? 0
				   : mono_ns() + (uint64_t)tv.tv_sec * NSEC_PER_SEC +
					     (uint64_t)tv.tv_usec * NSEC_PER_USEC;
	}
	r = select_common(t, a[0], a[1], a[2], a[3], deadline);
	write_back(t, a[4], deadline, 1);
	return r;
}

int64_t sys_pselect6(struct task *t, const uint64_t a[6])
{
	struct {
		uint64_t mask, size;
	} sm = { 0, 0 };
	uint64_t deadline;
	int swapped, r = ts_deadline(t, a[4], &deadline);
	int64_t ret;

	if (r < 0)
		return r;
	if (a[5] && task_copy_in(t, a[5], &sm, sizeof(sm)) != sizeof(sm))
		return -EFAULT;
	swapped = sc_swap_mask(t, sm.mask, sm.size);
	if (swapped < 0)
		return swapped;
	ret = select_common(t, a[0], a[1], a[2], a[3], deadline);
	sc_restore_mask(t, swapped, ret);
	write_back(t, a[4], deadline, 0);
	return ret;
}
