/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The first guest: write, getpid, write the pid back, exit_group(7).
 * Natively it prints the real pid; in the sandbox whatever the kernel
 * serving it answers.
 */
#include "guest.h"

GUEST_MAIN(guest_main);

void guest_main(void)
{
	char buf[64];
	unsigned long n;
	long pid;

	g_puts("hello from the guest\n");
	pid = g_getpid();
	g_puts("pid ");
	n = g_utoa((unsigned long)pid, buf);
	buf[n++] = '\n';
	g_write(1, buf, n);
	g_exit_group(7);
}
