/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CVISOR_SENTRY_FS_PROCFS_H
#define CVISOR_SENTRY_FS_PROCFS_H

#include <stddef.h>

struct file;
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

/* What /proc/pid/fd/N of @viewer shows for @f ("/a/b", "/a/b (deleted)",
 * "pipe:[ino]", "anon_inode:[eventfd]"...): its length, or negative errno. */
int procfs_file_path(struct task *viewer, struct file *f, char *buf, size_t len);

#endif
