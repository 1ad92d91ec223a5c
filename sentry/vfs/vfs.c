/* SPDX-License-Identifier: Apache-2.0 */
#include "vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "fdtable.h"
#include "file.h"
#include "lib/macro.h"
#include "sentry/fs/inotify.h"
#include "sentry/kernel/task.h"

/* ---- fs_context ---- */

struct fs_context *fs_context_new(struct path root)
{
	struct fs_context *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	fs->refs = 1;
	pthread_mutex_init(&fs->lock, NULL);
	fs->root = path_get(root);
	fs->cwd = path_get(root);
	fs->umask = 022;
	return fs;
}

struct fs_context *fs_context_get(struct fs_context *fs)
{
	__atomic_add_fetch(&fs->refs, 1, __ATOMIC_RELAXED);
	return fs;
}

struct fs_context *fs_context_copy(struct fs_context *fs)
{
	struct fs_context *n;

	pthread_mutex_lock(&fs->lock);
	n = fs_context_new(fs->root);
	if (n) {
		path_put(&n->cwd);
		n->cwd = path_get(fs->cwd);
		n->umask = fs->umask;
	}
	pthread_mutex_unlock(&fs->lock);
	return n;
}

void fs_context_put(struct fs_context *fs)
{
	if (!fs || __atomic_sub_fetch(&fs->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	path_put(&fs->root);
	path_put(&fs->cwd);
	pthread_mutex_destroy(&fs->lock);
	free(fs);
}

/* ---- mounts ---- */

/*
 * Mount points are found by (mount, device, inode), not by vnode identity:
 * file systems without a cache (goferfs, procfs) hand out a new vnode on
 * every lookup.  The table only grows (no umount yet).
 */
static pthread_mutex_t mount_lock = PTHREAD_MUTEX_INITIALIZER; /* mount_tab */
static struct mount *mount_tab[128];
static int mount_n;

static struct mount *mounted_on(struct mount *parent, struct vnode *v)
{
	for (int i = mount_n - 1; i >= 0; i--) {
		struct mount *m = mount_tab[i];

		if (m->parent == parent && m->point->dev == v->dev && m->point->ino == v->ino)
			return m;
	}
	return NULL;
}

int vfs_is_mountpoint(struct mount *mnt, struct vnode *v)
{
	int r;

	pthread_mutex_lock(&mount_lock);
	r = mounted_on(mnt, v) != NULL;
	pthread_mutex_unlock(&mount_lock);
	return r;
}

void vfs_forget_mount(struct mount *m)
{
	pthread_mutex_lock(&mount_lock);
	for (int i = 0; i < mount_n; i++)
		if (mount_tab[i] == m) {
			memmove(mount_tab + i, mount_tab + i + 1,
				(size_t)(mount_n - i - 1) * sizeof(*mount_tab));
			mount_n--;
			break;
		}
	pthread_mutex_unlock(&mount_lock);
}

int vfs_mount(struct path *at, struct vnode *root, unsigned flags, const char *source,
	      const char *fstype, const char *target, struct mount **ret)
{
	struct mount *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	if (at && !S_ISDIR(at->v->mode)) {
		free(m);
		return -ENOTDIR;
	}
	m->root = root; /* takes the caller's reference */
	m->flags = flags;
	m->source = strdup(source ? source : "none");
	m->fstype = strdup(fstype ? fstype : "none");
	m->target = strdup(target ? target : "/");
	pthread_mutex_lock(&mount_lock);
	if (at) {
		/* Stack on whatever is already mounted there. */
		struct mount *top = at->mnt, *over;
		struct vnode *point = vnode_get(at->v);

		while ((over = mounted_on(top, point))) {
			top = over;
			vnode_put(point);
			point = vnode_get(top->root);
		}
		m->parent = top;
		m->point = point;
		if (mount_n < (int)ARRAY_SIZE(mount_tab))
			mount_tab[mount_n++] = m;
	}
	pthread_mutex_unlock(&mount_lock);
	*ret = m;
	return 0;
}

/* Follow mounts stacked on @p. */
static void cross_down(struct path *p)
{
	struct mount *m;

	pthread_mutex_lock(&mount_lock);
	while ((m = mounted_on(p->mnt, p->v))) {
		vnode_put(p->v);
		p->mnt = m;
		p->v = vnode_get(m->root);
	}
	pthread_mutex_unlock(&mount_lock);
}

/* ".." from @p, never above @root. */
static void go_up(struct path *p, const struct path *root)
{
	for (;;) {
		if (p->mnt == root->mnt && p->v == root->v)
			return;
		if (p->v == p->mnt->root && p->mnt->parent) {
			struct vnode *point = vnode_get(p->mnt->point);

			p->mnt = p->mnt->parent;
			vnode_put(p->v);
			p->v = point;
			continue; /* the mount point may be a mount root too */
		}
		break;
	}
	pthread_mutex_lock(&p->v->lock);
	struct vnode *up = vnode_get(p->v->parent);
	pthread_mutex_unlock(&p->v->lock);
	if (up) {
		vnode_put(p->v);
		p->v = up;
	}
}

int vfs_permission(const struct creds *c, struct vnode *v, int mask)
{
	mode_t mode;
	uid_t uid;
	gid_t gid;
	unsigned bits;

	pthread_mutex_lock(&v->lock);
	mode = v->mode;
	uid = v->uid;
	gid = v->gid;
	pthread_mutex_unlock(&v->lock);
	if (c->fsuid == 0) {
		/* root: everything but executing a file nobody may execute */
		if ((mask & MAY_EXEC) && !S_ISDIR(mode) && !(mode & 0111))
			return -EACCES;
		return 0;
	}
	if (c->fsuid == uid)
		bits = (mode >> 6) & 7;
	else if (creds_in_group(c, gid))
		bits = (mode >> 3) & 7;
	else
		bits = mode & 7;
	return ((unsigned)mask & ~bits) ? -EACCES : 0;
}

static int start_path(struct task *t, int dirfd, const char *path, struct path *ret)
{
	struct fs_context *fs = t->fs;

	if (path[0] == '/') {
		pthread_mutex_lock(&fs->lock);
		*ret = path_get(fs->root);
		pthread_mutex_unlock(&fs->lock);
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		pthread_mutex_lock(&fs->lock);
		*ret = path_get(fs->cwd);
		pthread_mutex_unlock(&fs->lock);
		return 0;
	}
	struct file *f = fdt_lookup(t->fdt, dirfd);
	if (!f)
		return -EBADF;
	if (!f->path.v) {
		file_put(f);
		return -ENOTDIR;
	}
	*ret = path_get(f->path);
	file_put(f);
	if (!S_ISDIR(ret->v->mode) && path[0]) {
		path_put(ret);
		return -ENOTDIR;
	}
	return 0;
}

/*
 * The walker.  @buf holds the remaining path (symlink targets are spliced
 * in front of the rest).  With @want_parent, stops before the last
 * component and returns it in @last.  @base, if set, replaces @dirfd as
 * the starting point (vfs_open following a dangling symlink).
 *
 * openat2's rules: WALK_IN_ROOT makes the start directory the root (".."
 * stops there, absolute paths and symlinks start there); WALK_BENEATH
 * refuses absolute paths and symlinks and ".." out of the start directory
 * with EXDEV; WALK_NO_XDEV refuses mount crossings with EXDEV.
 */
struct walk_name {
	struct path dir; /* .v NULL: no name (".", "..", a magic link) */
	char name[VFS_NAME_MAX + 1];
};

static int walk(struct task *t, int dirfd, const char *path, unsigned flags, int want_parent,
		struct path *ret, char *last, int *trailing_slash, const struct path *base,
		struct walk_name *wn)
{
	_cleanup_free_ char *buf = NULL;
	struct path cur, root, start;
	int links = 0, r = 0;
	size_t pos = 0;

	if (!path[0] && !(flags & WALK_EMPTY_OK))
		return -ENOENT;
	buf = malloc(VFS_PATH_MAX * 2);
	if (!buf)
		return -ENOMEM;
	if (strlen(path) >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	strcpy(buf, path);
	if ((flags & WALK_BENEATH) && path[0] == '/')
		return -EXDEV;
	if (base)
		cur = path_get(*base);
	else
		r = start_path(t, dirfd, (flags & WALK_IN_ROOT) ? "." : path, &cur);
	if (r < 0)
		return r;
	if (flags & WALK_IN_ROOT) {
		root = path_get(cur);
	} else {
		pthread_mutex_lock(&t->fs->lock);
		root = path_get(t->fs->root);
		pthread_mutex_unlock(&t->fs->lock);
		if (base && path[0] == '/') {
			path_put(&cur);
			cur = path_get(root);
		}
	}
	start = path_get(cur);
	if (trailing_slash)
		*trailing_slash = 0;

	for (;;) {
		char name[VFS_NAME_MAX + 1];
		size_t len;
		int is_last, slash_after;
		struct vnode *v;

		while (buf[pos] == '/')
			pos++;
		if (!buf[pos])
			break; /* "", "/", or a trailing slash: cur is the answer */
		len = strcspn(buf + pos, "/");
		if (len > VFS_NAME_MAX) {
			r = -ENAMETOOLONG;
			goto out;
		}
		memcpy(name, buf + pos, len);
		name[len] = 0;
		pos += len;
		slash_after = buf[pos] == '/';
		{
			size_t q = pos;

			while (buf[q] == '/')
				q++;
			is_last = !buf[q];
		}
		if (!S_ISDIR(cur.v->mode)) {
			r = -ENOTDIR;
			goto out;
		}
		r = vfs_permission(&t->creds, cur.v, MAY_EXEC);
		if (r < 0)
			goto out;
		if (is_last && want_parent) {
			if (!strcmp(name, ".") || !strcmp(name, "..")) {
				r = -EINVAL; /* callers map it (EEXIST, EBUSY, ...) */
				goto out;
			}
			strcpy(last, name);
			if (trailing_slash)
				*trailing_slash = slash_after;
			*ret = cur;
			path_put(&root);
			path_put(&start);
			return 0;
		}
		if (wn && wn->dir.v && (!strcmp(name, ".") || !strcmp(name, "..")))
			path_put(&wn->dir);
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			struct mount *was = cur.mnt;

			if ((flags & WALK_BENEATH) && cur.mnt == start.mnt &&
			    cur.v->dev == start.v->dev && cur.v->ino == start.v->ino) {
				r = -EXDEV;
				goto out;
			}
			go_up(&cur, &root);
			if ((flags & WALK_NO_XDEV) && cur.mnt != was) {
				r = -EXDEV;
				goto out;
			}
			continue;
		}
		if (!cur.v->ops->lookup) {
			r = -ENOTDIR;
			goto out;
		}
		r = cur.v->ops->lookup(cur.v, name, &v);
		if (r < 0)
			goto out;
		vnode_set_name_hint(v, name);
		if (S_ISLNK(v->mode) && (!is_last || slash_after || (flags & WALK_FOLLOW))) {
			char target[VFS_PATH_MAX];
			size_t tlen, rest = strlen(buf + pos);
			struct path magic;

			if (++links > VFS_SYMLOOP_MAX || (flags & WALK_NO_SYMLINKS)) {
				vnode_put(v);
				r = -ELOOP;
				goto out;
			}
			r = v->ops->magic_link ? v->ops->magic_link(v, &magic) : -ENOENT;
			if (r == 0) {
				vnode_put(v);
				if (wn && wn->dir.v)
					path_put(&wn->dir);
				if (flags & (WALK_NO_MAGICLINKS | WALK_BENEATH | WALK_IN_ROOT)) {
					path_put(&magic);
					r = -ELOOP;
					goto out;
				}
				path_put(&cur);
				cur = magic;
				continue;
			}
			r = v->ops->readlink ? v->ops->readlink(v, target, sizeof(target)) : -EINVAL;
			vnode_put(v);
			if (r < 0)
				goto out;
			tlen = (size_t)r;
			if (tlen == 0) {
				r = -ENOENT;
				goto out;
			}
			if (tlen + rest + 2 >= VFS_PATH_MAX * 2) {
				r = -ENAMETOOLONG;
				goto out;
			}
			/* new remaining path = target + rest */
			memmove(buf + tlen, buf + pos, rest + 1);
			memcpy(buf, target, tlen);
			pos = 0;
			if (target[0] == '/') {
				if (flags & WALK_BENEATH) {
					r = -EXDEV;
					goto out;
				}
				path_put(&cur);
				cur = path_get(root);
			}
			continue;
		}
		if (wn) {
			if (wn->dir.v)
				path_put(&wn->dir);
			wn->dir = path_get(cur);
			strcpy(wn->name, name);
		}
		vnode_put(cur.v);
		cur.v = v;
		{
			struct mount *was = cur.mnt;

			cross_down(&cur);
			if ((flags & WALK_NO_XDEV) && cur.mnt != was) {
				r = -EXDEV;
				goto out;
			}
		}
	}
	if (want_parent) {
		/* The path named a directory itself ("/", "a/.."): no last name. */
		r = -EEXIST;
		goto out;
	}
	if (((flags & WALK_DIRECTORY) || (pos > 0 && buf[pos - 1] == '/')) &&
	    !S_ISDIR(cur.v->mode) && path[0]) {
		r = -ENOTDIR;
		goto out;
	}
	*ret = cur;
	path_put(&root);
	path_put(&start);
	return 0;
out:
	path_put(&cur);
	path_put(&root);
	path_put(&start);
	if (wn && wn->dir.v)
		path_put(&wn->dir);
	return r;
}

int vfs_walk(struct task *t, int dirfd, const char *path, unsigned flags, struct path *ret)
{
	return walk(t, dirfd, path, flags, 0, ret, NULL, NULL, NULL, NULL);
}

int vfs_walk_parent(struct task *t, int dirfd, const char *path, struct path *ret_dir,
		    char *ret_name, int *ret_trailing_slash)
{
	if (!path[0])
		return -ENOENT;
	return walk(t, dirfd, path, 0, 1, ret_dir, ret_name, ret_trailing_slash, NULL, NULL);
}

/* Find @child's name in @dir (for getcwd). */
struct name_search {
	struct vnode *dir;
	uint64_t ino;
	char *out;
	int found;
};

static int name_cb(void *ctx, const char *name, uint64_t ino, unsigned type, uint64_t next)
{
	struct name_search *s = ctx;

	(void)type;
	(void)next;
	if (ino == s->ino && strcmp(name, ".") && strcmp(name, "..")) {
		snprintf(s->out, VFS_NAME_MAX + 1, "%s", name);
		s->found = 1;
		return 1;
	}
	return 0;
}

int vfs_path_string(struct path root, struct path p, char *buf, size_t len)
{
	char *tmp = malloc(VFS_PATH_MAX);
	size_t n = 0; /* bytes used at the end of tmp */
	struct path cur = path_get(p);
	int r = 0;

	if (!tmp) {
		path_put(&cur);
		return -ENOMEM;
	}
	tmp[VFS_PATH_MAX - 1] = 0;
	if (S_ISDIR(p.v->mode) && p.v->nlink == 0) {
		path_put(&cur);
		free(tmp);
		return -ENOENT; /* removed */
	}
	while (!(cur.mnt == root.mnt && cur.v == root.v)) {
		char name[VFS_NAME_MAX + 1];
		struct path up = path_get(cur);
		struct name_search s = { .out = name };
		size_t l;

		/* Climb to the directory that holds cur's name. */
		while (up.v == up.mnt->root && up.mnt->parent) {
			struct vnode *point = vnode_get(up.mnt->point);

			up.mnt = up.mnt->parent;
			vnode_put(up.v);
			up.v = point;
		}
		struct vnode *named = vnode_get(up.v);
		go_up(&up, &root);
		if (up.v == named) { /* a file-system root above our root */
			vnode_put(named);
			path_put(&up);
			break;
		}
		s.dir = up.v;
		s.ino = named->ino;
		if (vnode_name_hint(named, name) == 0 && up.v->ops->lookup) {
			struct vnode *cand;

			if (up.v->ops->lookup(up.v, name, &cand) == 0) {
				s.found = cand->ino == named->ino && cand->dev == named->dev;
				vnode_put(cand);
			}
		}
		if (!s.found && up.v->ops->readdir)
			up.v->ops->readdir(up.v, 0, name_cb, &s);
		vnode_put(named);
		if (!s.found) {
			path_put(&up);
			r = -ENOENT; /* unlinked */
			break;
		}
		l = strlen(name);
		if (n + l + 2 > VFS_PATH_MAX - 1) {
			path_put(&up);
			r = -ENAMETOOLONG;
			break;
		}
		n += l;
		memcpy(tmp + VFS_PATH_MAX - 1 - n, name, l);
		n++;
		tmp[VFS_PATH_MAX - 1 - n] = '/';
		path_put(&cur);
		cur = up;
	}
	path_put(&cur);
	if (r == 0) {
		if (n == 0) {
			n = 1;
			tmp[VFS_PATH_MAX - 2] = '/';
		}
		if (n + 1 > len)
			r = -ERANGE;
		else {
			memcpy(buf, tmp + VFS_PATH_MAX - 1 - n, n + 1);
			r = (int)n + 1;
		}
	}
	free(tmp);
	return r;
}

int vfs_open(struct task *t, int dirfd, const char *path, unsigned flags, mode_t mode,
	     struct file **ret)
{
	return vfs_open_resolve(t, dirfd, path, flags, mode, 0, ret);
}

static void walk_name_clear(struct walk_name *wn)
{
	if (wn->dir.v)
		path_put(&wn->dir);
}

/* Hand the name the walk found to @f (for /proc/pid/fd links). */
static void file_take_name(struct file *f, struct walk_name *wn)
{
	if (!wn->dir.v)
		return;
	f->name = strdup(wn->name);
	if (f->name) {
		f->dir = wn->dir;
		wn->dir.v = NULL;
	}
}

int vfs_open_path(struct task *t, int dirfd, const char *path, unsigned flags,
		  struct file **ret)
{
	static const struct file_ops path_fops = { 0 };
	_cleanup_(walk_name_clear) struct walk_name wn = { 0 };
	struct path p;
	struct file *f;
	int r = walk(t, dirfd, path, flags, 0, &p, NULL, NULL, NULL, &wn);

	if (r < 0)
		return r;
	f = file_new(&path_fops, NULL, O_PATH);
	if (!f) {
		path_put(&p);
		return -ENOMEM;
	}
	f->path = p;
	file_take_name(f, &wn);
	*ret = f;
	return 0;
}

int vfs_open_resolve(struct task *t, int dirfd, const char *path, unsigned flags, mode_t mode,
		     unsigned resolve, struct file **ret)
{
	_cleanup_(walk_name_clear) struct walk_name wn = { 0 };
	_cleanup_free_ char *target = NULL;
	struct path p = { 0 }, base = { 0 };
	struct file *f;
	int acc = flags & O_ACCMODE, r, links = 0;

	resolve &= WALK_RESOLVE_MASK | WALK_EMPTY_OK;
	if (flags & O_CREAT) {
		char name[VFS_NAME_MAX + 1];
		struct path dir;
		int slash = 0;
		struct vnode *v;

again:
		if (!path[0])
			return -ENOENT;
		r = walk(t, dirfd, path, resolve, 1, &dir, name, &slash, base.v ? &base : NULL, NULL);
		if (base.v)
			path_put(&base);
		if (r == -EEXIST || r == -EINVAL) {
			/* "/", "dir/", "." ...: it exists and is a directory */
			r = (flags & O_EXCL) ? -EEXIST : -EISDIR;
			return r;
		}
		if (r < 0)
			return r;
		if (slash) {
			path_put(&dir);
			return -EISDIR;
		}
		r = dir.v->ops->lookup ? dir.v->ops->lookup(dir.v, name, &v) : -ENOTDIR;
		if (r == 0 && S_ISLNK(v->mode) && !(flags & O_NOFOLLOW) && !(flags & O_EXCL)) {
			/* Follow it and create its target if missing; magic
			 * links and the openat2 rules go through the plain walk. */
			if (!target)
				target = malloc(VFS_PATH_MAX);
			if (v->ops->magic_link || (resolve & ~WALK_NO_XDEV) || !target ||
			    !v->ops->readlink || ++links > VFS_SYMLOOP_MAX) {
				vnode_put(v);
				if (links > VFS_SYMLOOP_MAX) {
					path_put(&dir);
					return -ELOOP;
				}
				if (links > 0)
					base = dir; /* @path is relative to it */
				else
					path_put(&dir);
				flags &= ~(unsigned)O_CREAT;
				goto plain;
			}
			r = v->ops->readlink(v, target, VFS_PATH_MAX - 1);
			vnode_put(v);
			if (r < 0) {
				path_put(&dir);
				return r;
			}
			target[r] = 0;
			base = dir;
			path = target;
			goto again;
		}
		if (r == 0) {
			if (flags & O_EXCL) {
				vnode_put(v);
				path_put(&dir);
				return -EEXIST;
			}
			if (S_ISDIR(v->mode)) {
				vnode_put(v);
				path_put(&dir);
				return -EISDIR;
			}
			p.mnt = dir.mnt;
			p.v = v;
			wn.dir = dir;
			snprintf(wn.name, sizeof(wn.name), "%s", name);
			cross_down(&p);
		} else if (r == -ENOENT) {
			if (dir.mnt->flags & MS_RDONLY) {
				path_put(&dir);
				return -EROFS;
			}
			r = vfs_permission(&t->creds, dir.v, MAY_WRITE | MAY_EXEC);
			if (r == 0)
				r = dir.v->ops->create ? dir.v->ops->create(dir.v, name,
									    S_IFREG | (mode & 07777 & ~t->fs->umask),
									    0, &t->creds, &v)
						       : -EPERM;
			if (r < 0) {
				path_put(&dir);
				return r;
			}
			fsnotify_name(dir.v, name, IN_CREATE);
			p.mnt = dir.mnt;
			p.v = v;
			wn.dir = dir;
			snprintf(wn.name, sizeof(wn.name), "%s", name);
			flags &= ~(unsigned)O_TRUNC; /* new and empty */
			goto opened_path;
		} else {
			path_put(&dir);
			return r;
		}
	} else {
plain:
		r = walk(t, dirfd, path,
			 ((flags & O_NOFOLLOW) ? 0 : WALK_FOLLOW) |
				 ((flags & O_DIRECTORY) ? WALK_DIRECTORY : 0) | resolve,
			 0, &p, NULL, NULL, base.v ? &base : NULL, &wn);
		if (base.v)
			path_put(&base);
		if (r < 0)
			return r;
	}
	if (S_ISLNK(p.v->mode)) {
		path_put(&p);
		return (flags & O_PATH) ? -EOPNOTSUPP : -ELOOP;
	}
	if ((flags & O_DIRECTORY) && !S_ISDIR(p.v->mode)) {
		path_put(&p);
		return -ENOTDIR;
	}
	if (S_ISDIR(p.v->mode) && (acc != O_RDONLY || (flags & O_TRUNC))) {
		path_put(&p);
		return -EISDIR;
	}
	if (acc != O_RDONLY && (p.mnt->flags & MS_RDONLY) &&
	    (S_ISREG(p.v->mode) || S_ISDIR(p.v->mode))) {
		path_put(&p);
		return -EROFS;
	}
	r = vfs_permission(&t->creds, p.v,
			   (acc == O_RDONLY ? MAY_READ : acc == O_WRONLY ? MAY_WRITE
									 : MAY_READ | MAY_WRITE) |
				   ((flags & O_TRUNC) ? MAY_WRITE : 0));
	if (r < 0) {
		path_put(&p);
		return r;
	}
opened_path:
	if ((flags & O_TRUNC) && S_ISREG(p.v->mode) && p.v->ops->truncate) {
		r = p.v->ops->truncate(p.v, 0);
		if (r < 0) {
			path_put(&p);
			return r;
		}
		fsnotify(p.v, IN_MODIFY);
	}
	if (!p.v->ops->open) {
		path_put(&p);
		return -ENXIO;
	}
	r = p.v->ops->open(p.v, flags, &f);
	if (r < 0) {
		path_put(&p);
		return r;
	}
	f->path = p; /* the file keeps the reference */
	file_take_name(f, &wn);
	fsnotify_file(f, IN_OPEN);
	*ret = f;
	return 0;
}
