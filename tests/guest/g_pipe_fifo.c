/* SPDX-License-Identifier: Apache-2.0 */
/* Named pipes (fifo(7)): a blocking open waits for a partner to *have
 * opened*, not to be there still (a writer that opened, wrote and went
 * before the reader woke still lets the reader through, to its data, and a
 * SIGCHLD from it does not turn the open into EINTR); a FIFO that nobody
 * holds open keeps no data; non-blocking opens; an open interrupted by a
 * handler without SA_RESTART. */
#include "common.h"
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static volatile int chld, alrm;

static void on_chld(int s)
{
	(void)s;
	chld++;
}

static void on_alrm(int s)
{
	(void)s;
	alrm++;
}

static void nap_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

int main(void)
{
	struct sigaction sa;
	struct itimerval it;
	char buf[16];
	int fd, fd2, n, st;
	pid_t c;

	g_start();
	t_ok("mkfifo", mkfifo("p", 0600));

	/* 1: the writer opens (the reader is waiting), writes, closes and
	 * exits; the reader's open returns and reads its data, then EOF.  The
	 * SIGCHLD handler has no SA_RESTART: the open is not interrupted. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_chld;
	sigaction(SIGCHLD, &sa, NULL);
	c = fork();
	if (c == 0) {
		nap_ms(100); /* the parent is blocked in open by now */
		fd = open("p", O_WRONLY);
		if (fd < 0 || write(fd, "abc", 3) != 3)
			_exit(1);
		close(fd);
		_exit(0);
	}
	fd = open("p", O_RDONLY);
	t_yes("reader open after the writer came and went", fd >= 0);
	n = (int)read(fd, buf, sizeof(buf));
	t_eq("bytes left by the writer", n, 3);
	t_yes("the writer's data", n == 3 && memcmp(buf, "abc", 3) == 0);
	t_eq("then EOF", read(fd, buf, sizeof(buf)), 0);
	waitpid(c, &st, 0);
	t_eq("writer status", WEXITSTATUS(st), 0);
	close(fd);

	/* 2: the same the other way: the reader opens and closes before the
	 * waiting writer runs again; the writer's open returns, and its write
	 * finds no reader. */
	signal(SIGPIPE, SIG_IGN);
	c = fork();
	if (c == 0) {
		nap_ms(100);
		fd = open("p", O_RDONLY);
		_exit(fd < 0 ? 1 : 0); /* closes it */
	}
	fd = open("p", O_WRONLY);
	t_yes("writer open after the reader came and went", fd >= 0);
	waitpid(c, &st, 0);
	t_eq("reader status", WEXITSTATUS(st), 0);
	t_err("write with no reader left", write(fd, "x", 1), EPIPE);
	close(fd);
	signal(SIGPIPE, SIG_DFL);

	/* 3: data in a FIFO that everybody closed is gone */
	fd = open("p", O_RDWR);
	t_eq("write into O_RDWR fifo", write(fd, "xyz", 3), 3);
	n = -1;
	ioctl(fd, FIONREAD, &n);
	t_eq("FIONREAD while open", n, 3);
	close(fd);
	fd = open("p", O_RDWR | O_NONBLOCK);
	n = -1;
	ioctl(fd, FIONREAD, &n);
	t_eq("FIONREAD after the last close", n, 0);
	t_err("nothing to read", read(fd, buf, sizeof(buf)), EAGAIN);
	/* ... but kept while one end stays open */
	t_eq("write again", write(fd, "kept", 4), 4);
	fd2 = open("p", O_RDONLY | O_NONBLOCK);
	close(fd);
	n = (int)read(fd2, buf, sizeof(buf));
	t_yes("data kept by an open reader", n == 4 && memcmp(buf, "kept", 4) == 0);
	close(fd2);

	/* 4: non-blocking opens */
	t_err("O_WRONLY|O_NONBLOCK without reader", open("p", O_WRONLY | O_NONBLOCK), ENXIO);
	fd = open("p", O_RDONLY | O_NONBLOCK);
	t_yes("O_RDONLY|O_NONBLOCK without writer", fd >= 0);
	t_eq("read with no writer: EOF", read(fd, buf, sizeof(buf)), 0);
	fd2 = open("p", O_WRONLY | O_NONBLOCK);
	t_yes("O_WRONLY|O_NONBLOCK with a reader", fd2 >= 0);
	close(fd2);
	close(fd);

	/* 5: a blocking open with no partner, interrupted by a handler
	 * without SA_RESTART */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alrm;
	sigaction(SIGALRM, &sa, NULL);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 50000;
	setitimer(ITIMER_REAL, &it, NULL);
	t_err("blocking open interrupted", open("p", O_RDONLY), EINTR);
	t_eq("alarm handled", alrm, 1);

	t_ok("unlink fifo", unlink("p"));
	t_yes("SIGCHLD handled", chld >= 1);
	return g_finish();
}
