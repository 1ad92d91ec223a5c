/* SPDX-License-Identifier: Apache-2.0 */
/* Threads: clone (thread flavour; processes in sys_process.c), futex,
 * robust lists. */
#include <errno.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/macro.h"
#include "sentry/kernel/futex.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/task.h"
#include "syscall_handlers.h"

#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD)
#define SUPPORTED_CLONE_FLAGS                                                               \
	(THREAD_FLAGS | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |                \
	 CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED)

int64_t sys_clone(struct task *t, const uint64_t a[6])
{
	uint64_t flags = a[0], stack = a[1], ptid = a[2], ctid = a[3], tls = a[4];
	struct task *n;
	int32_t tid;
	int r;

	/* Linux's own consistency rules first. */
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if (!(flags & CLONE_THREAD))
		return process_clone(t, a);
	if ((flags & THREAD_FLAGS) != THREAD_FLAGS ||
	    (flags & ~(uint64_t)SUPPORTED_CLONE_FLAGS & ~0xffULL))
		return -EINVAL;
	if (flags & CLONE_SETTLS && tls >= (1ULL << 47))
		return -EPERM;

	r = task_clone_thread(t, &n);
	if (r < 0)
		return r;
	tid = n->tid;
	n->cpu->regs.rax = 0;
	if (stack)
		n->cpu->regs.rsp = stack;
	if (flags & CLONE_SETTLS)
		n->cpu->regs.fs_base = tls;
	if (flags & CLONE_CHILD_CLEARTID)
		n->clear_child_tid = ctid;
	if ((flags & CLONE_PARENT_SETTID) && task_copy_out(t, ptid, &tid, 4) != 4)
		r = -EFAULT;
	if (r == 0 && (flags & CLONE_CHILD_SETTID) && task_copy_out(t, ctid, &tid, 4) != 4)
		r = -EFAULT;
	if (r == 0)
		r = task_start(n);
	if (r < 0) {
		task_abort(n);
		return r;
	}
	return tid;
}

/* struct clone_args of Linux 5.7+ (CLONE_ARGS_SIZE_VER2). */
struct clone_args_k {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

#define CLONE_ARGS_VER0 64
#define CLONE3_FLAGS_HIGH 0xffffffff00000000ULL /* CLONE_CLEAR_SIGHAND, CLONE_INTO_CGROUP */

/*
 * clone3: struct clone_args mapped onto clone().  Not served: CLONE_PIDFD
 * (no pidfds yet), set_tid, CLONE_INTO_CGROUP, CLONE_CLEAR_SIGHAND; those
 * get EINVAL (set_tid: EPERM, as an unprivileged caller).
 */
int64_t sys_clone3(struct task *t, const uint64_t a[6])
{
	struct clone_args_k ca = { 0 };
	uint64_t size = a[1], b[6] = { 0 };

	if (size < CLONE_ARGS_VER0)
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	if (task_copy_in(t, a[0], &ca, MIN(size, sizeof(ca))) != (ssize_t)MIN(size, sizeof(ca)))
		return -EFAULT;
	for (uint64_t off = sizeof(ca); off < size; off += 8) { /* unknown fields: zero */
		uint64_t x = 0;
		size_t n = (size_t)MIN((uint64_t)8, size - off);

		if (task_copy_in(t, a[0] + off, &x, n) != (ssize_t)n)
			return -EFAULT;
		if (x)
			return -E2BIG;
	}
	if ((ca.flags & CSIGNAL) || ca.exit_signal > 64)
		return -EINVAL;
	if (ca.set_tid || ca.set_tid_size)
		return ca.set_tid_size > 32 ? -EINVAL : -EPERM;
	if ((ca.flags & (CLONE_PIDFD | CLONE3_FLAGS_HIGH)) || ca.cgroup)
		return -EINVAL;
	if ((ca.flags & (CLONE_DETACHED)) || ((ca.flags & CLONE_THREAD) && ca.exit_signal))
		return -EINVAL;
	if (!ca.stack != !ca.stack_size)
		return -EINVAL;
	b[0] = ca.flags | ca.exit_signal;
	b[1] = ca.stack ? ca.stack + ca.stack_size : 0; /* clone() takes the top */
	b[2] = ca.parent_tid;
	b[3] = ca.child_tid;
	b[4] = ca.tls;
	return sys_clone(t, b);
}

int64_t sys_futex(struct task *t, const uint64_t a[6])
{
	int op = (int)a[1] & FUTEX_CMD_MASK;
	int realtime = ((int)a[1] & FUTEX_CLOCK_REALTIME) != 0;
	struct timespec ts, *deadline = NULL;
	clockid_t clk = realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC;

	switch (op) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (realtime && op == FUTEX_WAIT)
			return -ENOSYS; /* as Linux: only with WAIT_BITSET */
		if (a[3]) {
			if (task_copy_in(t, a[3], &ts, sizeof(ts)) != sizeof(ts))
				return -EFAULT;
			if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
				return -EINVAL;
			if (op == FUTEX_WAIT) {
				/* relative timeout on CLOCK_MONOTONIC */
				struct timespec now;

				clock_gettime(CLOCK_MONOTONIC, &now);
				ts.tv_sec += now.tv_sec;
				ts.tv_nsec += now.tv_nsec;
				if (ts.tv_nsec >= 1000000000L)
					ts.tv_sec++, ts.tv_nsec -= 1000000000L;
			}
			deadline = &ts;
		}
		return futex_wait(t, a[0], (uint32_t)a[2],
				  op == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : (uint32_t)a[5], clk,
				  deadline);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if ((int)a[2] < 0)
			return -EINVAL;
		return futex_wake(t, a[0], (int)a[2],
				  op == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : (uint32_t)a[5]);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE: {
		uint32_t cmp = (uint32_t)a[5];

		/* val2 (the requeue count) travels in the timeout argument */
		return futex_requeue(t, a[0], (int)a[2], (int)a[3], a[4],
				     op == FUTEX_CMP_REQUEUE ? &cmp : NULL);
	}
	case FUTEX_WAKE_OP:
		return futex_wake_op(t, a[0], a[4], (int)a[2], (int)a[3], (uint32_t)a[5]);
	default:
		/* the PI operations: not served (futex.h) */
		return -ENOSYS;
	}
}

int64_t sys_set_robust_list(struct task *t, const uint64_t a[6])
{
	if (a[1] != 24) /* sizeof(struct robust_list_head) */
		return -EINVAL;
	t->robust_list = a[0];
	return 0;
}
