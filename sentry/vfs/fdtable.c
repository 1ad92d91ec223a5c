/* SPDX-License-Identifier: Apache-2.0 */
#include "fdtable.h"

#include <errno.h>
#include <stdlib.h>

#include "file.h"
#include "lock.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

/* An fd of @t referring to @f is gone: @t's POSIX locks on the file go
 * with it (as Linux, whichever fd they were taken through). */
static void close_file(struct fd_table *t, struct file *f)
{
	if (f && f->path.v)
		lock_release_posix(f, t);
	file_put(f);
}

struct fd_table *fdt_new(void)
{
	struct fd_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->refs = 1;
	pthread_mutex_init(&t->lock, NULL);
	return t;
}

struct fd_table *fdt_get(struct fd_table *t)
{
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
	return t;
}

void fdt_put(struct fd_table *t)
{
	if (!t || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (int i = 0; i < FDT_MAX; i++)
		close_file(t, t->v[i].file);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

struct fd_table *fdt_copy(struct fd_table *t)
{
	struct fd_table *n = fdt_new();

	if (!n)
		return NULL;
	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < FDT_MAX; i++) {
		n->v[i].file = file_get(t->v[i].file);
		n->v[i].cloexec = t->v[i].cloexec;
	}
	pthread_mutex_unlock(&t->lock);
	return n;
}

int fdt_install(struct fd_table *t, int min, struct file *f, int cloexec)
{
	return fdt_install_max(t, min, f, cloexec, FDT_MAX);
}

int fdt_install_max(struct fd_table *t, int min, struct file *f, int cloexec, int max)
{
	int fd = -EMFILE;

	if (max > FDT_MAX)
		max = FDT_MAX;
	if (min < 0)
		return -EINVAL;
	if (min >= max)
		return -EMFILE;
	pthread_mutex_lock(&t->lock);
	for (int i = min; i < max; i++)
		if (!t->v[i].file) {
			t->v[i].file = file_get(f);
			t->v[i].cloexec = !!cloexec;
			fd = i;
			break;
		}
	pthread_mutex_unlock(&t->lock);
	return fd;
}

struct file *fdt_lookup(struct fd_table *t, int fd)
{
	struct file *f = NULL;

	if (fd < 0 || fd >= FDT_MAX)
		return NULL;
	pthread_mutex_lock(&t->lock);
	f = file_get(t->v[fd].file);
	pthread_mutex_unlock(&t->lock);
	return f;
}

int fdt_close(struct fd_table *t, int fd)
{
	struct file *f;

	if (fd < 0 || fd >= FDT_MAX)
		return -EBADF;
	pthread_mutex_lock(&t->lock);
	f = t->v[fd].file;
	t->v[fd].file = NULL;
	t->v[fd].cloexec = 0;
	pthread_mutex_unlock(&t->lock);
	if (!f)
		return -EBADF;
	close_file(t, f); /* outside the lock: release may block */
	return 0;
}

int fdt_dup_to(struct fd_table *t, int oldfd, int newfd, int cloexec)
{
	struct file *old = NULL, *f;

	if (oldfd < 0 || oldfd >= FDT_MAX)
		return -EBADF;
	if (newfd < 0 || newfd >= FDT_MAX)
		return -EBADF;
	pthread_mutex_lock(&t->lock);
	f = t->v[oldfd].file;
	if (!f) {
		pthread_mutex_unlock(&t->lock);
		return -EBADF;
	}
	if (oldfd != newfd) {
		old = t->v[newfd].file;
		t->v[newfd].file = file_get(f);
	}
	t->v[newfd].cloexec = !!cloexec;
	pthread_mutex_unlock(&t->lock);
	close_file(t, old);
	return newfd;
}

int fdt_get_cloexec(struct fd_table *t, int fd)
{
	int r;

	if (fd < 0 || fd >= FDT_MAX)
		return -EBADF;
	pthread_mutex_lock(&t->lock);
	r = t->v[fd].file ? t->v[fd].cloexec : -EBADF;
	pthread_mutex_unlock(&t->lock);
	return r;
}

int fdt_set_cloexec(struct fd_table *t, int fd, int on)
{
	int r = 0;

	if (fd < 0 || fd >= FDT_MAX)
		return -EBADF;
	pthread_mutex_lock(&t->lock);
	if (t->v[fd].file)
		t->v[fd].cloexec = !!on;
	else
		r = -EBADF;
	pthread_mutex_unlock(&t->lock);
	return r;
}

void fdt_close_cloexec(struct fd_table *t)
{
	for (int i = 0; i < FDT_MAX; i++) {
		struct file *f = NULL;

		pthread_mutex_lock(&t->lock);
		if (t->v[i].file && t->v[i].cloexec) {
			f = t->v[i].file;
			t->v[i].file = NULL;
			t->v[i].cloexec = 0;
		}
		pthread_mutex_unlock(&t->lock);
		close_file(t, f);
	}
}

int fdt_close_range(struct fd_table *t, unsigned first, unsigned last, unsigned flags)
{
	if (flags & ~(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	for (unsigned i = first; i <= last && i < FDT_MAX; i++) {
		if (flags & CLOSE_RANGE_CLOEXEC)
			(void)fdt_set_cloexec(t, (int)i, 1);
		else
			(void)fdt_close(t, (int)i);
	}
	return 0;
}
