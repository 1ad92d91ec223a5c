/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Freestanding guest: fd table and pipe semantics, errors included.  Prints
 * one "step = result" line per call (negative numbers are -errno), so the
 * native and sandboxed transcripts can be compared byte for byte.
 */
#include "guest.h"

#define NR_read 0
#define NR_write 1
#define NR_close 3
#define NR_fstat 5
#define NR_lseek 8
#define NR_rt_sigaction 13
#define NR_readv 19
#define NR_writev 20
#define NR_dup 32
#define NR_dup2 33
#define NR_fcntl 72
#define NR_pipe2 293
#define NR_dup3 292
#define NR_close_range 436

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

struct iov {
	const void *base;
	unsigned long len;
};

GUEST_MAIN(guest_main);

void guest_main(void)
{
	int p[2], q[2];
	char buf[128];
	unsigned long act[4] = { 1 /* SIG_IGN */, 0, 0, 0 };
	unsigned char st[144];
	struct iov iov[2] = { { "ab", 2 }, { "cde", 3 } };
	long r;

	/* SIGPIPE ignored natively; the sandbox returns EPIPE either way. */
	sc4(NR_rt_sigaction, 13, (long)act, 0, 8);

	show("pipe2", sc4(NR_pipe2, (long)p, 0, 0, 0));
	show("pipe fds", p[0] == 3 && p[1] == 4);
	show("write", sc4(NR_write, p[1], (long)"hello", 5, 0));
	show("read", r = sc4(NR_read, p[0], (long)buf, sizeof(buf), 0));
	show("data ok", r == 5 && buf[0] == 'h' && buf[4] == 'o');
	show("read from write end", sc4(NR_read, p[1], (long)buf, 1, 0));
	show("write to read end", sc4(NR_write, p[0], (long)"x", 1, 0));
	show("write bad ptr", sc4(NR_write, p[1], 8, 4, 0));
	show("write zero", sc4(NR_write, p[1], 8, 0, 0));
	show("lseek pipe", sc4(NR_lseek, p[0], 0, 0, 0));
	show("fstat", sc4(NR_fstat, p[0], (long)st, 0, 0));
	show("is fifo", ((*(unsigned *)(st + 24)) & 0170000) == 0010000);
	show("fstat bad ptr", sc4(NR_fstat, p[0], 16, 0, 0));

	show("dup", r = sc4(NR_dup, p[1], 0, 0, 0));
	show("write via dup", sc4(NR_write, r, (long)"123", 3, 0));
	show("close dup", sc4(NR_close, r, 0, 0, 0));
	show("close again", sc4(NR_close, r, 0, 0, 0));
	show("dup2 same", sc4(NR_dup2, p[0], p[0], 0, 0));
	show("dup2 bad", sc4(NR_dup2, 77, 9, 0, 0));
	show("dup2 to 9", sc4(NR_dup2, p[0], 9, 0, 0));
	show("read via 9", sc4(NR_read, 9, (long)buf, sizeof(buf), 0));
	show("dup3 same", sc4(NR_dup3, 9, 9, 0, 0));
	show("dup3 bad flags", sc4(NR_dup3, 9, 10, 1, 0));
	show("dup3 cloexec", sc4(NR_dup3, 9, 10, 02000000, 0));
	show("getfd 10", sc4(NR_fcntl, 10, 1 /* F_GETFD */, 0, 0));
	show("setfd 10", sc4(NR_fcntl, 10, 2 /* F_SETFD */, 0, 0));
	show("getfd 10 again", sc4(NR_fcntl, 10, 1, 0, 0));
	show("dupfd >= 20", sc4(NR_fcntl, 9, 0 /* F_DUPFD */, 20, 0));
	show("dupfd negative", sc4(NR_fcntl, 9, 0, -1, 0));
	show("fcntl bad cmd", sc4(NR_fcntl, 9, 9999, 0, 0));
	show("fcntl bad fd", sc4(NR_fcntl, 99, 1, 0, 0));
	show("getfl read end", sc4(NR_fcntl, p[0], 3 /* F_GETFL */, 0, 0) & 03);
	show("setfl nonblock", sc4(NR_fcntl, p[0], 4 /* F_SETFL */, 04000, 0));
	show("getfl nonblock", (sc4(NR_fcntl, p[0], 3, 0, 0) & 04000) != 0);
	show("read empty nonblock", sc4(NR_read, p[0], (long)buf, 1, 0));
	show("close_range 9..30", sc4(NR_close_range, 9, 30, 0, 0));
	show("close 20 after range", sc4(NR_close, 20, 0, 0, 0));

	show("writev", sc4(NR_writev, p[1], (long)iov, 2, 0));
	show("readv", sc4(NR_readv, p[0], (long)iov /* read-only data */, 0, 0));
	show("read after writev", r = sc4(NR_read, p[0], (long)buf, sizeof(buf), 0));
	show("writev data ok", r == 5 && buf[0] == 'a' && buf[4] == 'e');
	show("writev bad count", sc4(NR_writev, p[1], (long)iov, 5000, 0));

	/* Fill the pipe without blocking, then EOF and EPIPE. */
	show("pipe2 nonblock", sc4(NR_pipe2, (long)q, 04000, 0, 0));
	{
		long total = 0;
		static char big[4096];

		for (int i = 0; i < 100; i++) {
			r = sc4(NR_write, q[1], (long)big, sizeof(big), 0);
			if (r < 0)
				break;
			total += r;
		}
		show("filled", total);
		show("full write", r);
	}
	show("close write end", sc4(NR_close, q[1], 0, 0, 0));
	{
		long total = 0;

		for (;;) {
			r = sc4(NR_read, q[0], (long)buf, sizeof(buf), 0);
			if (r <= 0)
				break;
			total += r;
		}
		show("drained", total);
		show("eof", r);
	}
	show("close read end", sc4(NR_close, p[0], 0, 0, 0));
	show("write no reader", sc4(NR_write, p[1], (long)"x", 1, 0));
	g_exit_group(3);
}
