/* SPDX-License-Identifier: Apache-2.0 */
/* ioctl without a terminal: ENOTTY for tty requests on files, pipes and
 * devices; the generic FIONREAD/FIONBIO/FIOCLEX/FIONCLEX; no ctty. */
#include "common.h"
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

int main(void)
{
	struct termios tio;
	struct winsize ws;
	int fd, nul, p[2], n, on = 1, st;

	g_start();
	fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "12345678", 8);
	nul = open("/dev/null", O_RDWR);
	pipe(p);

	t_err("TCGETS on a file", ioctl(fd, TCGETS, &tio), ENOTTY);
	t_err("TCGETS on /dev/null", ioctl(nul, TCGETS, &tio), ENOTTY);
	t_err("TCGETS on a pipe", ioctl(p[0], TCGETS, &tio), ENOTTY);
	t_err("TIOCGWINSZ on a pipe", ioctl(p[1], TIOCGWINSZ, &ws), ENOTTY);
	t_err("TIOCGPGRP on a file", ioctl(fd, TIOCGPGRP, &n), ENOTTY);
	t_err("TCSETS on /dev/null", ioctl(nul, TCSETS, &tio), ENOTTY);
	t_yes("isatty(file) == 0 with ENOTTY", isatty(fd) == 0 && errno == ENOTTY);
	t_err("tcgetattr(pipe)", tcgetattr(p[0], &tio), ENOTTY);
	t_err("ioctl on a closed fd", ioctl(99, FIONREAD, &n), EBADF);
	t_err("unknown request on a file", ioctl(fd, 0x12345678, &n), ENOTTY);

	lseek(fd, 3, SEEK_SET);
	t_ok("FIONREAD on a file", ioctl(fd, FIONREAD, &n));
	t_eq("bytes left after the offset", n, 5);
	write(p[1], "abc", 3);
	t_ok("FIONREAD on a pipe", ioctl(p[0], FIONREAD, &n));
	t_eq("bytes in the pipe", n, 3);
	t_err("FIONREAD into a bad pointer", ioctl(p[0], FIONREAD, G_BADPTR), EFAULT);

	t_ok("FIONBIO on", ioctl(p[0], FIONBIO, &on));
	t_yes("O_NONBLOCK now set", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
	on = 0;
	t_ok("FIONBIO off", ioctl(p[0], FIONBIO, &on));
	t_yes("O_NONBLOCK cleared", (fcntl(p[0], F_GETFL) & O_NONBLOCK) == 0);
	t_ok("FIOCLEX", ioctl(fd, FIOCLEX));
	t_eq("FD_CLOEXEC set", fcntl(fd, F_GETFD), FD_CLOEXEC);
	t_ok("FIONCLEX", ioctl(fd, FIONCLEX));
	t_eq("FD_CLOEXEC cleared", fcntl(fd, F_GETFD), 0);

	/* in a new session there is no controlling terminal */
	pid_t pid = fork();
	if (pid == 0) {
		setsid();
		int t = open("/dev/tty", O_RDWR);
		_exit(t == -1 && errno == ENXIO ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	t_eq("open /dev/tty after setsid: ENXIO (0 = yes)", WEXITSTATUS(st), 0);
	pid = fork();
	if (pid == 0) {
		setsid();
		_exit(tcgetpgrp(1) == -1 && errno == ENOTTY ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	t_eq("tcgetpgrp on a non-tty stdout (0 = yes)", WEXITSTATUS(st), 0);
	return g_finish();
}
