/* SPDX-License-Identifier: Apache-2.0 */
/* Children killed, stopped and continued, as seen by waitpid. */
#include "common.h"
#include <sys/wait.h>

static pid_t spawn_pause(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, 0); /* not an orphaned group: SIGTSTP stops */
		for (;;)
			pause();
	}
	setpgid(pid, pid);
	return pid;
}

int main(void)
{
	static const int sigs[] = { SIGTERM, SIGKILL, SIGINT, SIGHUP, SIGUSR1, SIGALRM };
	pid_t pid;
	int st;
	unsigned i;

	g_start();
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		pid = spawn_pause();
		kill(pid, sigs[i]);
		waitpid(pid, &st, 0);
		say("kill %s: signaled %s termsig %s\n", signame(sigs[i]),
		    WIFSIGNALED(st) ? "yes" : "no", signame(WTERMSIG(st)));
		if (!WIFSIGNALED(st) || WTERMSIG(st) != sigs[i])
			g_failures++;
	}

	/* the child raises a fatal signal on itself */
	pid = fork();
	if (pid == 0) {
		raise(SIGQUIT);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	t_yes("raise(SIGQUIT) kills", WIFSIGNALED(st) && WTERMSIG(st) == SIGQUIT);

	/* stop / continue */
	pid = spawn_pause();
	kill(pid, SIGSTOP);
	t_yes("WUNTRACED sees the stop", waitpid(pid, &st, WUNTRACED) == pid);
	t_yes("WIFSTOPPED SIGSTOP", WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	t_eq("stop reported once", waitpid(pid, &st, WUNTRACED | WNOHANG), 0);
	kill(pid, SIGCONT);
	t_yes("WCONTINUED sees the continue", waitpid(pid, &st, WCONTINUED) == pid);
	t_yes("WIFCONTINUED", WIFCONTINUED(st));
	kill(pid, SIGTSTP);
	t_yes("SIGTSTP stops", waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) &&
				       WSTOPSIG(st) == SIGTSTP);
	/* SIGKILL works on a stopped process */
	kill(pid, SIGKILL);
	t_yes("SIGKILL on stopped child", waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
						  WTERMSIG(st) == SIGKILL);

	/* a stop is not reported without WUNTRACED */
	pid = spawn_pause();
	kill(pid, SIGSTOP);
	usleep(20000);
	t_eq("stop invisible without WUNTRACED", waitpid(pid, &st, WNOHANG), 0);
	kill(pid, SIGTERM); /* pending while stopped */
	usleep(20000);
	t_eq("SIGTERM waits while stopped", waitpid(pid, &st, WNOHANG), 0);
	kill(pid, SIGCONT);
	waitpid(pid, &st, 0);
	t_yes("SIGTERM delivered after SIGCONT", WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	return g_finish();
}
