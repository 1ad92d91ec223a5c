/* SPDX-License-Identifier: Apache-2.0 */
/* pty readiness and flow: epoll and select on both ends,
 * a full input queue (EAGAIN on a non-blocking master), bulk output read
 * while written, and an orphaned background group reading or writing
 * (TOSTOP) its terminal: EIO instead of a stop. */
#include "pty_common.h"
#include <sys/epoll.h>
#include <sys/select.h>

static void orphan_child(int res)
{
	/* the session leader: a background group whose only parent outside
	 * the group exits, so the group is orphaned */
	int done[2];
	char c;
	pid_t g;

	pipe(done);
	g = fork();
	if (g == 0) {
		pid_t mid = getpid();

		setpgid(0, 0);
		if (fork() == 0) {
			char buf[16];
			struct termios tio;
			long r;

			while (getppid() == mid) /* until the middle process is gone */
				usleep(10000);
			r = read(0, buf, sizeof(buf));
			dprintf(res, "orphan read: %ld %s\n", r, r < 0 ? ename(errno) : "-");
			tcgetattr(0, &tio);
			tio.c_lflag |= TOSTOP;
			r = tcsetattr(0, TCSANOW, &tio);
			dprintf(res, "orphan tcsetattr: %ld %s\n", r, r < 0 ? ename(errno) : "-");
			r = write(1, "x", 1);
			dprintf(res, "orphan write with TOSTOP: %ld %s\n", r, r < 0 ? ename(errno) : "-");
			write(done[1], "x", 1);
			_exit(0);
		}
		_exit(0);
	}
	close(done[1]);
	waitpid(g, NULL, 0);
	read(done[0], &c, 1); /* the terminal stays ours until the orphan is done */
	_exit(0);
}

int main(void)
{
	struct epoll_event ev, got[4];
	char buf[8192];
	int m, s, ep, res[2], st;
	long total, n;
	pid_t pid;
	fd_set rf;
	struct timeval tv = { 0, 0 };

	g_start();
	t_ok("openpty", openpty(&m, &s, NULL, NULL, NULL));
	ep = epoll_create1(0);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = m };
	epoll_ctl(ep, EPOLL_CTL_ADD, m, &ev);
	ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = s };
	epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
	t_eq("nothing ready", epoll_wait(ep, got, 4, 0), 0);
	write(s, "out", 3);
	n = epoll_wait(ep, got, 4, 1000);
	t_yes("master readable", n == 1 && got[0].data.fd == m);
	t_eq("level: still", epoll_wait(ep, got, 4, 0), 1);
	read(m, buf, sizeof(buf));
	t_eq("drained", epoll_wait(ep, got, 4, 0), 0);
	write(m, "in\n", 3);
	for (int i = 0; i < 200 && (n = epoll_wait(ep, got, 4, 10)) < 2; i++)
		;
	t_yes("slave readable (and the echo for the master)", n == 2);
	drain(m, buf, sizeof(buf), 50);
	n = epoll_wait(ep, got, 4, 0);
	t_yes("then only the slave", n == 1 && got[0].data.fd == s);
	FD_ZERO(&rf);
	FD_SET(s, &rf);
	t_eq("select slave", select(s + 1, &rf, NULL, NULL, &tv), 1);
	read(s, buf, sizeof(buf));
	FD_ZERO(&rf);
	FD_SET(s, &rf);
	t_eq("select slave after read", select(s + 1, &rf, NULL, NULL, &tv), 0);
	close(ep);

	/* nobody reads the slave: a non-blocking master fills up */
	{
		struct termios raw;
		int fl = fcntl(m, F_GETFL), again = 0;

		tcgetattr(s, &raw);
		cfmakeraw(&raw);
		tcsetattr(s, TCSANOW, &raw);
		fcntl(m, F_SETFL, fl | O_NONBLOCK);
		memset(buf, 'z', sizeof(buf));
		for (int i = 0; i < 1000 && !again; i++)
			again = write(m, buf, sizeof(buf)) < 0 && errno == EAGAIN;
		t_yes("master write: EAGAIN once the input is full", again);
		fcntl(m, F_SETFL, fl);
		tcflush(s, TCIFLUSH);
		/* bulk output, read while it is written */
		pid = fork();
		if (pid == 0) {
			for (int i = 0; i < 32; i++)
				write(s, buf, sizeof(buf));
			_exit(0);
		}
		total = 0;
		while (total < 32 * (long)sizeof(buf) && (n = read(m, buf, sizeof(buf))) > 0)
			total += n;
		waitpid(pid, &st, 0);
		t_eq("bulk output bytes", total, 32 * (long)sizeof(buf));
	}
	close(s);
	close(m);

	pipe(res);
	pid = forkpty(&m, NULL, NULL, NULL);
	if (pid == 0) {
		close(res[0]);
		orphan_child(res[1]);
	}
	close(res[1]);
	waitpid(pid, &st, 0);
	while ((n = read(res[0], buf, sizeof(buf))) > 0)
		write(1, buf, (size_t)n);
	close(m);
	return g_finish();
}
