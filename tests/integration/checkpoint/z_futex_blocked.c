/* SPDX-License-Identifier: Apache-2.0 */
/* Threads blocked in raw futex calls at the checkpoint: FUTEX_WAIT_PRIVATE
 * without a timeout, a shared FUTEX_WAIT with a relative timeout,
 * FUTEX_WAIT_BITSET with an absolute CLOCK_MONOTONIC deadline and bitset 2,
 * and one moved by FUTEX_CMP_REQUEUE after the restore.  Each waits again
 * until its word changes; none may see EINTR or ETIMEDOUT (the checkpoint
 * is invisible), a wake with a disjoint bitset wakes nobody, and every
 * waiter ends once its word is set and woken. */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

#include "zdtm.h"

static uint32_t words[4];
static volatile int started, bad[4], done[4];

static long fx(uint32_t *w, int op, uint32_t val, const struct timespec *t, uint32_t *w2,
	       uint32_t val3)
{
	return syscall(SYS_futex, w, op, val, t, w2, val3);
}

static void *waiter(void *arg)
{
	int i = (int)(intptr_t)arg;
	struct timespec rel = { 600, 0 }, abs;

	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_sec += 600;
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&words[i], __ATOMIC_SEQ_CST) == 0) {
		long r;

		switch (i) {
		case 0:
			r = fx(&words[0], FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
			break;
		case 1:
			r = fx(&words[1], FUTEX_WAIT, 0, &rel, NULL, 0);
			break;
		case 2:
			r = fx(&words[2], FUTEX_WAIT_BITSET_PRIVATE, 0, &abs, NULL, 2);
			break;
		default: /* requeued to words[0] after the restore */
			r = fx(&words[3], FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
			break;
		}
		if (r < 0 && errno != EAGAIN)
			bad[i] = errno;
	}
	done[i] = 1;
	return NULL;
}

int main(void)
{
	pthread_t th[4];
	long n;

	zd_init();
	for (int i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, waiter, (void *)(intptr_t)i);
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < 4)
		usleep(1000);
	usleep(100000);
	zd_ready();
	zd_wait_go();

	usleep(100000); /* the restored waiters are back in their calls */
	n = fx(&words[2], FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 1);
	zd_check(n == 0, "a wake with bitset 1 woke %ld waiters of bitset 2", n);
	/* until words[3]'s waiter is back in its wait: then it moves */
	for (int tries = 0; tries < 6000; tries++) {
		n = fx(&words[3], FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)(uintptr_t)10, &words[0], 0);
		if (n != 0)
			break;
		usleep(10000);
	}
	zd_check(n == 1, "FUTEX_CMP_REQUEUE moved %ld waiters", n);
	/* words[3]'s waiter now sleeps on words[0]: only a wake there ends it */
	for (int i = 0; i < 4; i++)
		__atomic_store_n(&words[i], 1, __ATOMIC_SEQ_CST);
	for (int tries = 0; tries < 6000; tries++) {
		int all = 1;

		fx(&words[0], FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0);
		fx(&words[1], FUTEX_WAKE, 10, NULL, NULL, 0);
		fx(&words[2], FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 2);
		for (int i = 0; i < 4; i++)
			all &= done[i];
		if (all)
			break;
		usleep(10000);
	}
	for (int i = 0; i < 4; i++) {
		zd_check(done[i], "waiter %d never woke", i);
		zd_check(!bad[i], "waiter %d saw %s", i, strerror(bad[i]));
	}
	for (int i = 0; i < 4; i++)
		if (done[i])
			pthread_join(th[i], NULL);
	return zd_finish();
}
