/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Restore of the in-memory file systems (FsEntry, docs/checkpoint.md): the
 * root overlay's upper layer, /tmp and /dev/shm are recreated through the
 * VFS of the new sandbox, as root, before any file is reopened.  Deleting
 * a lower object through the overlay leaves its whiteout and a directory
 * created where one was deleted is opaque, so the overlay needs no entry
 * point of its own.  Only the root mount and the tmpfs mounts at /tmp and
 * /dev/shm are ever written (a hostile image cannot reach a bind mount or
 * /proc through a symlink it made).
 */
#include "sentry/kernel/ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "checkpoint/image.h"
#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/root_ctx.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"

struct fs_restore {
	struct kernel_root_ctx c;
	struct mount *allowed[3];
	int files_fd;             /* files.img, or -1 */
};

/* Remove @name from @dir (on @mnt), a directory with all it holds. */
static int remove_tree(struct mount *mnt, struct vnode *dir, const char *name, int depth)
{
	struct vnode *v = NULL;
	int r = dir->ops->lookup ? dir->ops->lookup(dir, name, &v) : -ENOTDIR;

	if (r < 0)
		return r == -ENOENT ? 0 : r;
	if (vfs_is_mountpoint(mnt, v)) {
		r = -EBUSY;
	} else if (S_ISDIR(v->mode)) {
		struct vnode_names ns = { 0 };

		if (depth > 256)
			r = -ELOOP;
		if (r == 0)
			r = vnode_read_names(v, &ns);
		for (size_t i = 0; i < ns.n && r == 0; i++)
			r = remove_tree(mnt, v, ns.v[i], depth + 1);
		vnode_names_free(&ns);
	}
	if (r == 0)
		r = dir->ops->unlink ? dir->ops->unlink(dir, name, S_ISDIR(v->mode)) : -EPERM;
	vnode_put(v);
	return r;
}

static int set_attrs(struct vnode *v, const Cvisor__Ckpt__FsEntry *e, int times)
{
	struct vnode_attr a = { .mask = VA_MODE | VA_UID | VA_GID };

	a.mode = e->mode & 07777;
	a.uid = e->uid;
	a.gid = e->gid;
	if (times) {
		a.mask |= VA_ATIME | VA_MTIME;
		a.atime.tv_sec = e->atime_ns / 1000000000;
		a.atime.tv_nsec = e->atime_ns % 1000000000;
		a.mtime.tv_sec = e->mtime_ns / 1000000000;
		a.mtime.tv_nsec = e->mtime_ns % 1000000000;
		if (a.atime.tv_nsec < 0 || a.mtime.tv_nsec < 0)
			a.mask &= ~(unsigned)(VA_ATIME | VA_MTIME);
	}
	return vnode_setattr(v, &a);
}

static int restore_entry(struct fs_restore *fr, const Cvisor__Ckpt__FsEntry *e)
{
	char name[VFS_NAME_MAX + 1];
	struct vnode *v = NULL;
	struct path dir;
	int slash = 0, ok = 0, r;

	r = vfs_walk_parent(&fr->c.t, AT_FDCWD, e->path, &dir, name, &slash);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(fr->allowed); i++)
		ok |= fr->allowed[i] && dir.mnt == fr->allowed[i];
	if (!ok || !S_ISDIR(dir.v->mode) || !dir.v->ops->lookup) {
		path_put(&dir);
		return -EXDEV;
	}
	r = dir.v->ops->lookup(dir.v, name, &v);
	if (r == 0 && vfs_is_mountpoint(dir.mnt, v))
		r = -EBUSY;
	if (r == 0) {
		int keep = (e->kind == CVISOR__CKPT__FS_ENTRY__KIND__DIRECTORY && S_ISDIR(v->mode)) ||
			   (e->kind == CVISOR__CKPT__FS_ENTRY__KIND__REGULAR && S_ISREG(v->mode));

		if (!keep) {
			vnode_put(v);
			v = NULL;
			r = remove_tree(dir.mnt, dir.v, name, 0);
		}
	} else if (r == -ENOENT) {
		r = 0;
	}
	if (r == 0 && !v) {
		switch (e->kind) {
		case CVISOR__CKPT__FS_ENTRY__KIND__DIRECTORY:
		case CVISOR__CKPT__FS_ENTRY__KIND__OPAQUE_DIRECTORY:
			r = dir.v->ops->create ? dir.v->ops->create(dir.v, name, S_IFDIR | 0700, 0,
								    &fr->c.t.creds, &v)
					       : -EPERM;
			break;
		case CVISOR__CKPT__FS_ENTRY__KIND__REGULAR:
			r = dir.v->ops->create ? dir.v->ops->create(dir.v, name, S_IFREG | 0600, 0,
								    &fr->c.t.creds, &v)
					       : -EPERM;
			break;
		case CVISOR__CKPT__FS_ENTRY__KIND__SOCKET: /* bound again by ckpt_sock.c */
			r = dir.v->ops->create ? dir.v->ops->create(dir.v, name, S_IFSOCK | 0600, 0,
								    &fr->c.t.creds, &v)
					       : -EPERM;
			break;
		case CVISOR__CKPT__FS_ENTRY__KIND__SYMLINK:
			r = dir.v->ops->symlink ? dir.v->ops->symlink(dir.v, name, e->target,
								      &fr->c.t.creds)
						: -EPERM;
			break;
		case CVISOR__CKPT__FS_ENTRY__KIND__FIFO:
			r = dir.v->ops->create ? dir.v->ops->create(dir.v, name, S_IFIFO | 0600, 0,
								    &fr->c.t.creds, &v)
					       : -EPERM;
			break;
		default: /* WHITEOUT: removed above */
			break;
		}
	}
	if (r == 0 && v && e->kind == CVISOR__CKPT__FS_ENTRY__KIND__REGULAR)
		r = ckpt_restore_file_data(v, &fr->c.t, fr->files_fd, e);
	if (r == 0 && v)
		r = set_attrs(v, e, e->kind == CVISOR__CKPT__FS_ENTRY__KIND__REGULAR ||
				       e->kind == CVISOR__CKPT__FS_ENTRY__KIND__FIFO);
	vnode_put(v);
	path_put(&dir);
	return r;
}

/* Directory times last (creating their entries changed them). */
static int restore_dir_times(struct fs_restore *fr, const Cvisor__Ckpt__FsEntry *e)
{
	struct path p;
	int r = vfs_walk(&fr->c.t, AT_FDCWD, e->path, 0, &p);

	if (r < 0)
		return r;
	if (S_ISDIR(p.v->mode))
		r = set_attrs(p.v, e, 1);
	path_put(&p);
	return r;
}

int kernel_ckpt_restore_fs(struct kernel *k, const struct Cvisor__Ckpt__Image *img, int files_fd,
			   char *err, size_t errlen)
{
	static const char *const tmpfs_dirs[] = { "/tmp", "/dev/shm" };
	struct fs_restore fr;
	size_t i;
	int r;

	if (img->n_fs_entries == 0)
		return 0;
	r = kernel_root_ctx_init(k, &fr.c);
	if (r < 0)
		return r;
	memset(fr.allowed, 0, sizeof(fr.allowed));
	fr.files_fd = files_fd;
	fr.allowed[0] = k->root.mnt;
	for (i = 0; i < ARRAY_SIZE(tmpfs_dirs); i++) {
		struct path p;

		if (vfs_walk(&fr.c.t, AT_FDCWD, tmpfs_dirs[i], 0, &p) < 0)
			continue;
		if (p.mnt != k->root.mnt && p.v == p.mnt->root && p.mnt->fstype &&
		    !strcmp(p.mnt->fstype, "tmpfs"))
			fr.allowed[1 + i] = p.mnt;
		path_put(&p);
	}
	for (i = 0; i < img->n_fs_entries && r == 0; i++)
		r = restore_entry(&fr, img->fs_entries[i]);
	if (r < 0) {
		snprintf(err, errlen, "%s: cannot recreate it: %s", img->fs_entries[i - 1]->path,
			 strerror(-r));
	} else {
		for (i = img->n_fs_entries; i-- > 0 && r == 0;) {
			const Cvisor__Ckpt__FsEntry *e = img->fs_entries[i];

			if (e->kind == CVISOR__CKPT__FS_ENTRY__KIND__DIRECTORY ||
			    e->kind == CVISOR__CKPT__FS_ENTRY__KIND__OPAQUE_DIRECTORY)
				r = restore_dir_times(&fr, e);
		}
		if (r < 0)
			snprintf(err, errlen, "%s: cannot set its times: %s",
				 img->fs_entries[i]->path, strerror(-r));
	}
	kernel_root_ctx_fini(&fr.c);
	return r;
}
