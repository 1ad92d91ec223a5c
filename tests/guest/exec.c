/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Freestanding guest: execve.  Error cases (ENOENT, EACCES, ENOEXEC,
 * EFAULT), re-executing itself in a child with new argv/envp, O_CLOEXEC
 * closing, signal handlers reset (SIG_IGN kept), `#!` scripts.
 * Must be started with an absolute path (argv[0]).
 */
#include "guest.h"

#define NR_open 2
#define NR_close 3
#define NR_write 1
#define NR_rt_sigaction 13
#define NR_dup2 33
#define NR_fork 57
#define NR_execve 59
#define NR_wait4 61
#define NR_fcntl 72
#define NR_chmod 90
#define NR_exit 60
#define NR_unlink 87

static long sc4(long nr, long a, long b, long c, long d)
{
	long r;
	register long r10 __asm__("r10") = d;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return r;
}

static void show(const char *what, long v)
{
	char buf[32];
	unsigned long n;

	g_puts(what);
	g_puts(" = ");
	if (v < 0) {
		g_puts("-");
		v = -v;
	}
	n = g_utoa((unsigned long)v, buf);
	buf[n++] = '\n';
	g_write(1, buf, n);
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static int ends_with(const char *s, const char *suffix)
{
	unsigned long a = g_strlen(s), b = g_strlen(suffix);

	return a >= b && streq(s + a - b, suffix);
}

static void handler(int sig)
{
	(void)sig;
}

static void child_main(long argc, char **argv, char **envp)
{
	unsigned long old[4] = { 9, 9, 9, 9 };

	g_puts("child: argc = ");
	{
		char b[8];

		b[0] = (char)('0' + argc);
		b[1] = '\n';
		g_write(1, b, 2);
	}
	show("child: argv[2] is direct", argc > 2 && streq(argv[2], "direct"));
	show("child: argv[2] is the script", argc > 2 && ends_with(argv[2], "s.sh"));
	show("child: env X=1", envp[0] && streq(envp[0], "X=1"));
	show("child: cloexec fd closed", sc4(NR_fcntl, 3, 1 /* F_GETFD */, 0, 0));
	show("child: plain fd kept", sc4(NR_fcntl, 4, 1, 0, 0));
	sc4(NR_rt_sigaction, 10, 0, (long)old, 8);
	show("child: handler reset to default", old[0]);
	sc4(NR_rt_sigaction, 12, 0, (long)old, 8);
	show("child: SIG_IGN kept", old[0]);
	for (;;)
		sc4(NR_exit, 21, 0, 0, 0);
}

void entry(long *sp) __attribute__((noreturn, used));
__asm__(".text\n.globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall entry\n\tud2\n");

void entry(long *sp)
{
	long argc = sp[0], pid;
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
	char *self = argv[0];
	int status = 0;
	char *const noenv[] = { 0 };

	if (argc > 1 && streq(argv[1], "child"))
		child_main(argc, argv, envp);

	show("exec missing", sc4(NR_execve, (long)"/nonexistent/x", (long)argv, (long)noenv, 0));
	show("exec directory", sc4(NR_execve, (long)"/", (long)argv, (long)noenv, 0));
	show("exec bad path ptr", sc4(NR_execve, 16, (long)argv, (long)noenv, 0));
	{
		long fd = sc4(NR_open, (long)"plain.txt", 0101 /* O_WRONLY|O_CREAT */, 0644, 0);

		g_write((int)fd, "just text\n", 10);
		sc4(NR_close, fd, 0, 0, 0);
	}
	show("exec not executable", sc4(NR_execve, (long)"plain.txt", (long)argv, (long)noenv, 0));
	sc4(NR_chmod, (long)"plain.txt", 0755, 0, 0);
	show("exec not a program", sc4(NR_execve, (long)"plain.txt", (long)argv, (long)noenv, 0));
	sc4(NR_unlink, (long)"plain.txt", 0, 0, 0);

	/* re-exec ourselves in a child */
	pid = sc4(NR_fork, 0, 0, 0, 0);
	if (pid == 0) {
		const char *args[] = { "x", "child", "direct", 0 };
		const char *env[] = { "X=1", 0 };
		unsigned long act[4] = { (unsigned long)handler, 0x04000000, 0, 0 };
		unsigned long ign[4] = { 1 /* SIG_IGN */, 0, 0, 0 };
		long fd = sc4(NR_open, (long)"/dev/null", 02000000 /* O_CLOEXEC */, 0, 0);

		sc4(NR_dup2, fd, 4, 0, 0);
		sc4(NR_rt_sigaction, 10, (long)act, 0, 8);
		sc4(NR_rt_sigaction, 12, (long)ign, 0, 8);
		sc4(NR_execve, (long)self, (long)args, (long)env, 0);
		for (;;)
			sc4(NR_exit, 99, 0, 0, 0);
	}
	sc4(NR_wait4, pid, (long)&status, 0, 0);
	show("direct exec child status", (status >> 8) & 0xff);

	/* a #! script naming us as its interpreter */
	{
		long fd = sc4(NR_open, (long)"s.sh", 0101, 0755, 0);

		g_write((int)fd, "#!", 2);
		g_write((int)fd, self, g_strlen(self));
		g_write((int)fd, " child\necho not reached\n", 24);
		sc4(NR_close, fd, 0, 0, 0);
	}
	pid = sc4(NR_fork, 0, 0, 0, 0);
	if (pid == 0) {
		const char *args[] = { "s.sh", 0 };
		const char *env[] = { "X=1", 0 };

		sc4(NR_open, (long)"/dev/null", 02000000, 0, 0);
		sc4(NR_dup2, 0, 4, 0, 0);
		sc4(NR_execve, (long)"s.sh", (long)args, (long)env, 0);
		for (;;)
			sc4(NR_exit, 98, 0, 0, 0);
	}
	sc4(NR_wait4, pid, (long)&status, 0, 0);
	show("script child status", (status >> 8) & 0xff);
	sc4(NR_unlink, (long)"s.sh", 0, 0, 0);
	g_exit_group(0);
}
