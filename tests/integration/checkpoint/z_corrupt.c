/* SPDX-License-Identifier: Apache-2.0 */
/* The driver's "corrupt" mode: damaged copies of this image (state.pb,
 * pages.img, manifest: flipped bytes, truncation, version) are refused
 * before a process is created; the intact image still restores. */
#include <stdlib.h>

#include "zdtm.h"

int main(void)
{
	char *p = malloc(1 << 16);

	zd_init();
	memset(p, 0x5a, 1 << 16);
	zd_ready();
	zd_wait_go();
	for (int i = 0; i < 1 << 16; i++)
		if (p[i] != 0x5a) {
			zd_check(0, "memory");
			break;
		}
	return zd_finish();
}
