/* SPDX-License-Identifier: Apache-2.0 */
/* Exited children not yet waited for (zombies) are restored: wait4 reports
 * their pid and status afterwards, SIGCHLD was already pending. */
#include <sys/wait.h>

#include "zdtm.h"

int main(void)
{
	pid_t a, b;
	int st = -1;
	sigset_t chld;

	zd_init();
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	a = fork();
	if (a == 0)
		_exit(3);
	b = fork();
	if (b == 0) {
		kill(getpid(), SIGTERM);
		for (;;)
			pause();
	}
	/* both have exited: zombies until waited for */
	zd_check(waitid(P_PID, a, NULL, WEXITED | WNOWAIT) == 0, "waitid a");
	zd_check(waitid(P_PID, b, NULL, WEXITED | WNOWAIT) == 0, "waitid b");
	zd_ready();
	zd_wait_go();
	zd_check(waitpid(a, &st, 0) == a && WIFEXITED(st) && WEXITSTATUS(st) == 3,
		 "zombie a: status 0x%x", st);
	zd_check(waitpid(b, &st, 0) == b && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
		 "zombie b: status 0x%x", st);
	zd_check(waitpid(-1, &st, WNOHANG) == -1, "no other child");
	return zd_finish();
}
