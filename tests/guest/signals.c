/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Freestanding guest: signal delivery.  Handlers, masks and pending sets,
 * siginfo contents, a SIGSEGV handler that skips the faulting instruction,
 * the alternate stack, SIGPIPE, SA_RESETHAND, FPU state preserved across a
 * handler, and finally death by a default action (exit status 128+15).
 */
#include "guest.h"

#define NR_rt_sigaction 13
#define NR_rt_sigprocmask 14
#define NR_rt_sigpending 127
#define NR_sigaltstack 131
#define NR_kill 62
#define NR_pipe2 293
#define NR_close 3

#define SA_SIGINFO 4UL
#define SA_ONSTACK 0x08000000UL
#define SA_RESTORER 0x04000000UL
#define SA_RESETHAND 0x80000000UL

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

static volatile long hits, last_sig, last_code, last_pid_ok, last_addr, on_alt, fp_magic_ok;
static char altstack[16384];

static void handler(int sig, void *si, void *uc)
{
	long sp = (long)&sig;

	{
		/* uc_mcontext.fpstate -> XSAVE image with the kernel's
		 * software bytes (FP_XSTATE_MAGIC1, xstate_size) at 464. */
		unsigned char *fp = *(unsigned char **)((char *)uc + 224);
		unsigned *sw = (unsigned *)(fp + 464);

		fp_magic_ok = fp && sw[0] == 0x46505853U && sw[4] >= 576 &&
			      *(unsigned *)(fp + sw[4]) == 0x46505845U;
	}
	hits++;
	last_sig = sig;
	last_code = *(int *)((char *)si + 8);
	last_pid_ok = *(int *)((char *)si + 16) == g_getpid();
	on_alt = sp >= (long)altstack && sp < (long)altstack + (long)sizeof(altstack);
	/* Clobber xmm0: the interrupted code must not notice. */
	__asm__ volatile("pxor %%xmm0, %%xmm0" ::: "xmm0");
}

static void segv_handler(int sig, void *si, void *uc)
{
	last_sig = sig;
	last_addr = *(long *)((char *)si + 16);
	*(unsigned long *)((char *)uc + 168) += 2; /* skip `mov (%rdi),%eax` */
}

static long set_handler(int sig, void (*fn)(int, void *, void *), unsigned long flags)
{
	unsigned long act[4] = { (unsigned long)fn, flags | SA_SIGINFO | SA_RESTORER,
				 (unsigned long)restorer, 0 };

	return sc4(NR_rt_sigaction, sig, (long)act, 0, 8);
}

GUEST_MAIN(guest_main);

void guest_main(void)
{
	unsigned long set, pend;
	long pid = g_getpid(), v = 0, x = 0x1234567890abcdefL;
	int p[2];
	struct {
		void *sp;
		int flags;
		unsigned long size;
	} ss = { altstack, 0, sizeof(altstack) };

	show("sigaction", set_handler(10, handler, 0));
	show("sigaction bad sig", set_handler(65, handler, 0));
	show("sigaction SIGKILL", set_handler(9, handler, 0));
	show("sigaction bad size", sc4(NR_rt_sigaction, 10, 0, 0, 4));

	show("kill self", sc4(NR_kill, pid, 10, 0, 0));
	show("hits", hits);
	show("signo", last_sig);
	show("si_code is SI_USER", last_code == 0);
	show("si_pid is me", last_pid_ok);
	show("frame fpstate magic ok", fp_magic_ok);

	set = 1UL << 9;
	show("block USR1", sc4(NR_rt_sigprocmask, 0 /* SIG_BLOCK */, (long)&set, 0, 8));
	show("kill blocked", sc4(NR_kill, pid, 10, 0, 0));
	show("hits while blocked", hits);
	show("sigpending", sc4(NR_rt_sigpending, (long)&pend, 8, 0, 0));
	show("USR1 pending", (pend >> 9) & 1);
	show("unblock", sc4(NR_rt_sigprocmask, 1 /* SIG_UNBLOCK */, (long)&set, 0, 8));
	show("hits after unblock", hits);
	show("kill sig 0", sc4(NR_kill, pid, 0, 0, 0));
	show("kill bad sig", sc4(NR_kill, pid, 99, 0, 0));
	show("kill no such pid", sc4(NR_kill, 999999, 10, 0, 0));

	show("segv handler", set_handler(11, segv_handler, 0));
	__asm__ volatile("movl (%%rdi), %%eax" : "=a"(v) : "D"(0x50000UL) : "memory");
	show("segv signo", last_sig);
	show("segv addr ok", last_addr == 0x50000);

	show("sigaltstack", sc4(NR_sigaltstack, (long)&ss, 0, 0, 0));
	show("sigaltstack small", ({
		     ss.size = 100;
		     sc4(NR_sigaltstack, (long)&ss, 0, 0, 0);
	     }));
	show("onstack handler", set_handler(12, handler, SA_ONSTACK));
	show("kill USR2", sc4(NR_kill, pid, 12, 0, 0));
	show("ran on altstack", on_alt);

	__asm__ volatile("movq %0, %%xmm0" ::"r"(x) : "xmm0");
	sc4(NR_kill, pid, 10, 0, 0);
	__asm__ volatile("movq %%xmm0, %0" : "=r"(v));
	show("xmm0 preserved", v == x);

	show("pipe handler", set_handler(13, handler, 0));
	sc4(NR_pipe2, (long)p, 0, 0, 0);
	sc4(NR_close, p[0], 0, 0, 0);
	show("write no reader", g_write(p[1], "x", 1));
	show("sigpipe seen", last_sig);

	show("resethand", set_handler(23 /* SIGURG */, handler, SA_RESETHAND));
	hits = 0;
	sc4(NR_kill, pid, 23, 0, 0);
	sc4(NR_kill, pid, 23, 0, 0);
	show("urg hits", hits);

	g_puts("dying by SIGTERM\n");
	sc4(NR_kill, pid, 15, 0, 0);
	g_exit_group(1);
}
