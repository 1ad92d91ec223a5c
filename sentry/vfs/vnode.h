/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VFS objects: vnodes (inodes), mounts and paths.
 *
 * A vnode is one file-system object, refcounted, with its attributes and a
 * vnode_ops table provided by its file system (tmpfs, devfs, later goferfs
 * and overlay).  Directories know their parent (for ".."); the walker crosses
 * mount points in both directions.  There is no dentry cache: file systems
 * look names up themselves (tmpfs in memory; goferfs will cache).
 *
 * Locking: vnode.lock protects the attributes and the file system's private
 * data of that vnode (tmpfs: directory entries, file contents).  Operations
 * that touch two directories (rename) take the global vfs rename lock first.
 */
#ifndef CVISOR_SENTRY_VFS_VNODE_H
#define CVISOR_SENTRY_VFS_VNODE_H

#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

struct creds;
struct file;
struct mount;
struct path;
struct vnode;
struct inotify_watch;

#define VFS_NAME_MAX 255
#define VFS_PATH_MAX 4096
#define VFS_SYMLOOP_MAX 40

/* An attribute change; only the fields named in @mask are applied. */
enum vnode_attr_mask {
	VA_MODE = 1u << 0, /* permission bits (07777) only */
	VA_UID = 1u << 1,
	VA_GID = 1u << 2,
	VA_ATIME = 1u << 3,
	VA_MTIME = 1u << 4,
	VA_CTIME = 1u << 5,
};

struct vnode_attr {
	unsigned mask;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec atime, mtime, ctime;
};

/* Called once per directory entry; nonzero stops the iteration. */
typedef int (*vfs_dirent_fn)(void *ctx, const char *name, uint64_t ino, unsigned type,
			     uint64_t next_cookie);

struct vnode_ops {
	/* Directories.  @name is a single component, never "." or "..". */
	int (*lookup)(struct vnode *dir, const char *name, struct vnode **ret);
	int (*create)(struct vnode *dir, const char *name, mode_t mode, dev_t rdev,
		      const struct creds *c, struct vnode **ret);
	int (*symlink)(struct vnode *dir, const char *name, const char *target,
		       const struct creds *c);
	int (*link)(struct vnode *dir, const char *name, struct vnode *v);
	int (*unlink)(struct vnode *dir, const char *name, int rmdir);
	int (*rename)(struct vnode *odir, const char *oname, struct vnode *ndir,
		      const char *nname, unsigned flags);
	/* Entries from @*cookie on (0 = start, ".", ".." included). */
	int (*readdir)(struct vnode *dir, uint64_t cookie, vfs_dirent_fn fn, void *ctx);
	/* Symlinks. */
	int (*readlink)(struct vnode *v, char *buf, size_t len);
	/* Magic links (procfs fd/cwd/root): the path they stand for, followed
	 * directly instead of the readlink text; -ENOENT falls back to it. */
	int (*magic_link)(struct vnode *v, struct path *ret);
	/* Open as a file description (regular files, devices, directories). */
	int (*open)(struct vnode *v, unsigned flags, struct file **ret);
	/* Size changes for regular files. */
	int (*truncate)(struct vnode *v, uint64_t size);
	/* Optional.  Attribute changes (chmod, chown, utimensat): apply @a to
	 * the object and to @v's fields.  NULL: vnode_setattr sets the fields
	 * (the fields are the object: tmpfs). */
	int (*setattr)(struct vnode *v, const struct vnode_attr *a);
	/* Optional.  Refresh @v's fields from a backing object before they
	 * are reported (vnode_stat); NULL: the fields are current. */
	void (*getattr)(struct vnode *v);
	/* Regular files that can be mapped shared: a new host fd (the caller
	 * closes it) whose bytes are the file's data from now on, so that
	 * mappings of it, read() and write() all see one copy.  NULL: shared
	 * mappings are ENODEV, private ones get a copy. */
	int (*mmap_fd)(struct vnode *v);
	void (*release)(struct vnode *v);
};

struct vnode {
	int refs; /* atomic */
	const struct vnode_ops *ops;
	dev_t dev;
	uint64_t ino;
	pthread_mutex_t lock; /* protects everything below and the fs data */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	nlink_t nlink;
	uint64_t size;
	dev_t rdev;
	struct timespec atime, mtime, ctime;
	/* Directories: "..".  Not referenced: a linked directory's parent is
	 * kept alive by its own entry; the file system clears it when the
	 * directory is removed.  NULL = fs root (or removed).  File systems may
	 * also set it for other files (tmpfs: a directory holding a link to
	 * it, cleared when that link goes) so that vfs_path_string can name
	 * them. */
	struct vnode *parent;
	void *priv;
	/* The name this vnode was last looked up or created by (malloc'd, may
	 * be stale after a rename or unlink): a hint that spares
	 * vfs_path_string() a scan of the parent directory. */
	char *name_hint;
	/* inotify watches on this vnode (sentry/fs/inotify.c, under its
	 * lock); NULL when nobody watches, the hooks' fast path. */
	struct inotify_watch *watches;
};

struct mount {
	struct mount *parent;   /* NULL for the root mount */
	struct vnode *point;    /* where it is mounted (in parent) */
	struct vnode *root;
	unsigned flags;         /* MS_RDONLY ... */
	char *source, *fstype, *target; /* for /proc/mounts */
};

struct path {
	struct mount *mnt;
	struct vnode *v;
};

struct vnode *vnode_new(const struct vnode_ops *ops, dev_t dev, mode_t mode);
struct vnode *vnode_get(struct vnode *v);
void vnode_put(struct vnode *v);
void vnode_stat(struct vnode *v, struct stat *st);
void vnode_touch(struct vnode *v, int atime, int mtime, int ctime);
/* Apply @a through ops->setattr, or to the fields. */
int vnode_setattr(struct vnode *v, const struct vnode_attr *a);
/* Set the fields named in @a (no hook): for file systems' setattr. */
void vnode_apply_attr(struct vnode *v, const struct vnode_attr *a);

/* Record @name as @v's name hint; copy the hint into @buf (VFS_NAME_MAX + 1
 * bytes), returning 0, or -ENOENT when there is none. */
void vnode_set_name_hint(struct vnode *v, const char *name);
int vnode_name_hint(struct vnode *v, char *buf);

/* The names in directory @dir but "." and "..", read all at once (for
 * walkers that change the tree while they go): *@ret is filled on success
 * (-ENOTDIR without readdir, -ENOMEM); free with vnode_names_free. */
struct vnode_names {
	char **v;
	size_t n, cap;
	int err;
};
int vnode_read_names(struct vnode *dir, struct vnode_names *ret);
void vnode_names_free(struct vnode_names *ns);

static inline struct path path_get(struct path p)
{
	vnode_get(p.v);
	return p;
}

static inline void path_put(struct path *p)
{
	vnode_put(p->v);
	p->v = NULL;
}

/* A fresh anonymous device number for a file-system instance. */
dev_t vfs_new_dev(void);

#endif
