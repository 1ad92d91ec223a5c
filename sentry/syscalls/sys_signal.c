/* SPDX-License-Identifier: Apache-2.0 */
/* Signal syscalls. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "lib/timeutil.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/timer.h"
#include "syscall_handlers.h"

#define MINSIGSTKSZ_LINUX 2048

static int sig_valid(uint64_t sig)
{
	return sig >= 1 && sig <= SIG_MAX;
}

int64_t sys_rt_sigaction(struct task *t, const uint64_t a[6])
{
	struct k_sigaction act, old;
	int sig = (int)a[0];

	if (a[3] != 8)
		return -EINVAL;
	if (!sig_valid(a[0]))
		return -EINVAL;
	if (a[1] && task_copy_in(t, a[1], &act, sizeof(act)) != sizeof(act))
		return -EFAULT;
	if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	pthread_mutex_lock(&t->k->lock);
	old = t->tg->sig.act[sig - 1];
	if (a[1]) {
		act.mask &= ~SIG_UNBLOCKABLE;
		t->tg->sig.act[sig - 1] = act;
		/* Setting SIG_IGN (or SIG_DFL for an ignore-by-default signal)
		 * discards what is pending, blocked or not. */
		if (signal_ignored_locked(t->tg, sig))
			signal_flush_locked(t->tg, sig);
	}
	pthread_mutex_unlock(&t->k->lock);
	if (a[2] && task_copy_out(t, a[2], &old, sizeof(old)) != sizeof(old))
		return -EFAULT;
	return 0;
}

int64_t sys_rt_sigprocmask(struct task *t, const uint64_t a[6])
{
	uint64_t set = 0, old;

	if (a[3] != 8)
		return -EINVAL;
	if (a[1] && task_copy_in(t, a[1], &set, sizeof(set)) != sizeof(set))
		return -EFAULT;
	if (a[1] && a[0] > SIG_SETMASK)
		return -EINVAL;
	pthread_mutex_lock(&t->k->lock);
	old = t->sig.mask;
	if (a[1]) {
		if (a[0] == SIG_BLOCK)
			t->sig.mask |= set;
		else if (a[0] == SIG_UNBLOCK)
			t->sig.mask &= ~set;
		else
			t->sig.mask = set;
		t->sig.mask &= ~SIG_UNBLOCKABLE;
	}
	pthread_mutex_unlock(&t->k->lock);
	if (a[2] && task_copy_out(t, a[2], &old, sizeof(old)) != sizeof(old))
		return -EFAULT;
	return 0;
}

int64_t sys_rt_sigpending(struct task *t, const uint64_t a[6])
{
	uint64_t set;

	if (a[1] > 8)
		return -EINVAL;
	pthread_mutex_lock(&t->k->lock);
	set = (t->sig.pending.set | t->tg->sig.shared.set) & t->sig.mask;
	pthread_mutex_unlock(&t->k->lock);
	return task_copy_out(t, a[0], &set, a[1]) == (ssize_t)a[1] ? 0 : -EFAULT;
}

int64_t sys_rt_sigreturn(struct task *t, const uint64_t a[6])
{
	(void)a;
	return signal_sigreturn(t);
}

int64_t sys_rt_sigsuspend(struct task *t, const uint64_t a[6])
{
	uint64_t set;
	struct kernel *k = t->k;

	if (a[1] != 8)
		return -EINVAL;
	if (task_copy_in(t, a[0], &set, sizeof(set)) != sizeof(set))
		return -EFAULT;
	pthread_mutex_lock(&k->lock);
	t->saved_mask = t->sig.mask;
	t->saved_mask_valid = 1;
	t->sig.mask = set & ~SIG_UNBLOCKABLE;
	while (!((t->sig.pending.set | t->tg->sig.shared.set) & ~t->sig.mask) && !t->exited &&
	       !t->tg->exiting && !k->ckpt_stopping) {
		task_block_begin(t);
		pthread_cond_wait(&t->sigcond, &k->lock);
		task_block_end(t);
	}
	pthread_mutex_unlock(&k->lock);
	/* The handler's frame saves saved_mask; sigreturn restores it. */
	return -ERESTARTNOHAND;
}

int64_t sys_pause(struct task *t, const uint64_t a[6])
{
	(void)a;
	(void)task_sleep_until(t, CLOCK_MONOTONIC, UINT64_MAX);
	return -ERESTARTNOHAND;
}

int64_t sys_rt_sigtimedwait(struct task *t, const uint64_t a[6])
{
	struct kernel *k = t->k;
	uint64_t set, deadline = UINT64_MAX;
	struct timespec ts;
	siginfo_t info;
	int sig;

	if (a[3] != 8)
		return -EINVAL;
	if (task_copy_in(t, a[0], &set, sizeof(set)) != sizeof(set))
		return -EFAULT;
	if (a[2]) {
		if (task_copy_in(t, a[2], &ts, sizeof(ts)) != sizeof(ts))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
			return -EINVAL;
		deadline = ktime_add(mono_ns(), ktime_from(ts.tv_sec, ts.tv_nsec));
	}
	set &= ~SIG_UNBLOCKABLE;
	pthread_mutex_lock(&k->lock);
	for (;;) {
		sig = signal_dequeue_locked(t, set, &info);
		if (sig)
			break;
		/* Group exit, or a signal outside @set to deliver: EINTR
		 * (after its handler). */
		if (t->exited || t->tg->exiting || signal_pending_locked(t)) {
			sig = !t->exited && !t->tg->exiting && signal_ckpt_only_locked(t)
				      ? -ERESTARTNOINTR
				      : -EINTR;
			break;
		}
		if (task_wait_locked(t, CLOCK_MONOTONIC, deadline) == -ETIMEDOUT) {
			sig = -EAGAIN;
			break;
		}
	}
	pthread_mutex_unlock(&k->lock);
	if (sig < 0)
		return sig;
	if (a[1] && task_copy_out(t, a[1], &info, sizeof(info)) != sizeof(info))
		return -EFAULT;
	return sig;
}

int64_t sys_sigaltstack(struct task *t, const uint64_t a[6])
{
	struct {
		uint64_t sp;
		int32_t flags;
		int32_t pad;
		uint64_t size;
	} ss, old;
	uint64_t rsp = t->cpu->regs.rsp;
	int on;

	on = t->sig.alt_flags != SS_DISABLE && rsp > t->sig.alt_sp &&
	     rsp - t->sig.alt_sp <= t->sig.alt_size;
	memset(&old, 0, sizeof(old));
	old.sp = t->sig.alt_sp;
	old.size = t->sig.alt_size;
	old.flags = on ? SS_ONSTACK : t->sig.alt_flags;
	if (a[0]) {
		if (task_copy_in(t, a[0], &ss, sizeof(ss)) != sizeof(ss))
			return -EFAULT;
		if (on)
			return -EPERM;
		if (ss.flags != 0 && ss.flags != SS_DISABLE && ss.flags != SS_ONSTACK)
			return -EINVAL;
		if (ss.flags == SS_DISABLE) {
			t->sig.alt_flags = SS_DISABLE;
			t->sig.alt_sp = t->sig.alt_size = 0;
		} else {
			if (ss.size < MINSIGSTKSZ_LINUX)
				return -ENOMEM;
			t->sig.alt_flags = 0;
			t->sig.alt_sp = ss.sp;
			t->sig.alt_size = ss.size;
		}
	}
	if (a[1] && task_copy_out(t, a[1], &old, sizeof(old)) != sizeof(old))
		return -EFAULT;
	return 0;
}

/* tkill/tgkill: a thread-directed signal with SI_TKILL from the caller. */
static int64_t send(struct task *t, int32_t tgid, int32_t tid, int sig)
{
	siginfo_t info;

	if (!sig_valid((uint64_t)sig) && sig != 0)
		return -EINVAL;
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = SI_TKILL;
	info.si_pid = t->tg->tgid;
	info.si_uid = t->creds.ruid;
	return signal_send_tid(t->k, tgid, tid, &info);
}

/* A siginfo from the application: forging a kernel code (si_code >= 0) or
 * SI_TKILL is allowed only towards itself, as on Linux. */
static int64_t user_info(struct task *t, uint64_t addr, int sig, int32_t target, siginfo_t *info)
{
	if (task_copy_in(t, addr, info, sizeof(*info)) != sizeof(*info))
		return -EFAULT;
	if ((info->si_code >= 0 || info->si_code == SI_TKILL) && target != t->tid)
		return -EPERM;
	info->si_signo = sig;
	return 0;
}

int64_t sys_rt_sigqueueinfo(struct task *t, const uint64_t a[6])
{
	int32_t pid = (int32_t)a[0];
	siginfo_t info;
	int64_t r = user_info(t, a[2], (int)a[1], pid, &info);

	if (r < 0)
		return r;
	if (!sig_valid(a[1]) && a[1] != 0)
		return -EINVAL;
	if (pid <= 0)
		return -ESRCH;
	return process_kill_info(t, pid, &info);
}

int64_t sys_rt_tgsigqueueinfo(struct task *t, const uint64_t a[6])
{
	int32_t tgid = (int32_t)a[0], tid = (int32_t)a[1];
	siginfo_t info;
	int64_t r;

	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	r = user_info(t, a[3], (int)a[2], tid, &info);
	if (r < 0)
		return r;
	if (!sig_valid(a[2]) && a[2] != 0)
		return -EINVAL;
	return signal_send_tid(t->k, tgid, tid, &info);
}

int64_t sys_tkill(struct task *t, const uint64_t a[6])
{
	if ((int64_t)(int32_t)a[0] <= 0)
		return -EINVAL;
	return send(t, 0, (int32_t)a[0], (int)a[1]);
}

int64_t sys_tgkill(struct task *t, const uint64_t a[6])
{
	if ((int32_t)a[0] <= 0 || (int32_t)a[1] <= 0)
		return -EINVAL;
	return send(t, (int32_t)a[0], (int32_t)a[1], (int)a[2]);
}
