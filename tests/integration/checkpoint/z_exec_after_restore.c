/* SPDX-License-Identifier: Apache-2.0 */
/* execve after the restore: a forked child execs the program again and
 * finds what exec keeps (an fd without close-on-exec with its offset, an
 * ignored signal, the blocked mask, the pid, the cwd) and what it drops (a
 * close-on-exec fd, a handler reset to default); then the restored process
 * itself execs and finishes the test in the new image. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "zdtm.h"

static void on_usr1(int sig)
{
	(void)sig;
}

/* in the new image: fds 10 (kept, at offset 4) and 11 (close-on-exec) */
static int exec_checks(void)
{
	struct sigaction sa;
	sigset_t cur;
	char buf[4];
	int bad = 0;

	bad |= (read(10, buf, 3) != 3 || memcmp(buf, "456", 3)) << 0;
	bad |= (fcntl(11, F_GETFD) >= 0) << 1;
	sigaction(SIGPIPE, NULL, &sa);
	bad |= (sa.sa_handler != SIG_IGN) << 2;
	sigaction(SIGUSR1, NULL, &sa);
	bad |= (sa.sa_handler != SIG_DFL) << 3;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	bad |= (!sigismember(&cur, SIGWINCH)) << 4;
	{
		char cwd[64];

		bad |= (!getcwd(cwd, sizeof(cwd)) || strcmp(cwd, "/work")) << 5;
	}
	return bad;
}

int main(int argc, char **argv)
{
	char pidbuf[16], buf[4];
	sigset_t w;
	pid_t c;
	int st = -1, fd;

	if (argc > 1 && !strcmp(argv[1], "child"))
		return exec_checks();
	if (argc > 2 && !strcmp(argv[1], "final")) {
		int bad = exec_checks();

		zd_check(bad == 0, "after the restored process's own exec: mask 0x%x", bad);
		zd_check(atoi(argv[2]) == getpid(), "the pid changed across exec");
		return zd_finish();
	}
	zd_init();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, on_usr1);
	sigemptyset(&w);
	sigaddset(&w, SIGWINCH);
	sigprocmask(SIG_BLOCK, &w, NULL);
	fd = open("/data.txt", O_RDONLY);
	dup2(fd, 10);
	(void)!read(10, buf, 4);
	dup2(fd, 11);
	fcntl(11, F_SETFD, FD_CLOEXEC);
	(void)!chdir("/work");
	zd_ready();
	zd_wait_go();

	c = fork();
	if (c == 0) {
		execl("/prog", "/prog", "child", (char *)NULL);
		_exit(127);
	}
	zd_check(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "the exec'd child: status 0x%x", st);
	lseek(10, 4, SEEK_SET); /* the child's read moved the shared offset */
	snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
	if (zd_failures)
		return zd_finish();
	execl("/prog", "/prog", "final", pidbuf, (char *)NULL);
	zd_check(0, "execve failed");
	return zd_finish();
}
