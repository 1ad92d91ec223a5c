/* SPDX-License-Identifier: Apache-2.0 */
/* Clocks, sleeping and randomness. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "sentry/kernel/itimer.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "syscall_handlers.h"

/* Host clocks the application may read; the CPU-time clocks are the
 * Sentry's own accounting (cpu_clock()). */
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

/*
 * CPU-time clocks: CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID and the
 * encoded per-pid/per-thread ids of clock_getcpuclockid(3) (~pid << 3 |
 * thread << 2 | kind; kind 0 PROF, 1 VIRT, 2 SCHED).  Threads only of the
 * caller's own process, as Linux.  1 with *ns set, or -EINVAL.
 */
static int cpu_clock(struct task *t, int64_t id, uint64_t *ns)
{
	struct kernel *k = t->k;
	int32_t pid;
	int thread, kind;
	uint64_t u, s;
	int r = -EINVAL;

	if (id == CLOCK_PROCESS_CPUTIME_ID || id == CLOCK_THREAD_CPUTIME_ID) {
		pid = 0;
		thread = id == CLOCK_THREAD_CPUTIME_ID;
		kind = 2;
	} else if (id < 0 && id >= INT32_MIN) {
		pid = (int32_t)~(id >> 3);
		thread = !!(id & 4);
		kind = (int)(id & 3);
		if (kind == 3)
			return -EINVAL;
	} else {
		return 0; /* not a CPU clock */
	}
	pthread_mutex_lock(&k->lock);
	if (thread) {
		struct task *o = pid == 0 ? t : (pid < KERNEL_PID_MAX ? k->tids[pid] : NULL);

		if (o && o->tg == t->tg) {
			task_cputime(o, &u, &s);
			r = 1;
		}
	} else {
		struct thread_group *g = pid == 0 ? t->tg : (pid < KERNEL_PID_MAX ? k->tgs[pid] : NULL);

		if (g) {
			task_cputime_tg_locked(g, &u, &s);
			r = 1;
		}
	}
	pthread_mutex_unlock(&k->lock);
	if (r == 1)
		*ns = kind == 1 ? u : u + s;
	return r;
}

int64_t sys_clock_gettime(struct task *t, const uint64_t a[6])
{
	struct timespec ts;
	uint64_t ns;
	int r = cpu_clock(t, (int64_t)(int32_t)a[0], &ns);

	if (r < 0)
		return r;
	if (r == 1) {
		ts.tv_sec = (time_t)(ns / NSEC_PER_SEC);
		ts.tv_nsec = (long)(ns % NSEC_PER_SEC);
	} else if (!clock_ok(a[0])) {
		return -EINVAL;
	} else {
		clock_gettime((clockid_t)a[0], &ts);
	}
	return task_copy_out(t, a[1], &ts, sizeof(ts)) == sizeof(ts) ? 0 : -EFAULT;
}

int64_t sys_clock_settime(struct task *t, const uint64_t a[6])
{
	struct timespec ts;

	if (task_copy_in(t, a[1], &ts, sizeof(ts)) != sizeof(ts))
		return -EFAULT;
	if (a[0] != CLOCK_REALTIME)
		return -EINVAL; /* no other settable clock */
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	return -EPERM; /* the sandbox has no CAP_SYS_TIME */
}

int64_t sys_clock_getres(struct task *t, const uint64_t a[6])
{
	struct timespec ts;
	uint64_t ns;
	int r = cpu_clock(t, (int64_t)(int32_t)a[0], &ns);

	if (r < 0)
		return r;
	if (r == 1) {
		ts.tv_sec = 0;
		ts.tv_nsec = 1;
	} else if (!clock_ok(a[0])) {
		return -EINVAL;
	} else {
		clock_getres((clockid_t)a[0], &ts);
	}
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

/*
 * Sleep until @deadline on @clk.  Interrupted by a signal: an absolute sleep
 * restarts as is (-ERESTARTNOHAND); a relative one reports the time left in
 * @rem and restarts through restart_syscall(2) towards the same deadline
 * when no handler runs (a stop and SIGCONT), as Linux.
 */
static int64_t sleep_until(struct task *t, clockid_t clk, uint64_t deadline, int relative,
			   uint64_t rem)
{
	int r = task_sleep_until(t, clk, deadline);
	uint64_t now, left;
	struct timespec ts;

	if (r <= 0)
		return r;
	if (!relative)
		return -ERESTARTNOHAND;
	now = now_ns(clk);
	left = deadline > now ? deadline - now : 0;
	if (rem) {
		ts.tv_sec = (time_t)(left / NSEC_PER_SEC);
		ts.tv_nsec = (long)(left % NSEC_PER_SEC);
		if (task_copy_out(t, rem, &ts, sizeof(ts)) != sizeof(ts))
			return -EFAULT;
	}
	t->restart.clock = clk;
	t->restart.deadline_ns = deadline;
	t->restart.rem_addr = rem;
	return -ERESTART_RESTARTBLOCK;
}

static int64_t do_sleep(struct task *t, clockid_t clk, int flags, uint64_t req, uint64_t rem)
{
	struct timespec ts;
	uint64_t ns;

	if (task_copy_in(t, req, &ts, sizeof(ts)) != sizeof(ts))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	ns = ktime_from(ts.tv_sec, ts.tv_nsec);
	if (flags & TIMER_ABSTIME)
		return sleep_until(t, clk, ns, 0, 0);
	return sleep_until(t, clk, ktime_add(now_ns(clk), ns), 1, rem);
}

int64_t sys_restart_syscall(struct task *t, const uint64_t a[6])
{
	uint64_t deadline = t->restart.deadline_ns;

	(void)a;
	if (!deadline)
		return -EINTR; /* nothing to restart */
	t->restart.deadline_ns = 0;
	return sleep_until(t, t->restart.clock, deadline, 1, t->restart.rem_addr);
}

int64_t sys_nanosleep(struct task *t, const uint64_t a[6])
{
	return do_sleep(t, CLOCK_MONOTONIC, 0, a[0], a[1]);
}

int64_t sys_clock_nanosleep(struct task *t, const uint64_t a[6])
{
	if (a[0] == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	if (!clock_ok(a[0]) || a[0] == CLOCK_MONOTONIC_RAW || a[0] == CLOCK_REALTIME_COARSE ||
	    a[0] == CLOCK_MONOTONIC_COARSE)
		return a[0] == CLOCK_PROCESS_CPUTIME_ID ? -ENOTSUP : -EINVAL;
	if (a[1] & ~(uint64_t)TIMER_ABSTIME)
		return -EINVAL;
	return do_sleep(t, (clockid_t)a[0], (int)a[1], a[2], a[3]);
}

/* struct itimerval in the application's ABI. */
struct k_itimerval {
	struct timeval interval, value;
};

static uint64_t tv_ns(const struct timeval *tv)
{
	return ktime_from(tv->tv_sec, (int64_t)tv->tv_usec * 1000);
}

static void ns_tv(uint64_t ns, struct timeval *tv)
{
	tv->tv_sec = (time_t)(ns / NSEC_PER_SEC);
	tv->tv_usec = (suseconds_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC);
}

static int tv_valid(const struct timeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

int64_t sys_getitimer(struct task *t, const uint64_t a[6])
{
	struct k_itimerval it;
	uint64_t v, i;
	int r = itimer_get(t, (int)a[0], &v, &i);

	if (a[0] > ITIMER_PROF)
		return -EINVAL;
	if (r < 0)
		return r;
	ns_tv(v, &it.value);
	ns_tv(i, &it.interval);
	return task_copy_out(t, a[1], &it, sizeof(it)) == sizeof(it) ? 0 : -EFAULT;
}

int64_t sys_setitimer(struct task *t, const uint64_t a[6])
{
	struct k_itimerval it, old;
	uint64_t ov, oi;
	int r;

	if (a[0] > ITIMER_PROF)
		return -EINVAL;
	memset(&it, 0, sizeof(it)); /* a NULL new value disarms, as Linux */
	if (a[1] && task_copy_in(t, a[1], &it, sizeof(it)) != sizeof(it))
		return -EFAULT;
	if (!tv_valid(&it.value) || !tv_valid(&it.interval))
		return -EINVAL;
	r = itimer_set(t, (int)a[0], tv_ns(&it.value), tv_ns(&it.interval), &ov, &oi);
	if (r < 0)
		return r;
	ns_tv(ov, &old.value);
	ns_tv(oi, &old.interval);
	if (a[2] && task_copy_out(t, a[2], &old, sizeof(old)) != sizeof(old))
		return -EFAULT;
	return 0;
}

int64_t sys_alarm(struct task *t, const uint64_t a[6])
{
	uint64_t ov, oi;
	uint64_t secs = (uint32_t)a[0];
	struct timeval tv;

	(void)itimer_set(t, ITIMER_REAL, secs * NSEC_PER_SEC, 0, &ov, &oi);
	ns_tv(ov, &tv);
	/* Round to the nearest second, and never report 0 for a live alarm. */
	if ((!tv.tv_sec && tv.tv_usec) || tv.tv_usec >= 500000)
		tv.tv_sec++;
	return tv.tv_sec;
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
