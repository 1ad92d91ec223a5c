/* SPDX-License-Identifier: Apache-2.0 */
/* madvise semantics that are visible (DONTNEED zeroes), mincore, msync. */
#include "common.h"
#include <sys/mman.h>
#include <sys/wait.h>

#define PG 4096ul

int main(void)
{
	unsigned char *p, *s, vec[4];
	int *shared_flag;

	g_start();
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || s == MAP_FAILED)
		return 2;
	memset(p, 0x5a, 4 * PG);
	s[0] = 0x11;

	t_ok("MADV_DONTNEED page 1", madvise(p + PG, PG, MADV_DONTNEED));
	t_yes("private page zero after DONTNEED", p[PG] == 0 && p[2 * PG - 1] == 0);
	t_yes("other pages kept", p[0] == 0x5a && p[2 * PG] == 0x5a);
	t_ok("MADV_DONTNEED shared", madvise(s, PG, MADV_DONTNEED));
	t_yes("shared page keeps content", s[0] == 0x11);

	t_ok("MADV_NORMAL", madvise(p, 4 * PG, MADV_NORMAL));
	t_ok("MADV_WILLNEED", madvise(p, 4 * PG, MADV_WILLNEED));
	t_ok("MADV_SEQUENTIAL", madvise(p, 4 * PG, MADV_SEQUENTIAL));
	t_ok("MADV_RANDOM", madvise(p, 4 * PG, MADV_RANDOM));
	t_err("bad advice", madvise(p, PG, 12345), EINVAL);
	t_err("unaligned start", madvise(p + 1, PG, MADV_NORMAL), EINVAL);
	t_ok("length 0", madvise(p, 0, MADV_NORMAL));

	/* mincore: a page just written is resident */
	p[3 * PG] = 1;
	t_ok("mincore", mincore(p, 4 * PG, vec));
	t_yes("written page resident", (vec[3] & 1) == 1);
	t_yes("only low bit used", (vec[0] & ~1) == 0 && (vec[3] & ~1) == 0);
	t_err("mincore unaligned", mincore(p + 1, PG, vec), EINVAL);
	munmap(p + 3 * PG, PG);
	t_err("mincore over hole", mincore(p, 4 * PG, vec), ENOMEM);
	t_err("mincore bad vector", mincore(p, PG, G_BADPTR), EFAULT);

	/* msync on anonymous memory is accepted */
	t_ok("msync MS_SYNC", msync(p, PG, MS_SYNC));
	t_err("msync unaligned", msync(p + 1, PG, MS_SYNC), EINVAL);
	t_err("msync SYNC|ASYNC", msync(p, PG, MS_SYNC | MS_ASYNC), EINVAL);
	t_err("msync over hole", msync(p, 4 * PG, MS_SYNC), ENOMEM);

	/* MADV_DONTFORK: child does not get the range */
	shared_flag = (int *)s;
	t_ok("MADV_DONTFORK", madvise(p, PG, MADV_DONTFORK));
	*shared_flag = 0;
	if (fork() == 0) {
		*shared_flag = mincore(p, PG, vec) == -1 && errno == ENOMEM ? 1 : 2;
		_exit(0);
	}
	wait(NULL);
	t_yes("DONTFORK range absent in child", *shared_flag == 1);
	return g_finish();
}
