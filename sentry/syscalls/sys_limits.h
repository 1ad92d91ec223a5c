/* SPDX-License-Identifier: Apache-2.0 */
/* Resource limits the file syscalls enforce (implemented in sys_fd.c). */
#ifndef CVISOR_SENTRY_SYSCALLS_SYS_LIMITS_H
#define CVISOR_SENTRY_SYSCALLS_SYS_LIMITS_H

#include <stdint.h>

struct task;

/*
 * RLIMIT_FSIZE, as Linux: a write at @pos of *@len bytes is clamped to end
 * at the limit, and one starting at or past it fails with -EFBIG; with @len
 * NULL, a truncate to @pos fails if @pos is past the limit.  Failures also
 * send SIGXFSZ to @t.  Returns 0 or -EFBIG.
 */
int sys_fsize_check(struct task *t, uint64_t pos, uint64_t *len);

/* The same for a write of *@len bytes to @f at @off (its end with
 * O_APPEND): regular files only, anything else passes. */
struct file;
int sys_write_limit(struct task *t, struct file *f, int64_t off, uint64_t *len);

#endif
