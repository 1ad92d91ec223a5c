/* SPDX-License-Identifier: Apache-2.0 */
/* A process tree (parent, two children, a grandchild) joined by pipes that
 * hold unread data at the checkpoint; parent/child links, pids, process
 * groups and exit statuses survive the restore. */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtm.h"

static int go[2];

static int child(int in, int out, int code, pid_t parent)
{
	char buf[64];
	ssize_t n;

	/* blocks in read() on the empty go pipe until the parent writes after
	 * the restore; "data-N-" has been buffered in @in since before the
	 * checkpoint, "abcde" follows before the go */
	if (read(go[0], buf, 1) != 1)
		_exit(102);
	n = read(in, buf, sizeof(buf));
	if (n != 12 || memcmp(buf, "data-", 5) || getppid() != parent)
		_exit(100);
	(void)!write(out, buf, (size_t)n);
	_exit(code);
}

int main(void)
{
	int down[2][2], up[2];
	pid_t kids[2], me = getpid(), pg = getpgrp();
	char buf[64];

	zd_init();
	if (pipe(up) < 0 || pipe(go) < 0)
		return 1;
	for (int i = 0; i < 2; i++) {
		if (pipe(down[i]) < 0)
			return 1;
		kids[i] = fork();
		if (kids[i] == 0) {
			if (i == 1) { /* a grandchild, waited for by its parent */
				pid_t g = fork();

				if (g == 0)
					child(down[i][0], up[1], 0, getppid());
				int st;
				if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st))
					_exit(101);
				_exit(7);
			}
			child(down[i][0], up[1], 5, me);
		}
	}
	/* 7 bytes buffered in each pipe now, 5 more after the restore */
	for (int i = 0; i < 2; i++)
		(void)!write(down[i][1], "data-", 5), (void)!write(down[i][1], i ? "1" : "0", 1),
			(void)!write(down[i][1], "-", 1);
	usleep(100000);
	zd_ready();
	zd_wait_go();
	for (int i = 0; i < 2; i++)
		(void)!write(down[i][1], "abcde", 5);
	(void)!write(go[1], "gg", 2);
	for (int i = 0; i < 2; i++) {
		int st = -1;

		zd_check(waitpid(kids[i], &st, 0) == kids[i], "waitpid %d", i);
		zd_check(WIFEXITED(st) && WEXITSTATUS(st) == (i ? 7 : 5),
			 "child %d status 0x%x", i, st);
	}
	close(up[1]);
	for (int i = 0; i < 2; i++) {
		ssize_t n = read(up[0], buf, 12);

		zd_check(n == 12 && !memcmp(buf, "data-", 5) && !memcmp(buf + 7, "abcde", 5),
			 "echo %d", i);
	}
	zd_check(getpid() == me && getpgrp() == pg, "pid or process group changed");
	return zd_finish();
}
