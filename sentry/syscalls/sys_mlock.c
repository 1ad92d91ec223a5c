/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mlock, mlock2, munlock, mlockall, munlockall.  The Sentry never pages
 * application memory out, so locking changes nothing but is validated as
 * Linux does: flags, and ENOMEM when the range has holes.  (No
 * RLIMIT_MEMLOCK accounting yet: the sandbox's limit is unlimited.)
 */
#include <errno.h>
#include <sys/mman.h>

#include "lib/macro.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "syscall_handlers.h"

#define LOG_PREFIX "sys_mlock: "

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

/* The page range of (addr, len) must be mapped. */
static int64_t check_range(struct task *t, uint64_t addr, uint64_t len)
{
	struct mm *s = t->tg->mm;
	uint64_t start = ALIGN_DOWN(addr, MM_PAGE), end;
	int r = 0;

	if (len == 0)
		return 0;
	if (len > UINT64_MAX - addr - MM_PAGE)
		return -ENOMEM;
	end = ALIGN_UP(addr + len, MM_PAGE);
	if (!s || end > plat_app_limit())
		return -ENOMEM;
	pthread_mutex_lock(&s->lock);
	if (!mm_vma_covered(s, start, end))
		r = -ENOMEM;
	pthread_mutex_unlock(&s->lock);
	return r;
}

int64_t sys_mlock(struct task *t, const uint64_t a[6])
{
	return check_range(t, a[0], a[1]);
}

int64_t sys_mlock2(struct task *t, const uint64_t a[6])
{
	if (a[2] & ~(uint64_t)MLOCK_ONFAULT)
		return -EINVAL;
	return check_range(t, a[0], a[1]);
}

int64_t sys_munlock(struct task *t, const uint64_t a[6])
{
	return check_range(t, a[0], a[1]);
}

int64_t sys_mlockall(struct task *t, const uint64_t a[6])
{
	uint64_t flags = a[0];

	(void)t;
	if (!flags || (flags & ~(uint64_t)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) ||
	    flags == MCL_ONFAULT)
		return -EINVAL;
	return 0;
}

int64_t sys_munlockall(struct task *t, const uint64_t a[6])
{
	(void)t;
	(void)a;
	return 0;
}
