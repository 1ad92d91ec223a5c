/* SPDX-License-Identifier: Apache-2.0 */
/* sigtimedwait/sigwaitinfo: synchronous acceptance, timeouts, rt order. */
#include "common.h"
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	sigset_t set;
	siginfo_t si;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int rt = SIGRTMIN + 1, i, ok;
	double t0;

	g_start();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, rt);
	sigprocmask(SIG_BLOCK, &set, NULL);

	t0 = now();
	t_err("timeout with nothing pending", sigtimedwait(&set, &si, &ts), EAGAIN);
	t_yes("waited >= 20ms", now() - t0 >= 0.019);
	ts.tv_nsec = 0;
	t_err("zero timeout polls", sigtimedwait(&set, &si, &ts), EAGAIN);

	kill(getpid(), SIGUSR1);
	memset(&si, 0, sizeof(si));
	t_streq("sigwaitinfo accepts", signame(sigwaitinfo(&set, &si)), "USR1");
	t_yes("siginfo filled (SI_USER, our pid and uid)",
	      si.si_signo == SIGUSR1 && si.si_code == SI_USER && si.si_pid == getpid() &&
		      si.si_uid == getuid());
	sigset_t pend;
	sigpending(&pend);
	t_yes("no longer pending", !sigismember(&pend, SIGUSR1));

	/* three queued rt signals come back in send order with their values */
	for (i = 1; i <= 3; i++)
		sigqueue(getpid(), rt, (union sigval){ .sival_int = i * 11 });
	ok = 1;
	for (i = 1; i <= 3; i++) {
		ts.tv_nsec = 0;
		ok &= sigtimedwait(&set, &si, &ts) == rt && si.si_value.sival_int == i * 11 &&
		      si.si_code == SI_QUEUE;
	}
	t_yes("rt signals in order with values 11 22 33", ok);
	t_err("queue drained", sigtimedwait(&set, &si, &ts), EAGAIN);

	/* lowest signal first when several are pending */
	raise(rt);
	raise(SIGUSR1);
	t_streq("lowest first", signame(sigwaitinfo(&set, NULL)), "USR1");
	t_streq("then the rt one", signame(sigwaitinfo(&set, NULL)), "RTMIN+1");

	ts.tv_nsec = 1000000000;
	t_err("tv_nsec = 1e9", sigtimedwait(&set, &si, &ts), EINVAL);
	ts.tv_sec = -1;
	ts.tv_nsec = 0;
	t_err("negative tv_sec", sigtimedwait(&set, &si, &ts), EINVAL);
	t_err("bad set pointer", syscall(SYS_rt_sigtimedwait, G_BADPTR, &si, &ts, 8), EFAULT);
	t_err("bad sigsetsize", syscall(SYS_rt_sigtimedwait, &set, &si, &ts, 16), EINVAL);
	return g_finish();
}
