/* SPDX-License-Identifier: Apache-2.0 */
/* Anonymous mmap/munmap: zero fill, MAP_FIXED, argument errors. */
#include "common.h"
#include <stdint.h>
#include <sys/mman.h>

#define PG 4096ul

int main(void)
{
	unsigned char *p, *q;
	void *r;
	unsigned long i;
	int zero = 1;

	g_start();
	p = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t_yes("mmap 8 pages", p != MAP_FAILED);
	t_yes("page aligned", ((uintptr_t)p & (PG - 1)) == 0);
	for (i = 0; i < 8 * PG; i++)
		zero &= p[i] == 0;
	t_yes("zero filled", zero);
	memset(p, 0xab, 8 * PG);

	/* MAP_FIXED over the middle replaces those pages with zeros */
	q = mmap(p + 2 * PG, 2 * PG, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	t_yes("MAP_FIXED at requested address", q == p + 2 * PG);
	t_yes("replaced pages zero", q[0] == 0 && q[2 * PG - 1] == 0);
	t_yes("neighbours untouched", p[2 * PG - 1] == 0xab && p[4 * PG] == 0xab);

	/* MAP_FIXED_NOREPLACE over an existing mapping */
	r = mmap(p, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	t_err("MAP_FIXED_NOREPLACE over mapping", r == MAP_FAILED ? -1 : 0, EEXIST);

	/* errors */
	r = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t_err("length 0", r == MAP_FAILED ? -1 : 0, EINVAL);
	r = mmap(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0);
	t_err("neither shared nor private", r == MAP_FAILED ? -1 : 0, EINVAL);
	r = mmap(p + 1, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	t_err("MAP_FIXED unaligned", r == MAP_FAILED ? -1 : 0, EINVAL);
	r = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0);
	t_err("file mapping of fd -1", r == MAP_FAILED ? -1 : 0, EBADF);
	r = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1);
	t_err("unaligned offset", r == MAP_FAILED ? -1 : 0, EINVAL);
	r = mmap(NULL, (size_t)1 << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	t_err("2^62 bytes", r == MAP_FAILED ? -1 : 0, ENOMEM);

	/* munmap */
	t_ok("munmap middle page", munmap(p + 4 * PG, PG));
	t_err("munmap unaligned", munmap(p + 1, PG), EINVAL);
	t_err("munmap length 0", munmap(p, 0), EINVAL);
	t_ok("munmap of a hole is fine", munmap(p + 4 * PG, PG));
	t_ok("munmap all (spanning the hole)", munmap(p, 8 * PG));
	t_ok("munmap again", munmap(p, 8 * PG));

	/* hint address honoured when free */
	q = mmap(p, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t_yes("free hint honoured", q == p);
	t_ok("munmap hint page", munmap(q, PG));

	/* length rounded up to a page */
	q = mmap(NULL, 100, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	q[PG - 1] = 1;
	t_yes("length rounded up to a page", q[PG - 1] == 1);
	t_ok("munmap 100 bytes", munmap(q, 100));
	return g_finish();
}
