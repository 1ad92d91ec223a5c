/* SPDX-License-Identifier: Apache-2.0 */
/* mremap: grow in place, move, shrink, fixed, errors. */
#include "common.h"
#include <sys/mman.h>

#define PG 4096ul

int main(void)
{
	char *p, *q, *r, *guard;
	unsigned long i;
	int same = 1;

	g_start();
	/* reserve 8 pages, keep the first 2, so growing in place has room */
	p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	munmap(p + 2 * PG, 6 * PG);
	for (i = 0; i < 2 * PG; i++)
		p[i] = (char)(i * 7);

	q = mremap(p, 2 * PG, 4 * PG, 0);
	t_yes("grow in place (room after)", q == p);
	t_yes("grown part is zero", q != MAP_FAILED && q[3 * PG] == 0);

	/* put a guard right after, growing in place must fail */
	guard = mmap(p + 4 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	t_yes("guard mapped", guard == p + 4 * PG);
	r = mremap(p, 4 * PG, 6 * PG, 0);
	t_err("grow blocked without MAYMOVE", r == MAP_FAILED ? -1 : 0, ENOMEM);

	r = mremap(p, 4 * PG, 6 * PG, MREMAP_MAYMOVE);
	t_yes("grow with MAYMOVE moves", r != MAP_FAILED && r != p);
	for (i = 0; i < 2 * PG; i++)
		same &= r[i] == (char)(i * 7);
	t_yes("content moved along", same);
	t_yes("old range now unmapped", mprotect(p, PG, PROT_READ) == -1 && errno == ENOMEM);

	q = mremap(r, 6 * PG, 1 * PG, 0);
	t_yes("shrink stays in place", q == r);
	t_err("shrunk tail gone", mprotect(r + PG, PG, PROT_READ), ENOMEM);

	/* MREMAP_FIXED onto the old place of p (free again) */
	q = mremap(r, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, p);
	t_yes("MREMAP_FIXED to chosen address", q == p);
	t_yes("content at new place", q != MAP_FAILED && q[1] == 7);

	/* errors */
	r = mremap(p, PG, 2 * PG, 0x80);
	t_err("unknown flag", r == MAP_FAILED ? -1 : 0, EINVAL);
	r = mremap(p, PG, PG, MREMAP_FIXED, p + 16 * PG);
	t_err("FIXED without MAYMOVE", r == MAP_FAILED ? -1 : 0, EINVAL);
	r = mremap(p + 1, PG, 2 * PG, MREMAP_MAYMOVE);
	t_err("unaligned old address", r == MAP_FAILED ? -1 : 0, EINVAL);
	r = mremap(p, PG, 0, MREMAP_MAYMOVE);
	t_err("new size 0", r == MAP_FAILED ? -1 : 0, EINVAL);
	r = mremap(p + 32 * PG, PG, 2 * PG, MREMAP_MAYMOVE);
	t_err("old range not mapped", r == MAP_FAILED ? -1 : 0, EFAULT);

	munmap(p, PG);
	munmap(guard, PG);
	return g_finish();
}
