/* SPDX-License-Identifier: Apache-2.0 */
/* forkpty: ^C, ^\ and ^Z typed on the master reach the foreground process
 * group of the child's session as SIGINT, SIGQUIT and SIGTSTP; echo ^C;
 * NOFLSH; ISIG off makes them plain bytes. */
#include "pty_common.h"

static volatile sig_atomic_t quits;

static void on_quit(int sig)
{
	(void)sig;
	quits++;
}

int main(void)
{
	char buf[512];
	pid_t pid;
	int m, st;
	long n;

	g_start();
	/* 1: ^C kills a child blocked reading its terminal */
	pid = forkpty(&m, NULL, NULL, NULL);
	if (pid == 0) {
		write(1, "ready\n", 6);
		read(0, buf, sizeof(buf));
		_exit(3);
	}
	n = read_until(m, buf, sizeof(buf), "ready\r\n", 5000);
	say("child says: \"%s\"\n", esc(buf, n));
	write(m, "typed\003", 6);
	waitpid(pid, &st, 0);
	t_yes("^C: killed by SIGINT", WIFSIGNALED(st) && WTERMSIG(st) == SIGINT);
	n = drain(m, buf, sizeof(buf), 200);
	say("echo: \"%s\"\n", esc(buf, n));
	close(m);

	/* 2: ^\ to a handler; the line typed before it is flushed */
	pid = forkpty(&m, NULL, NULL, NULL);
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_quit };

		sigaction(SIGQUIT, &sa, NULL);
		write(1, "ready\n", 6);
		while (!quits)
			pause();
		n = read(0, buf, sizeof(buf));
		say("child read after ^\\: \"%s\"\n", esc(buf, n));
		_exit(quits == 1 ? 0 : 1);
	}
	n = read_until(m, buf, sizeof(buf), "ready\r\n", 5000);
	write(m, "lost\034", 5);
	usleep(100000);
	write(m, "kept\n", 5);
	waitpid(pid, &st, 0);
	t_yes("^\\: handled, exit 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	n = drain(m, buf, sizeof(buf), 200);
	say("transcript: \"%s\"\n", esc(buf, n));
	close(m);

	/* 3: ^Z stops the foreground group (not orphaned: its parent, the
	 * session leader, is in the session), SIGCONT resumes it */
	pid = forkpty(&m, NULL, NULL, NULL);
	if (pid == 0) {
		sigset_t ttou;
		pid_t g = fork();

		if (g == 0) {
			setpgid(0, 0);
			while (tcgetpgrp(0) != getpid())
				usleep(1000);
			write(1, "ready\n", 6);
			n = read(0, buf, sizeof(buf));
			say("resumed, read \"%s\"\n", esc(buf, n));
			_exit(0);
		}
		setpgid(g, g);
		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		sigprocmask(SIG_BLOCK, &ttou, NULL);
		tcsetpgrp(0, g);
		waitpid(g, &st, WUNTRACED);
		say("leader: %s\n", WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP ? "stopped by TSTP"
									   : "not stopped");
		kill(g, SIGCONT);
		waitpid(g, &st, 0);
		say("leader: exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		_exit(0);
	}
	n = read_until(m, buf, sizeof(buf), "ready\r\n", 5000);
	write(m, "\032", 1);
	n = read_until(m, buf, sizeof(buf), "TSTP\r\n", 5000);
	say("transcript: \"%s\"\n", esc(buf, n));
	write(m, "go\n", 3);
	waitpid(pid, &st, 0);
	t_yes("leader exited 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	n = drain(m, buf, sizeof(buf), 200);
	say("transcript: \"%s\"\n", esc(buf, n));
	close(m);

	/* 4: -isig: ^C is data */
	pid = forkpty(&m, NULL, NULL, NULL);
	if (pid == 0) {
		struct termios tio;

		tcgetattr(0, &tio);
		tio.c_lflag &= ~(tcflag_t)ISIG;
		tcsetattr(0, TCSANOW, &tio);
		write(1, "ready\n", 6);
		n = read(0, buf, sizeof(buf));
		say("got \"%s\"\n", esc(buf, n));
		_exit(0);
	}
	n = read_until(m, buf, sizeof(buf), "ready\r\n", 5000);
	write(m, "\003\n", 2);
	waitpid(pid, &st, 0);
	t_yes("-isig: exited 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	n = drain(m, buf, sizeof(buf), 200);
	say("transcript: \"%s\"\n", esc(buf, n));
	close(m);
	return g_finish();
}
