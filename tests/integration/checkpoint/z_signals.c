/* SPDX-License-Identifier: Apache-2.0 */
/* Signal handlers and their flags, the blocked mask, pending (blocked)
 * standard and real-time signals with their data, and the alternate
 * signal stack are restored. */
#include <stdint.h>
#include <stdlib.h>

#include "zdtm.h"

static volatile int got_usr1, got_rt, rt_value, on_alt;
static char *alt;

static void h_usr1(int sig)
{
	char here;

	(void)sig;
	got_usr1++;
	on_alt = &here >= alt && &here < alt + 65536;
}

static void h_rt(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	got_rt++;
	rt_value = si->si_value.sival_int;
}

int main(void)
{
	struct sigaction sa, old;
	sigset_t set, cur, pend;
	stack_t ss, oss;

	zd_init();
	alt = malloc(65536);
	ss = (stack_t){ .ss_sp = alt, .ss_size = 65536 };
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = h_usr1;
	sa.sa_flags = SA_ONSTACK | SA_RESTART;
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaction(SIGUSR1, &sa, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = h_rt;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGRTMIN + 3, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN + 3);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	sigqueue(getpid(), SIGRTMIN + 3, (union sigval){ .sival_int = 4242 });
	zd_ready();
	zd_wait_go();

	sigprocmask(SIG_BLOCK, NULL, &cur);
	zd_check(sigismember(&cur, SIGUSR1) && sigismember(&cur, SIGWINCH) &&
		 sigismember(&cur, SIGRTMIN + 3) && !sigismember(&cur, SIGUSR2),
		 "blocked mask changed");
	sigpending(&pend);
	zd_check(sigismember(&pend, SIGUSR1) && sigismember(&pend, SIGRTMIN + 3),
		 "pending signals lost");
	sigaction(SIGUSR1, NULL, &old);
	zd_check(old.sa_handler == h_usr1 && (old.sa_flags & SA_ONSTACK) &&
		 (old.sa_flags & SA_RESTART) && sigismember(&old.sa_mask, SIGHUP),
		 "SIGUSR1 action changed");
	sigaction(SIGPIPE, NULL, &old);
	zd_check(old.sa_handler == SIG_IGN, "SIGPIPE no longer ignored");
	sigaltstack(NULL, &oss);
	zd_check(oss.ss_sp == alt && oss.ss_size == 65536 && !(oss.ss_flags & SS_DISABLE),
		 "sigaltstack changed");
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	zd_check(got_usr1 == 1 && on_alt, "SIGUSR1 not delivered on the alternate stack");
	zd_check(got_rt == 1 && rt_value == 4242, "queued SIGRTMIN+3 lost its value (%d)",
		 rt_value);
	return zd_finish();
}
