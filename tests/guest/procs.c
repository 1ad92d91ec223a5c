/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Freestanding guest: processes.  fork/vfork/wait4/waitid, exit statuses
 * and death by signal, copy-on-write, pipes across fork, SIGCHLD, zombies,
 * orphans, process groups and sessions.  Prints relative facts only (pids
 * differ natively and in the sandbox).
 */
#include "guest.h"

#define NR_read 0
#define NR_write 1
#define NR_close 3
#define NR_rt_sigaction 13
#define NR_pipe2 293
#define NR_fork 57
#define NR_vfork 58
#define NR_exit 60
#define NR_wait4 61
#define NR_kill 62
#define NR_getppid 110
#define NR_setpgid 109
#define NR_getpgid 121
#define NR_setsid 112
#define NR_getsid 124
#define NR_waitid 247
#define NR_nanosleep 35

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

void restorer(void);
__asm__(".text\nrestorer:\n\tmov $15, %eax\n\tsyscall\n\tud2\n");

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

static __attribute__((noreturn)) void child_exit(int code)
{
	for (;;)
		sc4(NR_exit, code, 0, 0, 0);
}

/* wait4 that retries EINTR: in the sandbox we are pid 1, so orphans become
 * our children and their SIGCHLD can interrupt a wait (not so natively). */
static long wait_for(long pid, int *status, long options)
{
	long r;

	while ((r = sc4(NR_wait4, pid, (long)status, options, 0)) == -4)
		;
	return r;
}

static volatile long chld_hits;

static void on_chld(int sig)
{
	(void)sig;
	chld_hits++;
}

static void nap(long ms)
{
	long ts[2] = { 0, ms * 1000000 };

	sc4(NR_nanosleep, (long)ts, 0, 0, 0);
}

static long cow_var = 1;

GUEST_MAIN(guest_main);

void guest_main(void)
{
	long me = g_getpid(), pid, r;
	int status = 0, p[2];
	char c;
	unsigned char si[128];

	show("wait without children", wait_for(-1, &status, 0));

	/* exit status and ppid */
	pid = sc4(NR_fork, 0, 0, 0, 0);
	if (pid == 0)
		child_exit(sc4(NR_getppid, 0, 0, 0, 0) == me ? 7 : 8);
	r = wait_for(pid, &status, 0);
	show("wait4 returns the child", r == pid);
	show("exited", (status & 0x7f) == 0);
	show("exit code (7 = ppid ok)", (status >> 8) & 0xff);

	/* copy-on-write */
	pid = sc4(NR_fork, 0, 0, 0, 0);
	if (pid == 0) {
		cow_var = 42;
		child_exit((int)cow_var);
	}
	wait_for(pid, &status, 0);
	show("child saw its own write", (status >> 8) & 0xff);
	show("parent copy untouched", cow_var);

	/* death by signal, through waitid */
	pid = sc4(NR_fork, 0, 0, 0, 0);
	if (pid == 0) {
		sc4(NR_kill, g_getpid(), 15, 0, 0);
		child_exit(0);
	}
	show("waitid", sc4(NR_waitid, 1 /* P_PID */, pid, (long)si, 4 /* WEXITED */));
	show("si_code CLD_KILLED", *(int *)(si + 8) == 2);
	show("si_status", *(int *)(si + 24));
	show("si_pid", *(int *)(si + 16) == pid);

	/* a pipe across fork */
	sc4(NR_pipe2, (long)p, 0, 0, 0);
	pid = sc4(NR_fork, 0, 0, 0, 0);
	if (pid == 0) {
		long n = 0;

		sc4(NR_close, p[1], 0, 0, 0);
		while (sc4(NR_read, p[0], (long)&c, 1, 0) == 1)
			n++;
		child_exit((int)n);
	}
	sc4(NR_close, p[0], 0, 0, 0);
	g_write(p[1], "hello pipe", 10);
	sc4(NR_close, p[1], 0, 0, 0);
	wait_for(pid, &status, 0);
	show("child read bytes", (status >> 8) & 0xff);

	/* WNOHANG, zombies, SIGCHLD */
	{
		unsigned long act[4] = { (unsigned long)on_chld, 0x04000000 /* RESTORER */,
					 (unsigned long)restorer, 0 };

		sc4(NR_rt_sigaction, 17, (long)act, 0, 8);
	}
	sc4(NR_pipe2, (long)p, 0, 0, 0);
	pid = sc4(NR_fork, 0, 0, 0, 0);
	if (pid == 0) {
		sc4(NR_read, p[0], (long)&c, 1, 0); /* until the parent says go */
		child_exit(5);
	}
	show("wnohang while running", sc4(NR_wait4, pid, (long)&status, 1 /* WNOHANG */, 0));
	g_write(p[1], "g", 1);
	while (!chld_hits)
		nap(5);
	show("sigchld handled", chld_hits >= 1);
	show("zombie can be signalled", sc4(NR_kill, pid, 0, 0, 0));
	show("reaped", wait_for(pid, &status, 0) == pid);
	show("gone after reaping", sc4(NR_kill, pid, 0, 0, 0));
	sc4(NR_close, p[0], 0, 0, 0);
	sc4(NR_close, p[1], 0, 0, 0);

	/* orphans are reparented */
	sc4(NR_pipe2, (long)p, 0, 0, 0);
	pid = sc4(NR_fork, 0, 0, 0, 0);
	if (pid == 0) {
		long mid = g_getpid(), g = sc4(NR_fork, 0, 0, 0, 0);

		if (g == 0) {
			/* wait for the middle process to die */
			while (sc4(NR_getppid, 0, 0, 0, 0) == mid)
				nap(5);
			g_write(p[1], "r", 1);
			child_exit(0);
		}
		child_exit(0);
	}
	wait_for(pid, &status, 0);
	show("orphan reported reparenting", sc4(NR_read, p[0], (long)&c, 1, 0));
	sc4(NR_close, p[0], 0, 0, 0);
	sc4(NR_close, p[1], 0, 0, 0);

	/* process groups and sessions */
	pid = sc4(NR_fork, 0, 0, 0, 0);
	if (pid == 0) {
		long self = g_getpid(), ok = 1;

		ok &= sc4(NR_getpgid, 0, 0, 0, 0) != self;
		ok &= sc4(NR_setpgid, 0, 0, 0, 0) == 0;
		ok &= sc4(NR_getpgid, 0, 0, 0, 0) == self;
		ok &= sc4(NR_setsid, 0, 0, 0, 0) == -1; /* EPERM: a group leader */
		child_exit((int)ok);
	}
	wait_for(pid, &status, 0);
	show("setpgid in child", (status >> 8) & 0xff);
	pid = sc4(NR_fork, 0, 0, 0, 0);
	if (pid == 0) {
		long self = g_getpid(), ok = 1;

		ok &= sc4(NR_setsid, 0, 0, 0, 0) == self;
		ok &= sc4(NR_getsid, 0, 0, 0, 0) == self;
		ok &= sc4(NR_getpgid, 0, 0, 0, 0) == self;
		child_exit((int)ok);
	}
	wait_for(pid, &status, 0);
	show("setsid in child", (status >> 8) & 0xff);
	show("setpgid of a stranger", sc4(NR_setpgid, 999999, 0, 0, 0));
	show("getsid of nobody", sc4(NR_getsid, 999999, 0, 0, 0));

	/* vfork */
	pid = sc4(NR_vfork, 0, 0, 0, 0);
	if (pid == 0)
		child_exit(3);
	wait_for(pid, &status, 0);
	show("vfork child status", (status >> 8) & 0xff);

	/* In the sandbox we are pid 1, so the orphan above became our child;
	 * natively it went to the host's init.  Reap whatever is ours. */
	while ((r = wait_for(-1, &status, 0)) > 0)
		;
	show("no children left", r);
	g_exit_group(0);
}
