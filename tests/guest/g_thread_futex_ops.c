/* SPDX-License-Identifier: Apache-2.0 */
/* futex: CMP_REQUEUE, REQUEUE, WAKE_OP between threads.  (The PI
 * operations are not served in the sandbox: see sentry/kernel/futex.h.) */
#include "common.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>

static uint32_t f1, f2;
static int started, done;

static long futex(uint32_t *uaddr, int op, uint32_t val, long val2, uint32_t *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}

static void *waiter(void *arg)
{
	uint32_t *w = arg;

	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(w, __ATOMIC_SEQ_CST) == 0)
		futex(w, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0);
	__atomic_add_fetch(&done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* wait until @n threads have started, then a moment for them to block */
static void settle(int n)
{
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < n)
		usleep(1000);
	usleep(50000);
}

int main(void)
{
	pthread_t th[3];

	g_start();
	/* CMP_REQUEUE: wake one, move two to f2 */
	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, waiter, &f1);
	settle(3);
	t_err("CMP_REQUEUE with a stale value", futex(&f1, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, &f2, 7), EAGAIN);
	t_eq("CMP_REQUEUE: woken + moved", futex(&f1, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, &f2, 0), 3);
	usleep(50000);
	/* the woken one re-checks f1 == 0 and waits again on f1: release f1 */
	__atomic_store_n(&f1, 1, __ATOMIC_SEQ_CST);
	t_eq("the woken one waits on f1 again", futex(&f1, FUTEX_WAKE_PRIVATE, 10, 0, NULL, 0), 1);
	__atomic_store_n(&f2, 1, __ATOMIC_SEQ_CST);
	t_eq("the two moved ones wait on f2", futex(&f2, FUTEX_WAKE_PRIVATE, 10, 0, NULL, 0), 2);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	t_eq("all done", done, 3);

	/* REQUEUE (no compare) */
	f1 = f2 = 0;
	started = done = 0;
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, waiter, &f1);
	settle(2);
	t_eq("REQUEUE: none woken, two moved", futex(&f1, FUTEX_REQUEUE_PRIVATE, 0, 5, &f2, 0), 2);
	__atomic_store_n(&f1, 1, __ATOMIC_SEQ_CST);
	t_eq("f1 has no waiters now", futex(&f1, FUTEX_WAKE_PRIVATE, 10, 0, NULL, 0), 0);
	t_eq("wake them on f2", futex(&f2, FUTEX_WAKE_PRIVATE, 10, 0, NULL, 0), 2);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	t_err("REQUEUE bad count", futex(&f1, FUTEX_REQUEUE_PRIVATE, -1, 0, &f2, 0), EINVAL);

	/* WAKE_OP: f2 += 5, wake one on f1, and one on f2 if old f2 == 0 */
	f1 = f2 = 0;
	started = done = 0;
	pthread_create(&th[0], NULL, waiter, &f2);
	settle(1);
	t_eq("WAKE_OP wakes the f2 waiter",
	     futex(&f1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &f2, FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0)), 1);
	t_eq("f2 became 5", f2, 5);
	pthread_join(th[0], NULL);
	t_eq("WAKE_OP, comparison false",
	     futex(&f1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &f2, FUTEX_OP(FUTEX_OP_OR, 2, FUTEX_OP_CMP_GT, 10)), 0);
	t_eq("f2 became 7", f2, 7);
	t_eq("shifted oparg", (futex(&f1, FUTEX_WAKE_OP_PRIVATE, 0, 0, &f2,
				     (uint32_t)FUTEX_OP(FUTEX_OP_SET, 4, FUTEX_OP_CMP_EQ, 0) | (1u << 31)), (long)f2), 16);

	return g_finish();
}
