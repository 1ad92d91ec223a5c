/* SPDX-License-Identifier: Apache-2.0 */
/* SIG_IGN: discarded when unblocked, kept pending while blocked,
 * inherited across fork and exec; SIGKILL cannot be ignored. */
#include "common.h"
#include <sys/wait.h>

static void on_any(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	sigset_t set, pend;
	struct sigaction sa;
	pid_t pid;
	int st;

	if (argc > 1 && strcmp(argv[1], "--after-exec") == 0) {
		/* ignored stays ignored; a handled one is reset to default */
		sigaction(SIGUSR1, NULL, &sa);
		int ign = sa.sa_handler == SIG_IGN;
		sigaction(SIGUSR2, NULL, &sa);
		int dfl = sa.sa_handler == SIG_DFL;
		raise(SIGUSR1);
		return (ign ? 0 : 1) | (dfl ? 0 : 2);
	}
	g_start();
	signal(SIGUSR1, SIG_IGN);
	raise(SIGUSR1);
	say("survived ignored SIGUSR1: yes\n");
	sigpending(&pend);
	t_yes("ignored, unblocked: not pending", !sigismember(&pend, SIGUSR1));

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	sigpending(&pend);
	t_yes("ignored but blocked: pending", sigismember(&pend, SIGUSR1) == 1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	sigpending(&pend);
	t_yes("discarded on unblock", !sigismember(&pend, SIGUSR1));

	/* setting SIG_IGN discards an already pending signal */
	signal(SIGUSR2, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR2);
	sigpending(&pend);
	t_yes("pending with default action", sigismember(&pend, SIGUSR2) == 1);
	signal(SIGUSR2, SIG_IGN);
	sigpending(&pend);
	t_yes("SIG_IGN flushed it", !sigismember(&pend, SIGUSR2));
	sigprocmask(SIG_UNBLOCK, &set, NULL);

	t_err("signal(SIGKILL, SIG_IGN)", signal(SIGKILL, SIG_IGN) == SIG_ERR ? -1 : 0, EINVAL);
	t_err("signal(SIGSTOP, SIG_IGN)", signal(SIGSTOP, SIG_IGN) == SIG_ERR ? -1 : 0, EINVAL);

	/* inheritance */
	pid = fork();
	if (pid == 0) {
		raise(SIGUSR1);
		_exit(5);
	}
	waitpid(pid, &st, 0);
	t_eq("fork keeps SIG_IGN (child exit)", WEXITSTATUS(st), 5);

	signal(SIGUSR2, SIG_DFL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_any; /* a handler: exec resets it to SIG_DFL */
	pid = fork();
	if (pid == 0) {
		sigaction(SIGUSR2, &sa, NULL);
		execl("/proc/self/exe", "ign", "--after-exec", (char *)NULL);
		_exit(99);
	}
	waitpid(pid, &st, 0);
	t_eq("exec keeps SIG_IGN, resets handlers (0 = yes)", WEXITSTATUS(st), 0);

	/* SIGKILL still kills a process that ignores everything else */
	int pfd[2];
	char c;

	pipe(pfd);
	pid = fork();
	if (pid == 0) {
		for (int s = 1; s < 32; s++)
			signal(s, SIG_IGN);
		write(pfd[1], "r", 1);
		for (;;)
			pause();
	}
	read(pfd[0], &c, 1);
	kill(pid, SIGTERM);
	kill(pid, SIGINT);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	t_yes("SIGKILL wins", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return g_finish();
}
