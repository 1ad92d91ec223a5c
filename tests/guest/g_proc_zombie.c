/* SPDX-License-Identifier: Apache-2.0 */
/* A dead child stays a zombie until reaped: kill(0) works, /proc shows Z. */
#include "common.h"
#include <sys/wait.h>

static char state_of(pid_t pid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (g_read_file(path, buf, sizeof(buf)) <= 0)
		return '-';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

int main(void)
{
	siginfo_t si;
	pid_t pid;
	int st, pfd[2];
	char c;

	g_start();
	pipe(pfd);
	pid = fork();
	if (pid == 0) {
		close(pfd[1]);
		read(pfd[0], &c, 1);
		_exit(8);
	}
	close(pfd[0]);
	c = state_of(pid);
	t_yes("running child state is S or R", c == 'S' || c == 'R');
	close(pfd[1]);
	/* wait for death without reaping */
	memset(&si, 0, sizeof(si));
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	t_yes("exited (WNOWAIT)", si.si_pid == pid && si.si_status == 8);
	say("dead child state: %c\n", state_of(pid));
	t_ok("kill(zombie, 0)", kill(pid, 0));
	t_ok("kill(zombie, SIGKILL) is accepted", kill(pid, SIGKILL));
	t_yes("getpgid(zombie)", getpgid(pid) == getpgrp());
	waitpid(pid, &st, 0);
	t_yes("status unchanged by late SIGKILL", WIFEXITED(st) && WEXITSTATUS(st) == 8);
	t_err("kill(reaped, 0)", kill(pid, 0), ESRCH);
	say("reaped child /proc entry: %c\n", state_of(pid));

	/* many zombies at once are all reaped */
	for (int i = 0; i < 20; i++)
		if (fork() == 0)
			_exit(i);
	int n = 0, sum = 0;
	while ((pid = wait(&st)) > 0) {
		n++;
		sum += WEXITSTATUS(st);
	}
	t_eq("reaped", n, 20);
	t_eq("sum of statuses", sum, 190);
	t_yes("then ECHILD", errno == ECHILD);
	return g_finish();
}
