/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CVISOR_SENTRY_FS_PROCFS_H
#define CVISOR_SENTRY_FS_PROCFS_H

struct kernel;
struct task;
struct vnode;

/* The root of the sandbox's procfs (one reference). */
struct vnode *procfs_create_root(struct kernel *k);
/* The root of the sandbox's read-only sysfs (one reference): only
 * devices/system/cpu/{online,possible,present}. */
struct vnode *sysfs_create_root(struct kernel *k);

/* The task whose syscalls the calling Sentry thread serves ("self"). */
void procfs_set_current(struct task *t);

#endif
