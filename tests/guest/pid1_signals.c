/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pid 1's signal protection (pid_namespaces(7)): run as the init of a pid
 * namespace, natively under `unshare --pid --fork` and in the sandbox under
 * `cvisor demo` without --init (tests/integration/sentry/pid1_diff.sh).
 * Signals from inside with the default action are dropped (SIGKILL and
 * SIGSTOP included), handlers run, a blocked one stays pending and is
 * dropped when unblocked, and a real fault still kills: status 128+SIGSEGV.
 */
#include "common.h"
#include <sys/mman.h>
#include <sys/wait.h>

static volatile int term_runs;

static void on_term(int sig)
{
	(void)sig;
	term_runs++;
}

/* Did a child stop?  Reported by the child itself after kill(1, sig). */
static void from_child(int sig)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(kill(1, sig) == 0 ? 0 : 1);
	waitpid(pid, &st, 0);
	say("child kill(1, %s): exit %d, pid 1 still here\n", signame(sig), WEXITSTATUS(st));
}

int main(void)
{
	sigset_t set, pend;
	char *p;

	g_start();
	t_eq("getpid", getpid(), 1);
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGQUIT, SIGABRT,
				    SIGSEGV, SIGALRM, SIGKILL, SIGSTOP, SIGTSTP };
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		t_ok("kill(self)", kill(getpid(), sigs[i]));
		say("%s to self with SIG_DFL: survived\n", signame(sigs[i]));
	}
	t_ok("raise(SIGTERM)", raise(SIGTERM));
	say("raise(SIGTERM): survived\n");
	from_child(SIGTERM);
	from_child(SIGKILL);

	/* blocked: queued (the handler may change before the unblock)... */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGTERM);
	sigpending(&pend);
	t_yes("blocked SIGTERM pending", sigismember(&pend, SIGTERM) == 1);
	/* ...and dropped at delivery while the action is still SIG_DFL */
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	say("unblocked SIGTERM with SIG_DFL: survived\n");

	/* a handler gets it, from itself and from a child */
	signal(SIGTERM, on_term);
	kill(getpid(), SIGTERM);
	t_eq("handler runs (self)", term_runs, 1);
	from_child(SIGTERM);
	t_eq("handler runs (child)", term_runs, 2);
	/* SIG_IGN: ignored as everywhere */
	signal(SIGTERM, SIG_IGN);
	kill(getpid(), SIGTERM);
	say("SIG_IGN: survived\n");

	say("failures so far: %d\n", g_failures);
	/* a real fault with the default action kills even pid 1 */
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	*(volatile char *)p = 1;
	say("not reached\n");
	return 1;
}
