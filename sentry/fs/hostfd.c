/* SPDX-License-Identifier: Apache-2.0 */
#include "hostfd.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "lib/macro.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"

static int hfd(struct file *f)
{
	return (int)(intptr_t)f->priv;
}

/* Host errors reach the application only through this translation. */
static ssize_t host_err(void)
{
	switch (errno) {
	case EAGAIN:
	case EPIPE:
	case EINTR:
	case ENOSPC:
	case EFBIG:
	case EISDIR:
	case EINVAL:
		return -errno;
	default:
		return -EIO;
	}
}

/*
 * A blocking read or write of a host fd (a terminal, a pipe from the
 * host) must not pin the task's Sentry thread in the host kernel, where
 * neither a signal nor a group exit could reach it: wait for readiness in
 * 50 ms polls, checking the task in between (-ERESTARTSYS for a signal,
 * -EINTR when it must die), as pipe waits do.  0 when ready (or in error:
 * the read or write reports it).
 */
static int wait_ready(struct file *f, struct task *t, short events)
{
	int nonblock;

	if (!t)
		return 0;
	pthread_mutex_lock(&f->lock);
	nonblock = !!(f->flags & O_NONBLOCK);
	pthread_mutex_unlock(&f->lock);
	if (nonblock)
		return 0;
	for (int timeout = 0;; timeout = 50) {
		struct pollfd p = { .fd = hfd(f), .events = events };
		int r;

		task_block_begin(t);
		r = poll(&p, 1, timeout);
		task_block_end(t);

		if (r > 0 || (r < 0 && errno != EINTR))
			return 0;
		r = task_interrupted(t, -ERESTARTSYS);
		if (r < 0)
			return r;
	}
}

static ssize_t hostfd_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *off)
{
	ssize_t n;
	int r = wait_ready(f, t, POLLIN);

	(void)off;
	if (r < 0)
		return r;
	do
		n = read(hfd(f), buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? host_err() : n;
}

static ssize_t hostfd_write(struct file *f, struct task *t, const void *buf, size_t len,
			    int64_t *off)
{
	ssize_t n;
	int r = wait_ready(f, t, POLLOUT);

	(void)off;
	if (r < 0)
		return r;
	do
		n = write(hfd(f), buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? host_err() : n;
}

static int64_t hostfd_llseek(struct file *f, int64_t off, int whence, int64_t cur)
{
	off_t r = lseek(hfd(f), off, whence);

	(void)cur;
	if (r < 0)
		return errno == ESPIPE ? -ESPIPE : -EINVAL;
	return r;
}

static int hostfd_fstat(struct file *f, struct stat *st)
{
	return fstat(hfd(f), st) < 0 ? -EIO : 0;
}

static void hostfd_release(struct file *f)
{
	safe_close(hfd(f));
}

static unsigned hostfd_poll(struct file *f)
{
	struct pollfd p = { .fd = hfd(f), .events = POLLIN | POLLOUT };

	if (poll(&p, 1, 0) < 0)
		return POLLERR;
	return (unsigned)p.revents;
}

/* Terminal queries only: nothing that changes the host's terminal. */
static int64_t hostfd_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	union {
		struct termios tio;
		struct winsize ws;
		int i;
	} u;
	size_t len;

	switch (cmd) {
	case TCGETS:
		len = 36; /* the kernel's struct termios, not glibc's */
		break;
	case TIOCGWINSZ:
		len = sizeof(u.ws);
		break;
	case FIONREAD:
		len = sizeof(u.i);
		break;
	default:
		return -ENOTTY;
	}
	if (ioctl(hfd(f), cmd, &u) < 0)
		return errno == ENOTTY || errno == EINVAL ? -ENOTTY : -EIO;
	return task_copy_out(t, arg, &u, len) == (ssize_t)len ? 0 : -EFAULT;
}

static const struct file_ops hostfd_ops = {
	.poll = hostfd_poll,
	.ioctl = hostfd_ioctl,
	.read = hostfd_read,
	.write = hostfd_write,
	.llseek = hostfd_llseek,
	.fstat = hostfd_fstat,
	.release = hostfd_release,
};

int hostfd_file_is(const struct file *f)
{
	return f->ops == &hostfd_ops;
}

struct file *hostfd_file(int hostfd, unsigned flags)
{
	return file_new(&hostfd_ops, (void *)(intptr_t)hostfd, flags);
}
