/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Freestanding guest: /proc as seen by a process about itself.  Prints
 * facts that hold natively and in the sandbox (the sandbox's procfs is
 * generated from the Sentry's state, never from the host's /proc).
 */
#include "guest.h"

#define NR_read 0
#define NR_open 2
#define NR_close 3
#define NR_readlink 89
#define NR_getdents64 217
#define O_DIRECTORY 0200000

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

static long slurp(const char *path, char *buf, long len)
{
	long fd = sc4(NR_open, (long)path, 0, 0, 0), n, got = 0;

	if (fd < 0)
		return fd;
	while (got < len - 1 && (n = sc4(NR_read, fd, (long)buf + got, len - 1 - got, 0)) > 0)
		got += n;
	buf[got] = 0;
	sc4(NR_close, fd, 0, 0, 0);
	return got;
}

static int prefix(const char *s, const char *p)
{
	while (*p && *s == *p)
		s++, p++;
	return !*p;
}

static int same(const char *a, const char *b, long n)
{
	for (long i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

void entry(long *sp) __attribute__((noreturn, used));
__asm__(".text\n.globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall entry\n\tud2\n");

void entry(long *sp)
{
	char **argv = (char **)(sp + 1);
	static char buf[8192], me[32];
	long n, pid = g_getpid();
	unsigned long ml = g_utoa((unsigned long)pid, me);

	n = sc4(NR_readlink, (long)"/proc/self", (long)buf, sizeof(buf), 0);
	show("self is my pid", n == (long)ml && same(buf, me, n));
	n = sc4(NR_readlink, (long)"/proc/self/exe", (long)buf, sizeof(buf), 0);
	show("exe is argv[0]", n == (long)g_strlen(argv[0]) && same(buf, argv[0], n));
	n = slurp("/proc/self/cmdline", buf, sizeof(buf));
	show("cmdline starts with argv[0]", n > 0 && prefix(buf, argv[0]));
	n = slurp("/proc/self/stat", buf, sizeof(buf));
	show("stat starts with pid", n > 0 && same(buf, me, (long)ml) && buf[ml] == ' ');
	{
		char *p = buf;

		while (*p && *p != ')')
			p++;
		show("stat state running", p[0] == ')' && p[2] == 'R');
	}
	n = slurp("/proc/self/status", buf, sizeof(buf));
	show("status starts with Name", prefix(buf, "Name:\tguest_procfs\n"));
	n = slurp("/proc/self/comm", buf, sizeof(buf));
	show("comm", prefix(buf, "guest_procfs\n"));
	n = slurp("/proc/sys/kernel/ostype", buf, sizeof(buf));
	show("ostype Linux", prefix(buf, "Linux\n"));
	show("mounts readable", slurp("/proc/mounts", buf, sizeof(buf)) > 0);
	show("uptime readable", slurp("/proc/uptime", buf, sizeof(buf)) > 0);
	show("no such pid", sc4(NR_open, (long)"/proc/999999/stat", 0, 0, 0));
	{
		long fd = sc4(NR_open, (long)"/proc/self/fd", O_DIRECTORY, 0, 0), got, seen = 0;

		while ((got = sc4(NR_getdents64, fd, (long)buf, sizeof(buf), 0)) > 0)
			for (long off = 0; off < got;) {
				const char *nm = buf + off + 19;

				if ((nm[0] == '0' || nm[0] == '1' || nm[0] == '2') && !nm[1])
					seen++;
				off += *(unsigned short *)(buf + off + 16);
			}
		sc4(NR_close, fd, 0, 0, 0);
		show("fd dir lists 0 1 2", seen);
	}
	g_exit_group(0);
}
