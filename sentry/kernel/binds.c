/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Directory bind mounts (kernel.h, struct kernel_bind): each is an export
 * of the sandbox's one Gofer, attached on the kernel's Gofer connection as
 * an uncached goferfs tree and mounted at its destination, as runc does:
 *
 *  - the destination is resolved by the VFS as root with the sandbox's root
 *    as "/": symlinks and ".." in it never leave the root file system (a
 *    link to "/../../etc" is the sandbox's /etc);
 *  - missing directories on the way are created (in the overlay's upper
 *    layer, or in an earlier bind mount: a nested mount point is made in
 *    the host directory, as runc makes it in the bind's source); with a
 *    read-only root they are made in its overlay (kernel.c), in a
 *    read-only bind mount they are EROFS;
 *  - mounts are made in order, so a later destination under an earlier one
 *    is mounted on top of it;
 *  - /proc/self/mounts shows the resolved path, "9p", the host source, ro/rw.
 *
 * A kernel_bind without an attach name is an OCI tmpfs mount: a fresh
 * Sentry tmpfs (mode 1777) mounted the same way, in the same order.
 */
#include "sentry/kernel/kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/macro.h"
#include "sentry/fs/goferfs.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/kernel/root_ctx.h"
#include "sentry/vfs/vfs.h"

/* The root mount is an overlay (its upper layer in memory), even if it is
 * mounted read-only (kernel.c: a read-only root with bind mounts). */
static bool root_overlay(struct kernel *k, struct mount *m)
{
	return m == k->root.mnt && k->gofer_root && k->root.v != k->gofer_root;
}

/* Make the directory @name in @dir (the parent of @path). */
static int make_dir(struct kernel_root_ctx *c, const char *path)
{
	char name[VFS_NAME_MAX + 1];
	struct path dir;
	int r, slash;

	r = vfs_walk_parent(&c->t, AT_FDCWD, path, &dir, name, &slash);
	if (r < 0)
		return r;
	if ((dir.mnt->flags & MS_RDONLY) && !root_overlay(c->t.k, dir.mnt))
		r = -EROFS;
	else if (!dir.v->ops->create)
		r = -EPERM;
	else
		r = dir.v->ops->create(dir.v, name, S_IFDIR | 0755, 0, &c->t.creds, NULL);
	path_put(&dir);
	return r;
}

/*
 * mkdir -p @dest inside the root, then resolve it (a directory), as runc's
 * MkdirAllInRoot: @resolved is the path walked so far, free of symlinks;
 * a symlink met on the way is read and its target spliced in front of the
 * rest (absolute targets restart at the sandbox's "/"), a missing
 * component is created (also behind a dangling symlink), ".." drops the
 * last component of @resolved (never above "/").
 */
static int make_mountpoint(struct kernel_root_ctx *c, const char *dest, struct path *ret)
{
	char resolved[VFS_PATH_MAX], rest[2 * VFS_PATH_MAX], target[VFS_PATH_MAX];
	size_t len = 0, pos = 0;
	int links = 0;

	if (dest[0] != '/')
		return -EINVAL;
	if (strlen(dest) >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	strcpy(rest, dest);
	resolved[0] = 0;
	for (;;) {
		struct path cur;
		size_t n;
		int r;

		while (rest[pos] == '/')
			pos++;
		if (!rest[pos])
			break;
		n = strcspn(rest + pos, "/");
		if (n > VFS_NAME_MAX)
			return -ENAMETOOLONG;
		if (n == 1 && rest[pos] == '.') {
			pos += n;
			continue;
		}
		if (n == 2 && rest[pos] == '.' && rest[pos + 1] == '.') {
			while (len > 0 && resolved[--len] != '/')
				;
			resolved[len] = 0;
			pos += n;
			continue;
		}
		if (len + 1 + n >= sizeof(resolved))
			return -ENAMETOOLONG;
		resolved[len] = '/';
		memcpy(resolved + len + 1, rest + pos, n);
		resolved[len + 1 + n] = 0;
		pos += n;
		r = vfs_walk(&c->t, AT_FDCWD, resolved, 0, &cur);
		if (r == -ENOENT) {
			r = make_dir(c, resolved);
			if (r < 0 && r != -EEXIST)
				return r;
			len += 1 + n;
			continue;
		}
		if (r < 0)
			return r;
		if (S_ISLNK(cur.v->mode)) {
			size_t tl, rl = strlen(rest + pos);

			if (++links > VFS_SYMLOOP_MAX)
				r = -ELOOP;
			else if (!cur.v->ops->readlink)
				r = -EINVAL;
			else
				r = cur.v->ops->readlink(cur.v, target, sizeof(target) - 1);
			path_put(&cur);
			if (r < 0)
				return r;
			tl = (size_t)r;
			if (tl == 0)
				return -ENOENT;
			if (tl + 1 + rl >= sizeof(rest))
				return -ENAMETOOLONG;
			/* rest = target + "/" + what was left */
			memmove(rest + tl + 1, rest + pos, rl + 1);
			memcpy(rest, target, tl);
			rest[tl] = '/';
			pos = 0;
			if (target[0] == '/')
				len = 0;
			resolved[len] = 0;
			continue;
		}
		r = S_ISDIR(cur.v->mode) ? 0 : -ENOTDIR;
		path_put(&cur);
		if (r < 0)
			return r;
		len += 1 + n;
	}
	if (!len)
		return -EBUSY; /* over the sandbox's "/" itself: that is root.path */
	return vfs_walk(&c->t, AT_FDCWD, resolved, WALK_DIRECTORY, ret);
}

static int mount_bind(struct kernel *k, struct kernel_root_ctx *c, const struct kernel_bind *b)
{
	char target[VFS_PATH_MAX];
	struct vnode *root = NULL;
	struct path at;
	int r;

	if ((size_t)k->nmounts >= ARRAY_SIZE(k->mounts))
		return -ENOSPC;
	r = make_mountpoint(c, b->dest, &at);
	if (r < 0)
		return r;
	r = vfs_path_string(k->root, at, target, sizeof(target)); /* its length */
	if (r >= 0 && b->aname)
		r = goferfs_attach(k->gofer, b->aname, false, &root);
	else if (r >= 0)
		r = (root = tmpfs_create_root(01777)) ? 0 : -ENOMEM;
	if (r == 0) {
		unsigned flags = (b->readonly ? MS_RDONLY : 0) |
				 (b->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC));

		r = vfs_mount(&at, root, flags, b->aname ? b->source : "tmpfs",
			      b->aname ? "9p" : "tmpfs", target, &k->mounts[k->nmounts]);
		if (r == 0)
			k->nmounts++;
		else
			vnode_put(root);
	}
	path_put(&at);
	return r;
}

int kernel_mount_binds(struct kernel *k)
{
	struct kernel_root_ctx c;
	int r = 0;

	if (!k->opts.nbinds)
		return 0;
	if (k->opts.nbinds > KERNEL_BINDS_MAX)
		return -EINVAL;
	for (size_t i = 0; i < k->opts.nbinds; i++)
		if (k->opts.binds[i].aname && !k->gofer)
			return -EINVAL;
	r = kernel_root_ctx_init(k, &c);
	if (r < 0)
		return r;
	for (size_t i = 0; i < k->opts.nbinds && r == 0; i++)
		r = mount_bind(k, &c, &k->opts.binds[i]);
	kernel_root_ctx_fini(&c);
	return r;
}
