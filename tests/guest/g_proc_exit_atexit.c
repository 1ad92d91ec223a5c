/* SPDX-License-Identifier: Apache-2.0 */
/* exit() runs atexit handlers in reverse order and flushes stdio;
 * _exit() does neither.  This program deliberately exits with status 3. */
#include "common.h"
#include <sys/wait.h>

static void h1(void)
{
	say("atexit handler 1\n");
}

static void h2(void)
{
	say("atexit handler 2\n");
}

static void h_child(void)
{
	say("child atexit handler (must not appear)\n");
}

int main(void)
{
	pid_t pid;
	int st, pfd[2];
	char buf[64] = "";

	g_start();
	/* child: buffered stdio lost with _exit, kept with exit */
	pipe(pfd);
	pid = fork();
	if (pid == 0) {
		FILE *f = fdopen(pfd[1], "w");
		atexit(h_child);
		fputs("buffered", f);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	close(pfd[1]);
	t_eq("_exit drops stdio buffer", read(pfd[0], buf, sizeof(buf)), 0);
	close(pfd[0]);

	pipe(pfd);
	pid = fork();
	if (pid == 0) {
		FILE *f = fdopen(pfd[1], "w");
		fputs("buffered", f);
		exit(4);
	}
	waitpid(pid, &st, 0);
	close(pfd[1]);
	t_eq("exit flushes stdio", read(pfd[0], buf, sizeof(buf)), 8);
	t_eq("child exit status", WEXITSTATUS(st), 4);

	/* exit_group from a raw syscall skips everything */
	pid = fork();
	if (pid == 0) {
		atexit(h_child);
		syscall(SYS_exit_group, 77);
	}
	waitpid(pid, &st, 0);
	t_eq("raw exit_group status", WEXITSTATUS(st), 77);

	atexit(h1);
	atexit(h2);
	say("failures: %d\n", g_failures);
	say("exiting with 3\n");
	exit(g_failures ? 1 : 3);
}
