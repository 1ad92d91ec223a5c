/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Advisory file locks with Linux's semantics: POSIX record locks (fcntl
 * F_SETLK/F_SETLKW/F_GETLK, owned by the fd table: a close of any fd of the
 * file by the owner drops them, fork does not pass them on), open file
 * description locks (F_OFD_*, owned by the struct file, in the same space
 * as POSIX locks) and flock() locks (whole file, owned by the struct file,
 * a separate space).
 *
 * Locks are keyed by (device, inode), since some file systems hand out a
 * new vnode per lookup.  One global table, lock and condition variable: a
 * sandbox rarely holds more than a few locks.  Blocking waits re-check
 * every 50 ms for signals; POSIX waits detect deadlocks (EDEADLK).  The
 * table holds at most 16384 records (ENOLCK beyond, as a memory bound).
 */
#ifndef CVISOR_SENTRY_VFS_LOCK_H
#define CVISOR_SENTRY_VFS_LOCK_H

#include <stdint.h>
#include <sys/types.h>

struct file;
struct task;

enum lock_kind {
	LOCK_KIND_POSIX = 1, /* owner: the fd table */
	LOCK_KIND_OFD,       /* owner: the struct file */
	LOCK_KIND_FLOCK,     /* owner: the struct file; whole file */
};

/* A lock request or a conflicting lock found by lock_test.  @end is
 * inclusive, UINT64_MAX reaches to the end of the file (and beyond). */
struct lock_range {
	int type;       /* F_RDLCK, F_WRLCK, F_UNLCK */
	uint64_t start, end;
	int32_t pid;    /* POSIX: the owner's process; OFD: -1 */
	enum lock_kind kind;
};

/*
 * Set (or with F_UNLCK remove) a lock on @f's file for @owner.  Without
 * @wait a conflict gives -EAGAIN; with @wait the call blocks for @t
 * (-ERESTARTSYS on a signal, -EDEADLK if waiting would deadlock).
 */
int lock_set(struct task *t, struct file *f, enum lock_kind kind, const void *owner,
	     const struct lock_range *req, int wait);

/* The first lock of another owner that would block @req (type F_UNLCK in
 * *@ret when none does). */
void lock_test(struct file *f, enum lock_kind kind, const void *owner,
	       const struct lock_range *req, struct lock_range *ret);

/* @owner (an fd table) closed an fd of @f: its POSIX locks on the file go. */
void lock_release_posix(struct file *f, const void *owner);

/* @f's last reference is gone: its OFD and flock locks go. */
void lock_release_file(struct file *f);

#endif
