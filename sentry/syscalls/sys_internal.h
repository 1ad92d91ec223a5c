/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by syscall handlers of several files (sentry/syscalls/). */
#ifndef CVISOR_SENTRY_SYSCALLS_INTERNAL_H
#define CVISOR_SENTRY_SYSCALLS_INTERNAL_H

#include <stdint.h>

struct task;

/* The temporary signal mask of ppoll, pselect6 and epoll_pwait: 1 when
 * @umask (sigset of @size bytes) was installed, 0 when @umask is NULL,
 * else -EINVAL/-EFAULT.  sc_restore_mask() puts the old mask back unless
 * the call ended with EINTR (then the signal frame restores it). */
int sc_swap_mask(struct task *t, uint64_t umask, uint64_t size);
void sc_restore_mask(struct task *t, int swapped, int64_t r);

#endif
