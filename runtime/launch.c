/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/macro.h"

int launch_gofer(const char *rootfs, pid_t *ret_pid)
{
	int sv[2], ready[2];
	char self[4096];
	ssize_t n;
	pid_t pid;
	char c;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return neg_errno();
	self[n] = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return neg_errno();
	if (pipe2(ready, O_CLOEXEC) < 0) {
		safe_close(sv[0]);
		safe_close(sv[1]);
		return neg_errno();
	}
	pid = fork();
	if (pid < 0) {
		int r = neg_errno();

		safe_close(sv[0]);
		safe_close(sv[1]);
		safe_close(ready[0]);
		safe_close(ready[1]);
		return r;
	}
	if (pid == 0) {
		/* the Gofer gets its end and the ready pipe, nothing else */
		if (dup2(sv[1], 3) < 0 || dup2(ready[1], 4) < 0)
			_exit(127);
		execl(self, "cvisor", "gofer", "--root", rootfs, "--ro", "--fd", "3", "--ready-fd",
		      "4", (char *)NULL);
		_exit(127);
	}
	safe_close(sv[1]);
	safe_close(ready[1]);
	n = read(ready[0], &c, 1);
	safe_close(ready[0]);
	if (n != 1) {
		safe_close(sv[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -EIO;
	}
	*ret_pid = pid;
	return sv[0];
}

void launch_gofer_reap(pid_t pid)
{
	if (pid <= 0)
		return;
	for (int i = 0; i < 1000; i++) { /* about a second, in 1 ms steps */
		if (waitpid(pid, NULL, WNOHANG) != 0)
			return;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
