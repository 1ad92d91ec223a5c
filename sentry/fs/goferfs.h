/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CVISOR_SENTRY_FS_GOFERFS_H
#define CVISOR_SENTRY_FS_GOFERFS_H

struct vnode;

/*
 * Attach to the Gofer on the connected unix socket @sock (taken over) and
 * return the root vnode of the export @aname ("/" for the rootfs).
 */
int goferfs_mount_root(int sock, const char *aname, struct vnode **ret);

/* Drop the name cache of the tree under @root (a goferfs root; anything
 * else is ignored): call before the mount's reference to @root goes, or
 * the cached vnodes keep the tree alive. */
void goferfs_unmount(struct vnode *root);

#endif
