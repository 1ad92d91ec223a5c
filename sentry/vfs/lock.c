/* SPDX-License-Identifier: Apache-2.0 */
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "file.h"
#include "notify.h"
#include "sentry/kernel/task.h"

struct lock_rec {
	struct lock_rec *next;
	dev_t dev;
	uint64_t ino;
	enum lock_kind kind;
	const void *owner;
	int type;
	uint64_t start, end;
	int32_t pid;
};

/* A POSIX owner blocked in lock_set on another (for deadlock detection). */
struct waiter {
	struct waiter *next;
	const void *owner, *blocked_on;
};

static pthread_mutex_t lock_mu = PTHREAD_MUTEX_INITIALIZER; /* everything below */
static pthread_cond_t lock_cond = PTHREAD_COND_INITIALIZER; /* a lock went away */
static struct lock_rec *locks;
static struct waiter *waiters;
static unsigned nlocks; /* records in the table, at most LOCK_MAX */

/* A guest must not grow the Sentry without bound: -ENOLCK beyond this. */
#define LOCK_MAX 16384

static int same_file(const struct lock_rec *l, const struct file *f)
{
	return l->dev == f->path.v->dev && l->ino == f->path.v->ino;
}

/* POSIX and OFD locks share one space; flock locks have their own. */
static int same_space(enum lock_kind a, enum lock_kind b)
{
	return (a == LOCK_KIND_FLOCK) == (b == LOCK_KIND_FLOCK);
}

static int overlaps(const struct lock_rec *l, uint64_t start, uint64_t end)
{
	return l->start <= end && start <= l->end;
}

static struct lock_rec *find_conflict(const struct file *f, enum lock_kind kind,
				      const void *owner, const struct lock_range *req)
{
	for (struct lock_rec *l = locks; l; l = l->next)
		if (same_file(l, f) && same_space(l->kind, kind) && l->owner != owner &&
		    overlaps(l, req->start, req->end) &&
		    (l->type == F_WRLCK || req->type == F_WRLCK))
			return l;
	return NULL;
}

/* Would @owner waiting on @blocker close a cycle of POSIX waiters? */
static int would_deadlock(const void *owner, const void *blocker)
{
	const void *cur = blocker;

	for (int hops = 0; hops < 64 && cur; hops++) {
		const void *next = NULL;

		if (cur == owner)
			return 1;
		for (struct waiter *w = waiters; w; w = w->next)
			if (w->owner == cur) {
				next = w->blocked_on;
				break;
			}
		cur = next;
	}
	return 0;
}

static struct lock_rec *rec_new(const struct file *f, enum lock_kind kind, const void *owner,
				int type, uint64_t start, uint64_t end, int32_t pid)
{
	struct lock_rec *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	nlocks++;
	l->dev = f->path.v->dev;
	l->ino = f->path.v->ino;
	l->kind = kind;
	l->owner = owner;
	l->type = type;
	l->start = start;
	l->end = end;
	l->pid = pid;
	return l;
}

/*
 * Apply @req for @owner with no conflict left (lock_mu held): cut the
 * owner's locks out of the range, then add the new one, merged with
 * touching locks of the same type.  All allocations happen first, so a
 * failure changes nothing.
 */
static int apply_locked(struct file *f, enum lock_kind kind, const void *owner,
			const struct lock_range *req, int32_t pid)
{
	struct lock_rec *add = NULL, *tails[64];
	int ntails = 0, splits = 0;
	uint64_t start = req->start, end = req->end;

	for (struct lock_rec *l = locks; l; l = l->next)
		if (same_file(l, f) && l->kind == kind && l->owner == owner &&
		    overlaps(l, start, end) && l->start < start && l->end > end)
			splits++;
	if (splits > (int)(sizeof(tails) / sizeof(tails[0])) ||
	    nlocks + (unsigned)splits + (req->type != F_UNLCK) > LOCK_MAX)
		return -ENOLCK;
	for (int i = 0; i < splits; i++) {
		tails[i] = calloc(1, sizeof(**tails));
		if (!tails[i]) {
			while (i--)
				free(tails[i]);
			return -ENOLCK;
		}
	}
	if (req->type != F_UNLCK) {
		add = rec_new(f, kind, owner, req->type, start, end, pid);
		if (!add) {
			for (int i = 0; i < splits; i++)
				free(tails[i]);
			return -ENOLCK;
		}
	}
	for (struct lock_rec **pp = &locks; *pp;) {
		struct lock_rec *l = *pp;

		if (!same_file(l, f) || l->kind != kind || l->owner != owner) {
			pp = &l->next;
			continue;
		}
		/* merge touching or overlapping locks of the same type */
		if (add && l->type == add->type &&
		    (overlaps(l, start, end) || (l->end != UINT64_MAX && l->end + 1 == start) ||
		     (end != UINT64_MAX && end + 1 == l->start))) {
			if (l->start < add->start)
				add->start = l->start;
			if (l->end > add->end)
				add->end = l->end;
			*pp = l->next;
			free(l);
			nlocks--;
			continue;
		}
		if (!overlaps(l, start, end)) {
			pp = &l->next;
			continue;
		}
		if (l->start < start && l->end > end) {
			struct lock_rec *tail = tails[ntails++];

			nlocks++;
			*tail = *l;
			tail->start = end + 1;
			l->end = start - 1;
			tail->next = l->next;
			l->next = tail;
			pp = &tail->next;
		} else if (l->start < start) {
			l->end = start - 1;
			pp = &l->next;
		} else if (l->end > end) {
			l->start = end + 1;
			pp = &l->next;
		} else {
			*pp = l->next;
			free(l);
			nlocks--;
		}
	}
	for (int i = ntails; i < splits; i++)
		free(tails[i]);
	if (add) {
		add->next = locks;
		locks = add;
	}
	pthread_cond_broadcast(&lock_cond);
	return 0;
}

static int wait_locked(struct task *t)
{
	return vfs_wait_interruptible(t, &lock_cond, &lock_mu);
}

int lock_set(struct task *t, struct file *f, enum lock_kind kind, const void *owner,
	     const struct lock_range *req, int wait)
{
	struct waiter me = { .owner = owner };
	int r = 0, waiting = 0;

	if (!f->path.v)
		return -EINVAL;
	pthread_mutex_lock(&lock_mu);
	for (;;) {
		struct lock_rec *c = req->type == F_UNLCK ? NULL : find_conflict(f, kind, owner, req);

		if (!c) {
			r = apply_locked(f, kind, owner, req, t->tg->tgid);
			break;
		}
		if (!wait) {
			r = -EAGAIN;
			break;
		}
		if (kind == LOCK_KIND_POSIX && c->kind == LOCK_KIND_POSIX &&
		    would_deadlock(owner, c->owner)) {
			r = -EDEADLK;
			break;
		}
		me.blocked_on = c->kind == LOCK_KIND_POSIX ? c->owner : NULL;
		if (kind == LOCK_KIND_POSIX && !waiting) {
			me.next = waiters;
			waiters = &me;
			waiting = 1;
		}
		r = wait_locked(t);
		if (r < 0)
			break;
	}
	if (waiting)
		for (struct waiter **pp = &waiters; *pp; pp = &(*pp)->next)
			if (*pp == &me) {
				*pp = me.next;
				break;
			}
	pthread_mutex_unlock(&lock_mu);
	return r;
}

void lock_test(struct file *f, enum lock_kind kind, const void *owner,
	       const struct lock_range *req, struct lock_range *ret)
{
	struct lock_rec *c;

	ret->type = F_UNLCK;
	if (!f->path.v)
		return;
	pthread_mutex_lock(&lock_mu);
	c = find_conflict(f, kind, owner, req);
	if (c) {
		ret->type = c->type;
		ret->start = c->start;
		ret->end = c->end;
		ret->pid = c->kind == LOCK_KIND_POSIX ? c->pid : -1;
		ret->kind = c->kind;
	}
	pthread_mutex_unlock(&lock_mu);
}

/* Drop @owner's locks on @f's file: its POSIX ones, or its OFD and flock
 * ones. */
static void drop(struct file *f, int posix, const void *owner)
{
	int dropped = 0;

	if (!f->path.v)
		return;
	pthread_mutex_lock(&lock_mu);
	for (struct lock_rec **pp = &locks; *pp;) {
		struct lock_rec *l = *pp;

		if (same_file(l, f) && l->owner == owner &&
		    (posix ? l->kind == LOCK_KIND_POSIX : l->kind != LOCK_KIND_POSIX)) {
			*pp = l->next;
			free(l);
			nlocks--;
			dropped = 1;
		} else {
			pp = &l->next;
		}
	}
	if (dropped)
		pthread_cond_broadcast(&lock_cond);
	pthread_mutex_unlock(&lock_mu);
}

void lock_release_posix(struct file *f, const void *owner)
{
	drop(f, 1, owner);
}

void lock_release_file(struct file *f)
{
	drop(f, 0, f);
}
