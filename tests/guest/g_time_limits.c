/* SPDX-License-Identifier: Apache-2.0 */
/* Timeouts at the edges: huge relative sleeps and timer values must not
 * wrap into "already expired". */
#include "common.h"
#include <limits.h>
#include <sys/time.h>
#include <time.h>

static volatile int alrm;

static void on_alrm(int sig)
{
	(void)sig;
	alrm++;
}

int main(void)
{
	struct timespec huge = { LONG_MAX, 999999999 }, rem = { 0, 0 };
	struct itimerval it, old;
	sigset_t set;
	siginfo_t si;
	long rc;

	g_start();
	signal(SIGALRM, on_alrm);

	/* a pending signal is taken at once even with an endless timeout */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	t_streq("sigtimedwait, LONG_MAX timeout, pending", signame(sigtimedwait(&set, &si, &huge)),
		"USR1");

	/* an endless nanosleep waits (it does not return at once) until a
	 * signal, and reports a huge remainder */
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 30000;
	setitimer(ITIMER_REAL, &it, NULL);
	rc = nanosleep(&huge, &rem);
	t_err("nanosleep(LONG_MAX s) interrupted", rc, EINTR);
	t_yes("by our alarm", alrm == 1);
	t_yes("remaining time still huge", rem.tv_sec > 1000000000L);

	/* and so does an endless sigtimedwait */
	it.it_value.tv_usec = 30000;
	setitimer(ITIMER_REAL, &it, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	t_err("sigtimedwait(LONG_MAX s) interrupted", sigtimedwait(&set, &si, &huge), EINTR);
	t_yes("by our alarm again", alrm == 2);

	/* a timer set centuries away stays armed and far */
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = LONG_MAX / 4;
	it.it_interval.tv_sec = LONG_MAX / 4;
	t_ok("setitimer REAL, value LONG_MAX/4 s", setitimer(ITIMER_REAL, &it, NULL));
	usleep(20000);
	getitimer(ITIMER_REAL, &old);
	t_yes("still armed, more than a century away", old.it_value.tv_sec > 100L * 365 * 86400);
	t_eq("no SIGALRM", alrm, 2);
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	t_yes("alarm(UINT_MAX) then alarm(0) reports it",
	      alarm(UINT_MAX) == 0 && alarm(0) >= UINT_MAX - 1);
	return g_finish();
}
