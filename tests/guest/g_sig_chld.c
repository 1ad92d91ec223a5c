/* SPDX-License-Identifier: Apache-2.0 */
/* SIGCHLD: siginfo from exits and stops, SA_NOCLDSTOP, SA_NOCLDWAIT and
 * SIG_IGN auto-reaping. */
#include "common.h"
#include <sys/wait.h>

static volatile int hits, code, status;
static volatile pid_t from;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	hits++;
	code = si->si_code;
	status = si->si_status;
	from = si->si_pid;
}

/* the CLD_CONTINUED notice is sent by the child as it resumes, possibly
 * after waitpid() already saw it: wait up to 2 s for the handler */
static int wait_hits(int n)
{
	for (int i = 0; i < 2000 && hits < n; i++)
		usleep(1000);
	return hits;
}

static void install(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(SIGCHLD, &sa, NULL);
}

static pid_t child_pause(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	return pid;
}

int main(void)
{
	pid_t pid;
	int st;

	g_start();
	install(0);
	pid = fork();
	if (pid == 0)
		_exit(13);
	waitpid(pid, &st, 0);
	t_eq("SIGCHLD on exit", wait_hits(1), 1);
	t_yes("si_code CLD_EXITED, status 13, pid", code == CLD_EXITED && status == 13 && from == pid);

	hits = 0;
	pid = child_pause();
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	t_eq("SIGCHLD on stop", wait_hits(1), 1);
	t_yes("si_code CLD_STOPPED", code == CLD_STOPPED && status == SIGSTOP);
	kill(pid, SIGCONT);
	waitpid(pid, &st, WCONTINUED);
	t_eq("SIGCHLD on continue", wait_hits(2), 2);
	t_yes("si_code CLD_CONTINUED", code == CLD_CONTINUED && status == SIGCONT);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	t_yes("si_code CLD_KILLED", wait_hits(3) == 3 && code == CLD_KILLED && status == SIGKILL);

	install(SA_NOCLDSTOP);
	hits = 0;
	pid = child_pause();
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	t_eq("SA_NOCLDSTOP: no SIGCHLD on stop", hits, 0);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	t_eq("but one on death", wait_hits(1), 1);

	/* SA_NOCLDWAIT: no zombies, wait blocks until all gone then ECHILD */
	install(SA_NOCLDWAIT);
	pid = fork();
	if (pid == 0)
		_exit(1);
	t_err("SA_NOCLDWAIT: wait -> ECHILD", waitpid(pid, &st, 0), ECHILD);

	/* SIGCHLD ignored: same */
	signal(SIGCHLD, SIG_IGN);
	pid = fork();
	if (pid == 0)
		_exit(1);
	t_err("SIG_IGN: wait -> ECHILD", waitpid(pid, &st, 0), ECHILD);

	/* default disposition: zombie kept, no signal needed */
	signal(SIGCHLD, SIG_DFL);
	pid = fork();
	if (pid == 0)
		_exit(2);
	usleep(10000);
	t_yes("SIG_DFL: zombie reaped by wait", waitpid(pid, &st, 0) == pid && WEXITSTATUS(st) == 2);
	return g_finish();
}
