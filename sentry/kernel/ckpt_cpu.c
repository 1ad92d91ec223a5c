/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CPU accounting in checkpoint images (ckpt.h): each task's user and
 * system time, each group's exited threads', reaped children's and
 * high-water RSS, so CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
 * getrusage and times never go back across a restore (a zombie's are what
 * its parent's wait adds to the parent's children's times).
 */
#include "sentry/kernel/ckpt.h"
#include "checkpoint/image.h"
#include "sentry/kernel/itimer.h"
#include "sentry/kernel/task.h"

/* A CPU time from an image: at most ~292 years, so sums cannot wrap. */
#define CPU_NS_MAX (UINT64_MAX / 4)

static uint64_t clamp(uint64_t v)
{
	return v > CPU_NS_MAX ? CPU_NS_MAX : v;
}

void ckpt_cpu_save_task(struct task *t, Cvisor__Ckpt__Task *pt)
{
	uint64_t u, s;

	task_cputime(t, &u, &s);
	pt->utime_ns = u;
	pt->stime_ns = s;
}

void ckpt_cpu_save_group_locked(const struct thread_group *tg, Cvisor__Ckpt__ThreadGroup *g)
{
	g->dead_utime_ns = tg->dead_utime_ns;
	g->dead_stime_ns = tg->dead_stime_ns;
	g->cutime_ns = tg->cutime_ns;
	g->cstime_ns = tg->cstime_ns;
	g->maxrss_kb = tg->maxrss_kb;
	g->cmaxrss_kb = tg->cmaxrss_kb;
}

/* After itimer_task_init (which zeroes them), before the task runs. */
void ckpt_cpu_restore_task(struct task *t, const Cvisor__Ckpt__Task *pt)
{
	t->utime_ns = clamp(pt->utime_ns);
	t->stime_ns = clamp(pt->stime_ns);
}

void ckpt_cpu_restore_group(struct thread_group *tg, const Cvisor__Ckpt__ThreadGroup *g)
{
	tg->dead_utime_ns = clamp(g->dead_utime_ns);
	tg->dead_stime_ns = clamp(g->dead_stime_ns);
	tg->cutime_ns = clamp(g->cutime_ns);
	tg->cstime_ns = clamp(g->cstime_ns);
	tg->maxrss_kb = clamp(g->maxrss_kb);
	tg->cmaxrss_kb = clamp(g->cmaxrss_kb);
}
