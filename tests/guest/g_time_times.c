/* SPDX-License-Identifier: Apache-2.0 */
/* times() and getrusage(): own and children's CPU time accounting. */
#include "common.h"
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

static void burn(double secs)
{
	struct timespec a, b;
	volatile unsigned long x = 0;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	do {
		for (int i = 0; i < 10000; i++)
			x += (unsigned long)i;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	} while ((b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9 < secs);
}

static double tv(struct timeval t)
{
	return t.tv_sec + t.tv_usec / 1e6;
}

int main(void)
{
	struct tms t0, t1;
	struct rusage ru0, ru1, rc;
	clock_t c0, c1;
	long hz = sysconf(_SC_CLK_TCK);
	pid_t pid;
	int st;

	g_start();
	t_eq("_SC_CLK_TCK", hz, 100);
	c0 = times(&t0);
	getrusage(RUSAGE_SELF, &ru0);
	burn(0.05);
	c1 = times(&t1);
	getrusage(RUSAGE_SELF, &ru1);
	t_yes("times() return value advances", c1 >= c0);
	t_yes("utime+stime grew by >= 3 ticks", (t1.tms_utime + t1.tms_stime) - (t0.tms_utime + t0.tms_stime) >= 3);
	t_yes("rusage utime+stime grew by >= 40ms",
	      tv(ru1.ru_utime) + tv(ru1.ru_stime) - tv(ru0.ru_utime) - tv(ru0.ru_stime) >= 0.04);
	t_yes("no children yet", t1.tms_cutime == 0 && t1.tms_cstime == 0);
	getrusage(RUSAGE_CHILDREN, &rc);
	t_yes("RUSAGE_CHILDREN zero", tv(rc.ru_utime) + tv(rc.ru_stime) == 0);

	pid = fork();
	if (pid == 0) {
		burn(0.05);
		_exit(0);
	}
	times(&t0);
	t_yes("unreaped child not counted", t0.tms_cutime + t0.tms_cstime == 0);
	waitpid(pid, &st, 0);
	times(&t1);
	getrusage(RUSAGE_CHILDREN, &rc);
	t_yes("reaped child counted in times (>= 3 ticks)", t1.tms_cutime + t1.tms_cstime >= 3);
	t_yes("reaped child counted in rusage (>= 40ms)", tv(rc.ru_utime) + tv(rc.ru_stime) >= 0.04);
	t_yes("maxrss > 0", rc.ru_maxrss > 0 && ru1.ru_maxrss > 0);

	t_ok("RUSAGE_THREAD", getrusage(RUSAGE_THREAD, &ru1));
	t_err("bad who", getrusage(7, &ru1), EINVAL);
	t_err("bad pointer", syscall(SYS_getrusage, RUSAGE_SELF, G_BADPTR), EFAULT);
	t_ok("times(NULL)", (long)times(NULL) == -1 ? -1 : 0);
	return g_finish();
}
