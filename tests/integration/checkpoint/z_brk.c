/* SPDX-License-Identifier: Apache-2.0 */
/* The program break: an unaligned break with data below it is kept to the
 * byte; after the restore it grows (new memory zero and writable), shrinks
 * below the old break and grows again (the released bytes come back
 * zero), and malloc goes on working on top. */
#include <stdint.h>
#include <stdlib.h>

#include "zdtm.h"

int main(void)
{
	char *start, *end, *p;
	int ok = 1;

	zd_init();
	start = sbrk(0);
	if (sbrk(3 * 4096 + 100) == (void *)-1)
		return zd_say("FAIL: sbrk\n"), 1;
	end = sbrk(0);
	for (char *q = start; q < end; q++)
		*q = (char)(q - start);
	zd_ready();
	zd_wait_go();

	zd_check(sbrk(0) == end, "the break moved: %p, was %p", sbrk(0), (void *)end);
	for (char *q = start; q < end; q++)
		ok &= *q == (char)(q - start);
	zd_check(ok, "data below the break changed");
	p = sbrk(1 << 20);
	zd_check(p == end, "sbrk grew from %p, not %p", (void *)p, (void *)end);
	ok = 1;
	for (char *q = end; q < end + (1 << 20); q += 512) {
		ok &= *q == 0;
		*q = 7;
	}
	zd_check(ok, "new break memory is not zero");
	/* shrink to one page above start, then grow again */
	zd_check(brk(start + 4096) == 0 && sbrk(0) == start + 4096, "shrink");
	zd_check(sbrk(2 * 4096) == start + 4096, "regrow");
	ok = 1;
	for (char *q = start + 8192; q < start + 3 * 4096; q++)
		ok &= *q == 0;
	for (char *q = start; q < start + 4096; q++)
		ok &= *q == (char)(q - start);
	zd_check(ok, "released break memory did not come back zero (or kept memory changed)");
	p = malloc(3 << 20);
	zd_check(p != NULL, "malloc");
	if (p)
		memset(p, 1, 3 << 20);
	free(p);
	return zd_finish();
}
