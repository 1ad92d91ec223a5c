/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sendfile, splice, tee, vmsplice and copy_file_range, by copying through a Sentry buffer
 * (Linux moves pages; the results and offsets are the same).  Reads and
 * writes follow read(2)/write(2): file positions or the caller's offsets,
 * O_APPEND, RLIMIT_FSIZE, EPIPE with SIGPIPE.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "lib/macro.h"
#include "sentry/fs/inotify.h"
#include "sentry/fs/pipe.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sys_limits.h"
#include "syscall_handlers.h"

#define SPLICE_CHUNK 65536
#define SPLICE_MAX 0x7ffff000ULL

static int is_pipe(struct file *f)
{
	struct stat st;

	if (f->path.v) /* a FIFO */
		return S_ISFIFO(f->path.v->mode);
	return f->ops->fstat && f->ops->fstat(f, &st) == 0 && S_ISFIFO(st.st_mode);
}

static int is_regular(struct file *f)
{
	return f->path.v && S_ISREG(f->path.v->mode);
}

/* Read or write through @f at *@pos (NULL: the file position). */
static ssize_t xfer_one(struct task *t, struct file *f, void *buf, size_t len, int64_t *pos,
			int write)
{
	int64_t off = 0;
	ssize_t n;

	if (!pos) {
		pthread_mutex_lock(&f->lock);
		off = f->pos;
		pthread_mutex_unlock(&f->lock);
	} else {
		off = *pos;
	}
	if (write) {
		uint64_t l = len;
		int r = sys_write_limit(t, f, off, &l);

		if (r < 0)
			return r;
		len = (size_t)l;
	}
	n = write ? f->ops->write(f, t, buf, len, &off) : f->ops->read(f, t, buf, len, &off);
	if (n > 0)
		fsnotify_file(f, write ? IN_MODIFY : IN_ACCESS);
	if (n > 0) {
		if (!pos) {
			pthread_mutex_lock(&f->lock);
			f->pos = off;
			pthread_mutex_unlock(&f->lock);
		} else {
			*pos = off;
		}
	}
	return n;
}

/* Copy up to @len bytes from @in to @out; stops at EOF or a short write.
 * Bytes read but not written are given back to a seekable input. */
static int64_t copy(struct task *t, struct file *in, int64_t *in_off, struct file *out,
		    int64_t *out_off, uint64_t len)
{
	_cleanup_free_ uint8_t *buf = malloc(SPLICE_CHUNK);
	uint64_t done = 0;

	if (!buf)
		return -ENOMEM;
	len = MIN(len, SPLICE_MAX);
	while (done < len) {
		size_t want = (size_t)MIN((uint64_t)SPLICE_CHUNK, len - done), w = 0;
		ssize_t n = xfer_one(t, in, buf, want, in_off, 0);

		if (n <= 0)
			return done ? (int64_t)done : n;
		while (w < (size_t)n) {
			ssize_t m = xfer_one(t, out, buf + w, (size_t)n - w, out_off, 1);

			if (m <= 0) {
				if (in->ops->llseek) { /* give the unwritten bytes back */
					if (in_off) {
						*in_off -= (int64_t)((size_t)n - w);
					} else {
						pthread_mutex_lock(&in->lock);
						in->pos -= (int64_t)((size_t)n - w);
						pthread_mutex_unlock(&in->lock);
					}
				}
				if (m == -EPIPE) {
					siginfo_t info = { .si_signo = SIGPIPE, .si_code = SI_USER };

					info.si_pid = t->tg->tgid;
					info.si_uid = t->creds.ruid;
					(void)signal_send(t, &info, 0);
				}
				done += w;
				return done ? (int64_t)done : m;
			}
			w += (size_t)m;
		}
		done += (uint64_t)n;
		if ((size_t)n < want)
			break; /* what was there */
	}
	return (int64_t)done;
}

static int check_ends(struct file *in, struct file *out)
{
	if (!file_readable(in) || (in->flags & O_PATH) || !file_writable(out) ||
	    (out->flags & O_PATH))
		return -EBADF;
	if (!in->ops->read || !out->ops->write)
		return -EINVAL;
	if (in->path.v && S_ISDIR(in->path.v->mode))
		return -EISDIR;
	return 0;
}

static int get_off(struct task *t, uint64_t uoff, int64_t *ret)
{
	if (task_copy_in(t, uoff, ret, sizeof(*ret)) != sizeof(*ret))
		return -EFAULT;
	return *ret < 0 ? -EINVAL : 0;
}

int64_t sys_sendfile(struct task *t, const uint64_t a[6])
{
	_cleanup_fput_ struct file *out = fdt_lookup(t->fdt, (int)a[0]);
	_cleanup_fput_ struct file *in = fdt_lookup(t->fdt, (int)a[1]);
	int64_t off, r;

	if (!in || !out)
		return -EBADF;
	r = check_ends(in, out);
	if (r < 0)
		return r;
	if (out->flags & O_APPEND)
		return -EINVAL;
	if (!a[2])
		return copy(t, in, NULL, out, NULL, a[3]);
	if (!in->ops->llseek)
		return -ESPIPE;
	r = get_off(t, a[2], &off);
	if (r < 0)
		return r;
	r = copy(t, in, &off, out, NULL, a[3]);
	if (r >= 0 && task_copy_out(t, a[2], &off, sizeof(off)) != sizeof(off))
		return -EFAULT;
	return r;
}

/* copy() between the application's offsets at @uin/@uout (0: the file
 * positions; @ioff/@ooff hold their values), written back on success. */
static int64_t copy_at(struct task *t, struct file *in, uint64_t uin, int64_t ioff,
		       struct file *out, uint64_t uout, int64_t ooff, uint64_t len)
{
	int64_t r = copy(t, in, uin ? &ioff : NULL, out, uout ? &ooff : NULL, len);

	if (r > 0 && uin && task_copy_out(t, uin, &ioff, sizeof(ioff)) != sizeof(ioff))
		return -EFAULT;
	if (r > 0 && uout && task_copy_out(t, uout, &ooff, sizeof(ooff)) != sizeof(ooff))
		return -EFAULT;
	return r;
}

int64_t sys_splice(struct task *t, const uint64_t a[6])
{
	_cleanup_fput_ struct file *in = fdt_lookup(t->fdt, (int)a[0]);
	_cleanup_fput_ struct file *out = fdt_lookup(t->fdt, (int)a[2]);
	int64_t ioff = 0, ooff = 0, r;

	if (!in || !out)
		return -EBADF;
	if (a[5] & ~(uint64_t)(SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT))
		return -EINVAL;
	r = check_ends(in, out);
	if (r < 0)
		return r;
	if (!is_pipe(in) && !is_pipe(out))
		return -EINVAL; /* one end must be a pipe */
	if ((a[1] && is_pipe(in)) || (a[3] && is_pipe(out)))
		return -ESPIPE;
	if (a[1] && (r = get_off(t, a[1], &ioff)) < 0)
		return r;
	if (a[3] && (r = get_off(t, a[3], &ooff)) < 0)
		return r;
	if (out->flags & O_APPEND && !is_pipe(out))
		return -EINVAL;
	if (a[4] == 0)
		return 0;
	return copy_at(t, in, a[1], ioff, out, a[3], ooff, a[4]);
}

int64_t sys_copy_file_range(struct task *t, const uint64_t a[6])
{
	_cleanup_fput_ struct file *in = fdt_lookup(t->fdt, (int)a[0]);
	_cleanup_fput_ struct file *out = fdt_lookup(t->fdt, (int)a[2]);
	int64_t ioff = 0, ooff = 0, r;

	if (!in || !out)
		return -EBADF;
	if (a[5])
		return -EINVAL;
	r = check_ends(in, out);
	if (r < 0)
		return r;
	if (out->path.v && S_ISDIR(out->path.v->mode))
		return -EISDIR;
	if (!is_regular(in) || !is_regular(out))
		return -EINVAL;
	if (out->flags & O_APPEND)
		return -EBADF;
	if (a[1] && (r = get_off(t, a[1], &ioff)) < 0)
		return r;
	if (a[3] && (r = get_off(t, a[3], &ooff)) < 0)
		return r;
	if (in->path.v == out->path.v) { /* the same file: ranges must not overlap */
		int64_t i0 = a[1] ? ioff : in->pos, o0 = a[3] ? ooff : out->pos;

		if (i0 < o0 + (int64_t)MIN(a[4], SPLICE_MAX) &&
		    o0 < i0 + (int64_t)MIN(a[4], SPLICE_MAX))
			return -EINVAL;
	}
	return copy_at(t, in, a[1], ioff, out, a[3], ooff, a[4]);
}

/* tee: duplicate up to @len bytes buffered in the pipe @in into the pipe
 * @out without consuming them (a copy; Linux shares the pages). */
int64_t sys_tee(struct task *t, const uint64_t a[6])
{
	_cleanup_fput_ struct file *in = fdt_lookup(t->fdt, (int)a[0]);
	_cleanup_fput_ struct file *out = fdt_lookup(t->fdt, (int)a[1]);
	_cleanup_free_ uint8_t *buf = NULL;
	unsigned flags = (unsigned)a[3];
	int nonblock = !!(flags & SPLICE_F_NONBLOCK);
	size_t len = (size_t)MIN(a[2], (uint64_t)SPLICE_CHUNK);
	ssize_t n, w;

	if (!in || !out)
		return -EBADF;
	if (flags & ~(unsigned)(SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT))
		return -EINVAL;
	if (!file_readable(in) || !file_writable(out))
		return -EBADF;
	if (!pipe_file_is(in) || !pipe_file_is(out))
		return -EINVAL;
	if (in->priv == out->priv)
		return -EINVAL;
	if (len == 0)
		return 0;
	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	n = pipe_peek(in, t, buf, len, nonblock);
	if (n <= 0)
		return n;
	if (nonblock && out->ops->poll && !(out->ops->poll(out) & POLLOUT))
		return -EAGAIN;
	w = out->ops->write(out, t, buf, (size_t)n, NULL);
	if (w == -EPIPE) {
		siginfo_t info = { .si_signo = SIGPIPE, .si_code = SI_USER };

		info.si_pid = t->tg->tgid;
		info.si_uid = t->creds.ruid;
		(void)signal_send(t, &info, 0);
	}
	return w;
}

#define VMSPLICE_IOV_MAX 1024

/* vmsplice: the application's iovecs into a pipe's write end, or out of a
 * read end (then as readv).  The bytes are copied (SPLICE_F_GIFT is
 * accepted and ignored). */
int64_t sys_vmsplice(struct task *t, const uint64_t a[6])
{
	_cleanup_fput_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	_cleanup_free_ struct iovec *iov = NULL;
	_cleanup_free_ uint8_t *buf = NULL;
	unsigned flags = (unsigned)a[3];
	uint64_t nr = a[2], total = 0;
	int writing;

	if (!f)
		return -EBADF;
	if (flags & ~(unsigned)(SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT))
		return -EINVAL;
	if (!pipe_file_is(f))
		return -EBADF;
	if (nr > VMSPLICE_IOV_MAX)
		return -EINVAL;
	if (nr == 0)
		return 0;
	writing = file_writable(f);
	iov = calloc(nr, sizeof(*iov));
	buf = malloc(SPLICE_CHUNK);
	if (!iov || !buf)
		return -ENOMEM;
	if (task_copy_in(t, a[1], iov, nr * sizeof(*iov)) != (ssize_t)(nr * sizeof(*iov)))
		return -EFAULT;
	for (uint64_t i = 0; i < nr; i++) {
		if ((ssize_t)iov[i].iov_len < 0 || total + iov[i].iov_len > SPLICE_MAX)
			return -EINVAL;
		total += iov[i].iov_len;
	}
	if ((flags & SPLICE_F_NONBLOCK) && f->ops->poll &&
	    !(f->ops->poll(f) & (writing ? POLLOUT | POLLERR : POLLIN | POLLHUP)))
		return -EAGAIN;
	total = 0;
	for (uint64_t i = 0; i < nr; i++) {
		uint64_t base = (uint64_t)iov[i].iov_base;

		for (size_t done = 0; done < iov[i].iov_len;) {
			size_t want = MIN(iov[i].iov_len - done, (size_t)SPLICE_CHUNK);
			ssize_t n;

			if (writing) {
				if (task_copy_in(t, base + done, buf, want) != (ssize_t)want)
					return total ? (int64_t)total : -EFAULT;
				n = f->ops->write(f, t, buf, want, NULL);
			} else {
				n = f->ops->read(f, t, buf, want, NULL);
				if (n > 0 && task_copy_out(t, base + done, buf, (size_t)n) != n)
					return total ? (int64_t)total : -EFAULT;
			}
			if (n == -EPIPE && !total) {
				siginfo_t info = { .si_signo = SIGPIPE, .si_code = SI_USER };

				info.si_pid = t->tg->tgid;
				info.si_uid = t->creds.ruid;
				(void)signal_send(t, &info, 0);
			}
			if (n <= 0)
				return total ? (int64_t)total : n;
			total += (uint64_t)n;
			done += (size_t)n;
			if ((size_t)n < want)
				return (int64_t)total;
			/* a read stops once the pipe is empty, as readv */
			if (!writing && f->ops->poll && !(f->ops->poll(f) & POLLIN))
				return (int64_t)total;
		}
	}
	return (int64_t)total;
}
