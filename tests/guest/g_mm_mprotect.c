/* SPDX-License-Identifier: Apache-2.0 */
/* mprotect and the SIGSEGV si_code it leads to. */
#include "common.h"
#include <sys/mman.h>

#define PG 4096ul

static void do_write(void *p)
{
	*(volatile char *)p = 1;
}

static void do_read(void *p)
{
	(void)*(volatile char *)p;
}

static void report(const char *what, int sig, void *want_addr)
{
	say("%s: signal %s code %s addr %s\n", what, sig ? signame(sig) : "none",
	    g_trap_code == SEGV_ACCERR ? "SEGV_ACCERR" :
	    g_trap_code == SEGV_MAPERR ? "SEGV_MAPERR" : "other",
	    g_trap_addr == want_addr ? "exact" : "other");
}

int main(void)
{
	char *p;
	int sig;

	g_start();
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	p[0] = 'a';
	p[PG] = 'b';

	t_ok("mprotect first page read-only", mprotect(p, PG, PROT_READ));
	sig = g_trap(do_read, p);
	t_yes("read of read-only page works", sig == 0 && p[0] == 'a');
	sig = g_trap(do_write, p + 5);
	report("write to read-only", sig, p + 5);
	t_yes("SIGSEGV", sig == SIGSEGV && g_trap_code == SEGV_ACCERR);
	sig = g_trap(do_write, p + PG);
	t_yes("second page still writable", sig == 0);

	t_ok("mprotect PROT_NONE", mprotect(p + PG, PG, PROT_NONE));
	sig = g_trap(do_read, p + PG + 9);
	report("read of PROT_NONE", sig, p + PG + 9);
	t_ok("mprotect back to rw", mprotect(p, 2 * PG, PROT_READ | PROT_WRITE));
	t_yes("content kept across protections", p[0] == 'a' && p[PG] == 1);

	t_ok("munmap last page", munmap(p + 3 * PG, PG));
	sig = g_trap(do_read, p + 3 * PG);
	report("read of unmapped", sig, p + 3 * PG);

	t_err("mprotect unaligned", mprotect(p + 1, PG, PROT_READ), EINVAL);
	t_err("mprotect over a hole", mprotect(p, 4 * PG, PROT_READ), ENOMEM);
	t_err("mprotect bad prot bits", mprotect(p, PG, 0x100), EINVAL);
	t_ok("mprotect length 0", mprotect(p, 0, PROT_READ));
	t_ok("mprotect PROT_EXEC", mprotect(p + 2 * PG, PG, PROT_READ | PROT_EXEC));
	t_ok("munmap", munmap(p, 3 * PG));
	return g_finish();
}
