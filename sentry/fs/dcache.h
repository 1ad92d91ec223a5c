/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bounded name cache for file systems whose lookups are dear (goferfs:
 * two Gofer round trips per name).  Maps (directory vnode, name) to the
 * child vnode, or to "absent" (negative entry), with LRU eviction.
 *
 * Only for trees that do not change behind the cache: the Gofer serves the
 * rootfs read-only, and nothing else writes it while a sandbox runs (the
 * same assumption as gVisor's overlay lower layer).
 *
 * References: a positive entry holds a reference to its child (which holds
 * its parent: the key stays valid); a negative entry holds its directory.
 * dcache_clear() drops them all; the owner calls it before its last
 * reference to the tree goes, or the tree is never released.
 *
 * Locking: internal (one mutex).  Evicted vnodes are put after the lock is
 * dropped: a vnode's release may call back into its file system.
 */
#ifndef CVISOR_SENTRY_FS_DCACHE_H
#define CVISOR_SENTRY_FS_DCACHE_H

#include <stddef.h>

struct dcache;
struct vnode;

/* A cache of at most @max entries; NULL on ENOMEM. */
struct dcache *dcache_new(size_t max);
/* Drops every entry; the cache stays usable. */
void dcache_clear(struct dcache *c);
void dcache_free(struct dcache *c);

/* 1 with *@ret = a new reference to the cached child, 0 with *@ret = NULL
 * for a cached absence (-ENOENT), -ENOENT when @name is not cached. */
int dcache_lookup(struct dcache *c, struct vnode *dir, const char *name, struct vnode **ret);
/* Remember @child (NULL: absent) as @dir's @name; a failed allocation
 * only means nothing is cached. */
void dcache_insert(struct dcache *c, struct vnode *dir, const char *name, struct vnode *child);

#endif
