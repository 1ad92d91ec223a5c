/* SPDX-License-Identifier: Apache-2.0 */
/* POSIX timers are restored: a periodic CLOCK_MONOTONIC timer keeps
 * counting signals with its value, a one-shot absolute CLOCK_REALTIME one
 * keeps its deadline, a SIGEV_THREAD_ID one keeps waking a thread blocked
 * in sigwaitinfo at the checkpoint, a disarmed SIGEV_NONE one stays
 * disarmed and usable, and the queued (blocked) signal of a fast timer
 * still belongs to it: si_timerid, overruns that only grew. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

#include "zdtm.h"

#define SIG_PERIODIC (SIGRTMIN)
#define SIG_THREAD (SIGRTMIN + 2)
#define SIG_BLOCKED (SIGRTMIN + 3)

static volatile int ticks, bad_value;
static volatile int thr_count, thr_bad, thr_tid;

static void on_tick(int s, siginfo_t *si, void *uc)
{
	(void)s;
	(void)uc;
	if (si->si_code != SI_TIMER || si->si_value.sival_int != 111)
		bad_value = 1;
	ticks++;
}

static void *thread_main(void *arg)
{
	sigset_t set;
	siginfo_t si;

	(void)arg;
	thr_tid = (int)syscall(SYS_gettid);
	sigemptyset(&set);
	sigaddset(&set, SIG_THREAD);
	for (;;) {
		if (sigwaitinfo(&set, &si) != SIG_THREAD)
			continue;
		if (si.si_code != SI_TIMER || si.si_value.sival_int != 333)
			thr_bad = 1;
		thr_count++;
	}
	return NULL;
}

/* sigtimedwait, again when a handled signal (the periodic timer's, every
 * 50 ms) interrupts it, as it may on Linux too */
static int wait_sig(const sigset_t *set, siginfo_t *si, const struct timespec *ts)
{
	int r;

	do
		r = sigtimedwait(set, si, ts);
	while (r < 0 && errno == EINTR);
	return r;
}

static double now_mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int mk(clockid_t c, int notify, int sig, int val, int tid, timer_t *ret)
{
	struct sigevent sev;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = notify;
	sev.sigev_signo = sig;
	sev.sigev_value.sival_int = val;
	sev._sigev_un._tid = tid;
	return timer_create(c, &sev, ret);
}

int main(void)
{
	struct itimerspec periodic = { { 0, 50000000 }, { 0, 50000000 } };
	struct itimerspec fast = { { 0, 20000000 }, { 0, 20000000 } };
	struct itimerspec thr = { { 0, 200000000 }, { 0, 200000000 } };
	struct itimerspec abs = { { 0, 0 }, { 0, 0 } }, cur;
	timer_t t_per, t_abs, t_thr, t_none, t_blk;
	struct sigaction sa;
	struct timespec rt, wait5 = { 5, 0 };
	sigset_t set;
	siginfo_t si;
	pthread_t th;
	int start, tstart, ov_before, ov_after;
	double t0;

	zd_init();
	/* SIG_THREAD and SIG_BLOCKED blocked everywhere (the thread inherits) */
	sigemptyset(&set);
	sigaddset(&set, SIG_THREAD);
	sigaddset(&set, SIG_BLOCKED);
	sigprocmask(SIG_BLOCK, &set, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_tick;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIG_PERIODIC, &sa, NULL);
	if (pthread_create(&th, NULL, thread_main, NULL) != 0)
		return zd_say("FAIL: pthread_create\n"), 1;
	while (!thr_tid)
		usleep(1000);
	if (mk(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIG_PERIODIC, 111, 0, &t_per) < 0 ||
	    mk(CLOCK_REALTIME, SIGEV_SIGNAL, SIGRTMIN + 1, 222, 0, &t_abs) < 0 ||
	    mk(CLOCK_MONOTONIC, SIGEV_THREAD_ID, SIG_THREAD, 333, thr_tid, &t_thr) < 0 ||
	    mk(CLOCK_BOOTTIME, SIGEV_NONE, 0, 0, 0, &t_none) < 0 ||
	    mk(CLOCK_MONOTONIC, SIGEV_SIGNAL, SIG_BLOCKED, 555, 0, &t_blk) < 0)
		return zd_say("FAIL: timer_create\n"), 1;
	clock_gettime(CLOCK_REALTIME, &rt);
	abs.it_value.tv_sec = rt.tv_sec + 3600; /* an hour away: never fires here */
	if (timer_settime(t_per, 0, &periodic, NULL) < 0 ||
	    timer_settime(t_abs, TIMER_ABSTIME, &abs, NULL) < 0 ||
	    timer_settime(t_thr, 0, &thr, NULL) < 0 || timer_settime(t_blk, 0, &fast, NULL) < 0)
		return zd_say("FAIL: timer_settime\n"), 1;
	/* the blocked timer's signal is queued, further expiries overrun (the
	 * periodic timer's signals cut usleep short) */
	t0 = now_mono();
	while (now_mono() - t0 < 0.2)
		usleep(20000);
	ov_before = timer_getoverrun(t_blk);
	zd_ready();
	zd_wait_go();

	start = ticks;
	tstart = thr_count;
	t0 = now_mono();
	while ((ticks < start + 3 || thr_count < tstart + 2) && now_mono() - t0 < 10)
		usleep(10000);
	zd_check(ticks >= start + 3, "the periodic timer stopped (%d -> %d)", start, ticks);
	zd_check(!bad_value, "the periodic timer's signal lost its value");
	zd_check(thr_count >= tstart + 2, "the SIGEV_THREAD_ID timer stopped (%d -> %d)", tstart,
		 thr_count);
	zd_check(!thr_bad, "the thread's signal lost its value");
	zd_check(timer_gettime(t_per, &cur) == 0 && cur.it_interval.tv_nsec == 50000000 &&
			 cur.it_interval.tv_sec == 0,
		 "the periodic timer's interval changed");
	zd_check(timer_gettime(t_abs, &cur) == 0 && cur.it_value.tv_sec > 3000 &&
			 cur.it_value.tv_sec <= 3600 && cur.it_interval.tv_sec == 0,
		 "the absolute timer's deadline moved (%ld s left)", (long)cur.it_value.tv_sec);
	zd_check(timer_gettime(t_none, &cur) == 0 && !cur.it_value.tv_sec &&
			 !cur.it_value.tv_nsec,
		 "the disarmed timer is armed");
	abs.it_value.tv_sec = 7200;
	zd_check(timer_settime(t_none, 0, &abs, NULL) == 0 &&
			 timer_gettime(t_none, &cur) == 0 && cur.it_value.tv_sec > 7000,
		 "the disarmed timer cannot be armed after restore");
	/* the queued signal maps to its timer, overruns kept counting */
	t0 = now_mono();
	while (now_mono() - t0 < 0.1)
		usleep(20000);
	ov_after = timer_getoverrun(t_blk);
	zd_check(ov_before > 0 && ov_after >= ov_before, "overruns %d then %d", ov_before,
		 ov_after);
	sigemptyset(&set);
	sigaddset(&set, SIG_BLOCKED);
	zd_check(wait_sig(&set, &si, &wait5) == SIG_BLOCKED && si.si_code == SI_TIMER &&
			 si.si_timerid == (int)(intptr_t)t_blk && si.si_value.sival_int == 555 &&
			 si.si_overrun >= ov_before,
		 "the queued timer signal (timerid %d, value %d, overrun %d)", si.si_timerid,
		 si.si_value.sival_int, si.si_overrun);
	zd_check(wait_sig(&set, &si, &wait5) == SIG_BLOCKED && si.si_timerid == (int)(intptr_t)t_blk,
		 "the blocked timer stopped");
	zd_check(timer_delete(t_blk) == 0 && timer_delete(t_per) == 0, "timer_delete");
	zd_check(timer_getoverrun(t_blk) < 0, "a deleted timer");
	return zd_finish();
}
