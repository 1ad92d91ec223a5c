/* SPDX-License-Identifier: Apache-2.0 */
/* setitimer/getitimer (REAL, VIRTUAL, PROF) and alarm. */
#include "common.h"
#include <sys/time.h>

static volatile int alrm, vtalrm, prof;

static void on_sig(int sig)
{
	if (sig == SIGALRM)
		alrm++;
	else if (sig == SIGVTALRM)
		vtalrm++;
	else if (sig == SIGPROF)
		prof++;
}

int main(void)
{
	struct itimerval it, old;
	volatile unsigned long spin = 0;

	g_start();
	signal(SIGALRM, on_sig);
	signal(SIGVTALRM, on_sig);
	signal(SIGPROF, on_sig);

	t_ok("getitimer REAL unarmed", getitimer(ITIMER_REAL, &old));
	t_yes("unarmed reads zero", old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0);

	/* periodic 10ms timer: 3 expirations */
	it.it_interval.tv_sec = 0;
	it.it_interval.tv_usec = 10000;
	it.it_value = it.it_interval;
	t_ok("arm REAL 10ms periodic", setitimer(ITIMER_REAL, &it, NULL));
	getitimer(ITIMER_REAL, &old);
	t_yes("remaining <= 10ms", old.it_value.tv_sec == 0 && old.it_value.tv_usec <= 10000);
	t_yes("interval kept", old.it_interval.tv_usec == 10000);
	while (alrm < 3)
		pause();
	memset(&it, 0, sizeof(it));
	t_ok("disarm", setitimer(ITIMER_REAL, &it, &old));
	t_yes("old value returned on disarm", old.it_interval.tv_usec == 10000);
	t_eq("SIGALRM count", alrm, 3);

	/* alarm(): seconds, returns the previous remaining time */
	t_eq("alarm(5) with none pending", alarm(5), 0);
	t_eq("alarm(0) returns the 5 s left", alarm(0), 5);
	t_eq("alarm(0) again", alarm(0), 0);
	/* alarm and ITIMER_REAL are the same timer */
	alarm(7);
	getitimer(ITIMER_REAL, &old);
	t_yes("alarm visible through getitimer", old.it_value.tv_sec >= 6 && old.it_value.tv_sec <= 7);
	alarm(0);

	/* CPU timers fire only while we burn CPU */
	it.it_interval.tv_usec = 0;
	it.it_value.tv_sec = 0;
	it.it_value.tv_usec = 20000;
	t_ok("arm VIRTUAL 20ms", setitimer(ITIMER_VIRTUAL, &it, NULL));
	t_ok("arm PROF 20ms", setitimer(ITIMER_PROF, &it, NULL));
	while (vtalrm == 0 || prof == 0)
		spin++;
	t_yes("SIGVTALRM and SIGPROF after CPU use", vtalrm == 1 && prof == 1);

	t_err("bad which", setitimer((__itimer_which_t)7, &it, NULL), EINVAL);
	t_err("getitimer bad which", getitimer((__itimer_which_t)7, &old), EINVAL);
	it.it_value.tv_usec = 1000000;
	t_err("usec = 1e6", setitimer(ITIMER_REAL, &it, NULL), EINVAL);
	t_err("bad pointer", syscall(SYS_getitimer, ITIMER_REAL, G_BADPTR), EFAULT);
	return g_finish();
}
