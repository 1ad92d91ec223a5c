/* SPDX-License-Identifier: Apache-2.0 */
/* The alternate signal stack is per thread: a second thread's own stack
 * (set up before the checkpoint, the thread blocked in sigwaitinfo) takes
 * a signal sent to that thread after the restore, the main thread's
 * disabled one stays disabled, and a handler running on the alternate
 * stack sees SS_ONSTACK. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "zdtm.h"

#define ALT_SIZE (128 * 1024)
static char *alt;
static volatile int handled, on_alt, onstack_flag;
static volatile pid_t worker_tid;

static void h_usr1(int sig)
{
	char here;
	stack_t cur;

	(void)sig;
	handled++;
	on_alt = &here >= alt && &here < alt + ALT_SIZE;
	sigaltstack(NULL, &cur);
	onstack_flag = (cur.ss_flags & SS_ONSTACK) != 0;
}

static void *worker(void *arg)
{
	stack_t ss = { .ss_sp = NULL, .ss_size = ALT_SIZE }, got;
	sigset_t w;
	siginfo_t si;

	(void)arg;
	ss.ss_sp = alt;
	if (sigaltstack(&ss, NULL) < 0)
		return (void *)1;
	worker_tid = (pid_t)syscall(SYS_gettid);
	sigemptyset(&w);
	sigaddset(&w, SIGHUP);
	/* blocked here at the checkpoint; SIGHUP comes after the restore */
	if (sigwaitinfo(&w, &si) != SIGHUP)
		return (void *)2;
	sigaltstack(NULL, &got);
	if (got.ss_sp != alt || got.ss_size != ALT_SIZE || (got.ss_flags & SS_DISABLE))
		return (void *)3;
	/* now take SIGUSR1 on the alternate stack */
	pthread_sigmask(SIG_UNBLOCK, &(sigset_t){ { 1UL << (SIGUSR1 - 1) } }, NULL);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
	return (void *)0;
}

int main(void)
{
	struct sigaction sa;
	sigset_t set;
	stack_t oss;
	pthread_t th;
	void *ret = (void *)-1;

	zd_init();
	alt = aligned_alloc(4096, ALT_SIZE);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = h_usr1;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* inherited by the worker */
	pthread_create(&th, NULL, worker, NULL);
	while (!__atomic_load_n(&worker_tid, __ATOMIC_SEQ_CST))
		usleep(1000);
	usleep(50000);
	zd_ready();
	zd_wait_go();

	sigaltstack(NULL, &oss);
	zd_check(oss.ss_flags & SS_DISABLE, "the main thread got an alternate stack");
	zd_check(syscall(SYS_tgkill, getpid(), worker_tid, SIGHUP) == 0, "tgkill");
	pthread_join(th, &ret);
	zd_check(ret == (void *)0, "worker failed at step %ld", (long)(intptr_t)ret);
	zd_check(handled == 1 && on_alt, "SIGUSR1 not handled on the worker's alternate stack");
	zd_check(onstack_flag, "SS_ONSTACK not reported inside the handler");
	return zd_finish();
}
