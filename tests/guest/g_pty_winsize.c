/* SPDX-License-Identifier: Apache-2.0 */
/* Window size: forkpty's initial size, TIOCSWINSZ on the master raising
 * SIGWINCH in the foreground group, no signal when nothing changes. */
#include "pty_common.h"

static volatile sig_atomic_t winches;

static void on_winch(int sig)
{
	(void)sig;
	winches++;
}

int main(void)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 }, got;
	char buf[512];
	pid_t pid;
	int m, st;
	long n;

	g_start();
	pid = forkpty(&m, NULL, NULL, &ws);
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_winch };
		sigset_t none;

		sigaction(SIGWINCH, &sa, NULL);
		ioctl(0, TIOCGWINSZ, &got);
		say("child: %dx%d\n", got.ws_col, got.ws_row);
		write(1, "ready\n", 6);
		sigemptyset(&none);
		while (winches == 0)
			sigsuspend(&none);
		ioctl(0, TIOCGWINSZ, &got);
		say("child: SIGWINCH x%d, now %dx%d\n", (int)winches, got.ws_col, got.ws_row);
		/* setting the same size again raises nothing */
		ioctl(0, TIOCSWINSZ, &got);
		usleep(100000);
		say("child: after same size x%d\n", (int)winches);
		got.ws_col = 132;
		ioctl(0, TIOCSWINSZ, &got);
		usleep(100000);
		say("child: own change x%d\n", (int)winches);
		_exit(0);
	}
	n = read_until(m, buf, sizeof(buf), "ready\r\n", 5000);
	say("transcript: \"%s\"\n", esc(buf, n));
	t_ok("master TIOCGWINSZ", ioctl(m, TIOCGWINSZ, &got));
	say("master sees %dx%d\n", got.ws_col, got.ws_row);
	ws.ws_row = 50;
	ws.ws_col = 100;
	t_ok("master TIOCSWINSZ", ioctl(m, TIOCSWINSZ, &ws));
	waitpid(pid, &st, 0);
	t_yes("child exited 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	n = drain(m, buf, sizeof(buf), 200);
	say("transcript: \"%s\"\n", esc(buf, n));
	t_ok("master TIOCGWINSZ", ioctl(m, TIOCGWINSZ, &got));
	say("master sees %dx%d\n", got.ws_col, got.ws_row);
	{
		int pfd[2];

		pipe(pfd);
		t_err("TIOCGWINSZ on a pipe", ioctl(pfd[0], TIOCGWINSZ, &got), ENOTTY);
	}
	close(m);
	return g_finish();
}
