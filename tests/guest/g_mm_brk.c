/* SPDX-License-Identifier: Apache-2.0 */
/* brk: query, grow, touch, shrink, refuse to go below the start. */
#include "common.h"

static unsigned long do_brk(unsigned long addr)
{
	return (unsigned long)syscall(SYS_brk, addr);
}

int main(void)
{
	unsigned long start, cur, grown, shrunk, low;
	volatile unsigned char *p;
	unsigned long i;
	int zero = 1;

	g_start();
	start = do_brk(0);
	t_yes("brk(0) nonzero", start != 0);
	t_yes("brk(0) stable", do_brk(0) == start);

	grown = do_brk(start + 5 * 4096);
	t_yes("grow by 5 pages", grown == start + 5 * 4096);
	t_yes("brk(0) after grow", do_brk(0) == grown);

	p = (volatile unsigned char *)start;
	for (i = 0; i < 5 * 4096; i++)
		if (p[i] != 0)
			zero = 0;
	t_yes("new heap reads zero", zero);
	for (i = 0; i < 5 * 4096; i++)
		p[i] = (unsigned char)i;
	t_yes("heap write/read back", p[4097] == (unsigned char)4097);

	shrunk = do_brk(start + 4096);
	t_yes("shrink to 1 page", shrunk == start + 4096);
	t_yes("kept byte below new break", p[100] == 100);

	/* grow again: the released pages must come back zeroed */
	grown = do_brk(start + 3 * 4096);
	t_yes("regrow", grown == start + 3 * 4096);
	t_yes("released page is zero again", p[2 * 4096 + 10] == 0);

	/* below the start of the heap: refused, the break stays */
	cur = do_brk(0);
	low = do_brk(4096);
	t_yes("brk below start refused", low == cur);
	low = do_brk(~0ul - 4096 * 16);
	t_yes("brk to huge address refused", low == cur);

	/* unaligned break: returned exactly as asked */
	cur = do_brk(start + 4096 + 123);
	t_yes("unaligned break returned as asked", cur == start + 4096 + 123);
	p[4096 + 122] = 7;
	t_yes("byte below unaligned break usable", p[4096 + 122] == 7);

	/* sbrk on top of it */
	t_ok("glibc brk() syncs its cached break", brk((void *)do_brk(0)));
	void *old = sbrk(0);
	t_yes("sbrk(0) == brk(0)", (unsigned long)old == do_brk(0));
	t_yes("sbrk(8192) returns old break", sbrk(8192) == old);
	t_yes("break moved by 8192", (unsigned long)sbrk(0) == (unsigned long)old + 8192);
	return g_finish();
}
