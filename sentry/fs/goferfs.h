/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CVISOR_SENTRY_FS_GOFERFS_H
#define CVISOR_SENTRY_FS_GOFERFS_H

struct vnode;

/*
 * Attach to the Gofer on the connected unix socket @sock (taken over) and
 * return the root vnode of the export @aname ("/" for the rootfs).
 */
int goferfs_mount_root(int sock, const char *aname, struct vnode **ret);

#endif
