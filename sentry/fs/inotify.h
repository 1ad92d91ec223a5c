/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inotify: watches on vnodes and the event queues read from inotify fds.
 *
 * The VFS operations call the fsnotify_*() hooks below after they have
 * changed something; each hook is a load of a global counter (and a
 * pointer check per vnode) when nobody watches.  Events about a file go
 * to the watches on the file and, with the file's name, to those on its
 * parent directory (vnode.parent and name_hint, as the file system keeps
 * them).  A watch holds a reference on its vnode.
 *
 * Locking: one lock (inotify.c) protects every watch list, every queue and
 * the vnodes' watches pointers; it is taken after vnode locks are dropped.
 */
#ifndef CVISOR_SENTRY_FS_INOTIFY_H
#define CVISOR_SENTRY_FS_INOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "sentry/vfs/vnode.h"

struct file;
struct path;
struct task;
struct vnode;

/* Every bit inotify_add_watch knows (others alone: EINVAL). */
#define INOTIFY_ALL_BITS                                                                    \
	(IN_ALL_EVENTS | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_ADD |       \
	 IN_MASK_CREATE | IN_ISDIR | IN_ONESHOT | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED)

/* Watches alive in the sandbox (atomic): 0 skips every hook. */
extern int inotify_nwatches;

static inline bool inotify_active(void)
{
	return __atomic_load_n(&inotify_nwatches, __ATOMIC_RELAXED) != 0;
}

/* inotify_init1: @flags IN_NONBLOCK (IN_CLOEXEC is the caller's). */
int inotify_file_new(unsigned flags, struct file **ret);
int inotify_file_is(struct file *f);
/* Watch @p (the caller's reference stays its own) with @mask: the watch
 * descriptor, or -EINVAL/-EEXIST (IN_MASK_CREATE)/-ENOTDIR (IN_ONLYDIR). */
int inotify_file_add_watch(struct file *f, struct vnode *v, uint32_t mask);
int inotify_file_rm_watch(struct file *f, int wd);

/* Checkpoint (sentry/kernel/ckpt_event.c).  Save: the watches (each vnode
 * referenced), the queue as read(2) returns it, the next descriptor, all
 * malloc'd (inotify_ckpt_free).  Restore: a watch of @mask on @v with the
 * descriptor @wd (-EEXIST if @wd or @v is watched already), then the
 * queue (-EINVAL for malformed records) and the next descriptor. */
struct inotify_ckpt_watch {
	int wd;
	uint32_t mask;
	struct vnode *v;
};
struct inotify_ckpt {
	struct inotify_ckpt_watch *watches;
	size_t nwatches;
	char *events;
	size_t events_len;
	int next_wd;
};
int inotify_ckpt_get(struct file *f, struct inotify_ckpt *ret);
void inotify_ckpt_free(struct inotify_ckpt *c);
int inotify_ckpt_add_watch(struct file *f, struct vnode *v, uint32_t mask, int wd);
int inotify_ckpt_set(struct file *f, int next_wd, const void *events, size_t len);

/* Hooks. */
/* @to_parent: also to the parent directory's watches (with the name). */
void inotify_vnode_event(struct vnode *v, uint32_t mask, bool to_parent);
/* The same for an event through the open file @f: the parent is the
 * directory and name @f was opened by. */
void inotify_file_event(struct file *f, uint32_t mask);
void inotify_dir_event(struct vnode *dir, const char *name, uint32_t mask, uint32_t cookie);
/* @v lost its last link: IN_DELETE_SELF, then its watches go (IN_IGNORED). */
void inotify_vnode_deleted(struct vnode *v);
uint32_t inotify_cookie(void);

/* Something happened to @v itself (IN_MODIFY, IN_ATTRIB, IN_OPEN, ...). */
static inline void fsnotify(struct vnode *v, uint32_t mask)
{
	if (inotify_active() && v)
		inotify_vnode_event(v, mask, true);
}

/* @v's link count changed (link, unlink, rename over it): IN_ATTRIB to its
 * own watches, and IN_DELETE_SELF when the last link went. */
static inline void fsnotify_link_count(struct vnode *v)
{
	if (!inotify_active() || !v)
		return;
	inotify_vnode_event(v, IN_ATTRIB, false);
	if (v->nlink == 0 || (S_ISDIR(v->mode) && v->nlink <= 1))
		inotify_vnode_deleted(v);
}

/* An entry @name of @dir was created / deleted (IN_ISDIR or'ed in by the
 * caller for directories). */
static inline void fsnotify_name(struct vnode *dir, const char *name, uint32_t mask)
{
	if (inotify_active() && dir)
		inotify_dir_event(dir, name, mask, 0);
}

/* An event through the open file @f (IN_OPEN, IN_MODIFY, IN_CLOSE_*...). */
static inline void fsnotify_file(struct file *f, uint32_t mask)
{
	if (inotify_active())
		inotify_file_event(f, mask);
}

#endif
