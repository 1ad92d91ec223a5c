/* SPDX-License-Identifier: Apache-2.0 */
/* Job control on a pty, as a shell does it: a background job reading its
 * terminal stops with SIGTTIN, tcsetpgrp brings it to the foreground;
 * with TOSTOP a background writer stops with SIGTTOU (without, it
 * writes); TIOCSPGRP errors; an ignored SIGTTIN makes the read EIO. */
#include "pty_common.h"

static const char *how(int st)
{
	static char b[32];

	if (WIFSTOPPED(st))
		snprintf(b, sizeof(b), "stopped by %s", signame(WSTOPSIG(st)));
	else if (WIFEXITED(st))
		snprintf(b, sizeof(b), "exit %d", WEXITSTATUS(st));
	else
		snprintf(b, sizeof(b), "killed by %s", signame(WTERMSIG(st)));
	return b;
}

/* A background job: its own process group, not the foreground. */
static pid_t job(void (*fn)(void))
{
	pid_t g = fork();

	if (g == 0) {
		setpgid(0, 0);
		fn();
		_exit(0);
	}
	setpgid(g, g);
	return g;
}

static void reader(void)
{
	char buf[64];
	long n = read(0, buf, sizeof(buf));

	say("job read \"%s\"\n", n < 0 ? ename(errno) : esc(buf, n));
}

static void writer(void)
{
	write(1, "job wrote\n", 10);
}

static void ignoring_reader(void)
{
	signal(SIGTTIN, SIG_IGN);
	reader();
}

static void leader(void)
{
	struct termios tio;
	sigset_t ttou;
	pid_t g, me = getpid();
	int st, pg, r;

	say("leader: sid is me %d, fg is me %d\n", tcgetsid(0) == me, tcgetpgrp(0) == me);
	g = job(reader);
	waitpid(g, &st, WUNTRACED);
	say("background reader: %s\n", how(st));
	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, NULL);
	say("tcsetpgrp(job): %d\n", tcsetpgrp(0, g));
	say("fg is the job %d\n", tcgetpgrp(0) == g);
	kill(g, SIGCONT);
	waitpid(g, &st, 0);
	say("foreground reader: %s\n", how(st));
	say("tcsetpgrp(me) from the background, TTOU blocked: %d\n", tcsetpgrp(0, me));
	sigprocmask(SIG_UNBLOCK, &ttou, NULL);

	g = job(writer);
	waitpid(g, &st, 0);
	say("background writer without TOSTOP: %s\n", how(st));
	tcgetattr(0, &tio);
	tio.c_lflag |= TOSTOP;
	tcsetattr(0, TCSANOW, &tio);
	g = job(writer);
	waitpid(g, &st, WUNTRACED);
	say("background writer with TOSTOP: %s\n", how(st));
	kill(g, SIGKILL);
	waitpid(g, &st, 0);
	tio.c_lflag &= ~(tcflag_t)TOSTOP;
	tcsetattr(0, TCSANOW, &tio);
	g = job(ignoring_reader);
	waitpid(g, &st, WUNTRACED);
	say("background reader ignoring TTIN: %s\n", how(st));

	pg = 0x7ffff0;
	r = ioctl(0, TIOCSPGRP, &pg);
	say("tcsetpgrp(no such group): %d %s\n", r, r < 0 ? ename(errno) : "-");
	pg = -1;
	r = ioctl(0, TIOCSPGRP, &pg);
	say("tcsetpgrp(-1): %d %s\n", r, r < 0 ? ename(errno) : "-");
	pg = getppid(); /* a group of another session */
	r = ioctl(0, TIOCSPGRP, &pg);
	say("tcsetpgrp(other session): %d %s\n", r, r < 0 ? ename(errno) : "-");
	say("done\n");
}

int main(void)
{
	char buf[2048];
	pid_t pid;
	int m, st;
	long n;

	g_start();
	setpgid(0, 0); /* a group of our own, for the other-session case */
	pid = forkpty(&m, NULL, NULL, NULL);
	if (pid == 0) {
		leader();
		_exit(0);
	}
	n = read_until(m, buf, sizeof(buf), "fg is the job ", 5000);
	n += read_until(m, buf + n, sizeof(buf) - (size_t)n, "\r\n", 5000);
	write(m, "hello\n", 6);
	n += read_until(m, buf + n, sizeof(buf) - (size_t)n, "done\r\n", 5000);
	waitpid(pid, &st, 0);
	t_yes("leader exited 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	write(1, buf, (size_t)n);
	close(m);
	return g_finish();
}
