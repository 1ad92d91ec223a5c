/* SPDX-License-Identifier: Apache-2.0 */
/* CPU time seen from outside: /proc/<pid>/stat utime/stime, a child's
 * clock_getcpuclockid clock, per-thread clocks and RUSAGE_THREAD. */
#include "common.h"
#include <pthread.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

static double cpu_now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void burn(double secs)
{
	volatile unsigned long x = 0;
	double t0 = cpu_now(CLOCK_THREAD_CPUTIME_ID);

	do
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
	while (cpu_now(CLOCK_THREAD_CPUTIME_ID) - t0 < secs);
}

/* fields @f and @f+1 of a stat file summed (14: utime+stime, 16: cutime+
 * cstime, in ticks); the number of fields in *n */
static long stat_ticks_at(const char *path, int f, int *n)
{
	char buf[2048], *p, *tok, *save;
	long u = -1, s = -1;
	int fi = 3;

	*n = 0;
	if (g_read_file(path, buf, sizeof(buf)) <= 0 || !(p = strrchr(buf, ')')))
		return -1;
	for (tok = strtok_r(p + 2, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save), fi++) {
		if (fi == f)
			u = atol(tok);
		if (fi == f + 1)
			s = atol(tok);
		*n = fi;
	}
	return u < 0 || s < 0 ? -1 : u + s;
}

static long stat_ticks(const char *path, int *n)
{
	return stat_ticks_at(path, 14, n);
}

static void *thread_main(void *arg)
{
	struct rusage ru;

	burn(0.05);
	getrusage(RUSAGE_THREAD, &ru);
	*(double *)arg = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
			 ru.ru_stime.tv_usec / 1e6;
	return NULL;
}

int main(void)
{
	char path[64];
	int n, p[2], q[2], st;
	long ticks;
	pid_t pid;
	clockid_t cc;
	double thread_ru = 0, main_thread0, main_thread1, proc0, proc1;
	pthread_t th;
	char c;

	g_start();
	burn(0.12);
	ticks = stat_ticks("/proc/self/stat", &n);
	t_eq("fields in /proc/self/stat", n, 52);
	t_yes("utime+stime >= 10 ticks after 120 ms of CPU", ticks >= 10);

	/* a child burns, we look at it from outside */
	pipe(p);
	pipe(q);
	pid = fork();
	if (pid == 0) {
		burn(0.12);
		write(p[1], "b", 1);
		read(q[0], &c, 1);
		_exit(0);
	}
	read(p[0], &c, 1);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	t_yes("child's stat shows >= 10 ticks", stat_ticks(path, &n) >= 10);
	t_ok("clock_getcpuclockid(child)", clock_getcpuclockid(pid, &cc));
	t_yes("child's CPU clock >= 0.1 s", cpu_now(cc) >= 0.1);
	write(q[1], "x", 1);
	waitpid(pid, &st, 0);
	t_yes("reaped child's ticks in our cutime+cstime (>= 10)",
	      stat_ticks_at("/proc/self/stat", 16, &n) >= 10);

	/* a thread's time is its own; the process's is the sum */
	main_thread0 = cpu_now(CLOCK_THREAD_CPUTIME_ID);
	proc0 = cpu_now(CLOCK_PROCESS_CPUTIME_ID);
	pthread_create(&th, NULL, thread_main, &thread_ru);
	pthread_join(th, NULL);
	main_thread1 = cpu_now(CLOCK_THREAD_CPUTIME_ID);
	proc1 = cpu_now(CLOCK_PROCESS_CPUTIME_ID);
	t_yes("RUSAGE_THREAD in the thread >= 45 ms", thread_ru >= 0.045);
	t_yes("the joining thread's clock barely moved (< 45 ms)", main_thread1 - main_thread0 < 0.045);
	t_yes("the process clock took the thread's time (>= 45 ms)", proc1 - proc0 >= 0.045);
	t_err("clock of a thread of another process",
	      clock_gettime(((~(clockid_t)pid) << 3) | 4 | 2, &(struct timespec){ 0, 0 }), EINVAL);
	return g_finish();
}
