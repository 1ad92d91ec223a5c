/* SPDX-License-Identifier: Apache-2.0 */
/* File descriptors and their flags: every fd from 3 to 1100 keeps its
 * F_GETFD and F_GETFL (O_APPEND, O_NONBLOCK, O_RDWR, O_WRONLY, FD_CLOEXEC,
 * high fd numbers, gaps); O_APPEND still appends after an lseek to 0; a
 * full O_NONBLOCK pipe still says EAGAIN; one description shared by the
 * parent and a forked child keeps one offset for both. */
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>

#include "zdtm.h"

#define NFD 1101
static int fl[NFD], fdf[NFD];

static void snapshot(int *a, int *b)
{
	for (int fd = 3; fd < NFD; fd++) {
		a[fd] = fcntl(fd, F_GETFL);
		b[fd] = fcntl(fd, F_GETFD);
	}
}

int main(void)
{
	static int fl2[NFD], fdf2[NFD];
	int app, shared, pw[2], go[2], st = -1, diff = -1;
	char buf[32];
	pid_t c;

	zd_init();
	app = open("/tmp/app.log", O_CREAT | O_WRONLY | O_APPEND, 0644);
	(void)!write(app, "abc", 3);
	lseek(app, 0, SEEK_SET);
	shared = open("/data.txt", O_RDONLY);
	dup2(shared, 1000);
	fcntl(1000, F_SETFD, FD_CLOEXEC);
	dup2(app, 1001);
	if (pipe(pw) < 0 || pipe(go) < 0)
		return 1;
	fcntl(pw[1], F_SETFL, O_NONBLOCK);
	while (write(pw[1], buf, sizeof(buf)) > 0)
		;
	open("/work", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	open("/tmp/app.log", O_RDWR | O_NONBLOCK);
	(void)!read(shared, buf, 5); /* offset 5 */
	c = fork();
	if (c == 0) {
		char b[8];

		(void)!read(go[0], b, 1); /* blocked here at the checkpoint */
		/* the shared description moved to 10 in the parent */
		_exit(read(shared, b, 3) == 3 && !memcmp(b, "012", 3) ? 0 : 1);
	}
	snapshot(fl, fdf);
	zd_ready();
	zd_wait_go();

	snapshot(fl2, fdf2);
	for (int fd = 3; fd < NFD && diff < 0; fd++)
		if (fl[fd] != fl2[fd] || fdf[fd] != fdf2[fd])
			diff = fd;
	zd_check(diff < 0, "fd %d: flags 0x%x/%d, were 0x%x/%d", diff, diff < 0 ? 0 : fl2[diff],
		 diff < 0 ? 0 : fdf2[diff], diff < 0 ? 0 : fl[diff], diff < 0 ? 0 : fdf[diff]);
	zd_check(fdf[1000] == FD_CLOEXEC && (fl[1001] & O_APPEND) && (fl[pw[1]] & O_NONBLOCK),
		 "the flags set before the checkpoint");
	zd_check(write(app, "def", 3) == 3 && lseek(app, 0, SEEK_CUR) == 6, "O_APPEND did not append");
	zd_check(write(1001, "g", 1) == 1 && lseek(app, 0, SEEK_CUR) == 7, "dup'd O_APPEND fd");
	errno = 0;
	zd_check(write(pw[1], "x", 1) < 0 && errno == EAGAIN, "a full nonblocking pipe: %s",
		 strerror(errno));
	zd_check(read(1000, buf, 5) == 5 && !memcmp(buf, "56789", 5), "fd 1000 (dup of a file)");
	zd_check(write(go[1], "g", 1) == 1, "write");
	zd_check(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "the child's view of the shared offset: status 0x%x", st);
	zd_check(lseek(shared, 0, SEEK_CUR) == 13, "the child's read did not move the shared offset");
	{
		int fd = open("/tmp/app.log", O_RDONLY);

		zd_check(read(fd, buf, sizeof(buf)) == 7 && !memcmp(buf, "abcdefg", 7),
			 "/tmp/app.log content");
	}
	return zd_finish();
}
