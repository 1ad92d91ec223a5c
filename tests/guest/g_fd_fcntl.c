/* SPDX-License-Identifier: Apache-2.0 */
/* fcntl: descriptor flags, status flags, F_DUPFD*, errors. */
#include "common.h"
#include <sys/resource.h>

int main(void)
{
	int fd, ro, d, pfd[2], fl;
	struct rlimit rl;

	g_start();
	fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ro = open("f", O_RDONLY | O_CLOEXEC);

	t_eq("F_GETFD plain", fcntl(fd, F_GETFD), 0);
	t_eq("F_GETFD O_CLOEXEC", fcntl(ro, F_GETFD), FD_CLOEXEC);
	t_ok("F_SETFD", fcntl(fd, F_SETFD, FD_CLOEXEC));
	t_eq("F_GETFD after", fcntl(fd, F_GETFD), FD_CLOEXEC);
	t_ok("F_SETFD 0", fcntl(fd, F_SETFD, 0));

	fl = fcntl(fd, F_GETFL);
	t_oct("F_GETFL access mode O_RDWR", fl & O_ACCMODE, O_RDWR);
	t_oct("F_GETFL O_RDONLY", fcntl(ro, F_GETFL) & O_ACCMODE, O_RDONLY);
	t_ok("F_SETFL O_APPEND|O_NONBLOCK", fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
	fl = fcntl(fd, F_GETFL);
	t_yes("both set", (fl & O_APPEND) && (fl & O_NONBLOCK));
	t_ok("F_SETFL cannot change the access mode", fcntl(fd, F_SETFL, O_RDONLY));
	t_oct("still O_RDWR, flags cleared", fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND), O_RDWR);
	t_ok("F_SETFL ignores O_CREAT/O_TRUNC", fcntl(fd, F_SETFL, O_CREAT | O_TRUNC));
	t_yes("not reported", (fcntl(fd, F_GETFL) & (O_CREAT | O_TRUNC)) == 0);

	d = fcntl(fd, F_DUPFD, 10);
	t_eq("F_DUPFD at least 10", d, 10);
	t_eq("F_DUPFD again at least 10", fcntl(fd, F_DUPFD, 10), 11);
	t_eq("F_DUPFD clears cloexec", fcntl(d, F_GETFD), 0);
	d = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	t_eq("F_DUPFD_CLOEXEC lowest", d, 5);
	t_eq("F_DUPFD_CLOEXEC sets cloexec", fcntl(d, F_GETFD), FD_CLOEXEC);
	getrlimit(RLIMIT_NOFILE, &rl);
	t_err("F_DUPFD at the limit", fcntl(fd, F_DUPFD, (int)rl.rlim_cur), EINVAL);
	t_err("F_DUPFD negative", fcntl(fd, F_DUPFD, -1), EINVAL);

	pipe(pfd);
	t_oct("pipe read end O_RDONLY", fcntl(pfd[0], F_GETFL) & O_ACCMODE, O_RDONLY);
	t_oct("pipe write end O_WRONLY", fcntl(pfd[1], F_GETFL) & O_ACCMODE, O_WRONLY);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	char c;
	t_err("O_NONBLOCK set via fcntl works", read(pfd[0], &c, 1), EAGAIN);

	t_err("bad fd", fcntl(99, F_GETFD), EBADF);
	t_err("bad command", fcntl(fd, 9999), EINVAL);
	int op = open("f", O_PATH);
	t_ok("F_GETFD on O_PATH", fcntl(op, F_GETFD));
	t_err("F_SETFL on O_PATH", fcntl(op, F_SETFL, O_NONBLOCK), EBADF);
	t_err("F_GETPIPE_SZ on a file", fcntl(fd, F_GETPIPE_SZ), EBADF);
	return g_finish();
}
