/* SPDX-License-Identifier: Apache-2.0 */
/* The POSIX-timer part of img_state_check (image.h): ids, clocks,
 * notifications, signals and target threads of each process's timers. */
#include <errno.h>
#include <stdint.h>

#include "checkpoint/image.h"

#define IMG_PTIMER_MAX 256 /* the Sentry's PTIMER_MAX */
/* the Linux values (the image format is Linux's, whatever the builder's) */
#define IMG_CLOCK_REALTIME 0
#define IMG_CLOCK_MONOTONIC 1
#define IMG_CLOCK_BOOTTIME 7
#define IMG_SIGEV_SIGNAL 0
#define IMG_SIGEV_NONE 1
#define IMG_SIGEV_THREAD_ID 4

int img_check_posix_timers(const Cvisor__Ckpt__ThreadGroup *g, struct img_error *err)
{
	uint8_t seen[IMG_PTIMER_MAX] = { 0 };

	if (g->n_posix_timers > IMG_PTIMER_MAX || (g->zombie && g->n_posix_timers))
		return img_fail(err, -EBADMSG, "state: process %d: bad POSIX timers", g->tgid);
	for (size_t i = 0; i < g->n_posix_timers; i++) {
		const Cvisor__Ckpt__PosixTimer *t = g->posix_timers[i];
		int tid_ok = 0;

		if (t->id < 0 || t->id >= IMG_PTIMER_MAX || seen[t->id])
			return img_fail(err, -EBADMSG, "state: process %d: bad timer id %d",
					g->tgid, t->id);
		seen[t->id] = 1;
		if (t->clock != IMG_CLOCK_REALTIME && t->clock != IMG_CLOCK_MONOTONIC &&
		    t->clock != IMG_CLOCK_BOOTTIME)
			return img_fail(err, -EBADMSG, "state: process %d: timer %d: bad clock %d",
					g->tgid, t->id, t->clock);
		if (t->notify != IMG_SIGEV_NONE && t->notify != IMG_SIGEV_SIGNAL &&
		    t->notify != IMG_SIGEV_THREAD_ID)
			return img_fail(err, -EBADMSG, "state: process %d: timer %d: bad sigevent",
					g->tgid, t->id);
		if (t->notify != IMG_SIGEV_NONE && (t->signo < 1 || t->signo > 64))
			return img_fail(err, -EBADMSG, "state: process %d: timer %d: bad signal %d",
					g->tgid, t->id, t->signo);
		if (t->overrun < 0)
			return img_fail(err, -EBADMSG, "state: process %d: timer %d: bad overrun",
					g->tgid, t->id);
		if (t->notify != IMG_SIGEV_THREAD_ID || t->tid == 0) /* 0: its thread exited */
			continue;
		for (size_t j = 0; j < g->n_tasks; j++)
			tid_ok |= g->tasks[j] && g->tasks[j]->tid == t->tid;
		if (!tid_ok)
			return img_fail(err, -EBADMSG,
					"state: process %d: timer %d: thread %d not in the process",
					g->tgid, t->id, t->tid);
	}
	return 0;
}
