/* SPDX-License-Identifier: Apache-2.0 */
#include "devfs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/sysmacros.h>

#include "pty.h"
#include "sentry/kernel/task.h"
#include "tty.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vnode.h"

static ssize_t null_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *off)
{
	(void)f, (void)t, (void)buf, (void)len, (void)off;
	return 0;
}

static ssize_t sink_write(struct file *f, struct task *t, const void *buf, size_t len,
			  int64_t *off)
{
	(void)f, (void)t, (void)buf, (void)off;
	return (ssize_t)len;
}

static ssize_t zero_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *off)
{
	(void)f, (void)t, (void)off;
	memset(buf, 0, len);
	return (ssize_t)len;
}

static ssize_t full_write(struct file *f, struct task *t, const void *buf, size_t len,
			  int64_t *off)
{
	(void)f, (void)t, (void)buf, (void)len, (void)off;
	return -ENOSPC;
}

static ssize_t random_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *off)
{
	ssize_t n;

	(void)f, (void)t, (void)off;
	n = getrandom(buf, len, 0);
	return n < 0 ? -EIO : n;
}

static int64_t dev_llseek(struct file *f, int64_t off, int whence, int64_t cur)
{
	(void)f, (void)off, (void)whence, (void)cur;
	return 0; /* character devices accept and ignore seeks */
}

static int dev_fstat(struct file *f, struct stat *st)
{
	vnode_stat(f->path.v, st);
	return 0;
}

static const struct file_ops null_fops = {
	.read = null_read, .write = sink_write, .llseek = dev_llseek, .fstat = dev_fstat,
};
static const struct file_ops zero_fops = {
	.read = zero_read, .write = sink_write, .llseek = dev_llseek, .fstat = dev_fstat,
};
static const struct file_ops full_fops = {
	.read = zero_read, .write = full_write, .llseek = dev_llseek, .fstat = dev_fstat,
};
static const struct file_ops random_fops = {
	.read = random_read, .write = sink_write, .llseek = dev_llseek, .fstat = dev_fstat,
};

static const struct {
	const char *name;
	unsigned major, minor;
	const struct file_ops *ops;
} devices[] = {
	{ "null", 1, 3, &null_fops },	  { "zero", 1, 5, &zero_fops },
	{ "full", 1, 7, &full_fops },	  { "random", 1, 8, &random_fops },
	{ "urandom", 1, 9, &random_fops }, { "tty", 5, 0, NULL },
	{ "ptmx", 5, 2, NULL },
};

/* /dev/tty: the caller's controlling terminal, ENXIO without one. */
static int open_ctty(unsigned flags, struct file **ret)
{
	struct task *t = task_current();
	struct tty *tty = t ? tty_current(t) : NULL;
	int r;

	if (!tty)
		return -ENXIO;
	r = pty_open_slave(tty, flags | O_NOCTTY, ret);
	tty_put(tty);
	return r;
}

int devfs_populate(struct vnode *dir)
{
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		int r = dir->ops->create(dir, devices[i].name, S_IFCHR | 0666,
					 makedev(devices[i].major, devices[i].minor), NULL, NULL);

		if (r < 0 && r != -EEXIST)
			return r;
	}
	return 0;
}

int devfs_open(struct vnode *v, unsigned flags, struct file **ret)
{
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		struct file *f;

		if (v->rdev != makedev(devices[i].major, devices[i].minor))
			continue;
		if (devices[i].major == 5 && devices[i].minor == 2) {
			struct task *t = task_current();

			return pty_open_master(t ? t->k : NULL, flags, ret);
		}
		if (!devices[i].ops)
			return open_ctty(flags, ret);
		f = file_new(devices[i].ops, NULL,
			     flags & ~(unsigned)(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY));
		if (!f)
			return -ENOMEM;
		*ret = f;
		return 0;
	}
	return -ENXIO;
}
