/* SPDX-License-Identifier: Apache-2.0 */
/* Deliberately dies from a pending SIGTERM when it is unblocked
 * (status 128+15).  Before that: blocked and pending, survives. */
#include "common.h"
#include <sys/wait.h>

static volatile int usr1_runs;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_runs++;
}

int main(void)
{
	sigset_t set, pend;

	g_start();
	signal(SIGUSR1, on_usr1);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);

	raise(SIGTERM);
	raise(SIGUSR1);
	sigpending(&pend);
	t_yes("SIGTERM pending", sigismember(&pend, SIGTERM) == 1);
	t_yes("SIGUSR1 pending", sigismember(&pend, SIGUSR1) == 1);
	say("still alive while blocked: yes\n");

	/* unblock USR1 alone: handled, we continue */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	t_eq("USR1 handler runs", usr1_runs, 1);

	/* a fresh fork does not inherit the pending signal */
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t p2;
		sigpending(&p2);
		_exit(sigismember(&p2, SIGTERM) ? 1 : 0);
	}
	int st;
	waitpid(pid, &st, 0);
	t_eq("pending set not inherited by fork (child exit)", WEXITSTATUS(st), 0);

	say("failures so far: %d\n", g_failures);
	say("unblocking SIGTERM\n");
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	say("not reached\n");
	return 1;
}
