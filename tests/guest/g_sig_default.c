/* SPDX-License-Identifier: Apache-2.0 */
/* Default actions: terminate, core, ignore, stop; what the parent sees. */
#include "common.h"
#include <sys/resource.h>
#include <sys/wait.h>

/* fork a child that raises sig on itself, then exits 0 if it survived */
static void check(int sig)
{
	struct rlimit rl = { 0, 0 };
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		setrlimit(RLIMIT_CORE, &rl);
		/* own group, parent in the session: not orphaned, so the
		 * tty stop signals do stop (they are dropped in orphans) */
		setpgid(0, 0);
		raise(sig);
		_exit(0);
	}
	waitpid(pid, &st, WUNTRACED);
	if (WIFSTOPPED(st)) {
		say("%-6s -> stopped by %s\n", signame(sig), signame(WSTOPSIG(st)));
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	} else if (WIFSIGNALED(st)) {
		say("%-6s -> killed by %s\n", signame(sig), signame(WTERMSIG(st)));
	} else {
		say("%-6s -> survived, exit %d\n", signame(sig), WEXITSTATUS(st));
	}
}

int main(void)
{
	static const int sigs[] = {
		SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE,
		SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM, SIGSTKFLT,
		SIGCHLD, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGURG, SIGXCPU,
		SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH, SIGIO, SIGPWR, SIGSYS,
	};
	unsigned i;
	pid_t pid;
	int st;

	g_start();
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		check(sigs[i]);
	check(SIGRTMIN);
	check(SIGRTMAX);

	/* SIGKILL and SIGSTOP from the parent */
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	t_yes("SIGSTOP stops", WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	t_yes("SIGKILL kills", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return g_finish();
}
