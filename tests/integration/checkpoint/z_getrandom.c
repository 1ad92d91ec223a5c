/* SPDX-License-Identifier: Apache-2.0 */
/* getrandom after the restore is fresh in every copy: the program prints
 * "RAND <hex>" drawn after SIGUSR2, and the driver checks that two
 * restores of one image print different values. */
#include <stdint.h>
#include <sys/random.h>

#include "zdtm.h"

int main(void)
{
	uint64_t before = 0, after = 0;

	zd_init();
	zd_check(getrandom(&before, sizeof(before), 0) == sizeof(before), "getrandom");
	zd_ready();
	zd_wait_go();
	zd_check(getrandom(&after, sizeof(after), 0) == sizeof(after), "getrandom");
	zd_check(after != before, "the same value twice");
	zd_say("RAND %016llx\n", (unsigned long long)after);
	return zd_finish();
}
