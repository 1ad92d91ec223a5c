/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Garbage collection of AF_UNIX sockets kept alive only by SCM_RIGHTS
 * messages queued on sockets in the same situation (a socket sent over
 * itself, two sockets sent to each other, then closed).  Nothing outside
 * the queues can reach them, so no release would ever run.
 *
 * As Linux's collector: a candidate is a socket whose file references all
 * come from queued messages (file refs == inflight).  References from
 * candidates' own queues are internal; a candidate with any other
 * reference is alive, and so is every candidate reachable from an alive
 * one's queue.  The queues of the remaining candidates are purged, which
 * drops the references and lets the ordinary releases run.
 *
 * A file with refs == inflight is held by no fd table and no syscall in
 * progress, so its count can only grow under unix_lock (receiving), which
 * the collector holds: the snapshot is stable enough.  Runs when a socket
 * is released and when files are sent, like Linux.
 */
#include <stdlib.h>

#include "sentry/vfs/file.h"
#include "unix_impl.h"

static int file_refs(struct file *f)
{
	return __atomic_load_n(&f->refs, __ATOMIC_ACQUIRE);
}

/* Call @fn for every socket referenced from @s's queues (its own and, for
 * a listener, those of its embryos). */
static void each_ref(struct usock *s, void (*fn)(struct usock *x, int *changed), int *changed)
{
	for (struct usock *q = s; q; q = q == s ? s->accq : q->acc_next)
		for (struct uchunk *c = q->rq; c; c = c->next)
			for (int i = 0; i < c->ctl.nfiles; i++) {
				struct usock *x = unix_sock(c->ctl.files[i]);

				if (x)
					fn(x, changed);
			}
}

static void drop_internal(struct usock *x, int *changed)
{
	(void)changed;
	if (x->gc_candidate)
		x->gc_cnt--;
}

static void mark_alive(struct usock *x, int *changed)
{
	if (x->gc_candidate && !x->gc_alive) {
		x->gc_alive = 1;
		*changed = 1;
	}
}

static void purge(struct usock *s, struct us_grave *g)
{
	for (struct usock *q = s; q; q = q == s ? s->accq : q->acc_next)
		while (q->rq) {
			struct uchunk *c = us_dequeue(q);

			c->next = g->chunks;
			g->chunks = c;
		}
}

void us_gc_locked(struct us_grave *g)
{
	int changed = 1, any = 0;

	if (!us_inflight_total)
		return;
	for (struct usock *s = us_all; s; s = s->all_next) {
		s->gc_candidate = s->file && !s->dead && s->inflight > 0 &&
				  file_refs(s->file) == s->inflight;
		s->gc_cnt = s->inflight;
		s->gc_alive = 0;
		any |= s->gc_candidate;
	}
	if (!any)
		return;
	for (struct usock *s = us_all; s; s = s->all_next)
		if (s->gc_candidate)
			each_ref(s, drop_internal, NULL);
	for (struct usock *s = us_all; s; s = s->all_next)
		if (s->gc_candidate && s->gc_cnt > 0)
			s->gc_alive = 1;
	while (changed) {
		changed = 0;
		for (struct usock *s = us_all; s; s = s->all_next)
			if (s->gc_candidate && s->gc_alive)
				each_ref(s, mark_alive, &changed);
	}
	for (struct usock *s = us_all; s; s = s->all_next)
		if (s->gc_candidate && !s->gc_alive)
			purge(s, g);
}
