/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CVISOR_SENTRY_FS_TMPFS_H
#define CVISOR_SENTRY_FS_TMPFS_H

#include <sys/types.h>

struct vnode;
struct creds;

/* The root directory of a new tmpfs instance (one reference). */
struct vnode *tmpfs_create_root(mode_t mode);
/* A regular file linked nowhere (memfd_create), owned by @c, on a tmpfs
 * device of its own; one reference, NULL on ENOMEM. */
struct vnode *tmpfs_create_unlinked(mode_t mode, const struct creds *c);

#endif
