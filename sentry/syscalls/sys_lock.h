/* SPDX-License-Identifier: Apache-2.0 */
/* fcntl's record-lock commands (sys_lock.c), called by sys_fcntl. */
#ifndef CVISOR_SENTRY_SYSCALLS_SYS_LOCK_H
#define CVISOR_SENTRY_SYSCALLS_SYS_LOCK_H

#include <stdint.h>

struct file;
struct task;

/* F_GETLK/F_SETLK/F_SETLKW and F_OFD_GETLK/SETLK/SETLKW on @f (fd @fd). */
int64_t sys_fcntl_lock(struct task *t, struct file *f, int cmd, uint64_t arg);

#endif
