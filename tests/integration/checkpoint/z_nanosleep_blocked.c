/* SPDX-License-Identifier: Apache-2.0 */
/* Sleeps in progress at the checkpoint: absolute clock_nanosleep on
 * CLOCK_MONOTONIC and CLOCK_REALTIME, a relative one on CLOCK_BOOTTIME and
 * a child process in nanosleep all end no earlier than their deadline and
 * return 0; a 600 s nanosleep interrupted by a signal after the restore
 * returns EINTR with the time left (less than 600 s, more than 300). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "zdtm.h"

#define SLEEP_S 4
static volatile int started, res[4];
static volatile pid_t long_tid;
static struct timespec rem;

static long long ns(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *abs_sleeper(void *arg)
{
	clockid_t c = (clockid_t)(intptr_t)arg;
	long long dl = ns(c) + SLEEP_S * 1000000000LL;
	struct timespec d = { dl / 1000000000LL, dl % 1000000000LL };
	int r;

	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	r = clock_nanosleep(c, TIMER_ABSTIME, &d, NULL);
	res[c == CLOCK_MONOTONIC ? 0 : 1] = r == 0 && ns(c) >= dl;
	return NULL;
}

static void *rel_sleeper(void *arg)
{
	struct timespec d = { SLEEP_S, 0 };
	long long t0 = ns(CLOCK_BOOTTIME);
	int r;

	(void)arg;
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	r = clock_nanosleep(CLOCK_BOOTTIME, 0, &d, NULL);
	res[2] = r == 0 && ns(CLOCK_BOOTTIME) - t0 >= SLEEP_S * 1000000000LL - 10000000;
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void *long_sleeper(void *arg)
{
	struct timespec d = { 600, 0 };
	sigset_t u;
	int r;

	(void)arg;
	sigemptyset(&u);
	sigaddset(&u, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &u, NULL);
	long_tid = (pid_t)syscall(SYS_gettid);
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	r = nanosleep(&d, &rem);
	res[3] = r < 0 && errno == EINTR;
	return NULL;
}

int main(void)
{
	struct sigaction sa;
	pthread_t th[4];
	sigset_t u;
	pid_t c;
	int st = -1;

	zd_init();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&u);
	sigaddset(&u, SIGUSR1);
	sigaddset(&u, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &u, NULL);
	c = fork();
	if (c == 0) {
		struct timespec d = { SLEEP_S, 0 };
		long long t0 = ns(CLOCK_MONOTONIC);

		_exit(nanosleep(&d, NULL) == 0 && ns(CLOCK_MONOTONIC) - t0 >= SLEEP_S * 1000000000LL - 10000000 ? 0 : 1);
	}
	pthread_create(&th[0], NULL, abs_sleeper, (void *)(intptr_t)CLOCK_MONOTONIC);
	pthread_create(&th[1], NULL, abs_sleeper, (void *)(intptr_t)CLOCK_REALTIME);
	pthread_create(&th[2], NULL, rel_sleeper, NULL);
	pthread_create(&th[3], NULL, long_sleeper, NULL);
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < 4)
		usleep(1000);
	usleep(50000);
	zd_ready();
	zd_wait_go();

	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	zd_check(res[0], "absolute CLOCK_MONOTONIC sleep cut short or failed");
	zd_check(res[1], "absolute CLOCK_REALTIME sleep cut short or failed");
	zd_check(res[2], "relative CLOCK_BOOTTIME sleep cut short or failed");
	zd_check(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "the sleeping child: status 0x%x", st);
	syscall(SYS_tgkill, getpid(), long_tid, SIGUSR1);
	pthread_join(th[3], NULL);
	zd_check(res[3], "the 600 s nanosleep was not interrupted with EINTR");
	zd_check(rem.tv_sec < 600 && rem.tv_sec >= 300,
		 "time left %lld.%09ld", (long long)rem.tv_sec, rem.tv_nsec);
	return zd_finish();
}
