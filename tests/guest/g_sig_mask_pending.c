/* SPDX-License-Identifier: Apache-2.0 */
/* Blocking, pending, coalescing of standard signals, queueing and order
 * of real-time signals. */
#include "common.h"

static int order[32], norder;

static void on_sig(int sig)
{
	if (norder < 32)
		order[norder++] = sig;
}

int main(void)
{
	sigset_t set, old, pend;
	int i, rt = SIGRTMIN + 2;

	g_start();
	signal(SIGUSR1, on_sig);
	signal(SIGUSR2, on_sig);
	signal(SIGTERM, on_sig);
	signal(rt, on_sig);
	signal(rt + 1, on_sig);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, rt);
	sigaddset(&set, rt + 1);
	sigaddset(&set, SIGKILL);
	sigaddset(&set, SIGSTOP);
	t_ok("block", sigprocmask(SIG_BLOCK, &set, &old));
	sigprocmask(SIG_SETMASK, NULL, &old);
	t_yes("SIGKILL/SIGSTOP silently not blocked",
	      !sigismember(&old, SIGKILL) && !sigismember(&old, SIGSTOP));
	t_yes("SIGUSR1 blocked", sigismember(&old, SIGUSR1) == 1);

	raise(SIGUSR1);
	raise(SIGUSR1);
	raise(SIGTERM);
	raise(SIGUSR2);
	for (i = 0; i < 3; i++)
		raise(rt + 1);
	for (i = 0; i < 2; i++)
		raise(rt);
	t_eq("nothing delivered while blocked", norder, 0);
	sigpending(&pend);
	t_yes("pending: USR1 USR2 TERM rt rt+1",
	      sigismember(&pend, SIGUSR1) && sigismember(&pend, SIGUSR2) &&
		      sigismember(&pend, SIGTERM) && sigismember(&pend, rt) &&
		      sigismember(&pend, rt + 1) && !sigismember(&pend, SIGINT));

	sigprocmask(SIG_UNBLOCK, &set, NULL);
	/* the order among them is not specified; count each */
	{
		static const char *names[] = { "USR1", "USR2", "TERM", "RTMIN+2", "RTMIN+3" };
		int sigs[] = { SIGUSR1, SIGUSR2, SIGTERM, rt, rt + 1 }, j, n;

		for (j = 0; j < 5; j++) {
			for (n = 0, i = 0; i < norder; i++)
				n += order[i] == sigs[j];
			say("delivered %s: %d\n", names[j], n);
		}
	}
	t_eq("standard coalesced, rt queued: total", norder, 8);
	sigpending(&pend);
	t_yes("nothing pending after", !sigismember(&pend, SIGUSR1) && !sigismember(&pend, rt));

	/* SIG_SETMASK / SIG_UNBLOCK semantics and errors */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_SETMASK, &set, &old);
	sigprocmask(SIG_SETMASK, NULL, &old);
	t_yes("SETMASK replaces", sigismember(&old, SIGINT) && !sigismember(&old, SIGUSR1));
	t_err("bad how", sigprocmask(99, &set, NULL), EINVAL);
	t_err("bad sigsetsize", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 4), EINVAL);
	t_err("bad set pointer", syscall(SYS_rt_sigprocmask, SIG_BLOCK, G_BADPTR, NULL, 8), EFAULT);
	t_ok("bad how ignored with NULL set", syscall(SYS_rt_sigprocmask, 99, NULL, &old, 8));
	return g_finish();
}
