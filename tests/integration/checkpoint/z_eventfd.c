/* SPDX-License-Identifier: Apache-2.0 */
/* eventfd counters (plain and EFD_SEMAPHORE, non-blocking flag) survive the
 * restore. */
#include <fcntl.h>
#include <stdint.h>
#include <sys/eventfd.h>

#include "zdtm.h"

int main(void)
{
	int e, s;
	uint64_t v = 0;

	zd_init();
	e = eventfd(3, EFD_NONBLOCK);
	s = eventfd(2, EFD_SEMAPHORE);
	v = 4;
	zd_check(write(e, &v, 8) == 8, "write");
	zd_ready();
	zd_wait_go();
	zd_check(read(e, &v, 8) == 8 && v == 7, "eventfd counter %llu", (unsigned long long)v);
	zd_check(read(e, &v, 8) == -1, "drained eventfd should be EAGAIN (non-blocking)");
	zd_check(read(s, &v, 8) == 8 && v == 1 && read(s, &v, 8) == 8 && v == 1,
		 "semaphore eventfd");
	zd_check(fcntl(e, F_GETFL) & O_NONBLOCK, "O_NONBLOCK");
	return zd_finish();
}
