/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by overlay.c (nodes, lookup, copy-up, files) and
 * overlay_dir.c (directory operations, merged readdir).
 *
 * Locking: one recursive mutex per instance (ovl_sb.lock) serializes every
 * structural operation (lookup, copy-up, create, unlink, rename, readdir)
 * and protects all ovl_node fields and the upper-inode table.  It is not
 * held for file data I/O.  It is recursive because dropping a vnode
 * reference may release an overlay vnode, which takes it again.
 */
#ifndef CVISOR_SENTRY_FS_OVERLAY_IMPL_H
#define CVISOR_SENTRY_FS_OVERLAY_IMPL_H

#include <pthread.h>
#include <stdint.h>

#include "sentry/vfs/vnode.h"

/* Inode numbers of pure-upper objects carry this bit (lower inodes are host
 * inode numbers, far below it). */
#define OVL_UPPER_INO_BIT (1ULL << 62)
/* readdir cookies of the lower phase carry this bit. */
#define OVL_LOWER_COOKIE (1ULL << 63)

/* Per upper object facts that must outlive its overlay vnodes. */
struct ovl_info {
	struct ovl_info *next;
	uint64_t upper_ino;
	uint64_t lower_ino; /* valid if has_origin */
	unsigned has_origin : 1; /* copied up from (or merged with) lower_ino */
	unsigned opaque : 1;     /* directory hiding the lower layer */
	unsigned whiteout : 1;   /* a whiteout (character device 0/0) */
};

#define OVL_INFO_BUCKETS 256

struct ovl_sb {
	pthread_mutex_t lock; /* recursive; see above */
	int refs;             /* overlay vnodes alive: atomic */
	dev_t dev;
	struct vnode *upper_root;
	struct ovl_info *info[OVL_INFO_BUCKETS];
};

/*
 * One overlay vnode.  Invariants: at least one of upper/lower; a non-dir
 * with an upper is served by the upper only; a directory with both is a
 * merged directory.  Cached in its parent's kids list (weak references)
 * so one (parent, name) has at most one live overlay vnode.
 */
struct ovl_node {
	struct ovl_sb *sb;
	struct vnode *self;
	struct vnode *upper, *lower; /* references */
	struct vnode *oparent;       /* reference; NULL for the root */
	char *name;                  /* in oparent; NULL for the root */
	struct ovl_node *kids;       /* cached children (weak) */
	struct ovl_node *sibling;    /* next in oparent's kids */
	int removed;                 /* unlinked or rmdir'ed */
};

extern const struct vnode_ops ovl_vops;

static inline struct ovl_node *ovl_n(struct vnode *v)
{
	return v->priv;
}

static inline struct vnode *ovl_real(struct ovl_node *n)
{
	return n->upper ? n->upper : n->lower;
}

struct ovl_info *ovl_info_get(struct ovl_sb *sb, uint64_t upper_ino, int create);
void ovl_info_drop(struct ovl_sb *sb, uint64_t upper_ino);
/* Is the upper object (@mode, @upper_ino) one of our whiteouts?  (A 0/0
 * device the application makes itself is not.) */
int ovl_is_whiteout(struct ovl_sb *sb, mode_t mode, uint64_t upper_ino);
int ovl_is_opaque(struct ovl_node *n);
uint64_t ovl_upper_entry_ino(struct ovl_sb *sb, uint64_t upper_ino);

/* The overlay vnode for @name in @dir (sb lock held). */
int ovl_lookup_locked(struct vnode *dir, const char *name, struct vnode **ret);
/* Does the lower layer show @name in @dir (not opaque, lower has it)? */
int ovl_lower_visible(struct vnode *dir, const char *name);
/* Make sure @v has an upper object (sb lock held). */
int ovl_copy_up(struct vnode *v);
/* A new overlay vnode for @name in @dir over @upper/@lower (references taken). */
int ovl_make_node(struct vnode *dir, const char *name, struct vnode *upper, struct vnode *lower,
		  struct vnode **ret);
void ovl_sync_attrs(struct vnode *v);
/* Forget @n as @dir's child (after unlink or rename). */
void ovl_uncache(struct ovl_node *n);

/* overlay_dir.c */
int ovl_readdir(struct vnode *dir, uint64_t cookie, vfs_dirent_fn fn, void *ctx);
int ovl_create(struct vnode *dir, const char *name, mode_t mode, dev_t rdev,
	       const struct creds *c, struct vnode **ret);
int ovl_symlink(struct vnode *dir, const char *name, const char *target, const struct creds *c);
int ovl_link(struct vnode *dir, const char *name, struct vnode *v);
int ovl_unlink(struct vnode *dir, const char *name, int rmdir);
int ovl_rename(struct vnode *odir, const char *oname, struct vnode *ndir, const char *nname,
	       unsigned flags);

#endif
