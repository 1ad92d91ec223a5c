/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A task that never runs: root credentials, the kernel's root as / and
 * cwd, umask 0.  The kernel's own walks and opens (control-socket files,
 * boot-time bind mounts) go through the same VFS calls as the syscalls
 * with it.  Defined in control_files.c.
 */
#ifndef CVISOR_SENTRY_KERNEL_ROOT_CTX_H
#define CVISOR_SENTRY_KERNEL_ROOT_CTX_H

#include "sentry/kernel/task.h"

struct kernel_root_ctx {
	struct task t;
	struct thread_group tg;
};

int kernel_root_ctx_init(struct kernel *k, struct kernel_root_ctx *c);
void kernel_root_ctx_fini(struct kernel_root_ctx *c);

#endif
