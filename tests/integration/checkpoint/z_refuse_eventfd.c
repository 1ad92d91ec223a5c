/* SPDX-License-Identifier: Apache-2.0 */
/* eventfd is not saved yet: the checkpoint fails; the process goes on. */
#include <stdint.h>
#include <sys/eventfd.h>

#include "zdtm.h"

int main(void)
{
	int e;
	uint64_t v = 0;

	zd_init();
	e = eventfd(3, 0);
	zd_ready();
	zd_wait_go();
	zd_check(read(e, &v, 8) == 8 && v == 3, "eventfd");
	return zd_finish();
}
