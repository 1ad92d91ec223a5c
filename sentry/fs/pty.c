/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pseudo-terminal masters and slaves: the file operations of both ends.
 * Master writes are the slave's input (through the line discipline),
 * slave writes (output-processed) and echoes are what the master reads.
 */
#include "pty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/notify.h"
#include "tty.h"

static const struct file_ops master_ops;
static const struct file_ops slave_ops;

static struct tty *tty_of(struct file *f)
{
	return f->priv;
}

static int nonblocking(struct file *f)
{
	int nb;

	pthread_mutex_lock(&f->lock);
	nb = !!(f->flags & O_NONBLOCK);
	pthread_mutex_unlock(&f->lock);
	return nb;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void changed_locked(struct tty *tty)
{
	pthread_cond_broadcast(&tty->cond);
	vfs_notify();
}

/* ---- master ---- */

static ssize_t master_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *off)
{
	struct tty *tty = tty_of(f);
	int nb = nonblocking(f);
	ssize_t r = 0;

	(void)off;
	if (len == 0)
		return 0;
	pthread_mutex_lock(&tty->lock);
	while (tty->out.len == 0) {
		if (tty->slave_closed) {
			r = -EIO;
			goto out;
		}
		if (nb) {
			r = -EAGAIN;
			goto out;
		}
		r = vfs_wait_interruptible(t, &tty->cond, &tty->lock);
		if (r < 0)
			goto out;
	}
	r = (ssize_t)tty_ring_take(&tty->out, buf, len);
	changed_locked(tty);
out:
	pthread_mutex_unlock(&tty->lock);
	return r;
}

static ssize_t master_write(struct file *f, struct task *t, const void *buf, size_t len,
			    int64_t *off)
{
	struct tty *tty = tty_of(f);
	const uint8_t *p = buf;
	int nb = nonblocking(f);
	uint64_t sigs = 0;
	size_t done = 0;
	int r = 0;

	(void)off;
	pthread_mutex_lock(&tty->lock);
	while (done < len) {
		if (!tty_ldisc_can_receive_locked(tty)) {
			/* blocking writes go on until everything is in */
			if (nb) {
				r = -EAGAIN;
				break;
			}
			r = vfs_wait_interruptible(t, &tty->cond, &tty->lock);
			if (r < 0)
				break;
			continue;
		}
		sigs |= tty_ldisc_receive_locked(tty, p[done++]);
		tty->rx_ns = now_ns();
	}
	if (done)
		changed_locked(tty);
	pthread_mutex_unlock(&tty->lock);
	tty_signal_fg(tty, sigs);
	return done ? (ssize_t)done : r;
}

static unsigned master_poll(struct file *f)
{
	struct tty *tty = tty_of(f);
	unsigned ev = 0;

	pthread_mutex_lock(&tty->lock);
	if (tty->out.len)
		ev |= POLLIN | POLLRDNORM;
	if (tty->slave_closed)
		ev |= POLLHUP;
	if (tty_ldisc_can_receive_locked(tty))
		ev |= POLLOUT | POLLWRNORM;
	pthread_mutex_unlock(&tty->lock);
	return ev;
}

static int64_t master_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	struct tty *tty = tty_of(f);
	unsigned u;
	int v, fd;
	int64_t r;

	switch (cmd) {
	case TIOCGPTN:
		u = (unsigned)tty->index;
		return task_copy_out(t, arg, &u, sizeof(u)) == sizeof(u) ? 0 : -EFAULT;
	case TIOCSPTLCK:
		if (task_copy_in(t, arg, &v, sizeof(v)) != sizeof(v))
			return -EFAULT;
		pthread_mutex_lock(&tty->lock);
		tty->locked = v != 0;
		pthread_mutex_unlock(&tty->lock);
		return 0;
	case TIOCGPTLCK:
		pthread_mutex_lock(&tty->lock);
		v = tty->locked;
		pthread_mutex_unlock(&tty->lock);
		return task_copy_out(t, arg, &v, sizeof(v)) == sizeof(v) ? 0 : -EFAULT;
	case TIOCGPTPEER: {
		struct path p;
		struct file *s;

		if (devpts_slave_path(tty, &p) < 0)
			return -EIO;
		/* Linux takes any flags; only these mean something here */
		r = pty_open_slave(tty, ((unsigned)arg & (O_ACCMODE | O_NONBLOCK)) | O_NOCTTY, &s);
		if (r < 0) {
			path_put(&p);
			return r;
		}
		s->path = p;
		fd = fdt_install_max(t->fdt, 0, s, !!(arg & O_CLOEXEC), task_fd_limit(t));
		file_put(s);
		return fd;
	}
	}
	r = tty_ioctl(tty, t, cmd, arg, 1, file_readable(f));
	return r == -TTY_ENOIOCTLCMD ? -ENOTTY : r;
}

static int pty_fstat(struct file *f, struct stat *st)
{
	struct tty *tty = tty_of(f);

	if (!f->path.v && tty->host_fd >= 0)
		return fstat(tty->host_fd, st) < 0 ? -EIO : 0;
	if (!f->path.v)
		return -EBADF;
	vnode_stat(f->path.v, st);
	return 0;
}

static void master_release(struct file *f)
{
	struct tty *tty = tty_of(f);
	int last;

	pthread_mutex_lock(&tty->lock);
	last = --tty->masters == 0;
	if (last)
		tty->hungup = 1;
	changed_locked(tty);
	pthread_mutex_unlock(&tty->lock);
	if (last) {
		devpts_remove(tty);
		tty_hangup(tty);
	}
	tty_put(tty);
}

static const struct file_ops master_ops = {
	.read = master_read,
	.write = master_write,
	.poll = master_poll,
	.ioctl = master_ioctl,
	.fstat = pty_fstat,
	.release = master_release,
};

int pty_open_master(struct kernel *k, unsigned flags, struct file **ret)
{
	struct task *t = task_current();
	struct tty *tty;
	struct file *f;
	int r;

	if (!k)
		return -ENODEV;
	tty = tty_new(k, -1);
	if (!tty)
		return -ENOMEM;
	/* Linux's pty master termios: raw; the slave's is the standard one.
	 * Both ends share the slave's here (the master side is never
	 * line-disciplined). */
	tty->locked = 1;
	tty->masters = 1;
	r = devpts_add(k, tty, t);
	if (r < 0) {
		tty_put(tty);
		return r;
	}
	f = file_new(&master_ops, tty, flags & ~(unsigned)(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY));
	if (!f) {
		/* undo: as if the master closed */
		devpts_remove(tty);
		tty_put(tty);
		return -ENOMEM;
	}
	*ret = f;
	return 0;
}

/* ---- slave ---- */

static ssize_t slave_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *off)
{
	struct tty *tty = tty_of(f);
	int nb = nonblocking(f);
	uint64_t deadline = 0;
	ssize_t r;
	size_t got = 0;

	(void)off;
	r = tty_job_check(t, tty, SIGTTIN);
	if (r < 0)
		return r;
	pthread_mutex_lock(&tty->lock);
	if (tty->hungup) {
		r = 0;
		goto out;
	}
	if (len == 0) {
		r = 0;
		goto out;
	}
	for (;;) {
		unsigned vmin = tty->tio.c_cc[VMIN], vtime = tty->tio.c_cc[VTIME];
		int canonical = !!(tty->tio.c_lflag & ICANON);

		if (canonical && tty_ldisc_readable_locked(tty)) {
			got = tty_ldisc_take_locked(tty, buf, len);
			break;
		}
		if (!canonical) {
			size_t want = vmin ? MIN((size_t)vmin, len) : 1;
			uint64_t now;

			if (tty->in.len)
				got += tty_ldisc_take_locked(tty, (uint8_t *)buf + got, len - got);
			if (got >= want || got == len)
				break;
			if (vmin == 0 && vtime == 0)
				break;
			now = now_ns();
			if (vtime) {
				/* MIN 0: a read timeout; MIN > 0: the time
				 * since the last byte, once one came */
				if (vmin == 0 && !deadline)
					deadline = now + (uint64_t)vtime * 100000000ull;
				else if (vmin && got)
					deadline = tty->rx_ns + (uint64_t)vtime * 100000000ull;
				if (deadline && now >= deadline)
					break;
			}
		}
		if (tty->hungup)
			break;
		if (nb && !got) {
			r = -EAGAIN;
			goto out;
		}
		if (nb)
			break;
		r = vfs_wait_interruptible(t, &tty->cond, &tty->lock);
		if (r < 0) {
			if (got)
				break;
			goto out;
		}
	}
	r = (ssize_t)got;
	changed_locked(tty);
out:
	pthread_mutex_unlock(&tty->lock);
	return r;
}

static ssize_t slave_write(struct file *f, struct task *t, const void *buf, size_t len,
			   int64_t *off)
{
	struct tty *tty = tty_of(f);
	int nb = nonblocking(f);
	size_t done = 0;
	int r = 0, tostop;

	(void)off;
	pthread_mutex_lock(&tty->lock);
	tostop = !!(tty->tio.c_lflag & TOSTOP);
	pthread_mutex_unlock(&tty->lock);
	if (tostop && (r = tty_job_check(t, tty, SIGTTOU)) < 0)
		return r;
	pthread_mutex_lock(&tty->lock);
	while (done < len) {
		size_t n;

		if (tty->hungup) {
			r = -EIO;
			break;
		}
		n = tty->stopped ? 0 : tty_ldisc_output_locked(tty, (const uint8_t *)buf + done,
								 len - done);
		if (n) {
			done += n;
			changed_locked(tty);
			if (tty->host) { /* the host terminal is the reader */
				pthread_mutex_unlock(&tty->lock);
				tty_host_flush(tty);
				pthread_mutex_lock(&tty->lock);
			}
			continue;
		}
		if (nb) {
			r = -EAGAIN;
			break;
		}
		r = vfs_wait_interruptible(t, &tty->cond, &tty->lock);
		if (r < 0)
			break;
	}
	pthread_mutex_unlock(&tty->lock);
	return done ? (ssize_t)done : r;
}

static unsigned slave_poll(struct file *f)
{
	struct tty *tty = tty_of(f);
	unsigned ev = 0;

	pthread_mutex_lock(&tty->lock);
	if (tty->hungup) {
		ev = POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM | POLLWRNORM;
	} else {
		int canonical = !!(tty->tio.c_lflag & ICANON);
		unsigned vmin = tty->tio.c_cc[VMIN];
		size_t amt = !canonical && !tty->tio.c_cc[VTIME] && vmin ? vmin : 1;

		if (canonical ? tty_ldisc_readable_locked(tty) : tty->in.len >= amt)
			ev |= POLLIN | POLLRDNORM;
		if (!tty->stopped && tty->out.len < TTY_BUF - 256)
			ev |= POLLOUT | POLLWRNORM;
	}
	pthread_mutex_unlock(&tty->lock);
	return ev;
}

static int64_t slave_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	struct tty *tty = tty_of(f);
	int hungup;
	int64_t r;

	pthread_mutex_lock(&tty->lock);
	hungup = tty->hungup;
	pthread_mutex_unlock(&tty->lock);
	if (hungup)
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
	if (cmd == TIOCGPTN)
		return -EINVAL; /* what Linux answers on a slave */
	r = tty_ioctl(tty, t, cmd, arg, 0, file_readable(f));
	return r == -TTY_ENOIOCTLCMD ? -ENOTTY : r;
}

static void slave_release(struct file *f)
{
	struct tty *tty = tty_of(f);

	int host_last = 0;

	pthread_mutex_lock(&tty->lock);
	if (--tty->slaves == 0) {
		tty->slave_closed = 1;
		if (tty->host)
			tty->hungup = host_last = 1;
	}
	changed_locked(tty);
	pthread_mutex_unlock(&tty->lock);
	if (host_last) {
		devpts_remove(tty);
		tty_host_close(tty);
	}
	tty_put(tty);
}

static const struct file_ops slave_ops = {
	.read = slave_read,
	.write = slave_write,
	.poll = slave_poll,
	.ioctl = slave_ioctl,
	.fstat = pty_fstat,
	.release = slave_release,
};

int pty_open_slave(struct tty *tty, unsigned flags, struct file **ret)
{
	struct file *f;

	pthread_mutex_lock(&tty->lock);
	if (tty->locked || tty->hungup) {
		pthread_mutex_unlock(&tty->lock);
		return -EIO;
	}
	pthread_mutex_unlock(&tty->lock);
	f = file_new(&slave_ops, tty_get(tty),
		     flags & ~(unsigned)(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY));
	if (!f) {
		tty_put(tty);
		return -ENOMEM;
	}
	pthread_mutex_lock(&tty->lock);
	tty->slaves++;
	tty->slave_closed = 0;
	changed_locked(tty);
	pthread_mutex_unlock(&tty->lock);
	tty_open_ctty(task_current(), tty, !!(flags & O_NOCTTY));
	*ret = f;
	return 0;
}
