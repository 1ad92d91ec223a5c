/* SPDX-License-Identifier: Apache-2.0 */
/* Clocks, sleeping and randomness. */
#include <errno.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>

#include "lib/macro.h"
#include "sentry/kernel/task.h"
#include "syscall_handlers.h"

/* Clocks the application may read; CPU-time clocks come with the
 * scheduler accounting (later). */
static int clock_ok(uint64_t id)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		return 1;
	}
	return 0;
}

int64_t sys_clock_gettime(struct task *t, const uint64_t a[6])
{
	struct timespec ts;

	if (!clock_ok(a[0]))
		return -EINVAL;
	clock_gettime((clockid_t)a[0], &ts);
	return task_copy_out(t, a[1], &ts, sizeof(ts)) == sizeof(ts) ? 0 : -EFAULT;
}

int64_t sys_clock_getres(struct task *t, const uint64_t a[6])
{
	struct timespec ts;

	if (!clock_ok(a[0]))
		return -EINVAL;
	clock_getres((clockid_t)a[0], &ts);
	if (!a[1])
		return 0;
	return task_copy_out(t, a[1], &ts, sizeof(ts)) == sizeof(ts) ? 0 : -EFAULT;
}

int64_t sys_gettimeofday(struct task *t, const uint64_t a[6])
{
	struct timeval tv;
	struct timezone tz = { 0, 0 };

	gettimeofday(&tv, NULL);
	if (a[0] && task_copy_out(t, a[0], &tv, sizeof(tv)) != sizeof(tv))
		return -EFAULT;
	if (a[1] && task_copy_out(t, a[1], &tz, sizeof(tz)) != sizeof(tz))
		return -EFAULT;
	return 0;
}

int64_t sys_time(struct task *t, const uint64_t a[6])
{
	int64_t now = (int64_t)time(NULL);

	if (a[0] && task_copy_out(t, a[0], &now, sizeof(now)) != sizeof(now))
		return -EFAULT;
	return now;
}

static int64_t do_sleep(struct task *t, clockid_t clk, int flags, uint64_t req, uint64_t rem)
{
	struct timespec ts;

	if (task_copy_in(t, req, &ts, sizeof(ts)) != sizeof(ts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	/* Not interruptible by signals yet (signals: issue 4). */
	while (clock_nanosleep(clk, flags, &ts, &ts) == EINTR)
		;
	if (rem && !(flags & TIMER_ABSTIME)) {
		struct timespec zero = { 0, 0 };

		if (task_copy_out(t, rem, &zero, sizeof(zero)) != sizeof(zero))
			return -EFAULT;
	}
	return 0;
}

int64_t sys_nanosleep(struct task *t, const uint64_t a[6])
{
	return do_sleep(t, CLOCK_MONOTONIC, 0, a[0], a[1]);
}

int64_t sys_clock_nanosleep(struct task *t, const uint64_t a[6])
{
	if (!clock_ok(a[0]) || a[0] == CLOCK_MONOTONIC_RAW || a[0] == CLOCK_REALTIME_COARSE ||
	    a[0] == CLOCK_MONOTONIC_COARSE)
		return -EINVAL;
	if (a[1] & ~(uint64_t)TIMER_ABSTIME)
		return -EINVAL;
	return do_sleep(t, (clockid_t)a[0], (int)a[1], a[2], a[3]);
}

int64_t sys_getrandom(struct task *t, const uint64_t a[6])
{
	uint8_t buf[4096];
	uint64_t done = 0, len = a[1];

	if (a[2] & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | 0x4 /* GRND_INSECURE */))
		return -EINVAL;
	if ((a[2] & GRND_RANDOM) && (a[2] & 0x4))
		return -EINVAL;
	if (len > 33554431) /* Linux caps one call at 32 MiB - 1 */
		len = 33554431;
	while (done < len) {
		size_t n = MIN(sizeof(buf), len - done);
		ssize_t w;

		if (getrandom(buf, n, 0) != (ssize_t)n)
			return done ? (int64_t)done : -EIO;
		w = task_copy_out(t, a[0] + done, buf, n);
		if (w < 0)
			return done ? (int64_t)done : -EFAULT;
		done += (uint64_t)w;
		if ((size_t)w < n)
			break;
	}
	return (int64_t)done;
}
