/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VFS: the mount tree of a sandbox, each task's root/cwd/umask
 * (struct fs_context, shared by CLONE_FS), and path resolution with Linux's
 * rules (symlinks, "..", mount crossing, ELOOP, ENAMETOOLONG, ENOTDIR).
 */
#ifndef CVISOR_SENTRY_VFS_H
#define CVISOR_SENTRY_VFS_H

#include <stddef.h>
#include <stdint.h>

#include "vnode.h"

struct task;
struct creds;

struct fs_context {
	int refs;             /* atomic */
	pthread_mutex_t lock; /* protects root, cwd, umask */
	struct path root, cwd;
	mode_t umask;
};

struct fs_context *fs_context_new(struct path root);
struct fs_context *fs_context_get(struct fs_context *fs);
struct fs_context *fs_context_copy(struct fs_context *fs);
void fs_context_put(struct fs_context *fs);

/* A new mount of @root (its reference is taken) on @at (NULL @at: the
 * root mount). */
int vfs_mount(struct path *at, struct vnode *root, unsigned flags, const char *source,
	      const char *fstype, const char *target, struct mount **ret);

/* Is something mounted on @v (seen through @mnt)? */
int vfs_is_mountpoint(struct mount *mnt, struct vnode *v);
/* Drop @m from the mount table (kernel teardown). */
void vfs_forget_mount(struct mount *m);

enum walk_flags {
	WALK_FOLLOW = 1u << 0,    /* follow a trailing symlink */
	WALK_DIRECTORY = 1u << 1, /* the result must be a directory */
	WALK_EMPTY_OK = 1u << 2,  /* "" names @dirfd itself (AT_EMPTY_PATH) */
	/* openat2's RESOLVE_* rules: */
	WALK_NO_XDEV = 1u << 3,       /* never cross a mount: EXDEV */
	WALK_NO_MAGICLINKS = 1u << 4, /* no procfs magic links: ELOOP */
	WALK_NO_SYMLINKS = 1u << 5,   /* no symlinks at all: ELOOP */
	WALK_BENEATH = 1u << 6,       /* never leave @dirfd: EXDEV */
	WALK_IN_ROOT = 1u << 7,       /* @dirfd is "/" for this walk */
};
#define WALK_RESOLVE_MASK                                                                   \
	(WALK_NO_XDEV | WALK_NO_MAGICLINKS | WALK_NO_SYMLINKS | WALK_BENEATH | WALK_IN_ROOT)

/* Resolve @path relative to @dirfd (AT_FDCWD or an open directory). */
int vfs_walk(struct task *t, int dirfd, const char *path, unsigned flags, struct path *ret);

/*
 * Resolve everything but the last component: *ret_dir is its directory,
 * @ret_name (VFS_NAME_MAX + 1 bytes) its name.  Paths ending in "/", "." or
 * ".." are refused with -EEXIST/-EINVAL as the callers' syscalls expect; a
 * trailing "/" is reported in *ret_trailing_slash.
 */
int vfs_walk_parent(struct task *t, int dirfd, const char *path, struct path *ret_dir,
		    char *ret_name, int *ret_trailing_slash);

enum { MAY_EXEC = 1, MAY_WRITE = 2, MAY_READ = 4 };
int vfs_permission(const struct creds *c, struct vnode *v, int mask);

/* The path of @p as seen from @root, into @buf: its length + 1 (with the
 * NUL), -ERANGE if too long. */
int vfs_path_string(struct path root, struct path p, char *buf, size_t len);

/* Open @path (for openat): O_CREAT/O_EXCL/O_TRUNC/O_DIRECTORY/O_NOFOLLOW.
 * O_CREAT through a symlink to a missing file creates its target, as
 * Linux (not under WALK_BENEATH/WALK_IN_ROOT, where it gives ENOENT). */
int vfs_open(struct task *t, int dirfd, const char *path, unsigned flags, mode_t mode,
	     struct file **ret);
/* An O_PATH description of @path (WALK_* @flags). */
int vfs_open_path(struct task *t, int dirfd, const char *path, unsigned flags,
		  struct file **ret);
/* vfs_open with openat2's resolve rules (WALK_RESOLVE_MASK bits). */
int vfs_open_resolve(struct task *t, int dirfd, const char *path, unsigned flags, mode_t mode,
		     unsigned resolve, struct file **ret);

#endif
