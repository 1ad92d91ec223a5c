/* SPDX-License-Identifier: Apache-2.0 */
/*
 * POSIX timers in checkpoint images (ckpt.h): each timer of a process with
 * its id, clock, notification and its next expiry as an absolute
 * CLOCK_MONOTONIC deadline (as ITIMER_REAL: the host's monotonic clock
 * goes on, a deadline that passed meanwhile fires at once).  A queued
 * timer signal is a pending signal with si_timerid: the timer keeps its
 * id, so the signal still belongs to it (overruns, timer_settime dropping
 * it).  A SIGEV_THREAD_ID timer whose thread has exited is saved with
 * tid 0: it keeps counting, signalling nobody, as before.  The image's
 * fields are validated by checkpoint/image_timers.c.
 */
#include <errno.h>
#include <signal.h>

#include "sentry/kernel/ckpt.h"
#include "checkpoint/image.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/ptimer.h"
#include "sentry/kernel/task.h"

#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif

int ckpt_timers_save_group_locked(const struct thread_group *tg, struct Cvisor__Ckpt__ThreadGroup *g,
				  void *(*alloc)(void *ctx, size_t n), void *ctx)
{
	struct ptimer_state st;
	size_t n = 0;

	for (int id = 0; id < PTIMER_MAX; id++)
		if (ptimer_export_locked(tg, id, &st) == 0)
			n++;
	if (!n)
		return 0;
	g->posix_timers = alloc(ctx, n * sizeof(*g->posix_timers));
	if (!g->posix_timers)
		return -ENOMEM;
	for (int id = 0; id < PTIMER_MAX; id++) {
		Cvisor__Ckpt__PosixTimer *pt;

		if (ptimer_export_locked(tg, id, &st) < 0)
			continue;
		pt = alloc(ctx, sizeof(*pt));
		if (!pt)
			return -ENOMEM;
		cvisor__ckpt__posix_timer__init(pt);
		pt->id = st.id;
		pt->clock = st.clock;
		pt->notify = st.notify;
		pt->signo = st.signo;
		pt->tid = st.tid;
		/* a SIGEV_THREAD_ID target that has exited: nobody to tell (0) */
		if (st.notify == SIGEV_THREAD_ID &&
		    (st.tid <= 0 || st.tid >= KERNEL_PID_MAX || !tg->k->tids[st.tid] ||
		     tg->k->tids[st.tid]->tg != tg))
			pt->tid = 0;
		pt->value = st.value;
		pt->next_ns = st.next;
		pt->interval_ns = st.interval;
		pt->overrun = st.overrun;
		g->posix_timers[g->n_posix_timers++] = pt;
	}
	return 0;
}

int ckpt_timers_restore_group(struct thread_group *tg, const struct Cvisor__Ckpt__ThreadGroup *g)
{
	for (size_t i = 0; i < g->n_posix_timers; i++) {
		const Cvisor__Ckpt__PosixTimer *pt = g->posix_timers[i];
		struct ptimer_state st = {
			.id = pt->id,
			.clock = pt->clock,
			.notify = pt->notify,
			.signo = pt->signo,
			.tid = pt->tid,
			.value = pt->value,
			.next = pt->next_ns,
			.interval = pt->interval_ns,
			.overrun = pt->overrun,
		};
		int r = ptimer_import(tg, &st);

		if (r < 0)
			return r;
	}
	return 0;
}
