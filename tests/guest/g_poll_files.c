/* SPDX-License-Identifier: Apache-2.0 */
/* poll/select on regular files, directories and devices: always ready;
 * ppoll with a signal mask. */
#include "common.h"
#include <poll.h>
#include <sys/select.h>
#include <sys/wait.h>

static volatile int got;

static void on_usr2(int sig)
{
	(void)sig;
	got = 1;
}

static const char *rev(short r)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s%s%s%s", r & POLLIN ? "IN " : "", r & POLLOUT ? "OUT " : "",
		 r & POLLHUP ? "HUP " : "", r & POLLERR ? "ERR " : "");
	return buf;
}

int main(void)
{
	struct pollfd fds[5];
	int rc, fd, dfd, nul, zero;
	fd_set r, w;
	struct timeval tv = { 0, 0 };

	g_start();
	fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	dfd = open(".", O_RDONLY | O_DIRECTORY);
	nul = open("/dev/null", O_RDWR);
	zero = open("/dev/zero", O_RDONLY);
	fds[0] = (struct pollfd){ fd, POLLIN | POLLOUT, 0 };
	fds[1] = (struct pollfd){ dfd, POLLIN | POLLOUT, 0 };
	fds[2] = (struct pollfd){ nul, POLLIN | POLLOUT, 0 };
	fds[3] = (struct pollfd){ zero, POLLIN, 0 };
	rc = poll(fds, 4, 1000);
	t_eq("all ready at once", rc, 4);
	say("empty regular file: %s\n", rev(fds[0].revents));
	say("directory: %s\n", rev(fds[1].revents));
	say("/dev/null: %s\n", rev(fds[2].revents));
	say("/dev/zero: %s\n", rev(fds[3].revents));

	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(fd, &r);
	FD_SET(fd, &w);
	FD_SET(nul, &r);
	rc = select(nul + 1, &r, &w, NULL, &tv);
	t_eq("select on file and /dev/null", rc, 3);

	/* ppoll: SIGUSR2 blocked outside, unblocked while waiting */
	int p[2];
	pipe(p);
	sigset_t block, waitmask;
	signal(SIGUSR2, on_usr2);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigprocmask(SIG_BLOCK, &block, NULL);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		kill(parent, SIGUSR2);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	sigemptyset(&waitmask);
	fds[0] = (struct pollfd){ p[0], POLLIN, 0 };
	rc = ppoll(fds, 1, &(struct timespec){ 2, 0 }, &waitmask);
	t_err("ppoll interrupted by the pending signal", rc, EINTR);
	t_eq("handler ran", got, 1);
	got = 0;
	rc = ppoll(fds, 1, &(struct timespec){ 0, 10000000 }, NULL);
	t_eq("ppoll NULL mask: timeout", rc, 0);
	t_err("ppoll bad sigsetsize", syscall(SYS_ppoll, fds, 1, NULL, &waitmask, 4), EINVAL);
	return g_finish();
}
