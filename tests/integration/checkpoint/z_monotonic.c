/* SPDX-License-Identifier: Apache-2.0 */
/* No clock goes back across the restore: CLOCK_MONOTONIC, CLOCK_BOOTTIME,
 * CLOCK_REALTIME, /proc/uptime, and the CPU-time clocks: the process's and
 * the thread's CPU time (CLOCK_PROCESS/THREAD_CPUTIME_ID, getrusage, times)
 * after burning CPU before the checkpoint, and the CPU time of a child
 * reaped before it (RUSAGE_CHILDREN). */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

#include "zdtm.h"

enum { MONO, BOOT, REAL, PCPU, TCPU, NCLK };
static const clockid_t ids[NCLK] = { CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME,
				     CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID };
static const char *const names[NCLK] = { "MONOTONIC", "BOOTTIME", "REALTIME", "PROCESS_CPUTIME",
					 "THREAD_CPUTIME" };

static long long ns(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void burn(long long cpu_ns)
{
	long long end = ns(CLOCK_THREAD_CPUTIME_ID) + cpu_ns;
	volatile unsigned long x = 0;

	while (ns(CLOCK_THREAD_CPUTIME_ID) < end)
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
}

static long long usage_ns(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return ru.ru_utime.tv_sec * 1000000000LL + ru.ru_utime.tv_usec * 1000LL +
	       ru.ru_stime.tv_sec * 1000000000LL + ru.ru_stime.tv_usec * 1000LL;
}

static double uptime(void)
{
	char buf[64] = "";
	int fd = open("/proc/uptime", O_RDONLY);

	if (fd < 0)
		return 0;
	(void)!read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return strtod(buf, NULL);
}

int main(void)
{
	long long before[NCLK], ru_self, ru_child;
	struct tms tb, ta;
	double up;
	pid_t c;

	zd_init();
	c = fork();
	if (c == 0) {
		burn(200000000);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	burn(300000000);
	for (int i = 0; i < NCLK; i++)
		before[i] = ns(ids[i]);
	ru_self = usage_ns(RUSAGE_SELF);
	ru_child = usage_ns(RUSAGE_CHILDREN);
	times(&tb);
	up = uptime();
	zd_ready();
	zd_wait_go();

	for (int i = 0; i < NCLK; i++) {
		long long now = ns(ids[i]);

		zd_check(now >= before[i], "CLOCK_%s went back by %lld ns", names[i], before[i] - now);
	}
	zd_check(before[PCPU] >= 300000000, "CPU time before %lld", before[PCPU]);
	zd_check(usage_ns(RUSAGE_SELF) >= ru_self, "getrusage(RUSAGE_SELF) went back");
	zd_check(ru_child >= 150000000 && usage_ns(RUSAGE_CHILDREN) >= ru_child,
		 "getrusage(RUSAGE_CHILDREN) went back (%lld, %lld)", ru_child,
		 usage_ns(RUSAGE_CHILDREN));
	times(&ta);
	zd_check(ta.tms_utime + ta.tms_stime >= tb.tms_utime + tb.tms_stime &&
			 ta.tms_cutime + ta.tms_cstime >= tb.tms_cutime + tb.tms_cstime,
		 "times() went back");
	zd_check(uptime() >= up, "/proc/uptime went back");
	return zd_finish();
}
