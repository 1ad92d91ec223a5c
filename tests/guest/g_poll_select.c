/* SPDX-License-Identifier: Apache-2.0 */
/* select/pselect: fd_set results, timeout write-back, errors, sigmask. */
#include "common.h"
#include <sys/select.h>
#include <sys/wait.h>

static volatile int got;

static void on_usr1(int sig)
{
	(void)sig;
	got++;
}

int main(void)
{
	int p[2], q[2], rc, nfds;
	fd_set r, w;
	struct timeval tv;
	struct timespec ts;
	sigset_t block, empty;

	g_start();
	pipe(p);
	pipe(q);
	nfds = q[1] + 1;
	write(q[1], "z", 1);

	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(p[0], &r);
	FD_SET(q[0], &r);
	FD_SET(p[1], &w);
	tv = (struct timeval){ 0, 0 };
	rc = select(nfds, &r, &w, NULL, &tv);
	t_eq("ready count", rc, 2);
	t_yes("q readable, p not", FD_ISSET(q[0], &r) && !FD_ISSET(p[0], &r));
	t_yes("p writable", FD_ISSET(p[1], &w));

	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 0, 30000 };
	rc = select(p[0] + 1, &r, NULL, NULL, &tv);
	t_eq("timeout", rc, 0);
	t_yes("set cleared", !FD_ISSET(p[0], &r));
	t_yes("timeout written back as 0", tv.tv_sec == 0 && tv.tv_usec == 0);

	FD_ZERO(&r);
	FD_SET(p[0], &r);
	tv = (struct timeval){ 5, 0 };
	write(p[1], "a", 1);
	select(p[0] + 1, &r, NULL, NULL, &tv);
	t_yes("remaining time written back (4s < t <= 5s)", tv.tv_sec == 4 || (tv.tv_sec == 5 && tv.tv_usec == 0));

	FD_ZERO(&r);
	FD_SET(50, &r);
	tv = (struct timeval){ 0, 0 };
	t_err("closed fd in the set", select(51, &r, NULL, NULL, &tv), EBADF);
	t_err("negative nfds", select(-1, NULL, NULL, NULL, &tv), EINVAL);
	tv.tv_usec = -1;
	t_err("negative usec", select(1, NULL, NULL, NULL, &tv), EINVAL);
	tv = (struct timeval){ 0, 10000 };
	t_eq("select as a sleep", select(0, NULL, NULL, NULL, &tv), 0);

	/* pselect: the signal is blocked except while waiting */
	signal(SIGUSR1, on_usr1);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		kill(parent, SIGUSR1);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	t_eq("blocked: not delivered yet", got, 0);
	sigemptyset(&empty);
	FD_ZERO(&r);
	FD_SET(q[0], &r);
	read(q[0], &rc, 1);
	ts = (struct timespec){ 2, 0 };
	rc = pselect(q[0] + 1, &r, NULL, NULL, &ts, &empty);
	t_err("pselect interrupted", rc, EINTR);
	t_eq("delivered during pselect", got, 1);
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	t_yes("mask restored after", sigismember(&cur, SIGUSR1) == 1);
	return g_finish();
}
