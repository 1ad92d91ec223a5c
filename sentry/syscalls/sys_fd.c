/* SPDX-License-Identifier: Apache-2.0 */
/* File descriptors and data transfer: read/write families, dup, fcntl,
 * close, pipes, fstat. */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/macro.h"
#include "sentry/fs/inotify.h"
#include "sentry/fs/pipe.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sys_limits.h"
#include "sys_lock.h"
#include "syscall_handlers.h"

#define IO_CHUNK 65536
#define MAX_RW_COUNT 0x7ffff000ULL /* Linux clamps one transfer to this */

static void filep(struct file **f)
{
	file_put(*f);
}
#define _cleanup_file_ _cleanup_(filep)

/* Read into application memory at @addr; @off NULL = use the file position. */
static int64_t do_read(struct task *t, struct file *f, uint64_t addr, uint64_t len,
		       int64_t *pos)
{
	_cleanup_free_ uint8_t *buf = NULL;
	int64_t off = 0;
	ssize_t n;

	int64_t start;

	if (!file_readable(f) || (f->flags & O_PATH))
		return -EBADF;
	if (f->path.v && S_ISDIR(f->path.v->mode))
		return -EISDIR;
	if (!f->ops->read)
		return -EINVAL;
	len = MIN(len, MAX_RW_COUNT);
	buf = malloc(MAX(MIN(len, (uint64_t)IO_CHUNK), (uint64_t)1));
	if (!buf)
		return -ENOMEM;
	if (!pos) {
		pthread_mutex_lock(&f->lock);
		off = f->pos;
		pthread_mutex_unlock(&f->lock);
	} else {
		off = *pos;
	}
	/* One chunk per call: a read returns what is available. */
	start = off;
	n = f->ops->read(f, t, buf, MIN(len, (uint64_t)IO_CHUNK), &off);
	if (n > 0)
		fsnotify_file(f, IN_ACCESS);
	if (n > 0) {
		/* A buffer running into an unwritable page gets a short read,
		 * the offset advanced by what was copied (as copy_to_user). */
		ssize_t w = task_copy_out(t, addr, buf, (size_t)n);

		if (w <= 0)
			return -EFAULT;
		if (w < n) {
			n = w;
			off = start + w;
		}
	}
	if (n > 0 && !pos) {
		pthread_mutex_lock(&f->lock);
		f->pos = off;
		pthread_mutex_unlock(&f->lock);
	} else if (n > 0) {
		*pos = off;
	}
	return n;
}

int sys_fsize_check(struct task *t, uint64_t pos, uint64_t *len)
{
	uint64_t lim;
	siginfo_t info;

	pthread_mutex_lock(&t->k->lock);
	lim = t->tg->rlim[RLIMIT_FSIZE].cur;
	pthread_mutex_unlock(&t->k->lock);
	if (lim == RLIM_INFINITY || (len ? pos < lim : pos <= lim)) {
		if (len && *len > lim - pos)
			*len = lim - pos;
		return 0;
	}
	memset(&info, 0, sizeof(info));
	info.si_signo = SIGXFSZ;
	info.si_code = SI_USER;
	info.si_pid = t->tg->tgid;
	info.si_uid = t->creds.ruid;
	(void)signal_send(t, &info, 0);
	return -EFBIG;
}

int sys_write_limit(struct task *t, struct file *f, int64_t off, uint64_t *len)
{
	uint64_t start = (uint64_t)off;

	if (!f->path.v || !S_ISREG(f->path.v->mode))
		return 0;
	if (f->flags & O_APPEND) {
		pthread_mutex_lock(&f->path.v->lock);
		start = f->path.v->size;
		pthread_mutex_unlock(&f->path.v->lock);
	}
	return sys_fsize_check(t, start, len);
}

static int64_t do_write(struct task *t, struct file *f, uint64_t addr, uint64_t len,
			int64_t *pos)
{
	_cleanup_free_ uint8_t *buf = NULL;
	uint64_t done = 0;
	int64_t off = 0;

	if (!file_writable(f) || (f->flags & O_PATH))
		return -EBADF;
	if (!f->ops->write)
		return -EINVAL;
	len = MIN(len, MAX_RW_COUNT);
	if (len == 0) /* still asks the file: /dev/full says ENOSPC */
		return f->ops->write(f, t, "", 0, pos ? pos : &off);
	buf = malloc(MIN(len, (uint64_t)IO_CHUNK));
	if (!buf)
		return -ENOMEM;
	if (!pos) {
		pthread_mutex_lock(&f->lock);
		off = f->pos;
		pthread_mutex_unlock(&f->lock);
	} else {
		off = *pos;
	}
	{
		int r = sys_write_limit(t, f, off, &len);

		if (r < 0)
			return r;
	}
	while (done < len) {
		size_t n = MIN((uint64_t)IO_CHUNK, len - done);
		ssize_t got = task_copy_in(t, addr + done, buf, n), w;

		if (got <= 0)
			return done ? (int64_t)done : -EFAULT;
		w = f->ops->write(f, t, buf, (size_t)got, &off);
		if (w < 0)
			return done ? (int64_t)done : w;
		done += (uint64_t)w;
		if (w < got || (size_t)got < n)
			break;
	}
	if (!pos) {
		pthread_mutex_lock(&f->lock);
		f->pos = off;
		pthread_mutex_unlock(&f->lock);
	} else {
		*pos = off; /* pwritev: the next segment goes after this one */
	}
	if (done)
		fsnotify_file(f, IN_MODIFY);
	return (int64_t)done;
}

int64_t sys_read(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);

	return f ? do_read(t, f, a[1], a[2], NULL) : -EBADF;
}

/* EPIPE also raises SIGPIPE for the writer. */
static int64_t sigpipe(struct task *t, int64_t r)
{
	if (r == -EPIPE) {
		siginfo_t info;

		memset(&info, 0, sizeof(info));
		info.si_signo = SIGPIPE;
		info.si_code = SI_USER;
		info.si_pid = t->tg->tgid;
		info.si_uid = t->creds.ruid;
		(void)signal_send(t, &info, 0);
	}
	return r;
}

int64_t sys_write(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);

	return f ? sigpipe(t, do_write(t, f, a[1], a[2], NULL)) : -EBADF;
}

static int64_t positional(struct task *t, const uint64_t a[6], int write)
{
	_cleanup_file_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	int64_t off = (int64_t)a[3];

	if (!f)
		return -EBADF;
	if (off < 0)
		return -EINVAL;
	if (!f->ops->llseek)
		return -ESPIPE;
	return write ? sigpipe(t, do_write(t, f, a[1], a[2], &off))
		     : do_read(t, f, a[1], a[2], &off);
}

int64_t sys_pread64(struct task *t, const uint64_t a[6])
{
	return positional(t, a, 0);
}

int64_t sys_pwrite64(struct task *t, const uint64_t a[6])
{
	return positional(t, a, 1);
}

/* readv/writev, and with @pos (preadv/pwritev) at an explicit offset. */
static int64_t vector_at(struct task *t, const uint64_t a[6], int write, int64_t *pos)
{
	_cleanup_file_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	_cleanup_free_ struct iovec *iov = NULL;
	uint64_t cnt = a[2], total = 0;

	if (!f)
		return -EBADF;
	if (pos && *pos < 0)
		return -EINVAL;
	if (pos && !f->ops->llseek)
		return -ESPIPE;
	if (cnt > UIO_MAXIOV)
		return -EINVAL;
	if (cnt == 0)
		return 0;
	iov = calloc(cnt, sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	if (task_copy_in(t, a[1], iov, cnt * sizeof(*iov)) != (ssize_t)(cnt * sizeof(*iov)))
		return -EFAULT;
	for (uint64_t i = 0; i < cnt; i++)
		if ((int64_t)iov[i].iov_len < 0)
			return -EINVAL;
	for (uint64_t i = 0; i < cnt; i++) {
		int64_t r;

		if (iov[i].iov_len == 0)
			continue;
		r = write ? do_write(t, f, (uint64_t)iov[i].iov_base, iov[i].iov_len, pos)
			  : do_read(t, f, (uint64_t)iov[i].iov_base, iov[i].iov_len, pos);
		if (r < 0)
			return total ? (int64_t)total : r;
		total += (uint64_t)r;
		if ((uint64_t)r < iov[i].iov_len)
			break;
	}
	return (int64_t)total;
}

int64_t sys_readv(struct task *t, const uint64_t a[6])
{
	return vector_at(t, a, 0, NULL);
}

int64_t sys_writev(struct task *t, const uint64_t a[6])
{
	return sigpipe(t, vector_at(t, a, 1, NULL));
}

int64_t sys_preadv(struct task *t, const uint64_t a[6])
{
	int64_t off = (int64_t)a[3];

	return vector_at(t, a, 0, &off);
}

int64_t sys_pwritev(struct task *t, const uint64_t a[6])
{
	int64_t off = (int64_t)a[3];

	return sigpipe(t, vector_at(t, a, 1, &off));
}

int64_t sys_preadv2(struct task *t, const uint64_t a[6])
{
	int64_t off = (int64_t)a[3];

	if (a[5] & ~0x1fULL) /* RWF_* */
		return -EOPNOTSUPP;
	return off == -1 ? vector_at(t, a, 0, NULL) : vector_at(t, a, 0, &off);
}

int64_t sys_pwritev2(struct task *t, const uint64_t a[6])
{
	int64_t off = (int64_t)a[3];

	if (a[5] & ~0x1fULL)
		return -EOPNOTSUPP;
	return sigpipe(t, off == -1 ? vector_at(t, a, 1, NULL) : vector_at(t, a, 1, &off));
}

/* SEEK_DATA / SEEK_HOLE as Linux's generic code: the whole file is data,
 * the only hole is at its end; ENXIO at or past the end. */
static int64_t seek_data_hole(struct file *f, int64_t off, int whence)
{
	struct stat st;

	if (f->flags & O_PATH)
		return -EBADF;
	if (!f->ops->llseek)
		return -ESPIPE;
	if (!f->path.v || !S_ISREG(f->path.v->mode))
		return -EINVAL;
	vnode_stat(f->path.v, &st);
	if (off < 0 || off >= st.st_size)
		return -ENXIO;
	if (whence == SEEK_HOLE)
		off = st.st_size;
	pthread_mutex_lock(&f->lock);
	f->pos = off;
	pthread_mutex_unlock(&f->lock);
	return off;
}

int64_t sys_lseek(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	int64_t r;

	if (!f)
		return -EBADF;
	if (a[2] == SEEK_DATA || a[2] == SEEK_HOLE)
		return seek_data_hole(f, (int64_t)a[1], (int)a[2]);
	if (a[2] > SEEK_END)
		return -EINVAL;
	if (!f->ops->llseek)
		return -ESPIPE;
	pthread_mutex_lock(&f->lock);
	r = f->ops->llseek(f, (int64_t)a[1], (int)a[2], f->pos);
	if (r >= 0)
		f->pos = r;
	pthread_mutex_unlock(&f->lock);
	return r;
}

int64_t sys_close(struct task *t, const uint64_t a[6])
{
	return fdt_close(t->fdt, (int)a[0]);
}

int64_t sys_close_range(struct task *t, const uint64_t a[6])
{
	return fdt_close_range(t->fdt, (unsigned)a[0], (unsigned)a[1], (unsigned)a[2]);
}

int64_t sys_dup(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);

	return f ? fdt_install_max(t->fdt, 0, f, 0, task_fd_limit(t)) : -EBADF;
}

int64_t sys_dup2(struct task *t, const uint64_t a[6])
{
	if ((int)a[1] >= task_fd_limit(t) || (int)a[1] < 0)
		return -EBADF;
	if ((int)a[0] == (int)a[1]) {
		_cleanup_file_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);

		return f ? (int64_t)(int)a[1] : -EBADF;
	}
	return fdt_dup_to(t->fdt, (int)a[0], (int)a[1], 0);
}

int64_t sys_dup3(struct task *t, const uint64_t a[6])
{
	if (a[2] & ~(uint64_t)O_CLOEXEC)
		return -EINVAL;
	if ((int)a[0] == (int)a[1])
		return -EINVAL;
	if ((int)a[1] >= task_fd_limit(t) || (int)a[1] < 0)
		return -EBADF;
	return fdt_dup_to(t->fdt, (int)a[0], (int)a[1], !!(a[2] & O_CLOEXEC));
}

int64_t sys_fcntl(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	int fd = (int)a[0];

	if (!f)
		return -EBADF;
	/* O_PATH descriptors only know the fd-level commands */
	if ((f->flags & O_PATH) && (int)a[1] != F_DUPFD && (int)a[1] != F_DUPFD_CLOEXEC &&
	    (int)a[1] != F_GETFD && (int)a[1] != F_SETFD && (int)a[1] != F_GETFL)
		return -EBADF;
	switch ((int)a[1]) {
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return sys_fcntl_lock(t, f, (int)a[1], a[2]);
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		return pipe_fcntl(f, (int)a[1], a[2], t->creds.euid == 0);
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((int)a[2] < 0 || (int)a[2] >= task_fd_limit(t))
			return -EINVAL;
		return fdt_install_max(t->fdt, (int)a[2], f, (int)a[1] == F_DUPFD_CLOEXEC,
				       task_fd_limit(t));
	case F_GETFD:
		return fdt_get_cloexec(t->fdt, fd) > 0 ? FD_CLOEXEC : fdt_get_cloexec(t->fdt, fd);
	case F_SETFD:
		return fdt_set_cloexec(t->fdt, fd, (a[2] & FD_CLOEXEC) != 0);
	case F_GETFL: {
		int64_t fl;

		pthread_mutex_lock(&f->lock);
		fl = f->flags;
		pthread_mutex_unlock(&f->lock);
		return fl;
	}
	case F_SETFL:
		pthread_mutex_lock(&f->lock);
		f->flags = (f->flags & ~(unsigned)FILE_SETFL_MASK) |
			   ((unsigned)a[2] & FILE_SETFL_MASK);
		pthread_mutex_unlock(&f->lock);
		return 0;
	default:
		return -EINVAL;
	}
}

static int64_t do_pipe(struct task *t, uint64_t addr, uint64_t flags)
{
	struct file *r, *w;
	int fds[2], e;

	if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	e = pipe_create((unsigned)flags, &r, &w);
	if (e < 0)
		return e;
	fds[0] = fdt_install_max(t->fdt, 0, r, !!(flags & O_CLOEXEC), task_fd_limit(t));
	fds[1] = fds[0] < 0 ? -EMFILE
			    : fdt_install_max(t->fdt, 0, w, !!(flags & O_CLOEXEC), task_fd_limit(t));
	file_put(r);
	file_put(w);
	if (fds[0] < 0 || fds[1] < 0) {
		if (fds[0] >= 0)
			fdt_close(t->fdt, fds[0]);
		return -EMFILE;
	}
	if (task_copy_out(t, addr, fds, sizeof(fds)) != sizeof(fds)) {
		fdt_close(t->fdt, fds[0]);
		fdt_close(t->fdt, fds[1]);
		return -EFAULT;
	}
	return 0;
}

int64_t sys_pipe(struct task *t, const uint64_t a[6])
{
	return do_pipe(t, a[0], 0);
}

int64_t sys_pipe2(struct task *t, const uint64_t a[6])
{
	return do_pipe(t, a[0], a[1]);
}

int64_t sys_fstat(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	struct stat st;
	int r;

	if (!f)
		return -EBADF;
	if (f->path.v) {
		vnode_stat(f->path.v, &st);
		r = 0;
	} else if (!f->ops->fstat) {
		return -EINVAL;
	} else {
		r = f->ops->fstat(f, &st);
	}
	if (r < 0)
		return r;
	return task_copy_out(t, a[1], &st, sizeof(st)) == sizeof(st) ? 0 : -EFAULT;
}
