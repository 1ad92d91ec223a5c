/* SPDX-License-Identifier: Apache-2.0 */
/* Armed interval timers are restored: a periodic ITIMER_REAL keeps firing
 * SIGALRM, an ITIMER_VIRTUAL fires SIGVTALRM once the restored process has
 * used its CPU time. */
#include <sys/time.h>
#include <time.h>

#include "zdtm.h"

static volatile int alarms, vt;

static void on_alrm(int s)
{
	(void)s;
	alarms++;
}

static void on_vt(int s)
{
	(void)s;
	vt++;
}

int main(void)
{
	struct itimerval real = { { 0, 100000 }, { 0, 300000 } };
	struct itimerval virt = { { 0, 0 }, { 0, 50000 } };
	struct sigaction sa;
	struct timespec t0, t;
	int start;

	zd_init();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alrm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_vt;
	sigaction(SIGVTALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &real, NULL);
	setitimer(ITIMER_VIRTUAL, &virt, NULL);
	zd_ready();
	zd_wait_go();
	start = alarms;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* spin (CPU time for ITIMER_VIRTUAL) for at most 10 s */
	do {
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((alarms < start + 2 || !vt) && t.tv_sec - t0.tv_sec < 10);
	zd_check(alarms >= start + 2, "the periodic ITIMER_REAL stopped (%d -> %d)", start,
		 alarms);
	zd_check(vt == 1, "ITIMER_VIRTUAL fired %d times", vt);
	getitimer(ITIMER_REAL, &real);
	zd_check(real.it_interval.tv_usec == 100000, "ITIMER_REAL period changed");
	return zd_finish();
}
