/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CVISOR_SENTRY_FS_GOFERFS_H
#define CVISOR_SENTRY_FS_GOFERFS_H

#include <stdbool.h>

struct vnode;
struct goferfs_conn;

/*
 * A 9P connection to the Gofer on the connected unix socket @sock (taken
 * over, closed on failure too).  Several trees may be attached on it (the
 * rootfs and the bind mounts of one Gofer); each holds a reference.
 */
int goferfs_conn_new(int sock, struct goferfs_conn **ret);
void goferfs_conn_put(struct goferfs_conn *gc);

/*
 * Attach the export @aname ("/" for the rootfs, the Gofer's --bind names
 * for the others) and return its root vnode.  @cached: a tree nobody
 * changes behind the Sentry's back and the Sentry never writes (the rootfs,
 * read-only or an overlay's lower layer): names and attributes are cached.
 * Otherwise (bind mounts) every lookup and stat asks the Gofer, and the
 * tree can be modified (the Gofer refuses if its export is read-only).
 */
int goferfs_attach(struct goferfs_conn *gc, const char *aname, bool cached, struct vnode **ret);

/* Drop the name cache of the tree under @root (a goferfs root; anything
 * else is ignored): call before the mount's reference to @root goes, or
 * the cached vnodes keep the tree alive. */
void goferfs_unmount(struct vnode *root);

#endif
