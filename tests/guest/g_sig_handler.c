/* SPDX-License-Identifier: Apache-2.0 */
/* sigaction basics: siginfo codes, sa_mask, SA_RESETHAND, SA_NODEFER. */
#include "common.h"
#include <sys/wait.h>

static volatile int hits, last_code, last_value, mask_had_usr2, calls, depth, max_depth;
static volatile pid_t last_pid;

static void on_info(int sig, siginfo_t *si, void *uc)
{
	sigset_t cur;

	(void)uc;
	hits++;
	last_code = si->si_code;
	last_pid = si->si_pid;
	last_value = si->si_value.sival_int;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	mask_had_usr2 = sigismember(&cur, SIGUSR2) + 2 * sigismember(&cur, sig);
}

static void on_nest(int sig)
{
	calls++;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (calls < 3)
		raise(sig);
	depth--;
}

static const char *code_name(int c)
{
	return c == SI_USER ? "SI_USER" : c == SI_TKILL ? "SI_TKILL" :
	       c == SI_QUEUE ? "SI_QUEUE" : "other";
}

int main(void)
{
	struct sigaction sa, old;

	g_start();
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	t_ok("sigaction SIGUSR1", sigaction(SIGUSR1, &sa, NULL));

	raise(SIGUSR1);
	say("raise: hits %d code %s own pid %s\n", hits, code_name(last_code),
	    last_pid == getpid() ? "yes" : "no");
	t_eq("in handler: sa_mask + own signal blocked (1 + 2)", mask_had_usr2, 3);
	kill(getpid(), SIGUSR1);
	say("kill: hits %d code %s\n", hits, code_name(last_code));
	sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 4242 });
	say("sigqueue: hits %d code %s value %d\n", hits, code_name(last_code), last_value);

	t_ok("read back old action", sigaction(SIGUSR1, NULL, &old));
	t_yes("old action has our handler and SA_SIGINFO",
	      old.sa_sigaction == on_info && (old.sa_flags & SA_SIGINFO));
	t_yes("old mask has SIGUSR2", sigismember(&old.sa_mask, SIGUSR2) == 1);

	/* SA_RESETHAND: one shot, then default (which ignores SIGURG/SIGWINCH) */
	sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigaction(SIGWINCH, &sa, NULL);
	raise(SIGWINCH);
	sigaction(SIGWINCH, NULL, &old);
	t_yes("SA_RESETHAND restored SIG_DFL", old.sa_handler == SIG_DFL);
	raise(SIGWINCH);
	t_eq("hits after second SIGWINCH (default ignore)", hits, 4);

	/* SA_NODEFER: the handler can be re-entered by its own signal */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_nest;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGUSR2, &sa, NULL);
	raise(SIGUSR2);
	t_eq("SA_NODEFER nesting depth", max_depth, 3);
	/* without it, the raise inside is deferred until return */
	sa.sa_flags = 0;
	sigaction(SIGUSR2, &sa, NULL);
	depth = max_depth = calls = 0;
	raise(SIGUSR2);
	t_eq("without SA_NODEFER depth", max_depth, 1);
	t_eq("without SA_NODEFER calls (deferred, not lost)", calls, 3);

	/* handlers are inherited by fork and reset by exec (tested elsewhere) */
	hits = 0;
	if (fork() == 0) {
		raise(SIGUSR1);
		_exit(hits == 1 ? 0 : 1);
	}
	int st;
	wait(&st);
	t_eq("child inherits handler", WEXITSTATUS(st), 0);

	t_err("sigaction SIGKILL", sigaction(SIGKILL, &sa, NULL), EINVAL);
	t_err("sigaction SIGSTOP", sigaction(SIGSTOP, &sa, NULL), EINVAL);
	t_err("sigaction signal 0", sigaction(0, &sa, NULL), EINVAL);
	t_err("sigaction signal 65", syscall(SYS_rt_sigaction, 65, NULL, &old, 8), EINVAL);
	t_err("rt_sigaction bad sigsetsize", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4),
	      EINVAL);
	t_ok("query SIGKILL action", sigaction(SIGKILL, NULL, &old));
	return g_finish();
}
