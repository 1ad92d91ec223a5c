/* SPDX-License-Identifier: Apache-2.0 */
/* Queued real-time signals keep their order and siginfo payloads: the same
 * RT signal queued three times with different values, two RT signals
 * (delivered lowest first), a thread-directed one (rt_tgsigqueueinfo) with
 * a custom si_code, a standard signal that coalesces, all blocked; after
 * the restore sigwaitinfo collects them one by one. */
#include <stdint.h>
#include <sys/syscall.h>

#include "zdtm.h"

static int queue_thread(int sig, int value)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = -7; /* < 0: accepted from user space for oneself */
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	return (int)syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), sig, &si);
}

int main(void)
{
	int a = SIGRTMIN + 2, b = SIGRTMIN + 7;
	sigset_t set, pend;
	siginfo_t si;
	int got, nusr1 = 0, na = 0, b_thread = 0, b_proc = 0;

	zd_init();
	sigemptyset(&set);
	sigaddset(&set, a);
	sigaddset(&set, b);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigqueue(getpid(), b, (union sigval){ .sival_int = 700 });
	sigqueue(getpid(), a, (union sigval){ .sival_int = 201 });
	sigqueue(getpid(), a, (union sigval){ .sival_int = 202 });
	sigqueue(getpid(), a, (union sigval){ .sival_int = 203 });
	queue_thread(b, 777);
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1); /* coalesces */
	zd_ready();
	zd_wait_go();

	sigpending(&pend);
	zd_check(sigismember(&pend, a) && sigismember(&pend, b) && sigismember(&pend, SIGUSR1),
		 "pending set lost");
	/* six in all: SIGUSR1 once; a's three values in queue order; b's two
	 * (the thread-directed one with its own si_code) */
	for (int i = 0; i < 6; i++) {
		memset(&si, 0, sizeof(si));
		got = sigwaitinfo(&set, &si);
		if (got == SIGUSR1) {
			zd_check(si.si_code == SI_USER && si.si_pid == getpid() && nusr1++ == 0, "SIGUSR1 code %d", si.si_code);
		} else if (got == a) {
			zd_check(si.si_code == SI_QUEUE && si.si_value.sival_int == 201 + na &&
					 si.si_pid == getpid(),
				 "a #%d: code %d value %d", na, si.si_code, si.si_value.sival_int);
			na++;
		} else if (got == b && si.si_code == -7) {
			zd_check(si.si_value.sival_int == 777 && !b_thread++, "b (thread) value %d",
				 si.si_value.sival_int);
		} else if (got == b) {
			zd_check(si.si_code == SI_QUEUE && si.si_value.sival_int == 700 && !b_proc++,
				 "b (process) code %d value %d", si.si_code, si.si_value.sival_int);
		} else {
			zd_check(0, "sigwaitinfo #%d gave %d", i, got);
		}
	}
	zd_check(nusr1 == 1 && na == 3 && b_thread == 1 && b_proc == 1, "counts %d %d %d %d", nusr1,
		 na, b_thread, b_proc);
	sigpending(&pend);
	zd_check(!sigismember(&pend, a) && !sigismember(&pend, b) && !sigismember(&pend, SIGUSR1),
		 "signals left pending (SIGUSR1 queued twice?)");
	return zd_finish();
}
