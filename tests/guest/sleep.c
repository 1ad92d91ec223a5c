/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sleeps four seconds (nanosleep), then prints "slept" and exits 0: a
 * long-lived sandbox whose Sentry a test inspects from outside
 * (tests/integration/sentry/confine_check.sh).
 */
#include "guest.h"

GUEST_MAIN(guest_main);

void guest_main(void)
{
	long ts[2] = { 4, 0 };

	if (g_syscall3(35 /* nanosleep */, (long)ts, 0, 0) != 0)
		g_exit_group(1);
	g_puts("slept\n");
	g_exit_group(0);
}
