/* SPDX-License-Identifier: Apache-2.0 */
/* timer_create, timer_settime, timer_gettime, timer_getoverrun,
 * timer_delete (the timers: sentry/kernel/ptimer.h). */
#include <errno.h>
#include <signal.h>
#include <time.h>

#include "sentry/kernel/ptimer.h"
#include "sentry/kernel/task.h"
#include "syscall_handlers.h"

int64_t sys_timer_create(struct task *t, const uint64_t a[6])
{
	struct sigevent sev;
	int32_t id;
	int r;

	if (a[1] && task_copy_in(t, a[1], &sev, sizeof(sev)) != sizeof(sev))
		return -EFAULT;
	r = ptimer_create(t, (clockid_t)a[0], a[1] ? &sev : NULL, &id);
	if (r < 0)
		return r;
	if (task_copy_out(t, a[2], &id, sizeof(id)) != sizeof(id)) {
		(void)ptimer_delete(t, id);
		return -EFAULT;
	}
	return 0;
}

int64_t sys_timer_settime(struct task *t, const uint64_t a[6])
{
	struct itimerspec nv, old;
	int r;

	if (task_copy_in(t, a[2], &nv, sizeof(nv)) != sizeof(nv))
		return -EFAULT;
	r = ptimer_settime(t, (int)a[0], (int)a[1], &nv, &old);
	if (r == 0 && a[3] && task_copy_out(t, a[3], &old, sizeof(old)) != sizeof(old))
		return -EFAULT;
	return r;
}

int64_t sys_timer_gettime(struct task *t, const uint64_t a[6])
{
	struct itimerspec cur;
	int r = ptimer_gettime(t, (int)a[0], &cur);

	if (r == 0 && task_copy_out(t, a[1], &cur, sizeof(cur)) != sizeof(cur))
		return -EFAULT;
	return r;
}

int64_t sys_timer_getoverrun(struct task *t, const uint64_t a[6])
{
	return ptimer_getoverrun(t, (int)a[0]);
}

int64_t sys_timer_delete(struct task *t, const uint64_t a[6])
{
	return ptimer_delete(t, (int)a[0]);
}
