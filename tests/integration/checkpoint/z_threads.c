/* SPDX-License-Identifier: Apache-2.0 */
/* A multi-threaded process: threads blocked in a condition variable
 * (futex), in read() on an empty pipe and in nanosleep() at the checkpoint
 * resume or restart correctly; per-thread TLS and stacks are restored. */
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "zdtm.h"

#define N 4
static __thread int tls_id = -1;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int released, started, results[N + 2];
static int pfd[2];

static void *cond_worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	char stackpat[256];

	tls_id = id;
	memset(stackpat, id + 'a', sizeof(stackpat));
	pthread_mutex_lock(&mu);
	started++;
	pthread_cond_broadcast(&cv);
	while (!released)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	results[id] = tls_id == id;
	for (size_t i = 0; i < sizeof(stackpat); i++)
		if (stackpat[i] != id + 'a')
			results[id] = 0;
	return NULL;
}

static void *pipe_reader(void *arg)
{
	char buf[16] = "";
	ssize_t n;

	(void)arg;
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	n = read(pfd[0], buf, sizeof(buf)); /* empty until after the restore */
	results[N] = n == 5 && !memcmp(buf, "hello", 5);
	return NULL;
}

static void *sleeper(void *arg)
{
	struct timespec t0, t1, d = { 2, 0 };
	int r;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	r = nanosleep(&d, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* not cut short, and the monotonic clock went forward */
	results[N + 1] = r == 0 && (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) >=
				    1900000000L;
	return NULL;
}

int main(void)
{
	pthread_t th[N + 2];
	sigset_t usr2;

	zd_init();
	/* SIGUSR2 is process-directed: only the main thread takes it (in
	 * zd_wait_go's sigsuspend); the threads keep it blocked */
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &usr2, NULL);
	if (pipe(pfd) < 0)
		return 1;
	for (int i = 0; i < N; i++)
		pthread_create(&th[i], NULL, cond_worker, (void *)(intptr_t)i);
	pthread_create(&th[N], NULL, pipe_reader, NULL);
	pthread_create(&th[N + 1], NULL, sleeper, NULL);
	for (;;) {
		int s = __atomic_load_n(&started, __ATOMIC_SEQ_CST);

		if (s == N + 2)
			break;
		usleep(1000);
	}
	usleep(50000); /* let them block */
	zd_ready();
	zd_wait_go();
	pthread_mutex_lock(&mu);
	released = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	zd_check(write(pfd[1], "hello", 5) == 5, "write");
	for (int i = 0; i < N + 2; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < N; i++)
		zd_check(results[i], "thread %d: TLS or stack changed", i);
	zd_check(results[N], "the blocked read() did not get the data");
	zd_check(results[N + 1], "nanosleep was cut short or the clock went back");
	return zd_finish();
}
