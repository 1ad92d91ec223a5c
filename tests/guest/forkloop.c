/* SPDX-License-Identifier: Apache-2.0 */
/* Benchmark guest: N times fork + child _exit + wait4; N from argv[1]. */
#include "guest.h"

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

void entry(long *sp) __attribute__((noreturn, used));
__asm__(".text\n.globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall entry\n\tud2\n");

void entry(long *sp)
{
	long argc = sp[0], n = 0;
	const char *arg = argc > 1 ? (const char *)sp[2] : "100";

	while (*arg >= '0' && *arg <= '9')
		n = n * 10 + (*arg++ - '0');
	for (long i = 0; i < n; i++) {
		long pid = sc4(57 /* fork */, 0, 0, 0, 0);
		int st;

		if (pid == 0)
			for (;;)
				sc4(60 /* exit */, 0, 0, 0, 0);
		if (pid < 0 || sc4(61 /* wait4 */, pid, (long)&st, 0, 0) != pid)
			g_exit_group(1);
	}
	g_exit_group(0);
}
