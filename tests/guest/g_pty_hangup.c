/* SPDX-License-Identifier: Apache-2.0 */
/* Hangup: closing the master sends SIGHUP to the slave's session leader;
 * its terminal is then hung up (reads return 0, writes EIO, poll says
 * HUP), /dev/pts/<n> is gone and the leader has no terminal any more. */
#include "pty_common.h"

static volatile sig_atomic_t hups, conts;

static void on_sig(int sig)
{
	if (sig == SIGHUP)
		hups++;
	else
		conts++;
}

int main(void)
{
	char buf[64], name[64];
	int m, s, st, sync[2], res[2];
	pid_t pid;

	g_start();
	t_ok("openpty", openpty(&m, &s, name, NULL, NULL));
	pipe(sync);
	pipe(res);
	pid = fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_sig };
		struct pollfd p;
		sigset_t none;
		int fd;
		long r;

		close(m);
		close(s);
		sigaction(SIGHUP, &sa, NULL);
		sigaction(SIGCONT, &sa, NULL);
		setsid();
		fd = open(name, O_RDWR); /* becomes the controlling terminal */
		dup2(res[1], 1);
		say("child: ctty %s\n", tcgetsid(fd) == getpid() ? "yes" : "no");
		write(sync[1], "x", 1);
		sigemptyset(&none);
		while (!hups)
			sigsuspend(&none);
		say("child: SIGHUP %d SIGCONT %d\n", (int)hups, (int)conts);
		errno = 0;
		r = read(fd, buf, sizeof(buf));
		say("child: read %ld %s\n", r, r < 0 ? ename(errno) : "-");
		r = write(fd, "x", 1);
		say("child: write %ld %s\n", r, r < 0 ? ename(errno) : "-");
		p = (struct pollfd){ .fd = fd, .events = POLLIN | POLLOUT };
		poll(&p, 1, 0);
		say("child: poll in %d out %d err %d hup %d\n", !!(p.revents & POLLIN),
		    !!(p.revents & POLLOUT), !!(p.revents & POLLERR), !!(p.revents & POLLHUP));
		r = tcgetattr(fd, &(struct termios){ 0 });
		say("child: tcgetattr %ld %s\n", r, r < 0 ? ename(errno) : "-");
		say("child: /dev/tty %s\n", open("/dev/tty", O_RDWR) < 0 ? ename(errno) : "opened");
		say("child: node %s\n", access(name, F_OK) < 0 ? ename(errno) : "still there");
		_exit(0);
	}
	close(res[1]);
	read(sync[0], buf, 1);
	close(s);
	close(m);
	waitpid(pid, &st, 0);
	t_yes("child exited 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (long n; (n = read(res[0], buf, sizeof(buf))) > 0;)
		write(1, buf, (size_t)n);
	return g_finish();
}
