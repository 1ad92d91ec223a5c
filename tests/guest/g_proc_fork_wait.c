/* SPDX-License-Identifier: Apache-2.0 */
/* fork + wait4/waitpid: statuses, WNOHANG, ECHILD, selection by pid. */
#include "common.h"
#include <sys/resource.h>
#include <sys/wait.h>

int main(void)
{
	pid_t kids[5], pid, me = getpid();
	int i, st, ok, pfd[2];
	char c;

	g_start();
	t_err("wait with no children", wait(&st), ECHILD);
	t_err("waitpid WNOHANG with no children", waitpid(-1, &st, WNOHANG), ECHILD);

	for (i = 0; i < 5; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(getppid() == me ? 10 + i : 99);
	}
	t_yes("five children with distinct positive pids",
	      kids[0] > 0 && kids[1] > 0 && kids[0] != kids[1] && kids[4] > 0 &&
		      kids[0] != me);
	/* reap in reverse order by pid */
	ok = 1;
	for (i = 4; i >= 0; i--) {
		pid = waitpid(kids[i], &st, 0);
		ok &= pid == kids[i] && WIFEXITED(st) && WEXITSTATUS(st) == 10 + i;
	}
	t_yes("each child reaped by pid with its own status", ok);
	t_err("waitpid of a reaped child", waitpid(kids[0], &st, 0), ECHILD);
	t_err("waitpid of pid 0x7ffffff0", waitpid(0x7ffffff0, &st, 0), ECHILD);

	/* WNOHANG with a running child returns 0 */
	pipe(pfd);
	pid = fork();
	if (pid == 0) {
		close(pfd[1]);
		read(pfd[0], &c, 1);
		_exit(3);
	}
	close(pfd[0]);
	t_eq("WNOHANG on running child", waitpid(pid, &st, WNOHANG), 0);
	close(pfd[1]);
	t_yes("blocking wait after release", waitpid(pid, &st, 0) == pid);
	t_eq("exit status", WEXITSTATUS(st), 3);

	/* status is 8 bits */
	pid = fork();
	if (pid == 0)
		_exit(256 + 42);
	waitpid(pid, &st, 0);
	t_eq("exit(298) seen as", WEXITSTATUS(st), 42);

	/* wait4 fills rusage; wait(NULL) ok */
	pid = fork();
	if (pid == 0)
		_exit(0);
	struct rusage ru;
	t_yes("wait4 returns the pid", wait4(pid, &st, 0, &ru) == pid);
	t_err("waitpid bad options", waitpid(-1, &st, 0x40000000 >> 4), EINVAL);
	pid = fork();
	if (pid == 0)
		_exit(0);
	t_yes("wait(NULL)", wait(NULL) == pid);
	t_err("wait4 bad status pointer", (pid = fork()) == 0 ? (_exit(0), 0) :
		(long)syscall(SYS_wait4, pid, G_BADPTR, 0, NULL), EFAULT);
	waitpid(-1, NULL, 0);
	return g_finish();
}
