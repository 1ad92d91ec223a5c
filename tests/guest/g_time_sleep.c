/* SPDX-License-Identifier: Apache-2.0 */
/* nanosleep and clock_nanosleep: minimum duration, absolute deadlines,
 * argument errors (clock_nanosleep returns the error number). */
#include "common.h"
#include <time.h>

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	struct timespec req = { 0, 15 * 1000 * 1000 }, rem, abs_ts;
	double t0, dt;
	int rc;

	g_start();
	t0 = mono();
	t_ok("nanosleep 15ms", nanosleep(&req, &rem));
	dt = mono() - t0;
	t_yes("elapsed >= 15ms", dt >= 0.015);
	t_yes("elapsed < 1s", dt < 1.0);

	req.tv_nsec = 0;
	t_ok("nanosleep 0", nanosleep(&req, NULL));
	req.tv_nsec = 1000000000;
	t_err("nsec = 1e9", nanosleep(&req, NULL), EINVAL);
	req.tv_sec = -1;
	req.tv_nsec = 0;
	t_err("negative sec", nanosleep(&req, NULL), EINVAL);
	t_err("bad pointer", syscall(SYS_nanosleep, G_BADPTR, NULL), EFAULT);

	/* relative clock_nanosleep on each sleepable clock */
	req.tv_sec = 0;
	req.tv_nsec = 10 * 1000 * 1000;
	t0 = mono();
	rc = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
	t_eq("MONOTONIC relative", rc, 0);
	t_yes("elapsed >= 10ms", mono() - t0 >= 0.010);
	t_eq("REALTIME relative", clock_nanosleep(CLOCK_REALTIME, 0, &req, NULL), 0);
	t_eq("BOOTTIME relative", clock_nanosleep(CLOCK_BOOTTIME, 0, &req, NULL), 0);

	/* absolute: a deadline 20ms ahead; one in the past returns at once */
	clock_gettime(CLOCK_MONOTONIC, &abs_ts);
	abs_ts.tv_nsec += 20 * 1000 * 1000;
	if (abs_ts.tv_nsec >= 1000000000) {
		abs_ts.tv_sec++;
		abs_ts.tv_nsec -= 1000000000;
	}
	t0 = mono();
	t_eq("absolute deadline", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs_ts, NULL), 0);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	t_yes("woke at or after the deadline",
	      now.tv_sec > abs_ts.tv_sec || (now.tv_sec == abs_ts.tv_sec && now.tv_nsec >= abs_ts.tv_nsec));
	abs_ts.tv_sec -= 100;
	t0 = mono();
	t_eq("deadline in the past", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs_ts, NULL), 0);
	t_yes("returned within 5ms", mono() - t0 < 0.005);

	t_streq("THREAD_CPUTIME not sleepable",
		ename(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL)), "EINVAL");
	t_streq("bad clock", ename(clock_nanosleep((clockid_t)1234, 0, &req, NULL)), "EINVAL");
	req.tv_nsec = -1;
	t_streq("negative nsec", ename(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL)), "EINVAL");
	return g_finish();
}
