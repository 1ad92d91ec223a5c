/* SPDX-License-Identifier: Apache-2.0 */
/* Processes: fork, vfork, clone (process flavour), wait4, waitid, process
 * groups and sessions, kill. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/task.h"
#include "syscall_handlers.h"

#define CLONE_NS_FLAGS                                                                      \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |         \
	 CLONE_NEWNET | CLONE_NEWCGROUP)

static int64_t do_fork(struct task *t, uint64_t flags, uint64_t stack, uint64_t ptid,
		       uint64_t ctid, uint64_t tls)
{
	struct task *n;
	struct thread_group *child;
	int32_t pid;
	int r;

	if (flags & CLONE_NS_FLAGS)
		return -EPERM; /* no namespace creation inside the sandbox yet */
	if ((flags & CLONE_SETTLS) && tls >= (1ULL << 47))
		return -EPERM;
	/* CLONE_VM without CLONE_THREAD (vfork, posix_spawn): a new process
	 * in this address space. */
	r = process_fork(t, (int)(flags & 0xff), flags & CLONE_VM, &n);
	if (r < 0)
		return r;
	child = n->tg;
	pid = n->tid;
	if (stack)
		n->cpu->regs.rsp = stack;
	if (flags & CLONE_SETTLS)
		n->cpu->regs.fs_base = tls;
	if (flags & CLONE_CHILD_CLEARTID)
		n->clear_child_tid = ctid;
	if ((flags & CLONE_CHILD_SETTID) &&
	    plat_as_write(child->as, ctid, &pid, sizeof(pid)) != sizeof(pid))
		r = -EFAULT;
	if (r == 0 && (flags & CLONE_PARENT_SETTID) &&
	    task_copy_out(t, ptid, &pid, sizeof(pid)) != sizeof(pid))
		r = -EFAULT;
	if (r == 0)
		r = task_start(n);
	if (r < 0) {
		process_abort(n);
		return r;
	}
	if (flags & CLONE_VFORK)
		process_wait_vfork(t, child);
	return pid;
}

int64_t process_clone(struct task *t, const uint64_t a[6])
{
	return do_fork(t, a[0], a[1], a[2], a[3], a[4]);
}

int64_t sys_fork(struct task *t, const uint64_t a[6])
{
	(void)a;
	return do_fork(t, SIGCHLD, 0, 0, 0, 0);
}

int64_t sys_vfork(struct task *t, const uint64_t a[6])
{
	(void)a;
	return do_fork(t, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}

#define WAIT_OPTIONS (WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)

/* The rusage of a wait: the reaped child's times, zero for a stop or
 * continue report (or nothing reported). */
static int put_rusage(struct task *t, uint64_t addr, const struct wait_result *res)
{
	struct rusage ru;

	memset(&ru, 0, sizeof(ru));
	ru.ru_utime.tv_sec = (time_t)(res->utime_ns / 1000000000ULL);
	ru.ru_utime.tv_usec = (suseconds_t)(res->utime_ns % 1000000000ULL / 1000);
	ru.ru_stime.tv_sec = (time_t)(res->stime_ns / 1000000000ULL);
	ru.ru_stime.tv_usec = (suseconds_t)(res->stime_ns % 1000000000ULL / 1000);
	ru.ru_maxrss = (long)res->maxrss_kb;
	return task_copy_out(t, addr, &ru, sizeof(ru)) == sizeof(ru) ? 0 : -EFAULT;
}

int64_t sys_wait4(struct task *t, const uint64_t a[6])
{
	int32_t pid = (int32_t)a[0];
	int options = (int)a[2];
	struct wait_result res;
	int kind = WAIT_ANY_CHILD, r;
	int32_t id = 0;

	if (options & ~WAIT_OPTIONS)
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	if (pid > 0)
		kind = WAIT_PID, id = pid;
	else if (pid == 0)
		kind = WAIT_PGID, id = t->tg->pgid;
	else if (pid < -1)
		kind = WAIT_PGID, id = -pid;
	r = process_wait(t, kind, id,
			 WEXITED | (options & (WNOHANG | WUNTRACED | WCONTINUED | __WCLONE | __WALL)),
			 &res);
	if (r <= 0)
		return r;
	if (a[1] && task_copy_out(t, a[1], &res.status, sizeof(int)) != sizeof(int))
		return -EFAULT;
	if (a[3] && put_rusage(t, a[3], &res) < 0)
		return -EFAULT;
	return res.pid;
}

int64_t sys_waitid(struct task *t, const uint64_t a[6])
{
	int options = (int)a[3];
	struct wait_result res;
	siginfo_t si;
	int kind, r;

	if (options & ~(WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT | __WALL |
			__WCLONE | __WNOTHREAD))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	switch (a[0]) {
	case P_ALL:
		kind = WAIT_ANY_CHILD;
		break;
	case P_PID:
		if ((int32_t)a[1] <= 0)
			return -EINVAL;
		kind = WAIT_PID;
		break;
	case P_PGID:
		if ((int32_t)a[1] < 0)
			return -EINVAL;
		kind = WAIT_PGID;
		break;
	default:
		return -EINVAL;
	}
	r = process_wait(t, kind, kind == WAIT_PGID && a[1] == 0 ? t->tg->pgid : (int32_t)a[1],
			 options & (WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WCLONE |
				    __WALL),
			 &res);
	if (r < 0)
		return r;
	memset(&si, 0, sizeof(si));
	if (r > 0) {
		si.si_signo = SIGCHLD;
		si.si_pid = res.pid;
		si.si_uid = res.uid;
		si.si_code = res.code;
		si.si_status = res.info_status;
	}
	if (a[2] && task_copy_out(t, a[2], &si, sizeof(si)) != sizeof(si))
		return -EFAULT;
	if (r == 0)
		memset(&res, 0, sizeof(res));
	if (a[4] && put_rusage(t, a[4], &res) < 0)
		return -EFAULT;
	return 0;
}

int64_t sys_getppid(struct task *t, const uint64_t a[6])
{
	(void)a;
	return process_getppid(t);
}

int64_t sys_getpgid(struct task *t, const uint64_t a[6])
{
	return process_getpgid(t, (int32_t)a[0]);
}

int64_t sys_getpgrp(struct task *t, const uint64_t a[6])
{
	(void)a;
	return process_getpgid(t, 0);
}

int64_t sys_setpgid(struct task *t, const uint64_t a[6])
{
	return process_setpgid(t, (int32_t)a[0], (int32_t)a[1]);
}

int64_t sys_setsid(struct task *t, const uint64_t a[6])
{
	(void)a;
	return process_setsid(t);
}

int64_t sys_getsid(struct task *t, const uint64_t a[6])
{
	return process_getsid(t, (int32_t)a[0]);
}

int64_t sys_kill(struct task *t, const uint64_t a[6])
{
	int32_t pid = (int32_t)a[0];

	if (pid == INT32_MIN)
		return -ESRCH;
	return process_kill(t, pid, (int)a[1], SI_USER);
}
