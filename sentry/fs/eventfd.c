/* SPDX-License-Identifier: Apache-2.0 */
/* eventfd: a counter read and written 8 bytes at a time (eventfd(2)). */
#include "eventfd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

#include "lib/macro.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/notify.h"

#define EFD_MAX (UINT64_MAX - 1)

struct efd {
	pthread_mutex_t lock; /* protects count */
	pthread_cond_t cond;
	uint64_t count;
	int semaphore;
	uint64_t ino;
};

static uint64_t efd_ino_next = 1;

static int nonblocking(struct file *f)
{
	int nb;

	pthread_mutex_lock(&f->lock);
	nb = !!(f->flags & O_NONBLOCK);
	pthread_mutex_unlock(&f->lock);
	return nb;
}

/* Block on @e (locked) for a change; -ERESTARTSYS on a signal. */
static int efd_block(struct efd *e, struct task *t)
{
	return vfs_wait_interruptible(t, &e->cond, &e->lock);
}

static ssize_t efd_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *off)
{
	struct efd *e = f->priv;
	int nb = nonblocking(f);
	uint64_t v = 0;
	int r = 0;

	(void)off;
	if (len < sizeof(v))
		return -EINVAL;
	pthread_mutex_lock(&e->lock);
	while (e->count == 0 && r == 0)
		r = nb ? -EAGAIN : efd_block(e, t);
	if (r == 0) {
		v = e->semaphore ? 1 : e->count;
		e->count -= v;
		pthread_cond_broadcast(&e->cond);
	}
	pthread_mutex_unlock(&e->lock);
	if (r < 0)
		return r;
	vfs_notify();
	memcpy(buf, &v, sizeof(v));
	return sizeof(v);
}

static ssize_t efd_write(struct file *f, struct task *t, const void *buf, size_t len,
			 int64_t *off)
{
	struct efd *e = f->priv;
	int nb = nonblocking(f);
	uint64_t v;
	int r = 0;

	(void)off;
	if (len < sizeof(v))
		return -EINVAL;
	memcpy(&v, buf, sizeof(v));
	if (v == UINT64_MAX)
		return -EINVAL;
	pthread_mutex_lock(&e->lock);
	while (EFD_MAX - e->count < v && r == 0)
		r = nb ? -EAGAIN : efd_block(e, t);
	if (r == 0) {
		e->count += v;
		pthread_cond_broadcast(&e->cond);
	}
	pthread_mutex_unlock(&e->lock);
	if (r < 0)
		return r;
	vfs_notify();
	return sizeof(v);
}

static unsigned efd_poll(struct file *f)
{
	struct efd *e = f->priv;
	unsigned ev = 0;

	pthread_mutex_lock(&e->lock);
	if (e->count > 0)
		ev |= POLLIN | POLLRDNORM;
	if (e->count < EFD_MAX)
		ev |= POLLOUT | POLLWRNORM;
	pthread_mutex_unlock(&e->lock);
	return ev;
}

int anon_fstat(struct stat *st, uint64_t ino)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IRUSR | S_IWUSR; /* an anonymous inode: no file type */
	st->st_nlink = 1;
	st->st_blksize = 4096;
	st->st_dev = 0xe; /* anon_inodefs */
	st->st_ino = (ino_t)ino;
	return 0;
}

static int efd_fstat(struct file *f, struct stat *st)
{
	return anon_fstat(st, ((struct efd *)f->priv)->ino);
}

static void efd_release(struct file *f)
{
	struct efd *e = f->priv;

	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->cond);
	free(e);
}

static const struct file_ops efd_ops = {
	.read = efd_read,
	.write = efd_write,
	.poll = efd_poll,
	.fstat = efd_fstat,
	.release = efd_release,
};

int eventfd_file_new(uint64_t initval, unsigned flags, struct file **ret)
{
	struct efd *e;
	struct file *f;

	if (flags & ~(unsigned)(EFD_SEMAPHORE | EFD_NONBLOCK))
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->cond, NULL);
	e->count = initval;
	e->semaphore = !!(flags & EFD_SEMAPHORE);
	e->ino = __atomic_fetch_add(&efd_ino_next, 1, __ATOMIC_RELAXED);
	f = file_new(&efd_ops, e, O_RDWR | (flags & EFD_NONBLOCK ? O_NONBLOCK : 0));
	if (!f) {
		struct file tmp = { .priv = e };

		efd_release(&tmp);
		return -ENOMEM;
	}
	*ret = f;
	return 0;
}

int eventfd_ckpt_get(struct file *f, uint64_t *ret_count, int *ret_semaphore)
{
	struct efd *e;

	if (f->ops != &efd_ops)
		return -EINVAL;
	e = f->priv;
	pthread_mutex_lock(&e->lock);
	*ret_count = e->count;
	*ret_semaphore = e->semaphore;
	pthread_mutex_unlock(&e->lock);
	return 0;
}
