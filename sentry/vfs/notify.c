/* SPDX-License-Identifier: Apache-2.0 */
#include "notify.h"

#include <errno.h>
#include <stdint.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/timeutil.h"
#include "sentry/kernel/task.h"

static uint32_t seq;     /* the event sequence (futex word) */
static uint32_t waiters; /* tasks in vfs_notify_wait */

uint32_t vfs_notify_seq(void)
{
	return __atomic_load_n(&seq, __ATOMIC_ACQUIRE);
}

void vfs_notify(void)
{
	__atomic_add_fetch(&seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&waiters, __ATOMIC_SEQ_CST))
		syscall(SYS_futex, &seq, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
}

void vfs_notify_wait(uint32_t old, uint64_t deadline_ns)
{
	struct timespec ts, *tp = NULL;

	if (deadline_ns != UINT64_MAX) {
		uint64_t now = mono_ns(), d;

		if (now >= deadline_ns)
			return;
		d = deadline_ns - now;
		ts = (struct timespec){ (time_t)(d / NSEC_PER_SEC), (long)(d % NSEC_PER_SEC) };
		tp = &ts;
	}
	__atomic_add_fetch(&waiters, 1, __ATOMIC_SEQ_CST);
	/* FUTEX_WAIT compares the word with @old atomically: a notify after
	 * our caller took @old makes it return at once. */
	if (__atomic_load_n(&seq, __ATOMIC_SEQ_CST) == old)
		syscall(SYS_futex, &seq, FUTEX_WAIT_PRIVATE, old, tp, NULL, 0);
	__atomic_sub_fetch(&waiters, 1, __ATOMIC_SEQ_CST);
}

int vfs_wait_interruptible(struct task *t, pthread_cond_t *c, pthread_mutex_t *m)
{
	struct timespec ts;
	int r = t ? task_interrupted(t, -ERESTARTSYS) : 0;

	if (r < 0)
		return r;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 50 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	task_block_begin(t); /* waiting is not system time */
	pthread_cond_timedwait(c, m, &ts);
	task_block_end(t);
	return 0;
}
