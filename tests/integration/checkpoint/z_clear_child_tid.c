/* SPDX-License-Identifier: Apache-2.0 */
/* clear_child_tid (CLONE_CHILD_CLEARTID): threads blocked at the checkpoint
 * exit after the restore and pthread_join, which sleeps in FUTEX_WAIT on
 * the thread's tid word until the kernel clears it and wakes it at the
 * thread's exit, returns; the joiner is itself blocked in that futex wait
 * at the checkpoint for one of them.  Threads created after the restore
 * are joined the same way. */
#include <pthread.h>
#include <stdint.h>

#include "zdtm.h"

#define N 3
static int pfd[2];
static volatile int started, joined_early;
static pthread_t th[N];

static void *worker(void *arg)
{
	int i = (int)(intptr_t)arg;
	char c;

	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	(void)!read(pfd[0], &c, 1); /* blocked here at the checkpoint */
	return (void *)(intptr_t)(i + 100);
}

/* blocked in pthread_join (a futex wait on th[0]'s tid) at the checkpoint */
static void *joiner(void *arg)
{
	void *ret = NULL;

	(void)arg;
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	if (pthread_join(th[0], &ret) == 0 && ret == (void *)100)
		joined_early = 1;
	return NULL;
}

static void *late(void *arg)
{
	return arg;
}

int main(void)
{
	pthread_t j, t2;
	void *ret;

	zd_init();
	if (pipe(pfd) < 0)
		return 1;
	for (int i = 0; i < N; i++)
		pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
	pthread_create(&j, NULL, joiner, NULL);
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < N + 1)
		usleep(1000);
	usleep(50000);
	zd_ready();
	zd_wait_go();

	zd_check(write(pfd[1], "xyz", N) == N, "write");
	zd_check(pthread_join(j, NULL) == 0 && joined_early,
		 "the thread blocked in pthread_join was not woken by the exit");
	for (int i = 1; i < N; i++) {
		ret = NULL;
		zd_check(pthread_join(th[i], &ret) == 0 && ret == (void *)(intptr_t)(i + 100),
			 "join %d", i);
	}
	ret = NULL;
	zd_check(pthread_create(&t2, NULL, late, (void *)7) == 0 && pthread_join(t2, &ret) == 0 &&
			 ret == (void *)7,
		 "a thread created after the restore");
	return zd_finish();
}
