/* SPDX-License-Identifier: Apache-2.0 */
/* Path-based syscalls: open, mkdir, unlink, rename, links, stat, access,
 * cwd, getdents64, truncate, umask, chmod. */
#include <errno.h>
#include <fcntl.h>
#include <linux/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/macro.h"
#include "sentry/fs/inotify.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"
#include "sys_limits.h"
#include "sys_internal.h"
#include "syscall_handlers.h"

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif
#define OPEN_VALID_FLAGS                                                                    \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | \
	 O_ASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | \
	 O_SYNC | O_PATH | O_TMPFILE)

int sc_copy_str(struct task *t, uint64_t addr, char *buf, size_t max, int toolong)
{
	size_t got = 0;

	while (got <= max) {
		size_t want = MIN((size_t)256, max + 1 - got);
		ssize_t n = task_copy_in(t, addr + got, buf + got, want);

		if (n <= 0)
			return -EFAULT;
		if (memchr(buf + got, 0, (size_t)n))
			return 0;
		got += (size_t)n;
		if ((size_t)n < want)
			return -EFAULT; /* ran into an unmapped page */
	}
	return toolong;
}

/* Copy a NUL-terminated path from the application. */
static int get_path(struct task *t, uint64_t addr, char *buf)
{
	return sc_copy_str(t, addr, buf, VFS_PATH_MAX - 1, -ENAMETOOLONG);
}

#define PATH_ARG(t, addr, buf)                                                              \
	do {                                                                                \
		int _r = get_path(t, addr, buf);                                            \
		if (_r < 0)                                                                 \
			return _r;                                                          \
	} while (0)

/* @resolve: WALK_RESOLVE_MASK bits (openat2). */
static int64_t do_openat(struct task *t, int dirfd, uint64_t upath, uint64_t flags,
			 uint64_t mode, unsigned resolve)
{
	char path[VFS_PATH_MAX];
	struct file *f;
	int fd, r;

	if (flags & ~(uint64_t)OPEN_VALID_FLAGS)
		return -EINVAL;
	PATH_ARG(t, upath, path);
	if ((flags & O_TMPFILE) == O_TMPFILE) {
		/* Linux's checks, then no unnamed files yet */
		struct path p;

		if ((flags & O_ACCMODE) == O_RDONLY)
			return -EINVAL;
		r = vfs_walk(t, dirfd, path, WALK_FOLLOW | WALK_DIRECTORY | resolve, &p);
		if (r < 0)
			return r;
		path_put(&p);
		return -EOPNOTSUPP;
	}
	if (flags & O_PATH) {
		/* A handle on the path only: no file operations. */
		r = vfs_open_path(t, dirfd, path,
				  ((flags & O_NOFOLLOW) ? 0 : WALK_FOLLOW) |
					  ((flags & O_DIRECTORY) ? WALK_DIRECTORY : 0) | resolve,
				  &f);
		if (r < 0)
			return r;
	} else {
		r = vfs_open_resolve(t, dirfd, path, (unsigned)flags, (mode_t)mode, resolve, &f);
		if (r < 0)
			return r;
	}
	fd = fdt_install_max(t->fdt, 0, f, !!(flags & O_CLOEXEC), task_fd_limit(t));
	file_put(f);
	return fd;
}

int64_t sys_open(struct task *t, const uint64_t a[6])
{
	return do_openat(t, AT_FDCWD, a[0], a[1], a[2], 0);
}

int64_t sys_openat(struct task *t, const uint64_t a[6])
{
	return do_openat(t, (int)a[0], a[1], a[2], a[3], 0);
}

int64_t sys_creat(struct task *t, const uint64_t a[6])
{
	return do_openat(t, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, a[1], 0);
}

/* openat2(dirfd, path, struct open_how *how, size): strict about what
 * openat ignores (unknown flags, a mode without O_CREAT/O_TMPFILE, O_PATH
 * with other flags), and RESOLVE_* rules for the walk. */
#define OPEN_HOW_SIZE_VER0 24
#define RESOLVE_NO_XDEV_ 0x01
#define RESOLVE_NO_MAGICLINKS_ 0x02
#define RESOLVE_NO_SYMLINKS_ 0x04
#define RESOLVE_BENEATH_ 0x08
#define RESOLVE_IN_ROOT_ 0x10
#define RESOLVE_CACHED_ 0x20

int64_t sys_openat2(struct task *t, const uint64_t a[6])
{
	struct {
		uint64_t flags, mode, resolve;
	} how;
	uint64_t size = a[3];
	unsigned resolve = 0;

	if (size < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (size > 4096)
		return -E2BIG;
	if (task_copy_in(t, a[2], &how, sizeof(how)) != sizeof(how))
		return -EFAULT;
	/* a newer, larger struct is fine if what we do not know is zero */
	for (uint64_t off = sizeof(how); off < size; off += 8) {
		uint8_t tail[8] = { 0 };
		size_t n = (size_t)MIN((uint64_t)8, size - off);

		if (task_copy_in(t, a[2] + off, tail, n) != (ssize_t)n)
			return -EFAULT;
		for (size_t i = 0; i < n; i++)
			if (tail[i])
				return -E2BIG;
	}
	if (how.flags & ~(uint64_t)OPEN_VALID_FLAGS)
		return -EINVAL;
	if (how.resolve & ~(uint64_t)0x3f)
		return -EINVAL;
	if ((how.resolve & RESOLVE_BENEATH_) && (how.resolve & RESOLVE_IN_ROOT_))
		return -EINVAL;
	if (how.mode & ~(uint64_t)07777)
		return -EINVAL;
	if (how.mode && !(how.flags & O_CREAT) && (how.flags & O_TMPFILE) != O_TMPFILE)
		return -EINVAL;
	if ((how.flags & O_PATH) &&
	    (how.flags & ~(uint64_t)(O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)))
		return -EINVAL;
	if ((how.resolve & RESOLVE_CACHED_) && (how.flags & (O_CREAT | O_TRUNC | __O_TMPFILE)))
		return -EAGAIN;
	if (how.resolve & RESOLVE_NO_XDEV_)
		resolve |= WALK_NO_XDEV;
	if (how.resolve & RESOLVE_NO_MAGICLINKS_)
		resolve |= WALK_NO_MAGICLINKS;
	if (how.resolve & RESOLVE_NO_SYMLINKS_)
		resolve |= WALK_NO_SYMLINKS;
	if (how.resolve & RESOLVE_BENEATH_)
		resolve |= WALK_BENEATH;
	if (how.resolve & RESOLVE_IN_ROOT_)
		resolve |= WALK_IN_ROOT;
	/* RESOLVE_CACHED: every walk is "cached" here */
	return do_openat(t, (int)a[0], a[1], how.flags, how.mode, resolve);
}

/* Parent directory of a path that is about to be modified.  Creating
 * something that exists is EEXIST even on a read-only mount (as Linux). */
static int parent_for(struct task *t, int dirfd, const char *path, struct path *dir, char *name,
		      int *slash, int creating)
{
	int r = vfs_walk_parent(t, dirfd, path, dir, name, slash);

	if (r < 0)
		return r;
	if (dir->mnt->flags & MS_RDONLY) {
		struct vnode *v;

		r = -EROFS;
		if (creating && dir->v->ops->lookup && dir->v->ops->lookup(dir->v, name, &v) == 0) {
			vnode_put(v);
			r = -EEXIST;
		}
	} else {
		r = vfs_permission(&t->creds, dir->v, MAY_WRITE | MAY_EXEC);
	}
	if (r < 0)
		path_put(dir);
	return r;
}

static int modify_parent(struct task *t, int dirfd, const char *path, struct path *dir,
			 char *name, int *slash)
{
	return parent_for(t, dirfd, path, dir, name, slash, 0);
}

static int create_parent(struct task *t, int dirfd, const char *path, struct path *dir,
			 char *name, int *slash)
{
	return parent_for(t, dirfd, path, dir, name, slash, 1);
}

static int64_t do_mkdirat(struct task *t, int dirfd, uint64_t upath, uint64_t mode)
{
	char path[VFS_PATH_MAX], name[VFS_NAME_MAX + 1];
	struct path dir;
	int slash, r;

	PATH_ARG(t, upath, path);
	r = create_parent(t, dirfd, path, &dir, name, &slash);
	if (r == -EINVAL)
		return -EEXIST; /* "." or ".." */
	if (r < 0)
		return r;
	r = dir.v->ops->create ? dir.v->ops->create(dir.v, name,
						    S_IFDIR | (mode & 07777 & ~t->fs->umask), 0,
						    &t->creds, NULL)
			       : -EPERM;
	if (r == 0)
		fsnotify_name(dir.v, name, IN_CREATE | IN_ISDIR);
	path_put(&dir);
	return r;
}

int64_t sys_mkdir(struct task *t, const uint64_t a[6])
{
	return do_mkdirat(t, AT_FDCWD, a[0], a[1]);
}

int64_t sys_mkdirat(struct task *t, const uint64_t a[6])
{
	return do_mkdirat(t, (int)a[0], a[1], a[2]);
}

static const char *last_component(const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	while (n > 0 && path[n - 1] != '/')
		n--;
	return path + n;
}

static int64_t do_unlinkat(struct task *t, int dirfd, uint64_t upath, int rmdir)
{
	char path[VFS_PATH_MAX], name[VFS_NAME_MAX + 1];
	struct path dir;
	struct vnode *v;
	int slash, r;

	PATH_ARG(t, upath, path);
	r = modify_parent(t, dirfd, path, &dir, name, &slash);
	if (r == -EINVAL) {
		const char *l = last_component(path);

		if (!rmdir)
			return -EISDIR;
		return !strncmp(l, "..", 2) ? -ENOTEMPTY : -EINVAL;
	}
	if (r == -EEXIST)
		return rmdir ? -EBUSY : -EISDIR; /* "/" */
	if (r < 0)
		return r;
	r = dir.v->ops->lookup ? dir.v->ops->lookup(dir.v, name, &v) : -ENOTDIR;
	if (r == 0) {
		if (vfs_is_mountpoint(dir.mnt, v))
			r = -EBUSY;
		else if (slash && !S_ISDIR(v->mode))
			r = -ENOTDIR;
		if (r == 0)
			r = dir.v->ops->unlink ? dir.v->ops->unlink(dir.v, name, rmdir) : -EPERM;
		if (r == 0 && inotify_active()) {
			if (!S_ISDIR(v->mode))
				fsnotify_link_count(v);
			fsnotify_name(dir.v, name, IN_DELETE | (S_ISDIR(v->mode) ? IN_ISDIR : 0));
			if (S_ISDIR(v->mode))
				inotify_vnode_deleted(v);
		}
		vnode_put(v);
	}
	path_put(&dir);
	return r;
}

int64_t sys_unlink(struct task *t, const uint64_t a[6])
{
	return do_unlinkat(t, AT_FDCWD, a[0], 0);
}

int64_t sys_rmdir(struct task *t, const uint64_t a[6])
{
	return do_unlinkat(t, AT_FDCWD, a[0], 1);
}

int64_t sys_unlinkat(struct task *t, const uint64_t a[6])
{
	if (a[2] & ~(uint64_t)AT_REMOVEDIR)
		return -EINVAL;
	return do_unlinkat(t, (int)a[0], a[1], !!(a[2] & AT_REMOVEDIR));
}

/* inotify events of a rename of @v from @odir/@on to @ndir/@nn, over
 * @target (or NULL), as Linux's fsnotify_move. */
static void notify_rename(struct vnode *odir, const char *on, struct vnode *ndir, const char *nn,
			  struct vnode *v, struct vnode *target, unsigned flags)
{
	uint32_t cookie = inotify_cookie();
	uint32_t isdir = S_ISDIR(v->mode) ? IN_ISDIR : 0;

	inotify_dir_event(odir, on, IN_MOVED_FROM | isdir, cookie);
	inotify_dir_event(ndir, nn, IN_MOVED_TO | isdir, cookie);
	inotify_vnode_event(v, IN_MOVE_SELF, false);
	if (!target)
		return;
	if (flags & 2) { /* RENAME_EXCHANGE */
		cookie = inotify_cookie();
		isdir = S_ISDIR(target->mode) ? IN_ISDIR : 0;
		inotify_dir_event(ndir, nn, IN_MOVED_FROM | isdir, cookie);
		inotify_dir_event(odir, on, IN_MOVED_TO | isdir, cookie);
		inotify_vnode_event(target, IN_MOVE_SELF, false);
	} else if (target != v) {
		fsnotify_link_count(target);
	}
}

static int64_t do_renameat(struct task *t, int ofd, uint64_t opath, int nfd, uint64_t npath,
			   uint64_t flags)
{
	char op[VFS_PATH_MAX], np[VFS_PATH_MAX], on[VFS_NAME_MAX + 1], nn[VFS_NAME_MAX + 1];
	struct path od, nd;
	int os, ns, r;

	if (flags & ~3ULL) /* RENAME_NOREPLACE, RENAME_EXCHANGE */
		return -EINVAL;
	PATH_ARG(t, opath, op);
	PATH_ARG(t, npath, np);
	r = modify_parent(t, ofd, op, &od, on, &os);
	if (r == -EINVAL || r == -EEXIST)
		return -EBUSY;
	if (r < 0)
		return r;
	r = modify_parent(t, nfd, np, &nd, nn, &ns);
	if (r == -EINVAL || r == -EEXIST) {
		path_put(&od);
		return -EBUSY;
	}
	if (r < 0) {
		path_put(&od);
		return r;
	}
	if (od.mnt != nd.mnt)
		r = -EXDEV;
	else if (!od.v->ops->rename)
		r = -EPERM;
	else {
		struct vnode *v, *target = NULL;

		r = od.v->ops->lookup(od.v, on, &v);
		if (r == 0) {
			if ((os || ns) && !S_ISDIR(v->mode) && !(flags & 2))
				r = -ENOTDIR;
			if (r == 0 && vfs_is_mountpoint(od.mnt, v))
				r = -EBUSY; /* as Linux: a mount point does not move */
			if (r == 0 && nd.v->ops->lookup) {
				struct vnode *over;

				if (nd.v->ops->lookup(nd.v, nn, &over) == 0) {
					if (vfs_is_mountpoint(nd.mnt, over))
						r = -EBUSY;
					vnode_put(over);
				}
			}
			if (r == 0 && inotify_active() && nd.v->ops->lookup &&
			    nd.v->ops->lookup(nd.v, nn, &target) < 0)
				target = NULL;
			if (r == 0)
				r = od.v->ops->rename(od.v, on, nd.v, nn, (unsigned)flags);
			if (r == 0 && inotify_active())
				notify_rename(od.v, on, nd.v, nn, v, target, (unsigned)flags);
			if (target)
				vnode_put(target);
			vnode_put(v);
		}
	}
	path_put(&od);
	path_put(&nd);
	return r;
}

int64_t sys_rename(struct task *t, const uint64_t a[6])
{
	return do_renameat(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

int64_t sys_renameat(struct task *t, const uint64_t a[6])
{
	return do_renameat(t, (int)a[0], a[1], (int)a[2], a[3], 0);
}

int64_t sys_renameat2(struct task *t, const uint64_t a[6])
{
	return do_renameat(t, (int)a[0], a[1], (int)a[2], a[3], a[4]);
}

static int64_t do_symlinkat(struct task *t, uint64_t utarget, int dirfd, uint64_t upath)
{
	char target[VFS_PATH_MAX], path[VFS_PATH_MAX], name[VFS_NAME_MAX + 1];
	struct path dir;
	int slash, r;

	PATH_ARG(t, utarget, target);
	PATH_ARG(t, upath, path);
	if (!target[0])
		return -ENOENT;
	r = create_parent(t, dirfd, path, &dir, name, &slash);
	if (r == -EINVAL)
		return -EEXIST;
	if (r < 0)
		return r;
	r = dir.v->ops->symlink ? dir.v->ops->symlink(dir.v, name, target, &t->creds) : -EPERM;
	if (r == 0)
		fsnotify_name(dir.v, name, IN_CREATE);
	path_put(&dir);
	return r;
}

int64_t sys_symlink(struct task *t, const uint64_t a[6])
{
	return do_symlinkat(t, a[0], AT_FDCWD, a[1]);
}

int64_t sys_symlinkat(struct task *t, const uint64_t a[6])
{
	return do_symlinkat(t, a[0], (int)a[1], a[2]);
}

static int64_t do_linkat(struct task *t, int ofd, uint64_t opath, int nfd, uint64_t npath,
			 uint64_t flags)
{
	char op[VFS_PATH_MAX], np[VFS_PATH_MAX], name[VFS_NAME_MAX + 1];
	struct path src, dir;
	int slash, r;

	if (flags & ~(uint64_t)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	PATH_ARG(t, opath, op);
	PATH_ARG(t, npath, np);
	/* AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH (root here), else ENOENT */
	if ((flags & AT_EMPTY_PATH) && !op[0] && t->creds.euid != 0)
		return -ENOENT;
	r = vfs_walk(t, ofd, op,
		     ((flags & AT_SYMLINK_FOLLOW) ? WALK_FOLLOW : 0) |
			     ((flags & AT_EMPTY_PATH) ? WALK_EMPTY_OK : 0),
		     &src);
	if (r < 0)
		return r;
	pthread_mutex_lock(&src.v->lock);
	r = src.v->nlink == 0 ? -ENOENT : 0; /* unlinked (reached through /proc/pid/fd) */
	pthread_mutex_unlock(&src.v->lock);
	if (r < 0) {
		path_put(&src);
		return r;
	}
	r = create_parent(t, nfd, np, &dir, name, &slash);
	if (r == -EINVAL)
		r = -EEXIST;
	if (r < 0) {
		path_put(&src);
		return r;
	}
	if (src.mnt != dir.mnt)
		r = -EXDEV;
	else if (S_ISDIR(src.v->mode))
		r = -EPERM;
	else
		r = dir.v->ops->link ? dir.v->ops->link(dir.v, name, src.v) : -EPERM;
	if (r == 0 && inotify_active()) {
		inotify_vnode_event(src.v, IN_ATTRIB, false);
		fsnotify_name(dir.v, name, IN_CREATE);
	}
	path_put(&src);
	path_put(&dir);
	return r;
}

int64_t sys_link(struct task *t, const uint64_t a[6])
{
	return do_linkat(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

int64_t sys_linkat(struct task *t, const uint64_t a[6])
{
	return do_linkat(t, (int)a[0], a[1], (int)a[2], a[3], a[4]);
}

static int64_t do_readlinkat(struct task *t, int dirfd, uint64_t upath, uint64_t ubuf,
			     uint64_t len)
{
	char path[VFS_PATH_MAX], target[VFS_PATH_MAX];
	struct path p;
	int r;

	if ((int64_t)len <= 0)
		return -EINVAL;
	PATH_ARG(t, upath, path);
	r = vfs_walk(t, dirfd, path, 0, &p);
	if (r < 0)
		return r;
	r = S_ISLNK(p.v->mode) && p.v->ops->readlink
		    ? p.v->ops->readlink(p.v, target, sizeof(target))
		    : -EINVAL;
	path_put(&p);
	if (r < 0)
		return r;
	if ((uint64_t)r > len)
		r = (int)len;
	return task_copy_out(t, ubuf, target, (size_t)r) == r ? r : -EFAULT;
}

int64_t sys_readlink(struct task *t, const uint64_t a[6])
{
	return do_readlinkat(t, AT_FDCWD, a[0], a[1], a[2]);
}

int64_t sys_readlinkat(struct task *t, const uint64_t a[6])
{
	return do_readlinkat(t, (int)a[0], a[1], a[2], a[3]);
}

/* stat family */
static int stat_at(struct task *t, int dirfd, uint64_t upath, unsigned flags, struct stat *st)
{
	char path[VFS_PATH_MAX];
	struct path p;
	int r;

	if (flags & ~(unsigned)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	PATH_ARG(t, upath, path);
	if (!path[0] && (flags & AT_EMPTY_PATH)) {
		struct file *f = dirfd == AT_FDCWD ? NULL : fdt_lookup(t->fdt, dirfd);

		if (dirfd == AT_FDCWD) {
			r = vfs_walk(t, AT_FDCWD, ".", 0, &p);
			if (r < 0)
				return r;
			vnode_stat(p.v, st);
			path_put(&p);
			return 0;
		}
		if (!f)
			return -EBADF;
		r = f->path.v ? (vnode_stat(f->path.v, st), 0)
			      : (f->ops->fstat ? f->ops->fstat(f, st) : -EINVAL);
		file_put(f);
		return r;
	}
	r = vfs_walk(t, dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW, &p);
	if (r < 0)
		return r;
	vnode_stat(p.v, st);
	path_put(&p);
	return 0;
}

static int64_t put_stat(struct task *t, uint64_t addr, int r, const struct stat *st)
{
	if (r < 0)
		return r;
	return task_copy_out(t, addr, st, sizeof(*st)) == sizeof(*st) ? 0 : -EFAULT;
}

int64_t sys_stat(struct task *t, const uint64_t a[6])
{
	struct stat st;

	return put_stat(t, a[1], stat_at(t, AT_FDCWD, a[0], 0, &st), &st);
}

int64_t sys_lstat(struct task *t, const uint64_t a[6])
{
	struct stat st;

	return put_stat(t, a[1], stat_at(t, AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW, &st), &st);
}

int64_t sys_newfstatat(struct task *t, const uint64_t a[6])
{
	struct stat st;

	return put_stat(t, a[2], stat_at(t, (int)a[0], a[1], (unsigned)a[3], &st), &st);
}

int64_t sys_statx(struct task *t, const uint64_t a[6])
{
	struct statx sx;
	struct stat st;
	int r = stat_at(t, (int)a[0], a[1],
			(unsigned)a[2] & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT), &st);

	if (a[2] & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
			       AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if (a[3] & 0x80000000U) /* STATX__RESERVED */
		return -EINVAL;
	if (r < 0)
		return r;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS;
	sx.stx_blksize = (uint32_t)st.st_blksize;
	sx.stx_nlink = (uint32_t)st.st_nlink;
	sx.stx_uid = st.st_uid;
	sx.stx_gid = st.st_gid;
	sx.stx_mode = (uint16_t)st.st_mode;
	sx.stx_ino = st.st_ino;
	sx.stx_size = (uint64_t)st.st_size;
	sx.stx_blocks = (uint64_t)st.st_blocks;
	sx.stx_atime.tv_sec = st.st_atim.tv_sec, sx.stx_atime.tv_nsec = (uint32_t)st.st_atim.tv_nsec;
	sx.stx_mtime.tv_sec = st.st_mtim.tv_sec, sx.stx_mtime.tv_nsec = (uint32_t)st.st_mtim.tv_nsec;
	sx.stx_ctime.tv_sec = st.st_ctim.tv_sec, sx.stx_ctime.tv_nsec = (uint32_t)st.st_ctim.tv_nsec;
	sx.stx_rdev_major = major(st.st_rdev);
	sx.stx_rdev_minor = minor(st.st_rdev);
	sx.stx_dev_major = major(st.st_dev);
	sx.stx_dev_minor = minor(st.st_dev);
	return task_copy_out(t, a[4], &sx, sizeof(sx)) == sizeof(sx) ? 0 : -EFAULT;
}

static int64_t do_faccessat(struct task *t, int dirfd, uint64_t upath, uint64_t mode,
			    uint64_t flags)
{
	char path[VFS_PATH_MAX];
	struct path p;
	int r;

	if (mode & ~(uint64_t)(F_OK | R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(uint64_t)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	PATH_ARG(t, upath, path);
	r = vfs_walk(t, dirfd, path, ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW) |
					     ((flags & AT_EMPTY_PATH) ? WALK_EMPTY_OK : 0),
		     &p);
	if (r < 0)
		return r;
	if ((mode & W_OK) && (p.mnt->flags & MS_RDONLY) && !S_ISCHR(p.v->mode))
		r = -EROFS;
	else if (mode)
		r = vfs_permission(&t->creds, p.v,
				   ((mode & R_OK) ? MAY_READ : 0) | ((mode & W_OK) ? MAY_WRITE : 0) |
					   ((mode & X_OK) ? MAY_EXEC : 0));
	path_put(&p);
	return r;
}

int64_t sys_access(struct task *t, const uint64_t a[6])
{
	return do_faccessat(t, AT_FDCWD, a[0], a[1], 0);
}

int64_t sys_faccessat(struct task *t, const uint64_t a[6])
{
	return do_faccessat(t, (int)a[0], a[1], a[2], 0);
}

int64_t sys_faccessat2(struct task *t, const uint64_t a[6])
{
	return do_faccessat(t, (int)a[0], a[1], a[2], a[3]);
}

static int64_t set_cwd(struct task *t, struct path p)
{
	int r;

	if (!S_ISDIR(p.v->mode)) {
		path_put(&p);
		return -ENOTDIR;
	}
	r = vfs_permission(&t->creds, p.v, MAY_EXEC);
	if (r < 0) {
		path_put(&p);
		return r;
	}
	pthread_mutex_lock(&t->fs->lock);
	path_put(&t->fs->cwd);
	t->fs->cwd = p;
	pthread_mutex_unlock(&t->fs->lock);
	return 0;
}

int64_t sys_chdir(struct task *t, const uint64_t a[6])
{
	char path[VFS_PATH_MAX];
	struct path p;
	int r;

	PATH_ARG(t, a[0], path);
	r = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW | WALK_DIRECTORY, &p);
	return r < 0 ? r : set_cwd(t, p);
}

int64_t sys_fchdir(struct task *t, const uint64_t a[6])
{
	struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	struct path p;

	if (!f)
		return -EBADF;
	if (!f->path.v) {
		file_put(f);
		return -ENOTDIR;
	}
	p = path_get(f->path);
	file_put(f);
	return set_cwd(t, p);
}

int64_t sys_getcwd(struct task *t, const uint64_t a[6])
{
	char buf[VFS_PATH_MAX];
	struct path root, cwd;
	int r;

	pthread_mutex_lock(&t->fs->lock);
	root = path_get(t->fs->root);
	cwd = path_get(t->fs->cwd);
	pthread_mutex_unlock(&t->fs->lock);
	r = vfs_path_string(root, cwd, buf, MIN(sizeof(buf), (size_t)a[1]));
	path_put(&root);
	path_put(&cwd);
	if (r < 0)
		return r;
	return task_copy_out(t, a[0], buf, (size_t)r) == r ? r : -EFAULT;
}

struct dents {
	uint8_t *buf;
	size_t len, used;
	int full;
};

static int dent_cb(void *ctx, const char *name, uint64_t ino, unsigned type, uint64_t next)
{
	struct dents *d = ctx;
	size_t nl = strlen(name);
	size_t rec = ALIGN_UP((size_t)19 + nl + 1, 8); /* linux_dirent64 */
	uint8_t *p = d->buf + d->used;
	uint16_t r16 = (uint16_t)rec;

	if (d->used + rec > d->len) {
		d->full = 1;
		return 1;
	}
	memset(p, 0, rec);
	memcpy(p, &ino, 8);
	memcpy(p + 8, &next, 8);
	memcpy(p + 16, &r16, 2);
	p[18] = (uint8_t)type;
	memcpy(p + 19, name, nl);
	d->used += rec;
	return 0;
}

int64_t sys_getdents64(struct task *t, const uint64_t a[6])
{
	struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	struct dents d = { 0 };
	int r;

	if (!f)
		return -EBADF;
	if (!f->ops->iterate) {
		file_put(f);
		return -ENOTDIR;
	}
	d.len = MIN((size_t)a[2], (size_t)65536);
	d.buf = malloc(d.len ? d.len : 1);
	if (!d.buf) {
		file_put(f);
		return -ENOMEM;
	}
	pthread_mutex_lock(&f->lock);
	r = f->ops->iterate(f, dent_cb, &d);
	pthread_mutex_unlock(&f->lock);
	file_put(f);
	if (r == 0 && d.used == 0 && d.full)
		r = -EINVAL; /* buffer too small for one entry */
	if (r == 0 && d.used && task_copy_out(t, a[1], d.buf, d.used) != (ssize_t)d.used)
		r = -EFAULT;
	free(d.buf);
	return r < 0 ? r : (int64_t)d.used;
}

int64_t sys_truncate(struct task *t, const uint64_t a[6])
{
	char path[VFS_PATH_MAX];
	struct path p;
	int r;

	if ((int64_t)a[1] < 0)
		return -EINVAL;
	PATH_ARG(t, a[0], path);
	r = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, &p);
	if (r < 0)
		return r;
	if (S_ISDIR(p.v->mode))
		r = -EISDIR;
	else if (p.mnt->flags & MS_RDONLY)
		r = -EROFS;
	else
		r = vfs_permission(&t->creds, p.v, MAY_WRITE);
	if (r == 0)
		r = sys_fsize_check(t, a[1], NULL);
	if (r == 0)
		r = p.v->ops->truncate ? p.v->ops->truncate(p.v, a[1]) : -EINVAL;
	if (r == 0)
		fsnotify(p.v, IN_MODIFY);
	path_put(&p);
	return r;
}

int64_t sys_ftruncate(struct task *t, const uint64_t a[6])
{
	struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	int r;

	if (!f)
		return -EBADF;
	if ((int64_t)a[1] < 0)
		r = -EINVAL;
	else if (!file_writable(f) || !f->path.v)
		r = -EINVAL;
	else if ((r = sys_fsize_check(t, a[1], NULL)) == 0)
		r = f->path.v->ops->truncate ? f->path.v->ops->truncate(f->path.v, a[1]) : -EINVAL;
	if (r == 0)
		fsnotify_file(f, IN_MODIFY);
	file_put(f);
	return r;
}

int64_t sys_umask(struct task *t, const uint64_t a[6])
{
	mode_t old;

	pthread_mutex_lock(&t->fs->lock);
	old = t->fs->umask;
	t->fs->umask = (mode_t)(a[0] & 0777);
	pthread_mutex_unlock(&t->fs->lock);
	return old;
}

static int chmod_vnode(struct task *t, struct path *p, mode_t mode)
{
	if (p->mnt->flags & MS_RDONLY)
		return -EROFS;
	if (t->creds.fsuid != 0 && t->creds.fsuid != p->v->uid)
		return -EPERM;
	struct vnode_attr a = { .mask = VA_MODE | VA_CTIME, .mode = mode & 07777 };

	clock_gettime(CLOCK_REALTIME, &a.ctime);
	return vnode_setattr(p->v, &a);
}

int64_t sys_chmod(struct task *t, const uint64_t a[6])
{
	char path[VFS_PATH_MAX];
	struct path p;
	int r;

	PATH_ARG(t, a[0], path);
	r = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, &p);
	if (r < 0)
		return r;
	r = chmod_vnode(t, &p, (mode_t)a[1]);
	path_put(&p);
	return r;
}

int64_t sys_fchmodat(struct task *t, const uint64_t a[6])
{
	char path[VFS_PATH_MAX];
	struct path p;
	int r;

	PATH_ARG(t, a[1], path);
	r = vfs_walk(t, (int)a[0], path, WALK_FOLLOW, &p);
	if (r < 0)
		return r;
	r = chmod_vnode(t, &p, (mode_t)a[2]);
	path_put(&p);
	return r;
}

int64_t sys_fchmod(struct task *t, const uint64_t a[6])
{
	struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	int r;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		r = -EBADF;
	else
		r = f->path.v ? chmod_vnode(t, &f->path, (mode_t)a[1]) : -EINVAL;
	file_put(f);
	return r;
}

/* utimensat(dirfd, path|NULL, times[2], flags); NULL path = futimens. */
int64_t sys_utimensat(struct task *t, const uint64_t a[6])
{
	struct timespec ts[2], now;
	char path[VFS_PATH_MAX];
	struct path p;
	int r;

	if (a[3] & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (a[2]) {
		if (task_copy_in(t, a[2], ts, sizeof(ts)) != sizeof(ts))
			return -EFAULT;
		for (int i = 0; i < 2; i++)
			if (ts[i].tv_nsec != UTIME_NOW && ts[i].tv_nsec != UTIME_OMIT &&
			    (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000L))
				return -EINVAL;
	} else {
		ts[0].tv_nsec = ts[1].tv_nsec = UTIME_NOW;
	}
	if (a[1]) {
		PATH_ARG(t, a[1], path);
		r = vfs_walk(t, (int)a[0], path,
			     ((a[3] & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW) |
				     ((a[3] & AT_EMPTY_PATH) ? WALK_EMPTY_OK : 0),
			     &p);
	} else {
		struct file *f = fdt_lookup(t->fdt, (int)a[0]);

		if (!f)
			return -EBADF;
		r = f->path.v ? 0 : -EINVAL;
		if (r == 0)
			p = path_get(f->path);
		file_put(f);
	}
	if (r < 0)
		return r;
	if (p.mnt->flags & MS_RDONLY)
		r = -EROFS;
	else if (t->creds.fsuid != 0 && t->creds.fsuid != p.v->uid) {
		/* others may only set "now", and only with write permission */
		if (ts[0].tv_nsec != UTIME_NOW || ts[1].tv_nsec != UTIME_NOW)
			r = -EPERM;
		else
			r = vfs_permission(&t->creds, p.v, MAY_WRITE);
	}
	if (r == 0) {
		struct vnode_attr va = { .mask = VA_CTIME };

		clock_gettime(CLOCK_REALTIME, &now);
		if (ts[0].tv_nsec != UTIME_OMIT) {
			va.mask |= VA_ATIME;
			va.atime = ts[0].tv_nsec == UTIME_NOW ? now : ts[0];
		}
		if (ts[1].tv_nsec != UTIME_OMIT) {
			va.mask |= VA_MTIME;
			va.mtime = ts[1].tv_nsec == UTIME_NOW ? now : ts[1];
		}
		va.ctime = now;
		r = vnode_setattr(p.v, &va);
	}
	path_put(&p);
	return r;
}

static int chown_vnode(struct task *t, struct path *p, uint32_t uid, uint32_t gid)
{
	int in_group = 0;

	if (p->mnt->flags & MS_RDONLY)
		return -EROFS;
	if (t->creds.fsuid != 0) {
		/* the owner may only change the group, to one of its own */
		if (t->creds.fsuid != p->v->uid || (uid != (uint32_t)-1 && uid != p->v->uid))
			return -EPERM;
		in_group = gid == (uint32_t)-1 || creds_in_group(&t->creds, gid);
		if (!in_group)
			return -EPERM;
	}
	struct vnode_attr a = { .mask = VA_CTIME, .uid = uid, .gid = gid };

	if (uid != (uint32_t)-1)
		a.mask |= VA_UID;
	if (gid != (uint32_t)-1)
		a.mask |= VA_GID;
	pthread_mutex_lock(&p->v->lock);
	if (!S_ISDIR(p->v->mode) && (p->v->mode & (S_ISUID | S_ISGID))) {
		/* as Linux (root included since 2.2.13): set-user-ID goes, and
		 * set-group-ID when it means "execute as the group" */
		a.mask |= VA_MODE;
		a.mode = p->v->mode & 07777 & ~(mode_t)S_ISUID;
		if (p->v->mode & S_IXGRP)
			a.mode &= ~(mode_t)S_ISGID;
	}
	pthread_mutex_unlock(&p->v->lock);
	clock_gettime(CLOCK_REALTIME, &a.ctime);
	return vnode_setattr(p->v, &a);
}

static int64_t do_chownat(struct task *t, int dirfd, uint64_t upath, uint32_t uid, uint32_t gid,
			  uint64_t flags)
{
	char path[VFS_PATH_MAX];
	struct path p;
	int r;

	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	PATH_ARG(t, upath, path);
	r = vfs_walk(t, dirfd, path,
		     ((flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW) |
			     ((flags & AT_EMPTY_PATH) ? WALK_EMPTY_OK : 0),
		     &p);
	if (r < 0)
		return r;
	r = chown_vnode(t, &p, uid, gid);
	path_put(&p);
	return r;
}

int64_t sys_chown(struct task *t, const uint64_t a[6])
{
	return do_chownat(t, AT_FDCWD, a[0], (uint32_t)a[1], (uint32_t)a[2], 0);
}

int64_t sys_lchown(struct task *t, const uint64_t a[6])
{
	return do_chownat(t, AT_FDCWD, a[0], (uint32_t)a[1], (uint32_t)a[2], AT_SYMLINK_NOFOLLOW);
}

int64_t sys_fchownat(struct task *t, const uint64_t a[6])
{
	return do_chownat(t, (int)a[0], a[1], (uint32_t)a[2], (uint32_t)a[3], a[4]);
}

int64_t sys_fchown(struct task *t, const uint64_t a[6])
{
	struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	int r;

	if (!f)
		return -EBADF;
	if (f->flags & O_PATH)
		r = -EBADF;
	else
		r = f->path.v ? chown_vnode(t, &f->path, (uint32_t)a[1], (uint32_t)a[2]) : -EINVAL;
	file_put(f);
	return r;
}

/* statfs: per-file-system type and plausible capacity (no quotas yet). */
static void fill_statfs(struct path *p, struct statfs *sf)
{
	memset(sf, 0, sizeof(*sf));
	if (!strcmp(p->mnt->fstype, "proc"))
		sf->f_type = 0x9fa0; /* PROC_SUPER_MAGIC */
	else if (!strcmp(p->mnt->fstype, "9p"))
		sf->f_type = 0x01021997; /* V9FS_MAGIC */
	else if (!strcmp(p->mnt->fstype, "overlay"))
		sf->f_type = 0x794c7630; /* OVERLAYFS_SUPER_MAGIC */
	else
		sf->f_type = 0x01021994; /* TMPFS_MAGIC */
	sf->f_bsize = sf->f_frsize = 4096;
	if (sf->f_type != 0x9fa0) {
		sf->f_blocks = 262144; /* 1 GiB */
		sf->f_bfree = sf->f_bavail = 262144 / 2;
		sf->f_files = 65536;
		sf->f_ffree = 65536 / 2;
	}
	sf->f_namelen = VFS_NAME_MAX;
	sf->f_flags = (p->mnt->flags & MS_RDONLY) ? ST_RDONLY : 0;
}

int64_t sys_statfs(struct task *t, const uint64_t a[6])
{
	char path[VFS_PATH_MAX];
	struct statfs sf;
	struct path p;
	int r;

	PATH_ARG(t, a[0], path);
	r = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, &p);
	if (r < 0)
		return r;
	fill_statfs(&p, &sf);
	path_put(&p);
	return task_copy_out(t, a[1], &sf, sizeof(sf)) == sizeof(sf) ? 0 : -EFAULT;
}

int64_t sys_fstatfs(struct task *t, const uint64_t a[6])
{
	struct file *f = fdt_lookup(t->fdt, (int)a[0]);
	struct statfs sf;

	if (!f)
		return -EBADF;
	if (!f->path.v) {
		memset(&sf, 0, sizeof(sf));
		sf.f_type = 0x50495045; /* PIPEFS_MAGIC */
		sf.f_bsize = 4096;
	} else {
		fill_statfs(&f->path, &sf);
	}
	file_put(f);
	return task_copy_out(t, a[1], &sf, sizeof(sf)) == sizeof(sf) ? 0 : -EFAULT;
}

static int64_t do_mknodat(struct task *t, int dirfd, uint64_t upath, uint64_t mode, uint64_t dev)
{
	char path[VFS_PATH_MAX], name[VFS_NAME_MAX + 1];
	struct path dir;
	mode_t type = (mode_t)mode & S_IFMT;
	int slash, r;

	if (type == 0)
		type = S_IFREG;
	if (type == S_IFDIR)
		return -EPERM;
	if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK && type != S_IFCHR &&
	    type != S_IFBLK)
		return -EINVAL;
	if ((type == S_IFCHR || type == S_IFBLK) && t->creds.euid != 0)
		return -EPERM;
	PATH_ARG(t, upath, path);
	r = create_parent(t, dirfd, path, &dir, name, &slash);
	if (r == -EINVAL)
		return -EEXIST;
	if (r < 0)
		return r;
	r = dir.v->ops->create ? dir.v->ops->create(dir.v, name,
						    type | ((mode_t)mode & 07777 & ~t->fs->umask),
						    (dev_t)dev, &t->creds, NULL)
			       : -EPERM;
	if (r == 0)
		fsnotify_name(dir.v, name, IN_CREATE);
	path_put(&dir);
	return r;
}

int64_t sys_mknod(struct task *t, const uint64_t a[6])
{
	return do_mknodat(t, AT_FDCWD, a[0], a[1], a[2]);
}

int64_t sys_mknodat(struct task *t, const uint64_t a[6])
{
	return do_mknodat(t, (int)a[0], a[1], a[2], a[3]);
}
