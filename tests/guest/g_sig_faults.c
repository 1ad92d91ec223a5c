/* SPDX-License-Identifier: Apache-2.0 */
/* Hardware faults become signals with the right si_code and si_addr:
 * SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP (x86-64). */
#include "common.h"
#include <sys/mman.h>

static volatile int zero;

static void null_read(void *arg)
{
	(void)arg;
	(void)*(volatile int *)g_badptr();
}

static void div_zero(void *arg)
{
	volatile int a = 7;
	(void)arg;
	a = a / zero;
}

static void ud2(void *arg)
{
	(void)arg;
	__asm__ volatile("ud2");
}

static void int3(void *arg)
{
	(void)arg;
	__asm__ volatile("int3");
}

static void touch(void *p)
{
	(void)*(volatile char *)p;
}

static void exec_nx(void *p)
{
	((void (*)(void))p)();
}

static void report(const char *what, int sig)
{
	const char *c = "other";

	if (sig == SIGSEGV)
		c = g_trap_code == SEGV_MAPERR ? "SEGV_MAPERR" :
		    g_trap_code == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
	else if (sig == SIGFPE)
		c = g_trap_code == FPE_INTDIV ? "FPE_INTDIV" : "other";
	else if (sig == SIGILL)
		c = g_trap_code == ILL_ILLOPN ? "ILL_ILLOPN" : "other";
	else if (sig == SIGBUS)
		c = g_trap_code == BUS_ADRERR ? "BUS_ADRERR" : "other";
	else if (sig == SIGTRAP)
		c = g_trap_code == SI_KERNEL ? "SI_KERNEL" : "other";
	say("%s: %s %s\n", what, sig ? signame(sig) : "none", c);
}

int main(void)
{
	int sig, fd;
	char *p;

	g_start();
	sig = g_trap(null_read, NULL);
	report("read of address 8", sig);
	t_yes("si_addr is 8", g_trap_addr == g_badptr());

	sig = g_trap(div_zero, NULL);
	report("integer divide by zero", sig);
	sig = g_trap(ud2, NULL);
	report("ud2", sig);
	t_yes("si_addr is the instruction", g_trap_addr == (void *)ud2 ||
		(g_trap_addr > (void *)ud2 && (char *)g_trap_addr < (char *)ud2 + 16));
	sig = g_trap(int3, NULL);
	report("int3", sig);

	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = (char)0xc3; /* ret */
	sig = g_trap(exec_nx, p);
	report("call into non-exec page", sig);
	t_yes("si_addr is the page", g_trap_addr == p);

	fd = open("small", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "x", 1);
	p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	sig = g_trap(touch, p + 4096);
	report("mapped page beyond EOF", sig);
	t_yes("si_addr is the byte", g_trap_addr == p + 4096);

	/* the signal is delivered again after a handler returns without
	 * fixing anything: here we check the process survives repeated faults */
	int n = 0;
	for (int i = 0; i < 50; i++)
		n += g_trap(null_read, NULL) == SIGSEGV;
	t_eq("50 faults caught", n, 50);
	return g_finish();
}
