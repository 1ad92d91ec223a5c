/* SPDX-License-Identifier: Apache-2.0 */
/*
 * devfs: the character devices of a sandbox (null zero full random urandom
 * tty ptmx) as vnodes in a tmpfs directory, and their file operations.
 */
#ifndef CVISOR_SENTRY_FS_DEVFS_H
#define CVISOR_SENTRY_FS_DEVFS_H

struct vnode;
struct file;

/* Create the device nodes in @dir (a tmpfs directory). */
int devfs_populate(struct vnode *dir);
/* Open the character device @v (by its rdev). */
int devfs_open(struct vnode *v, unsigned flags, struct file **ret);

#endif
