/* SPDX-License-Identifier: Apache-2.0 */
/* mremap/msync/mincore edge cases: shared memory moves stay shared, errors. */
#include "common.h"
#include <sys/mman.h>
#include <sys/wait.h>

#define PG 4096ul

static long fails(void *r)
{
	return r == MAP_FAILED ? -1 : 0;
}

int main(void)
{
	char *p, *q, *s, *s2, *r;
	unsigned char vec[8];
	int i, same = 1;

	g_start();
	/* a private region with a PROT_NONE page moves with its contents */
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	for (i = 0; i < 4; i++)
		p[i * PG] = (char)('a' + i);
	t_ok("PROT_NONE middle", mprotect(p + PG, PG, PROT_NONE));
	t_err("range spanning two VMAs", fails(mremap(p, 4 * PG, 8 * PG, MREMAP_MAYMOVE)),
	      EFAULT);
	t_ok("back to rw", mprotect(p + PG, PG, PROT_READ | PROT_WRITE));
	q = mremap(p, 4 * PG, 64 * PG, MREMAP_MAYMOVE);
	t_yes("moved", q != MAP_FAILED);
	for (i = 0; i < 4 && q != MAP_FAILED; i++)
		same &= q[i * PG] == (char)('a' + i);
	t_yes("all pages moved", same);
	t_yes("tail zero", q != MAP_FAILED && q[63 * PG] == 0);

	/* shrink to a page and back with MAYMOVE: the rest reads zero */
	r = mremap(q, 64 * PG, PG, 0);
	t_yes("shrink", r == q);
	r = mremap(q, PG, 2 * PG, MREMAP_MAYMOVE);
	t_yes("regrow", r != MAP_FAILED && r[0] == 'a' && r[PG] == 0);

	/* MREMAP_FIXED overlapping its own source */
	t_err("FIXED overlapping source",
	      fails(mremap(r, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, r + PG)), EINVAL);
	t_err("FIXED unaligned target",
	      fails(mremap(r, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, r + 100 * PG + 1)), EINVAL);
	t_err("DONTUNMAP with size change",
	      fails(mremap(r, PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP)), EINVAL);
	t_err("DONTUNMAP without MAYMOVE", fails(mremap(r, PG, PG, MREMAP_DONTUNMAP)), EINVAL);
	t_err("private old_len 0", fails(mremap(r, 0, PG, MREMAP_MAYMOVE)), EINVAL);
	t_err("old range past the VMA", fails(mremap(r, 4 * PG, 8 * PG, MREMAP_MAYMOVE)),
	      EFAULT);
	t_err("grow without room or MAYMOVE", fails(mremap(r, 2 * PG, 1ul << 46, 0)), ENOMEM);

	/* MREMAP_DONTUNMAP: old range stays mapped, private pages emptied */
	s = mremap(r, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	t_yes("DONTUNMAP moved", s != MAP_FAILED && s != r && s[0] == 'a');
	t_yes("DONTUNMAP old range zero", r[0] == 0);
	munmap(s, 2 * PG);
	munmap(r, 2 * PG);

	/* shared anonymous memory moved still shared with a child */
	s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED)
		return 2;
	s[0] = 1;
	s2 = mremap(s, PG, 2 * PG, MREMAP_MAYMOVE);
	t_yes("shared grows", s2 != MAP_FAILED && s2[0] == 1);
	if (s2 != MAP_FAILED) {
		r = mremap(s2, 0, PG, MREMAP_MAYMOVE);
		t_yes("shared old_len 0 gives a second view", r != MAP_FAILED && r != s2);
		if (r != MAP_FAILED) {
			r[0] = 42;
			t_eq("second view aliases", s2[0], 42);
		}
		if (fork() == 0) {
			s2[0] = 7;
			_exit(0);
		}
		wait(NULL);
		t_eq("child write visible after move", s2[0], 7);
	}

	/* msync and mincore */
	t_err("msync bad flag", msync(s2, PG, 0x100), EINVAL);
	t_ok("msync MS_INVALIDATE", msync(s2, PG, MS_INVALIDATE));
	t_ok("msync length 0", msync(s2, 0, MS_SYNC));
	t_err("msync unmapped", msync(s2 + 64 * PG, PG, MS_ASYNC), ENOMEM);
	t_ok("mincore 2 pages", mincore(s2, 2 * PG - 100, vec));
	t_err("mincore unmapped", mincore(s2 + 64 * PG, PG, vec), ENOMEM);
	t_err("mincore beyond user space", mincore((void *)(1ul << 47), PG, vec), ENOMEM);
	return g_finish();
}
