/* SPDX-License-Identifier: Apache-2.0 */
/*
 * warm_client DIR REQUEST: hands REQUEST to the warm python of
 * bench_warm_python.sh and prints its answer.  It runs inside the sandbox
 * (an exec of the control server's API) from the sandbox's /tmp, so it is
 * part of every snapshot: freestanding and static (raw syscalls,
 * tests/guest/guest.h), a few KiB instead of glibc's 700.
 *
 * Protocol (regular files in DIR and signals only, what a checkpoint
 * saves today, docs/checkpoint.md "Supported"):
 *   DIR/pid          the warm python's pid (written before the snapshot)
 *   DIR/<me>.in      the request, written to DIR/<me>.in.tmp and renamed
 *   SIGUSR1 -> python, whose sigwaitinfo() gives it <me> as si_pid
 *   DIR/<me>.out     the answer, written by python (tmp + rename), then
 *   SIGUSR1 -> me    from python, after the rename
 * SIGUSR1 is blocked before the request is sent, so the answer's signal
 * cannot be lost; the wait is bounded (10 s, then exit 3).  Other errors:
 * a message on stderr, exit 2.
 */
#include "../../guest/guest.h"

enum {
	NR_READ = 0,
	NR_WRITE = 1,
	NR_OPEN = 2,
	NR_CLOSE = 3,
	NR_SIGPROCMASK = 14,
	NR_GETPID = 39,
	NR_KILL = 62,
	NR_RENAME = 82,
	NR_UNLINK = 87,
	NR_SIGTIMEDWAIT = 128,
	O_RDONLY_ = 0,
	O_WRONLY_CREAT_TRUNC_CLOEXEC = 01 | 0100 | 01000 | 02000000,
	SIGUSR1_ = 10,
	EINTR_ = 4,
	EAGAIN_ = 11,
};

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

static __attribute__((noreturn)) void die(const char *what, long err, int code)
{
	char num[24];

	g_write(2, "warm_client: ", 13);
	g_write(2, what, g_strlen(what));
	g_write(2, ": errno ", 8);
	g_write(2, num, g_utoa((unsigned long)-err, num));
	g_write(2, "\n", 1);
	g_exit_group(code);
}

static void write_all(int fd, const char *p, unsigned long n)
{
	while (n) {
		long w = g_write(fd, p, n);
		if (w == -EINTR_)
			continue;
		if (w <= 0)
			die("write", w < 0 ? w : -5, 2);
		p += w;
		n -= (unsigned long)w;
	}
}

/* dir + "/" + name (+ number) (+ suffix) into out (512 bytes) */
static const char *path(char *out, const char *dir, long num, const char *suffix)
{
	unsigned long n = g_strlen(dir), k = g_strlen(suffix);

	if (n + k + 32 > 512)
		die("DIR too long", -36, 2);
	for (unsigned long i = 0; i < n; i++)
		out[i] = dir[i];
	out[n++] = '/';
	if (num >= 0)
		n += g_utoa((unsigned long)num, out + n);
	for (unsigned long i = 0; i <= k; i++)
		out[n + i] = suffix[i];
	return out;
}

void client(long *sp) __attribute__((noreturn, used));

void client(long *sp)
{
	char **argv = (char **)(sp + 1), in[512], tmp[512], out[512], buf[16384];
	unsigned long set = 1ul << (SIGUSR1_ - 1);
	long ts[2] = {10, 0}, fd, n, pypid = 0, me;
	int si[32];

	if (*sp != 3) {
		g_write(2, "usage: warm_client DIR REQUEST\n", 31);
		g_exit_group(2);
	}
	if ((n = sys4(NR_SIGPROCMASK, 0 /* SIG_BLOCK */, (long)&set, 0, 8)) < 0)
		die("sigprocmask", n, 2);

	fd = g_syscall3(NR_OPEN, (long)path(in, argv[1], -1, "pid"), O_RDONLY_, 0);
	if (fd < 0)
		die("open DIR/pid", fd, 2);
	n = g_syscall3(NR_READ, fd, (long)buf, sizeof(buf) - 1);
	g_syscall3(NR_CLOSE, fd, 0, 0);
	for (long i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; i++)
		pypid = pypid * 10 + (buf[i] - '0');
	if (pypid <= 1 || pypid > 1 << 22)
		die("DIR/pid has no pid", -22, 2);

	me = g_getpid();
	path(in, argv[1], me, ".in");
	path(tmp, argv[1], me, ".in.tmp");
	path(out, argv[1], me, ".out");
	fd = g_syscall3(NR_OPEN, (long)tmp, O_WRONLY_CREAT_TRUNC_CLOEXEC, 0600);
	if (fd < 0)
		die("create the request", fd, 2);
	write_all((int)fd, argv[2], g_strlen(argv[2]));
	if ((n = g_syscall3(NR_CLOSE, fd, 0, 0)) < 0)
		die("close the request", n, 2);
	if ((n = g_syscall3(NR_RENAME, (long)tmp, (long)in, 0)) < 0)
		die("rename the request", n, 2);
	if ((n = g_syscall3(NR_KILL, pypid, SIGUSR1_, 0)) < 0)
		die("kill the warm python", n, 2);

	for (;;) {
		n = sys4(NR_SIGTIMEDWAIT, (long)&set, (long)si, (long)ts, 8);
		if (n == SIGUSR1_ && si[4] /* si_pid */ == pypid)
			break;
		if (n == -EINTR_ || n == SIGUSR1_)
			continue;
		g_syscall3(NR_UNLINK, (long)in, 0, 0);
		die(n == -EAGAIN_ ? "no answer within 10 s" : "sigtimedwait", n, 3);
	}
	fd = g_syscall3(NR_OPEN, (long)out, O_RDONLY_, 0);
	if (fd < 0)
		die("open the answer", fd, 2);
	while ((n = g_syscall3(NR_READ, fd, (long)buf, sizeof(buf))) > 0 || n == -EINTR_)
		if (n > 0)
			write_all(1, buf, (unsigned long)n);
	if (n < 0)
		die("read the answer", n, 2);
	g_syscall3(NR_CLOSE, fd, 0, 0);
	g_syscall3(NR_UNLINK, (long)out, 0, 0);
	g_exit_group(0);
}

/* _start: %rsp points at argc, then argv[] */
__asm__(".text\n.globl _start\n_start:\n\txor %ebp, %ebp\n\tmov %rsp, %rdi\n"
	"\tand $-16, %rsp\n\tcall client\n\tud2\n");
