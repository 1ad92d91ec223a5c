/* SPDX-License-Identifier: Apache-2.0 */
/* POSIX timers: SIGEV_SIGNAL (handler and sigwaitinfo), the default
 * sigevent, SIGEV_NONE, SIGEV_THREAD_ID, glibc's SIGEV_THREAD, overruns,
 * TIMER_ABSTIME, fork, errors. */
#include "common.h"
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t alarms;
static volatile int thread_calls;

static void on_alrm(int sig)
{
	(void)sig;
	alarms++;
}

static void on_thread(union sigval v)
{
	__atomic_add_fetch(&thread_calls, v.sival_int, __ATOMIC_SEQ_CST);
}

static long ms(const struct timespec *ts)
{
	return ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

int main(void)
{
	struct sigevent sev;
	struct itimerspec its, cur;
	struct timespec tmo = { 2, 0 }, now;
	siginfo_t si;
	sigset_t set;
	timer_t a, b, c, d;
	int st, n;

	g_start();
	/* SIGEV_SIGNAL, received with sigtimedwait */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGUSR1;
	sev.sigev_value.sival_int = 4242;
	t_ok("timer_create", timer_create(CLOCK_MONOTONIC, &sev, &a));
	t_ok("gettime unarmed", timer_gettime(a, &cur));
	t_yes("disarmed", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
	its = (struct itimerspec){ .it_value = { 0, 20 * 1000 * 1000 } };
	t_ok("arm 20 ms", timer_settime(a, 0, &its, NULL));
	t_ok("gettime armed", timer_gettime(a, &cur));
	t_yes("0 < left <= 20 ms", (cur.it_value.tv_nsec > 0 || cur.it_value.tv_sec > 0) && ms(&cur.it_value) <= 20);
	t_eq("sigtimedwait", sigtimedwait(&set, &si, &tmo), SIGUSR1);
	t_eq("si_code SI_TIMER", si.si_code, SI_TIMER);
	t_eq("si_value", si.si_value.sival_int, 4242);
	t_eq("si_overrun", si.si_overrun, 0);
	t_ok("gettime after", timer_gettime(a, &cur));
	t_yes("one-shot: disarmed", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);

	/* periodic with the signal blocked: overruns */
	its = (struct itimerspec){ .it_value = { 0, 5 * 1000 * 1000 }, .it_interval = { 0, 5 * 1000 * 1000 } };
	t_ok("arm periodic 5 ms", timer_settime(a, 0, &its, NULL));
	usleep(80 * 1000);
	t_ok("gettime periodic", timer_gettime(a, &cur));
	t_eq("interval", ms(&cur.it_interval), 5);
	t_eq("one signal queued", sigtimedwait(&set, &si, &tmo), SIGUSR1);
	t_yes("si_overrun counted (>= 5)", si.si_overrun >= 5 && si.si_overrun < 40);
	n = timer_getoverrun(a);
	t_yes("timer_getoverrun", n >= 0 && n < 40);
	memset(&its, 0, sizeof(its));
	t_ok("disarm, old value", timer_settime(a, 0, &its, &cur));
	t_eq("old interval", ms(&cur.it_interval), 5);
	tmo = (struct timespec){ 0, 20 * 1000 * 1000 };
	t_err("disarming dropped a queued signal", sigtimedwait(&set, &si, &tmo), EAGAIN);
	tmo = (struct timespec){ 2, 0 };
	its = (struct itimerspec){ .it_value = { 0, 1000 * 1000 } };
	t_ok("arm once more", timer_settime(a, 0, &its, NULL));
	usleep(20 * 1000);
	t_ok("delete with the signal queued", timer_delete(a));
	tmo = (struct timespec){ 0, 20 * 1000 * 1000 };
	t_err("delete dropped it", sigtimedwait(&set, &si, &tmo), EAGAIN);
	tmo = (struct timespec){ 2, 0 };
	t_ok("timer_create again", timer_create(CLOCK_MONOTONIC, &sev, &a));

	/* the default sigevent: SIGALRM with a handler */
	signal(SIGALRM, on_alrm);
	t_ok("timer_create default", timer_create(CLOCK_REALTIME, NULL, &b));
	clock_gettime(CLOCK_REALTIME, &now);
	now.tv_nsec += 10 * 1000 * 1000;
	if (now.tv_nsec >= 1000000000L) {
		now.tv_sec++;
		now.tv_nsec -= 1000000000L;
	}
	its = (struct itimerspec){ .it_value = now };
	t_ok("arm absolute realtime", timer_settime(b, TIMER_ABSTIME, &its, NULL));
	while (!alarms)
		pause();
	t_eq("handler ran", alarms, 1);
	its = (struct itimerspec){ .it_value = { 0, 1 } };
	t_ok("absolute in the past fires at once", timer_settime(b, TIMER_ABSTIME, &its, NULL));
	while (alarms < 2)
		pause();
	t_eq("handler again", alarms, 2);

	/* SIGEV_NONE */
	sev.sigev_notify = SIGEV_NONE;
	t_ok("SIGEV_NONE", timer_create(CLOCK_MONOTONIC, &sev, &c));
	its = (struct itimerspec){ .it_value = { 0, 30 * 1000 * 1000 } };
	timer_settime(c, 0, &its, NULL);
	usleep(10000);
	timer_gettime(c, &cur);
	t_yes("counting down", ms(&cur.it_value) < 30 && (cur.it_value.tv_nsec > 0));
	usleep(40000);
	timer_gettime(c, &cur);
	t_yes("expired silently", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
	t_ok("delete c", timer_delete(c));

	/* SIGEV_THREAD_ID to this thread */
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGUSR2;
	sev._sigev_un._tid = gettid();
	t_ok("SIGEV_THREAD_ID", timer_create(CLOCK_BOOTTIME, &sev, &d));
	its = (struct itimerspec){ .it_value = { 0, 5 * 1000 * 1000 } };
	timer_settime(d, 0, &its, NULL);
	t_eq("thread-directed signal", sigtimedwait(&set, &si, &tmo), SIGUSR2);
	t_eq("its value", si.si_value.sival_int, 4242);
	sev._sigev_un._tid = 999999;
	t_err("a tid not in the process", timer_create(CLOCK_MONOTONIC, &sev, &c), EINVAL);

	/* glibc's SIGEV_THREAD: a helper thread calls the function */
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = on_thread;
	sev.sigev_value.sival_int = 3;
	t_ok("SIGEV_THREAD", timer_create(CLOCK_MONOTONIC, &sev, &c));
	its = (struct itimerspec){ .it_value = { 0, 5 * 1000 * 1000 } };
	timer_settime(c, 0, &its, NULL);
	for (int i = 0; i < 200 && !__atomic_load_n(&thread_calls, __ATOMIC_SEQ_CST); i++)
		usleep(10000);
	t_eq("function called", __atomic_load_n(&thread_calls, __ATOMIC_SEQ_CST), 3);
	t_ok("delete SIGEV_THREAD timer", timer_delete(c));

	/* fork: the child has none of them */
	if (fork() == 0)
		_exit(timer_gettime(a, &cur) < 0 && errno == EINVAL ? 0 : 1);
	wait(&st);
	t_yes("not inherited by fork", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* errors */
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = 100;
	t_err("bad signal", timer_create(CLOCK_MONOTONIC, &sev, &c), EINVAL);
	sev.sigev_signo = SIGUSR1;
	sev.sigev_notify = 77;
	t_err("bad notify", timer_create(CLOCK_MONOTONIC, &sev, &c), EINVAL);
	t_err("bad clock", syscall(SYS_timer_create, 99, NULL, &c), EINVAL);
	its = (struct itimerspec){ .it_value = { 0, 1000000000L } };
	t_err("bad nsec", timer_settime(a, 0, &its, NULL), EINVAL);
	t_err("bad pointer", syscall(SYS_timer_settime, 0, 0, G_BADPTR, NULL), EFAULT);
	t_ok("delete a", timer_delete(a));
	t_err("delete twice", syscall(SYS_timer_delete, 0), EINVAL);
	t_err("gettime of a deleted timer", syscall(SYS_timer_gettime, 0, &cur), EINVAL);
	t_err("getoverrun bad id", syscall(SYS_timer_getoverrun, 1000), EINVAL);
	t_ok("delete b", timer_delete(b));
	t_ok("delete d", timer_delete(d));
	return g_finish();
}
