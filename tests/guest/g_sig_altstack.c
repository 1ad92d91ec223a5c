/* SPDX-License-Identifier: Apache-2.0 */
/* sigaltstack: handlers with SA_ONSTACK run there, SS_ONSTACK while on it,
 * errors; a stack overflow is handled on the alternate stack. */
#include "common.h"
#include <stdint.h>
#include <sys/resource.h>
#include <sys/wait.h>

static char *alt;
static size_t alt_size = 65536;
static volatile int on_alt, flags_inside, eperm_inside;

static void on_usr1(int sig)
{
	char local;
	stack_t cur, other;

	(void)sig;
	on_alt = (uintptr_t)&local >= (uintptr_t)alt && (uintptr_t)&local < (uintptr_t)alt + alt_size;
	sigaltstack(NULL, &cur);
	flags_inside = cur.ss_flags;
	memset(&other, 0, sizeof(other));
	other.ss_sp = alt;
	other.ss_size = alt_size;
	eperm_inside = sigaltstack(&other, NULL) == -1 && errno == EPERM;
}

static int recurse(int n)
{
	volatile char pad[4096];

	pad[0] = (char)n;
	return n > 1000000 ? 0 : recurse(n + 1) + pad[0];
}

static void on_segv(int sig)
{
	(void)sig;
	_exit(42);
}

int main(void)
{
	stack_t ss, old;
	struct sigaction sa;

	g_start();
	alt = malloc(alt_size);
	t_ok("query with none set", sigaltstack(NULL, &old));
	t_yes("initially disabled", old.ss_flags == SS_DISABLE);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	t_eq("without SA_ONSTACK on alt stack", on_alt, 0);

	ss.ss_sp = alt;
	ss.ss_size = alt_size;
	ss.ss_flags = 0;
	t_ok("sigaltstack set", sigaltstack(&ss, NULL));
	raise(SIGUSR1);
	t_eq("handler without SA_ONSTACK still on main stack", on_alt, 0);
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	t_eq("with SA_ONSTACK on alt stack", on_alt, 1);
	t_eq("ss_flags inside handler is SS_ONSTACK", flags_inside, SS_ONSTACK);
	t_eq("changing it while on it: EPERM", eperm_inside, 1);
	sigaltstack(NULL, &old);
	t_yes("query returns it, flags 0 outside", old.ss_sp == alt && old.ss_size == alt_size &&
							old.ss_flags == 0);

	ss.ss_size = 1024;
	t_err("too small", sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_size = alt_size;
	ss.ss_flags = 0x1234;
	t_err("bad flags", sigaltstack(&ss, NULL), EINVAL);
	t_err("bad pointer", syscall(SYS_sigaltstack, G_BADPTR, NULL), EFAULT);
	ss.ss_flags = SS_DISABLE;
	t_ok("disable", sigaltstack(&ss, NULL));
	sigaltstack(NULL, &old);
	t_yes("disabled", old.ss_flags == SS_DISABLE);

	/* stack overflow: only an alternate stack can run the handler */
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 1 << 20, 1 << 20 };
		setrlimit(RLIMIT_STACK, &rl);
		ss.ss_sp = alt;
		ss.ss_size = alt_size;
		ss.ss_flags = 0;
		sigaltstack(&ss, NULL);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_segv;
		sa.sa_flags = SA_ONSTACK;
		sigaction(SIGSEGV, &sa, NULL);
		recurse(0);
		_exit(1);
	}
	int st;
	waitpid(pid, &st, 0);
	t_eq("overflow handled on alt stack (exit)", WIFEXITED(st) ? WEXITSTATUS(st) : -1, 42);
	return g_finish();
}
