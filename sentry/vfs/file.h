/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Open file descriptions and their operations.
 *
 * A struct file is what an fd refers to: shared by dup() and fork(), it
 * carries the offset and the status flags.  Each kind of file (hostfd,
 * pipe, later tmpfs/goferfs/...) provides a file_ops table; operations move
 * data between a Sentry buffer and the file, the syscall layer copies to and
 * from application memory.
 *
 * Refcounting: file_get/file_put; the last put calls ops->release.
 */
#ifndef CVISOR_SENTRY_VFS_FILE_H
#define CVISOR_SENTRY_VFS_FILE_H

#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "vnode.h"

struct task;
struct file;

struct file_ops {
	/* @off is the file position (NULL for pread-less files: pipes). */
	ssize_t (*read)(struct file *f, struct task *t, void *buf, size_t len, int64_t *off);
	ssize_t (*write)(struct file *f, struct task *t, const void *buf, size_t len,
			 int64_t *off);
	/* Readiness now (POLLIN/POLLOUT/POLLHUP/POLLERR); NULL: always ready
	 * for what the access mode allows. */
	unsigned (*poll)(struct file *f);
	/* Device-specific ioctl; NULL: ENOTTY. */
	int64_t (*ioctl)(struct file *f, struct task *t, unsigned cmd, uint64_t arg);
	/* Directories: entries from *@cookie on, advancing it (getdents64). */
	int (*iterate)(struct file *f, vfs_dirent_fn fn, void *ctx);
	/* Seekable files only; NULL means ESPIPE. */
	int64_t (*llseek)(struct file *f, int64_t off, int whence, int64_t cur);
	int (*fstat)(struct file *f, struct stat *st);
	/* A host fd holding exactly the file's bytes that may be mmap'd
	 * MAP_PRIVATE (read-only page cache, e.g. a Gofer-donated fd):
	 * borrowed, valid while @f lives; NULL or <0: none, copy instead. */
	int (*host_fd)(struct file *f);
	/* Files whose data is a host file opened read-only (goferfs): a new
	 * host fd of it (the caller closes it) to map privately, or read-only
	 * shared.  NULL: mappings get a copy of the bytes. */
	int (*mmap_fd)(struct file *f);
	/* Optional: flush the file's data (and metadata unless @datasync) to
	 * stable storage (fsync, fdatasync); NULL: nothing to flush (memory). */
	int (*fsync)(struct file *f, int datasync);
	void (*release)(struct file *f);
};

/* Status flags kept per description (F_GETFL/F_SETFL). */
#define FILE_SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

struct file {
	int refs;                 /* atomic */
	const struct file_ops *ops;
	void *priv;
	unsigned flags;           /* O_ACCMODE | status flags; guarded by lock */
	pthread_mutex_t lock;     /* protects flags, pos and name */
	int64_t pos;
	struct path path;         /* the opened path; .v NULL for pipes, hostfd */
	/* The directory and name it was opened by (for /proc/pid/fd links);
	 * .v NULL when unknown (directories use their parent pointers). */
	struct path dir;
	char *name;
};

/* A new description with one reference. */
struct file *file_new(const struct file_ops *ops, void *priv, unsigned flags);
struct file *file_get(struct file *f);
void file_put(struct file *f);

/* file_ops.iterate for directories whose vnode has a readdir op: entries
 * from the description's position, which advances past each one @fn
 * consumes (returns 0). */
int file_dir_iterate(struct file *f, vfs_dirent_fn fn, void *ctx);

static inline void file_putp(struct file **f)
{
	file_put(*f);
}
/* A struct file * put when it goes out of scope (NULL is fine). */
#define _cleanup_fput_ __attribute__((cleanup(file_putp)))

static inline int file_readable(const struct file *f)
{
	return (f->flags & 3) != 1; /* O_RDONLY or O_RDWR */
}

static inline int file_writable(const struct file *f)
{
	return (f->flags & 3) != 0; /* O_WRONLY or O_RDWR */
}

#endif
