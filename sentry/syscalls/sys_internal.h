/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by syscall handlers of several files (sentry/syscalls/). */
#ifndef CVISOR_SENTRY_SYSCALLS_INTERNAL_H
#define CVISOR_SENTRY_SYSCALLS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

struct task;

/* Copy a NUL-terminated string of at most @max bytes (NUL excluded) from
 * the application into @buf (@max + 1 bytes): 0, -EFAULT, or @toolong. */
int sc_copy_str(struct task *t, uint64_t addr, char *buf, size_t max, int toolong);

/* The temporary signal mask of ppoll, pselect6 and epoll_pwait: 1 when
 * @umask (sigset of @size bytes) was installed, 0 when @umask is NULL,
 * else -EINVAL/-EFAULT.  sc_restore_mask() puts the old mask back unless
 * the call ended with EINTR (then the signal frame restores it). */
int sc_swap_mask(struct task *t, uint64_t umask, uint64_t size);
void sc_restore_mask(struct task *t, int swapped, int64_t r);

#endif
