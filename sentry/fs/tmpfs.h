/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CVISOR_SENTRY_FS_TMPFS_H
#define CVISOR_SENTRY_FS_TMPFS_H

#include <sys/types.h>

struct vnode;

/* The root directory of a new tmpfs instance (one reference). */
struct vnode *tmpfs_create_root(mode_t mode);

#endif
