/* SPDX-License-Identifier: Apache-2.0 */
/* Orphans are reparented to the child subreaper and can be reaped by it. */
#include "common.h"
#include <sys/prctl.h>
#include <sys/wait.h>

int main(void)
{
	int pfd[2], st, sub = -1;
	pid_t me, mid, orphan, got;
	char buf[64];

	g_start();
	me = getpid();
	t_ok("PR_SET_CHILD_SUBREAPER", prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	t_ok("PR_GET_CHILD_SUBREAPER", prctl(PR_GET_CHILD_SUBREAPER, &sub, 0, 0, 0));
	t_eq("subreaper flag", sub, 1);

	pipe(pfd);
	mid = fork();
	if (mid == 0) {
		pid_t mid_pid = getpid();

		orphan = fork();
		if (orphan == 0) {
			int first = getppid() == mid_pid || getppid() == me;
			int n;

			/* wait until the middle process is gone; its pid is taken
			 * before the fork, as it may be gone before we look */
			while (getppid() == mid_pid)
				usleep(1000);
			n = snprintf(buf, sizeof(buf), "%d %d",
				     getppid() == me, first);
			write(pfd[1], buf, (size_t)n);
			_exit(9);
		}
		write(pfd[1], &orphan, sizeof(orphan));
		_exit(3);
	}
	close(pfd[1]);
	read(pfd[0], &orphan, sizeof(orphan));
	waitpid(mid, &st, 0);
	t_eq("middle process exit", WEXITSTATUS(st), 3);
	memset(buf, 0, sizeof(buf));
	read(pfd[0], buf, sizeof(buf) - 1);
	t_streq("orphan: reparented to us, parent was the middle or us", buf, "1 1");
	got = waitpid(-1, &st, 0);
	t_yes("subreaper reaps the orphan", got == orphan);
	t_eq("orphan exit status", WEXITSTATUS(st), 9);
	t_err("nothing left", waitpid(-1, &st, WNOHANG), ECHILD);

	/* the flag is not inherited by children */
	mid = fork();
	if (mid == 0) {
		int v = -1;
		prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0);
		_exit(v);
	}
	waitpid(mid, &st, 0);
	t_eq("child's subreaper flag", WEXITSTATUS(st), 0);
	return g_finish();
}
