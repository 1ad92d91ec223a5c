/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cvisor-init: a minimal pid 1 for a sandbox, in the role of
 * `docker run --init` (tini).  `cvisor demo --init PROG ARGS...` runs it
 * as pid 1 and it runs PROG as pid 2, its only direct child:
 *
 *   - every signal is blocked in init and taken with rt_sigtimedwait:
 *     SIGCHLD reaps (PROG and the orphans reparented to pid 1), any other
 *     signal is forwarded to PROG (pid 1 itself has no default action that
 *     a signal could trigger: the kernel protects it);
 *   - when PROG ends, init exits with its code, or 128 + the signal that
 *     killed it (the shell's convention, what `cvisor demo` reports);
 *     the sandbox then kills whatever is left, as a pid namespace does;
 *   - PROG starts with init's signal mask before the blocking (empty) and
 *     default dispositions; a bare name is looked up in PATH;
 *   - when stdin is init's terminal, PROG gets a process group of its own
 *     and the terminal's foreground (as tini does), so ^C and SIGWINCH
 *     reach it once, directly; otherwise it stays in init's group.
 *
 * So a program that signals itself sees what it would see natively, not
 * the protection of pid 1 (sentry/kernel/signal.h).
 *
 * Freestanding (raw syscalls, no libc): the image is embedded in the
 * cvisor binary (init_image.S) and loaded from memory, never from the
 * sandbox's file system.
 */

#define NR_write 1
#define NR_ioctl 16
#define NR_getpid 39
#define NR_setpgid 109
#define NR_rt_sigprocmask 14
#define NR_fork 57
#define NR_execve 59
#define NR_wait4 61
#define NR_kill 62
#define NR_rt_sigtimedwait 128
#define NR_exit_group 231

#define SIG_SETMASK_ 2
#define TIOCGPGRP_ 0x540f
#define TIOCSPGRP_ 0x5410
#define SIGCHLD_ 17
#define WNOHANG_ 1
#define EINTR_ 4
#define ENOENT_ 2
#define ENOTDIR_ 20
#define EACCES_ 13

void init_main(long *sp) __attribute__((noreturn, used));

__asm__(".text\n.globl _start\n_start:\n\txor %ebp, %ebp\n\tmov %rsp, %rdi\n"
	"\tand $-16, %rsp\n\tcall init_main\n\tud2\n");

static long sys4(long nr, long a, long b, long c, long d)
{
	register long r10 __asm__("r10") = d;
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return r;
}

static unsigned long slen(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static __attribute__((noreturn)) void quit(int code)
{
	for (;;)
		sys4(NR_exit_group, code, 0, 0, 0);
}

static void say(const char *a, const char *b)
{
	sys4(NR_write, 2, (long)"cvisor-init: ", 13, 0);
	sys4(NR_write, 2, (long)a, (long)slen(a), 0);
	sys4(NR_write, 2, (long)b, (long)slen(b), 0);
}

/* execve @argv[0], looked up in PATH when it has no '/'; returns the
 * exit code to use when nothing could be run (126 or 127). */
static int run(char **argv, char **envp)
{
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	const char *cmd = argv[0];
	unsigned long clen = slen(cmd);
	char buf[4096];
	long r, err = -ENOENT_;

	for (const char *c = cmd; *c; c++)
		if (*c == '/') {
			r = sys4(NR_execve, (long)cmd, (long)argv, (long)envp, 0);
			say(cmd, r == -EACCES_ ? ": permission denied\n" : ": cannot execute\n");
			return r == -ENOENT_ ? 127 : 126;
		}
	for (char **e = envp; *e; e++)
		if (e[0][0] == 'P' && e[0][1] == 'A' && e[0][2] == 'T' && e[0][3] == 'H' &&
		    e[0][4] == '=')
			path = *e + 5;
	while (*path) {
		unsigned long n = 0;

		while (path[n] && path[n] != ':')
			n++;
		if (n > 0 && n + clen + 2 <= sizeof(buf)) {
			for (unsigned long i = 0; i < n; i++)
				buf[i] = path[i];
			buf[n] = '/';
			for (unsigned long i = 0; i <= clen; i++)
				buf[n + 1 + i] = cmd[i];
			r = sys4(NR_execve, (long)buf, (long)argv, (long)envp, 0);
			if (r != -ENOENT_ && r != -ENOTDIR_)
				err = r; /* e.g. EACCES: keep looking, remember it */
		}
		path += n;
		if (*path == ':')
			path++;
	}
	say(cmd, err == -ENOENT_ ? ": not found\n" : ": cannot execute\n");
	return err == -ENOENT_ ? 127 : 126;
}

void init_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
	unsigned long all = ~0UL, old = 0;
	unsigned char info[128];
	long child, sig;

	if (argc < 2) {
		say("usage: cvisor-init PROGRAM [ARGS...]", "\n");
		quit(2);
	}
	if (sys4(NR_rt_sigprocmask, SIG_SETMASK_, (long)&all, (long)&old, 8) < 0)
		quit(125);
	child = sys4(NR_fork, 0, 0, 0, 0);
	if (child < 0) {
		say("fork failed", "\n");
		quit(125);
	}
	if (child == 0) {
		int pgrp;

		/* still with every signal blocked (SIGTTOU included) */
		if (sys4(NR_ioctl, 0, TIOCGPGRP_, (long)&pgrp, 0) == 0 &&
		    sys4(NR_setpgid, 0, 0, 0, 0) == 0) {
			pgrp = (int)sys4(NR_getpid, 0, 0, 0, 0);
			sys4(NR_ioctl, 0, TIOCSPGRP_, (long)&pgrp, 0);
		}
		sys4(NR_rt_sigprocmask, SIG_SETMASK_, (long)&old, 0, 8);
		quit(run(argv + 1, envp));
	}
	for (;;) {
		sig = sys4(NR_rt_sigtimedwait, (long)&all, (long)info, 0, 8);
		if (sig == -EINTR_)
			continue;
		if (sig < 0)
			quit(125);
		if (sig != SIGCHLD_) {
			sys4(NR_kill, child, sig, 0, 0);
			continue;
		}
		for (;;) {
			int ws = 0;
			long pid = sys4(NR_wait4, -1, (long)&ws, WNOHANG_, 0);

			if (pid <= 0)
				break;
			if (pid != child)
				continue; /* an orphan, reaped */
			if ((ws & 0x7f) == 0)
				quit((ws >> 8) & 0xff);
			quit(128 + (ws & 0x7f));
		}
	}
}
