/* SPDX-License-Identifier: Apache-2.0 */
/* Benchmark guest: N times getpid; N from argv[1]. */
#include "guest.h"

void entry(long *sp) __attribute__((noreturn, used));
__asm__(".text\n.globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall entry\n\tud2\n");

void entry(long *sp)
{
	long argc = sp[0], n = 0;
	const char *arg = argc > 1 ? (const char *)sp[2] : "100";

	while (*arg >= '0' && *arg <= '9')
		n = n * 10 + (*arg++ - '0');
	for (long i = 0; i < n; i++)
		if (g_getpid() <= 0)
			g_exit_group(1);
	g_exit_group(0);
}
