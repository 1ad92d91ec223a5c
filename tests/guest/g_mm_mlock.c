/* SPDX-License-Identifier: Apache-2.0 */
/* mlock family: accepted on mapped memory, ENOMEM over holes, flag checks. */
#include "common.h"
#include <sys/mman.h>

#define PG 4096ul

int main(void)
{
	char *p;

	g_start();
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	munmap(p + 2 * PG, PG);
	t_ok("mlock a page", mlock(p, PG));
	t_ok("mlock unaligned start", mlock(p + 10, 100));
	t_ok("mlock length 0", mlock(p, 0));
	t_err("mlock over a hole", mlock(p, 4 * PG), ENOMEM);
	t_ok("munlock", munlock(p, PG));
	t_err("munlock over a hole", munlock(p + PG, 2 * PG), ENOMEM);
	t_ok("mlock2 MLOCK_ONFAULT", mlock2(p, PG, MLOCK_ONFAULT));
	t_err("mlock2 bad flag", mlock2(p, PG, 0x10), EINVAL);
	t_err("mlockall 0", mlockall(0), EINVAL);
	t_err("mlockall MCL_ONFAULT alone", mlockall(MCL_ONFAULT), EINVAL);
	t_err("mlockall bad flag", mlockall(0x100), EINVAL);
	t_ok("munlockall", munlockall());
	return g_finish();
}
