/* SPDX-License-Identifier: Apache-2.0 */
/* Deliberately dies from SIGSEGV (status 128+11 in the shell).  A handler
 * runs first, resets the action and returns: the faulting load is retried
 * and the second fault kills the process with the default action. */
#include "common.h"
#include <sys/mman.h>
#include <sys/resource.h>

static volatile int handler_runs;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	handler_runs++;
	/* only async-signal-safe calls here: say() is one write(2) */
	say("handler: %s code %s (run %d)\n", signame(sig),
	    si->si_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other", handler_runs);
	signal(SIGSEGV, SIG_DFL);
}

int main(void)
{
	struct sigaction sa;
	struct rlimit rl = { 0, 0 };
	char *p;

	g_start();
	setrlimit(RLIMIT_CORE, &rl);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	t_yes("read-only page readable", p[10] == 0);

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);

	say("about to write to a read-only page\n");
	*(volatile char *)p = 1;
	say("not reached: the second fault kills us\n");
	return g_finish();
}
