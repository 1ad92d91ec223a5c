/* SPDX-License-Identifier: Apache-2.0 */
/*
 * goferfs: the Sentry's view of a Gofer-served tree, over 9P2000.L.
 *
 * Each vnode holds a walked fid.  Regular files are opened with Tlopen and,
 * with the cvisor extension, read and written through the donated host fd
 * (pread/pwrite at the description's offset); without it through
 * Tread/Twrite.  Symlinks are read with Treadlink and resolved by the VFS,
 * never by the Gofer.  The tree is read-only (the mount is MS_RDONLY, or the
 * lower layer of the overlay), so what the Gofer said stays true: names
 * (found and absent) are kept in a bounded cache (dcache.h), symlink targets
 * and the donated host fd of a regular file on its vnode.  A warm execve
 * then costs no round trip.  Files changed on the host behind a running
 * sandbox may be seen stale (gVisor's overlay lower makes the same bet).
 */
#include "goferfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gofer/p9_client.h"
#include "dcache.h"
#include "lib/macro.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vnode.h"

struct gofer_sb {
	pthread_mutex_t lock; /* one RPC at a time (the client is synchronous) */
	struct p9_client *c;
	uint32_t next_fid;
	dev_t dev;
	int refs; /* vnodes alive + the mount: atomic */
	struct dcache *dc; /* names under this tree */
};

#define GOFERFS_DCACHE_MAX 8192

struct gnode {
	struct gofer_sb *sb;
	uint32_t fid;
	/* Guarded by sb->lock: */
	char *link;  /* symlink target once read */
	int hostfd;  /* regular files: donated by the first open, -EBADF */
};

static const struct vnode_ops gofer_vops;

static void sb_put(struct gofer_sb *sb)
{
	if (__atomic_sub_fetch(&sb->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	p9_client_free(sb->c);
	dcache_free(sb->dc);
	pthread_mutex_destroy(&sb->lock);
	free(sb);
}

static uint32_t new_fid(struct gofer_sb *sb)
{
	return __atomic_fetch_add(&sb->next_fid, 1, __ATOMIC_RELAXED);
}

static void apply_attr(struct vnode *v, const struct p9_attr *a)
{
	v->mode = a->mode;
	v->uid = a->uid;
	v->gid = a->gid;
	v->nlink = a->nlink;
	v->size = a->size;
	v->rdev = (dev_t)a->rdev;
	v->ino = a->qid.path;
	v->atime = (struct timespec){ (time_t)a->atime_sec, (long)a->atime_nsec };
	v->mtime = (struct timespec){ (time_t)a->mtime_sec, (long)a->mtime_nsec };
	v->ctime = (struct timespec){ (time_t)a->ctime_sec, (long)a->ctime_nsec };
}

/* A vnode for the already-walked @fid (owned by the vnode from now on). */
static int make_vnode(struct gofer_sb *sb, uint32_t fid, struct vnode **ret)
{
	struct p9_attr a;
	struct vnode *v;
	struct gnode *g;
	int r;

	pthread_mutex_lock(&sb->lock);
	r = p9_client_getattr(sb->c, fid, &a);
	if (r < 0)
		(void)p9_client_clunk(sb->c, fid);
	pthread_mutex_unlock(&sb->lock);
	if (r < 0)
		return r;
	v = vnode_new(&gofer_vops, sb->dev, a.mode);
	g = calloc(1, sizeof(*g));
	if (!v || !g) {
		free(g);
		vnode_put(v);
		pthread_mutex_lock(&sb->lock);
		(void)p9_client_clunk(sb->c, fid);
		pthread_mutex_unlock(&sb->lock);
		return -ENOMEM;
	}
	apply_attr(v, &a);
	g->sb = sb;
	g->fid = fid;
	g->hostfd = -EBADF;
	__atomic_add_fetch(&sb->refs, 1, __ATOMIC_RELAXED);
	v->priv = g;
	*ret = v;
	return 0;
}

int goferfs_mount_root(int sock, const char *aname, struct vnode **ret)
{
	struct gofer_sb *sb = calloc(1, sizeof(*sb));
	struct p9_qid qid;
	int r;

	if (!sb) {
		safe_close(sock);
		return -ENOMEM;
	}
	pthread_mutex_init(&sb->lock, NULL);
	sb->next_fid = 1;
	sb->refs = 1;
	sb->dev = vfs_new_dev();
	sb->dc = dcache_new(GOFERFS_DCACHE_MAX);
	r = sb->dc ? p9_client_new(sock, 1 << 20, true, &sb->c) : -ENOMEM;
	if (r < 0) {
		safe_close(sock);
		dcache_free(sb->dc);
		pthread_mutex_destroy(&sb->lock);
		free(sb);
		return r;
	}
	r = p9_client_attach(sb->c, 0, aname, 0, &qid);
	if (r == 0)
		r = make_vnode(sb, 0, ret);
	sb_put(sb); /* the root vnode holds it now (or nothing does) */
	return r;
}

static struct gnode *gn(struct vnode *v)
{
	return v->priv;
}

static int gofer_lookup(struct vnode *dir, const char *name, struct vnode **ret)
{
	struct gofer_sb *sb = gn(dir)->sb;
	uint32_t fid = new_fid(sb);
	struct p9_qid qid;
	int r;

	r = dcache_lookup(sb->dc, dir, name, ret);
	if (r >= 0)
		return r ? 0 : -ENOENT;
	pthread_mutex_lock(&sb->lock);
	r = p9_client_walk(sb->c, gn(dir)->fid, fid, name, &qid);
	pthread_mutex_unlock(&sb->lock);
	if (r == -ENOENT)
		dcache_insert(sb->dc, dir, name, NULL);
	if (r < 0)
		return r;
	r = make_vnode(sb, fid, ret);
	if (r < 0)
		return r;
	(*ret)->parent = vnode_get(dir); /* held (see release): ".." */
	dcache_insert(sb->dc, dir, name, *ret);
	return 0;
}

void goferfs_unmount(struct vnode *root)
{
	if (root && root->ops == &gofer_vops)
		dcache_clear(gn(root)->sb->dc);
}

static int gofer_readdir(struct vnode *dir, uint64_t cookie, vfs_dirent_fn fn, void *ctx)
{
	struct gofer_sb *sb = gn(dir)->sb;
	uint32_t fid = new_fid(sb);
	struct p9_qid qid;
	uint64_t off = cookie;
	int r, stop = 0;

	pthread_mutex_lock(&sb->lock);
	r = p9_client_walk(sb->c, gn(dir)->fid, fid, "", &qid);
	if (r == 0)
		r = p9_client_lopen(sb->c, fid, O_RDONLY, &qid, NULL);
	while (r == 0 && !stop) {
		struct p9_msg t = { .type = P9_TREADDIR }, rep;
		size_t pos = 0;
		int got = 0;

		t.u.io.fid = fid;
		t.u.io.offset = off;
		t.u.io.count = p9_client_iounit(sb->c);
		r = p9_client_rpc(sb->c, &t, &rep, NULL);
		if (r < 0)
			break;
		for (;;) {
			struct p9_dirent d;
			char name[VFS_NAME_MAX + 1];
			int n = p9_dirent_next(rep.u.io.data, rep.u.io.count, &pos, &d);

			if (n <= 0) {
				if (n < 0)
					r = -EIO;
				break;
			}
			got = 1;
			if (d.name.len > VFS_NAME_MAX)
				continue;
			memcpy(name, d.name.s, d.name.len);
			name[d.name.len] = 0;
			off = d.offset;
			/* The RPC buffer is reused by the next call: the callback
			 * must not call back into the Gofer (it does not). */
			stop = fn(ctx, name, d.qid.path, d.type, d.offset);
			if (stop)
				break;
		}
		if (!got)
			break; /* end of directory */
	}
	(void)p9_client_clunk(sb->c, fid);
	pthread_mutex_unlock(&sb->lock);
	return r;
}

static int gofer_readlink(struct vnode *v, char *buf, size_t len)
{
	struct gofer_sb *sb = gn(v)->sb;
	struct p9_msg t = { .type = P9_TREADLINK }, rep;
	int r;

	t.u.fid.fid = gn(v)->fid;
	pthread_mutex_lock(&sb->lock);
	if (!gn(v)->link) {
		r = p9_client_rpc(sb->c, &t, &rep, NULL);
		if (r == 0)
			gn(v)->link = strndup(rep.u.readlink.target.s, rep.u.readlink.target.len);
		if (r == 0 && !gn(v)->link)
			r = -ENOMEM;
		if (r < 0) {
			pthread_mutex_unlock(&sb->lock);
			return r;
		}
	}
	r = MIN((int)strlen(gn(v)->link), (int)len);
	memcpy(buf, gn(v)->link, (size_t)r);
	pthread_mutex_unlock(&sb->lock);
	return r;
}

/* ---- open regular files ---- */

struct gfile {
	struct gofer_sb *sb;
	uint32_t fid; /* the opened fid (none when shared) */
	int hostfd;   /* donated, or -EBADF */
	int shared;   /* hostfd is the vnode's: no fid, nothing to close */
};

static ssize_t gf_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *off)
{
	struct gfile *g = f->priv;
	ssize_t n;

	(void)t;
	if (g->hostfd >= 0) {
		n = pread(g->hostfd, buf, len, *off);
		if (n < 0)
			return errno == EISDIR ? -EISDIR : -EIO;
	} else {
		pthread_mutex_lock(&g->sb->lock);
		n = p9_client_read(g->sb->c, g->fid, (uint64_t)*off, buf,
				   (uint32_t)MIN(len, (size_t)p9_client_iounit(g->sb->c)));
		pthread_mutex_unlock(&g->sb->lock);
		if (n < 0)
			return n;
	}
	*off += n;
	return n;
}

static int64_t gf_llseek(struct file *f, int64_t off, int whence, int64_t cur)
{
	struct gfile *g = f->priv;
	int64_t base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = cur;
		break;
	case SEEK_END: {
		struct stat st;

		if (g->hostfd >= 0 && fstat(g->hostfd, &st) == 0)
			base = st.st_size;
		else
			base = (int64_t)f->path.v->size;
		break;
	}
	default:
		return -EINVAL;
	}
	if (base + off < 0)
		return -EINVAL;
	return base + off;
}

static int gf_mmap_fd(struct file *f)
{
	struct gfile *g = f->priv;
	int fd;

	if (g->hostfd < 0)
		return -ENODEV; /* no donated fd: the caller copies */
	fd = fcntl(g->hostfd, F_DUPFD_CLOEXEC, 3);
	return fd < 0 ? -EMFILE : fd;
}

static void gf_release(struct file *f)
{
	struct gfile *g = f->priv;

	if (!g->shared) {
		safe_close(g->hostfd);
		pthread_mutex_lock(&g->sb->lock);
		(void)p9_client_clunk(g->sb->c, g->fid);
		pthread_mutex_unlock(&g->sb->lock);
	}
	sb_put(g->sb);
	free(g);
}

static int gf_host_fd(struct file *f)
{
	struct gfile *g = f->priv;

	return g->hostfd >= 0 ? g->hostfd : -ENODEV;
}

static const struct file_ops gf_fops = {
	.read = gf_read,
	.llseek = gf_llseek,
	.host_fd = gf_host_fd,
	.mmap_fd = gf_mmap_fd,
	.release = gf_release,
};


static int64_t gd_llseek(struct file *f, int64_t off, int whence, int64_t cur)
{
	(void)f;
	(void)cur;
	return whence == SEEK_SET && off >= 0 ? off : -EINVAL;
}

static const struct file_ops gd_fops = {
	.iterate = file_dir_iterate,
	.llseek = gd_llseek,
};

static int gofer_open(struct vnode *v, unsigned flags, struct file **ret)
{
	struct gofer_sb *sb = gn(v)->sb;
	struct gfile *g;
	struct p9_qid qid;
	struct file *f;
	int r;

	if (S_ISDIR(v->mode)) {
		f = file_new(&gd_fops, NULL, flags & O_ACCMODE);
		if (!f)
			return -ENOMEM;
		*ret = f;
		return 0;
	}
	if (!S_ISREG(v->mode))
		return -ENXIO; /* devices, FIFOs, sockets of the rootfs: not here */
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->sb = sb;
	g->hostfd = -EBADF;
	pthread_mutex_lock(&sb->lock);
	if (gn(v)->hostfd >= 0) {
		g->hostfd = gn(v)->hostfd;
		g->shared = 1;
		r = 0;
	} else {
		g->fid = new_fid(sb);
		r = p9_client_walk(sb->c, gn(v)->fid, g->fid, "", &qid);
		if (r == 0) {
			r = p9_client_lopen(sb->c, g->fid, O_RDONLY, &qid, &g->hostfd);
			if (r < 0 || g->hostfd >= 0)
				(void)p9_client_clunk(sb->c, g->fid);
		}
		if (r == 0 && g->hostfd >= 0) { /* the vnode keeps it for later opens */
			gn(v)->hostfd = g->hostfd;
			g->shared = 1;
		}
	}
	pthread_mutex_unlock(&sb->lock);
	if (r < 0) {
		free(g);
		return r;
	}
	__atomic_add_fetch(&sb->refs, 1, __ATOMIC_RELAXED);
	f = file_new(&gf_fops, g, flags & ~(unsigned)(O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY));
	if (!f) {
		struct file tmp = { .priv = g };

		gf_release(&tmp);
		return -ENOMEM;
	}
	*ret = f;
	return 0;
}

static void gofer_release(struct vnode *v)
{
	struct gnode *g = gn(v);

	if (g) {
		pthread_mutex_lock(&g->sb->lock);
		(void)p9_client_clunk(g->sb->c, g->fid);
		pthread_mutex_unlock(&g->sb->lock);
		safe_close(g->hostfd);
		free(g->link);
		sb_put(g->sb);
		free(g);
	}
	vnode_put(v->parent);
	v->parent = NULL;
}

static const struct vnode_ops gofer_vops = {
	.lookup = gofer_lookup,
	.readdir = gofer_readdir,
	.readlink = gofer_readlink,
	.open = gofer_open,
	.release = gofer_release,
};
