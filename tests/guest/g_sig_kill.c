/* SPDX-License-Identifier: Apache-2.0 */
/* kill, tkill, tgkill: targets (pid, group, self), signal 0, errors. */
#include "common.h"
#include <sys/wait.h>

static volatile int hits;

static void on_usr1(int sig)
{
	(void)sig;
	hits++;
}

int main(void)
{
	pid_t me = getpid(), a, b;
	int st, pfd[2];
	char c;

	g_start();
	/* kill(0, ...) below must not reach whoever started us */
	setpgid(0, 0);
	t_yes("we lead our own process group", getpgrp() == me);
	signal(SIGUSR1, on_usr1);
	t_ok("kill(self, 0)", kill(me, 0));
	t_ok("kill(self, USR1)", kill(me, SIGUSR1));
	t_eq("delivered before kill returned", hits, 1);
	t_ok("tkill(self)", syscall(SYS_tkill, me, SIGUSR1));
	t_ok("tgkill(self)", syscall(SYS_tgkill, me, me, SIGUSR1));
	t_eq("hits", hits, 3);

	t_err("kill no such pid", kill(0x7ffffff0, SIGUSR1), ESRCH);
	t_err("kill no such pid, sig 0", kill(0x7ffffff0, 0), ESRCH);
	t_err("kill bad signal", kill(me, 65), EINVAL);
	t_err("kill negative signal", kill(me, -1), EINVAL);
	t_err("kill no such group", kill(-0x7ffffff0, SIGUSR1), ESRCH);
	t_err("tgkill wrong tgid", syscall(SYS_tgkill, 0x7ffffff0, me, SIGUSR1), ESRCH);
	t_err("tgkill tid 0", syscall(SYS_tgkill, me, 0, SIGUSR1), EINVAL);
	t_err("tkill tid -1", syscall(SYS_tkill, -1, SIGUSR1), EINVAL);
	t_err("tgkill bad signal", syscall(SYS_tgkill, me, me, 99), EINVAL);

	/* kill a process group: two children in one new group */
	pipe(pfd);
	a = fork();
	if (a == 0) {
		setpgid(0, 0);
		write(pfd[1], "a", 1);
		for (;;)
			pause();
	}
	setpgid(a, a);
	b = fork();
	if (b == 0) {
		setpgid(0, a);
		write(pfd[1], "b", 1);
		for (;;)
			pause();
	}
	setpgid(b, a);
	read(pfd[0], &c, 1);
	read(pfd[0], &c, 1);
	t_ok("kill(-pgid, SIGTERM)", kill(-a, SIGTERM));
	waitpid(a, &st, 0);
	t_yes("first member killed", WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	waitpid(b, &st, 0);
	t_yes("second member killed", WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	t_eq("we were not in that group", hits, 3);

	/* kill(0, sig) hits our own group: a child in our group sees it too */
	a = fork();
	if (a == 0) {
		hits = 0;
		write(pfd[1], "c", 1);
		while (!hits)
			pause();
		_exit(7);
	}
	read(pfd[0], &c, 1);
	t_ok("kill(0, USR1)", kill(0, SIGUSR1));
	waitpid(a, &st, 0);
	t_eq("child in our group got it", WEXITSTATUS(st), 7);
	t_eq("and so did we", hits, 4);
	return g_finish();
}
