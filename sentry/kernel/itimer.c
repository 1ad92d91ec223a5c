/* SPDX-License-Identifier: Apache-2.0 */
#include "itimer.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "kernel.h"
#include "sentry/mm/mm.h"
#include "lib/macro.h"
#include "lib/timeutil.h"
#include "task.h"

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

static void send_kernel_sig_locked(struct thread_group *tg, int sig)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = SI_KERNEL;
	signal_send_tg_locked(tg, &info);
}

/* Charge @used ns to a CPU itimer; 1 if it expired. */
static int charge(struct itimer_cpu *it, uint64_t used)
{
	if (!it->left)
		return 0;
	if (used < it->left) {
		it->left -= used;
		return 0;
	}
	if (it->interval) {
		uint64_t over = (used - it->left) % it->interval;

		it->left = it->interval - over;
	} else {
		it->left = 0;
	}
	return 1;
}

static void charge_tg(struct task *t, uint64_t user, uint64_t sys)
{
	struct thread_group *tg = t->tg;

	if (!LOAD(tg->cpu_timers_armed))
		return;
	pthread_mutex_lock(&t->k->lock);
	if (charge(&tg->itimer_virt, user))
		send_kernel_sig_locked(tg, SIGVTALRM);
	if (charge(&tg->itimer_prof, user + sys))
		send_kernel_sig_locked(tg, SIGPROF);
	STORE(tg->cpu_timers_armed, tg->itimer_virt.left || tg->itimer_prof.left);
	pthread_mutex_unlock(&t->k->lock);
}

static void slice_expired(struct ktimer *tm)
{
	struct task *t = (struct task *)((char *)tm - offsetof(struct task, cpu_slice));

	(void)plat_ctx_interrupt(t->ctx);
}

void itimer_task_init(struct task *t)
{
	ktimer_init(&t->cpu_slice, t->k->timers, slice_expired);
	t->utime_ns = t->stime_ns = t->app_since = 0;
	t->sys_since = 0;
	t->blocked_ns = t->block_since = 0;
	t->slice_armed = 0;
}

static void real_expired(struct ktimer *tm)
{
	struct thread_group *tg =
		(struct thread_group *)((char *)tm - offsetof(struct thread_group, itimer_real));

	pthread_mutex_lock(&tg->k->lock);
	send_kernel_sig_locked(tg, SIGALRM);
	pthread_mutex_unlock(&tg->k->lock);
}

void itimer_tg_init(struct thread_group *tg)
{
	ktimer_init(&tg->itimer_real, tg->k->timers, real_expired);
	memset(&tg->itimer_virt, 0, sizeof(tg->itimer_virt));
	memset(&tg->itimer_prof, 0, sizeof(tg->itimer_prof));
	tg->cpu_timers_armed = 0;
}

/* Wall time of the current stint in the Sentry, waits excluded. */
static uint64_t stint_ns(struct task *t, uint64_t now)
{
	uint64_t busy = now > t->sys_since ? now - t->sys_since : 0;

	if (t->block_since) /* mid-wait (a reader on the task's own thread) */
		busy -= MIN(busy, now - t->block_since);
	return busy > t->blocked_ns ? busy - t->blocked_ns : 0;
}

void task_block_begin(struct task *t)
{
	if (t && t == task_current() && t->sys_since)
		t->block_since = mono_ns();
}

void task_block_end(struct task *t)
{
	if (t && t == task_current() && t->block_since) {
		t->blocked_ns += mono_ns() - t->block_since;
		t->block_since = 0;
	}
}

void itimer_app_enter(struct task *t)
{
	uint64_t sys = 0, now = mono_ns();

	if (t->sys_since) {
		sys = stint_ns(t, now);
		STORE(t->stime_ns, t->stime_ns + sys);
	}
	t->sys_since = 0;
	charge_tg(t, 0, sys);
	if (LOAD(t->tg->cpu_timers_armed)) {
		uint64_t v, p, d;

		pthread_mutex_lock(&t->k->lock);
		v = t->tg->itimer_virt.left;
		p = t->tg->itimer_prof.left;
		pthread_mutex_unlock(&t->k->lock);
		d = v && (!p || v < p) ? v : p;
		if (d) {
			ktimer_set(&t->cpu_slice, now + d, 0, NULL, NULL);
			t->slice_armed = 1;
		}
	}
	STORE(t->app_since, now);
}

void itimer_app_leave(struct task *t)
{
	uint64_t start = t->app_since, now = mono_ns(), user;

	t->sys_since = now;
	t->blocked_ns = 0;
	t->block_since = 0;
	STORE(t->app_since, 0);
	user = start && now > start ? now - start : 0;
	STORE(t->utime_ns, t->utime_ns + user);
	if (t->slice_armed) {
		ktimer_cancel_sync(&t->cpu_slice);
		t->slice_armed = 0;
	}
	charge_tg(t, user, 0);
}

void task_cputime(struct task *t, uint64_t *utime, uint64_t *stime)
{
	uint64_t since = LOAD(t->app_since);
	uint64_t u = LOAD(t->utime_ns), s = LOAD(t->stime_ns);

	if (since) {
		uint64_t now = mono_ns();

		u += now > since ? now - since : 0;
	}
	/* The caller's own current stint in the Sentry. */
	if (t == task_current() && t->sys_since)
		s += stint_ns(t, mono_ns());
	*utime = u;
	*stime = s;
}

void task_cputime_tg_locked(struct thread_group *tg, uint64_t *utime, uint64_t *stime)
{
	struct kernel *k = tg->k;
	uint64_t u = tg->dead_utime_ns, s = tg->dead_stime_ns;
	int n = tg->ntasks;

	for (int i = 1; i < KERNEL_PID_MAX && n > 0; i++) {
		struct task *o = k->tids[i];
		uint64_t tu, ts;

		if (!o || o->tg != tg)
			continue;
		task_cputime(o, &tu, &ts);
		u += tu;
		s += ts;
		n--;
	}
	*utime = u;
	*stime = s;
}

void itimer_task_exit_locked(struct task *t)
{
	uint64_t u, s;

	task_cputime(t, &u, &s);
	t->tg->dead_utime_ns += u;
	t->tg->dead_stime_ns += s;
	/* Not counted twice by a concurrent reader any more. */
	STORE(t->utime_ns, 0);
	STORE(t->stime_ns, 0);
	STORE(t->app_since, 0);
	t->sys_since = 0;
}

/* VmHWM of the stub process: the host's peak resident set of the address
 * space.  Unknown (0) where the Sentry cannot read the host's /proc. */
static uint64_t stub_hwm_kb(struct plat_as *as)
{
	char path[64], line[128];
	unsigned long long kb = 0;
	FILE *f;

	if (!as)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)plat_as_pid(as));
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

uint64_t itimer_maxrss_kb(struct thread_group *tg)
{
	uint64_t kb = stub_hwm_kb(tg->as);
	uint64_t r;

	/* Confined, the Sentry has no host /proc: report the writable private
	 * memory mapped instead (an upper bound of the resident set). */
	if (kb == 0 && tg->mm)
		kb = mm_account_kb(tg->mm);

	pthread_mutex_lock(&tg->k->lock);
	if (kb > tg->maxrss_kb)
		tg->maxrss_kb = kb;
	r = tg->maxrss_kb;
	pthread_mutex_unlock(&tg->k->lock);
	return r;
}

void itimer_tg_exit(struct thread_group *tg)
{
	ktimer_cancel_sync(&tg->itimer_real);
	(void)itimer_maxrss_kb(tg);
	pthread_mutex_lock(&tg->k->lock);
	memset(&tg->itimer_virt, 0, sizeof(tg->itimer_virt));
	memset(&tg->itimer_prof, 0, sizeof(tg->itimer_prof));
	tg->cpu_timers_armed = 0;
	pthread_mutex_unlock(&tg->k->lock);
}

int itimer_set(struct task *t, int which, uint64_t value, uint64_t interval, uint64_t *old_value,
	       uint64_t *old_interval)
{
	struct thread_group *tg = t->tg;
	struct itimer_cpu *it;

	switch (which) {
	case ITIMER_REAL: {
		uint64_t now = mono_ns(), od = 0, oi = 0;

		ktimer_set(&tg->itimer_real, value ? ktime_add(now, value) : 0, interval, &od, &oi);
		*old_value = od ? (od > now ? od - now : NSEC_PER_USEC) : 0;
		*old_interval = oi;
		return 0;
	}
	case ITIMER_VIRTUAL:
		it = &tg->itimer_virt;
		break;
	case ITIMER_PROF:
		it = &tg->itimer_prof;
		break;
	default:
		return -EINVAL;
	}
	pthread_mutex_lock(&t->k->lock);
	*old_value = it->left;
	*old_interval = it->interval;
	it->left = value;
	it->interval = value ? interval : 0;
	STORE(tg->cpu_timers_armed, tg->itimer_virt.left || tg->itimer_prof.left);
	pthread_mutex_unlock(&t->k->lock);
	return 0;
}

int itimer_get(struct task *t, int which, uint64_t *value, uint64_t *interval)
{
	struct thread_group *tg = t->tg;

	switch (which) {
	case ITIMER_REAL: {
		uint64_t now = mono_ns(), d;

		ktimer_get(&tg->itimer_real, &d, interval);
		*value = d ? (d > now ? d - now : NSEC_PER_USEC) : 0;
		return 0;
	}
	case ITIMER_VIRTUAL:
	case ITIMER_PROF:
		pthread_mutex_lock(&t->k->lock);
		*value = which == ITIMER_VIRTUAL ? tg->itimer_virt.left : tg->itimer_prof.left;
		*interval = which == ITIMER_VIRTUAL ? tg->itimer_virt.interval
						    : tg->itimer_prof.interval;
		pthread_mutex_unlock(&t->k->lock);
		return 0;
	default:
		return -EINVAL;
	}
}
