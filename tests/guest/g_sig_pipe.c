/* SPDX-License-Identifier: Apache-2.0 */
/* Writing to a pipe with no reader: SIGPIPE kills, or EPIPE when the
 * signal is ignored, blocked or handled. */
#include "common.h"
#include <sys/ioctl.h>
#include <sys/wait.h>

static volatile int handled;

static void on_pipe(int sig)
{
	handled = sig == SIGPIPE;
}

static int broken_pipe(void)
{
	int p[2];

	pipe(p);
	close(p[0]);
	return p[1];
}

int main(void)
{
	int fd, st;
	pid_t pid;
	sigset_t set, pend;

	g_start();
	pid = fork();
	if (pid == 0) {
		fd = broken_pipe();
		write(fd, "x", 1);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	t_yes("default: killed by SIGPIPE", WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);

	signal(SIGPIPE, SIG_IGN);
	fd = broken_pipe();
	t_err("ignored: write", write(fd, "x", 1), EPIPE);
	t_eq("ignored: zero-length write returns 0", write(fd, "", 0), 0);
	close(fd);

	signal(SIGPIPE, on_pipe);
	fd = broken_pipe();
	t_err("handled: write", write(fd, "abc", 3), EPIPE);
	t_eq("handler ran", handled, 1);
	close(fd);

	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = broken_pipe();
	t_err("blocked: write", write(fd, "x", 1), EPIPE);
	sigpending(&pend);
	t_yes("SIGPIPE pending", sigismember(&pend, SIGPIPE) == 1);
	/* accept it synchronously so that unblocking does not kill us */
	t_yes("sigwaitinfo takes it", sigwaitinfo(&set, NULL) == SIGPIPE);
	close(fd);

	/* the reader closes while the writer is blocked on a full pipe */
	int p[2];
	pipe(p);
	pid = fork();
	if (pid == 0) {
		static char buf[65536 * 2];
		signal(SIGPIPE, SIG_IGN);
		close(p[0]);
		ssize_t n = write(p[1], buf, sizeof(buf));
		/* partial write then EPIPE on the next */
		int e = n > 0 && write(p[1], buf, 1) == -1 && errno == EPIPE;
		_exit(e ? 0 : 1);
	}
	close(p[1]);
	/* wait until the child has filled the pipe (under load a fixed sleep
	 * could close the reader before its first write: EPIPE, no count) */
	for (int i = 0, q = 0; i < 10000 && (ioctl(p[0], FIONREAD, &q) < 0 || q < 65536); i++)
		usleep(1000);
	usleep(20000);
	close(p[0]);
	waitpid(pid, &st, 0);
	t_eq("blocked writer: partial count, then EPIPE (0 = yes)", WEXITSTATUS(st), 0);
	return g_finish();
}
