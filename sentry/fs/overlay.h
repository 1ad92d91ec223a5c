/* SPDX-License-Identifier: Apache-2.0 */
/*
 * overlay: a writable view of a read-only tree (Linux overlayfs semantics).
 *
 * The lower layer is any vnode tree (goferfs: the Gofer's read-only export);
 * the upper layer is a private tmpfs that only the Sentry sees.  Lookups
 * merge upper over lower, directories present in both merge, and every
 * modification of a lower object first copies it up.  Removing a lower name
 * leaves a whiteout in the upper directory; a directory created where a
 * whiteout was is opaque (hides the lower directory of that name).  Nothing
 * is ever written to the lower layer.  See docs/sentry.md, "Overlay root".
 */
#ifndef CVISOR_SENTRY_FS_OVERLAY_H
#define CVISOR_SENTRY_FS_OVERLAY_H

struct vnode;

/*
 * The root of a new overlay instance over @lower (a directory; the
 * reference is taken, also on failure) with an empty tmpfs upper layer.
 */
int overlay_create(struct vnode *lower, struct vnode **ret);

/* Checkpoint: a reference to the upper layer (a tmpfs root) of the overlay
 * whose root is @root; -EINVAL for a vnode that is no overlay root. */
int overlay_upper_root(struct vnode *root, struct vnode **ret);
/* What the upper object @upper (of overlay_upper_root(@root)'s tree) stands
 * for: OVERLAY_WHITEOUT (a deleted lower object), OVERLAY_OPAQUE (a
 * directory hiding the lower one) or 0.  Restore needs no entry point of
 * its own: removing a lower object through the overlay makes a whiteout
 * and creating a directory where one was makes it opaque. */
enum { OVERLAY_WHITEOUT = 1, OVERLAY_OPAQUE = 2 };
int overlay_upper_kind(struct vnode *root, struct vnode *upper);

#endif
