/* SPDX-License-Identifier: Apache-2.0 */
/* clock_gettime/getres, gettimeofday, time: relations, never values. */
#include "common.h"
#include <sys/time.h>
#include <time.h>

static double ts_d(const struct timespec *ts)
{
	return ts->tv_sec + ts->tv_nsec / 1e9;
}

static void cpu_burn(void)
{
	volatile unsigned long x = 0;
	struct timespec a, b;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	do {
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	} while (ts_d(&b) - ts_d(&a) < 0.01);
}

int main(void)
{
	static const struct { clockid_t id; const char *name; } clocks[] = {
		{ CLOCK_REALTIME, "REALTIME" }, { CLOCK_MONOTONIC, "MONOTONIC" },
		{ CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW" }, { CLOCK_BOOTTIME, "BOOTTIME" },
		{ CLOCK_REALTIME_COARSE, "REALTIME_COARSE" },
		{ CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE" },
		{ CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME" },
		{ CLOCK_THREAD_CPUTIME_ID, "THREAD_CPUTIME" },
	};
	struct timespec a, b, res;
	struct timeval tv;
	unsigned i;
	int mono_ok = 1;

	g_start();
	for (i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		int g = clock_gettime(clocks[i].id, &a);
		int r = clock_getres(clocks[i].id, &res);
		say("%s: gettime %s, getres %s, nsec in range %s, res <= 10ms %s\n", clocks[i].name,
		    g == 0 ? "ok" : ename(errno), r == 0 ? "ok" : ename(errno),
		    a.tv_nsec >= 0 && a.tv_nsec < 1000000000 ? "yes" : "no",
		    res.tv_sec == 0 && res.tv_nsec <= 10000000 ? "yes" : "no");
	}
	clock_getres(CLOCK_MONOTONIC, &res);
	t_eq("MONOTONIC resolution (ns)", res.tv_nsec, 1);

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 10000; i++) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		mono_ok &= ts_d(&b) >= ts_d(&a);
		a = b;
	}
	t_yes("MONOTONIC never goes back (10000 reads)", mono_ok);

	clock_gettime(CLOCK_REALTIME, &a);
	t_yes("REALTIME after 2020", a.tv_sec > 1577836800);
	gettimeofday(&tv, NULL);
	t_yes("gettimeofday within 2s of REALTIME", tv.tv_sec - a.tv_sec <= 2 && tv.tv_sec >= a.tv_sec);
	t_yes("tv_usec in range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	time_t t = time(NULL);
	/* time() reads the coarse clock, which may lag CLOCK_REALTIME by a tick */
	t_yes("time() within 2s", t - a.tv_sec <= 2 && t >= a.tv_sec - 1);

	clock_gettime(CLOCK_MONOTONIC, &a);
	clock_gettime(CLOCK_BOOTTIME, &b);
	t_yes("BOOTTIME >= MONOTONIC", ts_d(&b) >= ts_d(&a) - 0.001);

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	cpu_burn();
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	t_yes("PROCESS_CPUTIME advances with work", ts_d(&b) - ts_d(&a) >= 0.009);

	t_err("gettime bad clock id", clock_gettime((clockid_t)1234, &a), EINVAL);
	t_err("getres bad clock id", clock_getres((clockid_t)1234, &res), EINVAL);
	t_ok("getres NULL result", clock_getres(CLOCK_MONOTONIC, NULL));
	t_err("raw gettime bad pointer", syscall(SYS_clock_gettime, CLOCK_REALTIME, G_BADPTR), EFAULT);
	t_err("raw gettimeofday bad pointer", syscall(SYS_gettimeofday, G_BADPTR, NULL), EFAULT);
	t_err("settime REALTIME bad nsec", syscall(SYS_clock_settime, CLOCK_REALTIME,
		&(struct timespec){ 0, 2000000000 }), EINVAL);
	t_err("settime MONOTONIC", syscall(SYS_clock_settime, CLOCK_MONOTONIC, &a), EINVAL);
	return g_finish();
}
