/* SPDX-License-Identifier: Apache-2.0 */
/* SA_RESTART: a blocking read is restarted or fails with EINTR; calls that
 * never restart (nanosleep, poll, select) return EINTR either way. */
#include "common.h"
#include <poll.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>

static int pfd[2];
static volatile int handled;

static void on_alarm(int sig)
{
	(void)sig;
	handled++;
	/* feed the read so that a restarted read can complete */
	write(pfd[1], "R", 1);
}

static void arm(int restart)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { 0, 15000 } };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

int main(void)
{
	char c = 0;
	long rc;
	struct timespec ts = { 2, 0 }, rem = { 0, 0 };
	struct pollfd p;
	struct timeval tv = { 2, 0 };
	fd_set rs;

	g_start();
	pipe(pfd);

	arm(1);
	rc = read(pfd[0], &c, 1);
	t_eq("SA_RESTART: read restarted and got the byte", rc, 1);
	t_yes("byte is the handler's", c == 'R' && handled == 1);

	arm(0);
	rc = read(pfd[0], &c, 1);
	t_err("no SA_RESTART: read interrupted", rc, EINTR);
	t_eq("handler ran", handled, 2);
	t_eq("byte left in the pipe", read(pfd[0], &c, 1), 1);

	arm(1);
	rc = nanosleep(&ts, &rem);
	t_err("nanosleep with SA_RESTART", rc, EINTR);
	t_yes("remaining time reported (1s < rem <= 2s)", rem.tv_sec == 1 || (rem.tv_sec == 2 && rem.tv_nsec == 0));
	read(pfd[0], &c, 1);

	arm(1);
	p.fd = pfd[0];
	p.events = POLLIN;
	rc = poll(&p, 1, 2000);
	t_err("poll with SA_RESTART", rc, EINTR);
	read(pfd[0], &c, 1);

	arm(1);
	FD_ZERO(&rs);
	FD_SET(pfd[0], &rs);
	rc = select(pfd[0] + 1, &rs, NULL, NULL, &tv);
	t_err("select with SA_RESTART", rc, EINTR);
	read(pfd[0], &c, 1);

	/* a blocked signal does not interrupt anything */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	arm(0);
	ts.tv_sec = 0;
	ts.tv_nsec = 40 * 1000 * 1000;
	t_ok("nanosleep with the signal blocked completes", nanosleep(&ts, NULL));
	t_eq("handler not run yet", handled, 5);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	t_eq("handler runs on unblock", handled, 6);
	return g_finish();
}
