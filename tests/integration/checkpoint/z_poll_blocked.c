/* SPDX-License-Identifier: Apache-2.0 */
/* Threads blocked at the checkpoint in poll (no timeout), ppoll (a long
 * timeout and its own signal mask), select and pselect on
 * pipes: after the restore each wakes for its own pipe only, with the right
 * revents / fd sets, never EINTR or a timeout; a poll with a deadline in
 * progress still times out (returns 0) rather than hanging. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/select.h>
#include <time.h>

#include "zdtm.h"

static int pfd[5][2];
static volatile int started, res[5];

static void *poller(void *arg)
{
	int i = (int)(intptr_t)arg, r = -1;
	struct pollfd p = { pfd[i][0], POLLIN, 0 };
	fd_set rs;

	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	FD_ZERO(&rs);
	FD_SET(pfd[i][0], &rs);
	switch (i) {
	case 0:
		r = poll(&p, 1, -1);
		res[i] = r == 1 && p.revents == POLLIN;
		break;
	case 1: {
		struct timespec t = { 600, 0 };
		sigset_t m;

		/* SIGUSR2 stays blocked here: it is the main thread's */
		sigemptyset(&m);
		sigaddset(&m, SIGUSR1);
		sigaddset(&m, SIGUSR2);
		r = ppoll(&p, 1, &t, &m);
		res[i] = r == 1 && p.revents == POLLIN;
		break;
	}
	case 2:
		r = select(pfd[i][0] + 1, &rs, NULL, NULL, NULL);
		res[i] = r == 1 && FD_ISSET(pfd[i][0], &rs);
		break;
	case 3: {
		struct timespec t = { 600, 0 };

		r = pselect(pfd[i][0] + 1, &rs, NULL, NULL, &t, NULL);
		res[i] = r == 1 && FD_ISSET(pfd[i][0], &rs);
		break;
	}
	default: { /* nothing ever comes: a timeout, after the restore */
		struct timespec t0, t1;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = poll(&p, 1, 3000);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		res[i] = r == 0 && t1.tv_sec - t0.tv_sec >= 2;
		break;
	}
	}
	if (r < 0)
		res[i] = -errno;
	return NULL;
}

int main(void)
{
	pthread_t th[5];
	char c;

	zd_init();
	for (int i = 0; i < 5; i++)
		if (pipe(pfd[i]) < 0)
			return 1;
	for (int i = 0; i < 5; i++)
		pthread_create(&th[i], NULL, poller, (void *)(intptr_t)i);
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < 5)
		usleep(1000);
	usleep(100000);
	zd_ready();
	zd_wait_go();

	usleep(100000);
	for (int i = 0; i < 4; i++)
		zd_check(res[i] == 0, "poller %d returned before its data (%d)", i, res[i]);
	for (int i = 0; i < 4; i++) {
		zd_check(write(pfd[i][1], "x", 1) == 1, "write");
		pthread_join(th[i], NULL);
		zd_check(res[i] == 1, "poller %d: %d (%s)", i, res[i],
			 res[i] < 0 ? strerror(-res[i]) : "wrong result");
		zd_check(read(pfd[i][0], &c, 1) == 1, "read");
	}
	pthread_join(th[4], NULL);
	zd_check(res[4] == 1, "the poll with a timeout: %d", res[4]);
	return zd_finish();
}
