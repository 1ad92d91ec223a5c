/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A task's file descriptor table (shared by CLONE_FILES, copied by fork).
 * All functions are thread-safe; returned files carry a reference.
 */
#ifndef CVISOR_SENTRY_VFS_FDTABLE_H
#define CVISOR_SENTRY_VFS_FDTABLE_H

#include <pthread.h>

struct file;

#define FDT_MAX 1024 /* RLIMIT_NOFILE default; EMFILE beyond */

struct fd_entry {
	struct file *file; /* NULL: free */
	int cloexec;
};

struct fd_table {
	int refs;             /* atomic */
	pthread_mutex_t lock; /* protects v[] */
	struct fd_entry v[FDT_MAX];
};

struct fd_table *fdt_new(void);
struct fd_table *fdt_get(struct fd_table *t);
void fdt_put(struct fd_table *t);
/* A copy for fork(): same descriptions, new references. */
struct fd_table *fdt_copy(struct fd_table *t);

/* Lowest free fd >= @min for @f (a new reference is taken); -EMFILE/-EINVAL. */
int fdt_install(struct fd_table *t, int min, struct file *f, int cloexec);
/* The same below @max (RLIMIT_NOFILE). */
int fdt_install_max(struct fd_table *t, int min, struct file *f, int cloexec, int max);
/* Reference to the file at @fd or NULL (EBADF). */
struct file *fdt_lookup(struct fd_table *t, int fd);
int fdt_close(struct fd_table *t, int fd);
/* dup2/dup3 semantics: @newfd closed first, same fd allowed for dup2. */
int fdt_dup_to(struct fd_table *t, int oldfd, int newfd, int cloexec);
int fdt_get_cloexec(struct fd_table *t, int fd);
int fdt_set_cloexec(struct fd_table *t, int fd, int on);
/* execve: close every O_CLOEXEC descriptor. */
void fdt_close_cloexec(struct fd_table *t);
/* close_range(first, last, flags) with CLOSE_RANGE_CLOEXEC / _UNSHARE(no-op). */
int fdt_close_range(struct fd_table *t, unsigned first, unsigned last, unsigned flags);

#endif
