/* SPDX-License-Identifier: Apache-2.0 */
/*
 * goferfs: the Sentry's view of a Gofer-served tree, over 9P2000.L.
 *
 * Each vnode holds a walked fid.  Regular files are opened with Tlopen and,
 * with the cvisor extension, read and written through the donated host fd
 * (pread/pwrite at the description's offset); without it through
 * Tread/Twrite.  Symlinks are read with Treadlink and resolved by the VFS,
 * never by the Gofer.
 *
 * Cached trees (the rootfs): read-only (the mount is MS_RDONLY, or the
 * lower layer of the overlay), so what the Gofer said stays true: names
 * (found and absent) are kept in a bounded cache (dcache.h), symlink targets
 * and the donated host fd of a regular file on its vnode.  A warm execve
 * then costs no round trip.  Files changed on the host behind a running
 * sandbox may be seen stale (gVisor's overlay lower makes the same bet).
 *
 * Uncached trees (bind mounts): every lookup walks, every stat asks
 * (Tgetattr), and modifications go to the Gofer (mkdir/mknod/symlink/link,
 * unlinkat, renameat, setattr; writes through the donated fd of a file
 * opened for writing).  Several trees share one connection (goferfs_conn).
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

/* One 9P connection to the Gofer, shared by every tree attached on it
 * (the rootfs and the bind mounts: one Gofer serves them all). */
struct goferfs_conn {
	pthread_mutex_t lock; /* one RPC at a time (the client is synchronous) */
	struct p9_client *c;
	uint32_t next_fid; /* atomic */
	int refs;          /* the trees attached + the owner's: atomic */
};

/* One attached tree (one mount). */
struct gofer_sb {
	struct goferfs_conn *conn; /* a reference */
	dev_t dev;
	int refs; /* vnodes alive + the mount: atomic */
	/* Names under this tree; NULL for an uncached tree (a bind mount:
	 * the host and the application change it, so every lookup and stat
	 * asks the Gofer).  Only uncached trees are ever modified. */
	struct dcache *dc;
};

#define GOFERFS_DCACHE_MAX 8192

struct gnode {
	struct gofer_sb *sb;
	uint32_t fid;
	/* Guarded by sb->conn->lock: */
	char *link;  /* symlink target once read */
	int hostfd;  /* regular files: donated by the first open, -EBADF */
};

static const struct vnode_ops gofer_vops;

void goferfs_conn_put(struct goferfs_conn *gc)
{
	if (!gc || __atomic_sub_fetch(&gc->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	p9_client_free(gc->c);
	pthread_mutex_destroy(&gc->lock);
	free(gc);
}

static void sb_put(struct gofer_sb *sb)
{
	if (__atomic_sub_fetch(&sb->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	goferfs_conn_put(sb->conn);
	dcache_free(sb->dc);
	free(sb);
}

static uint32_t new_fid(struct gofer_sb *sb)
{
	return __atomic_fetch_add(&sb->conn->next_fid, 1, __ATOMIC_RELAXED);
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

	pthread_mutex_lock(&sb->conn->lock);
	r = p9_client_getattr(sb->conn->c, fid, &a);
	if (r < 0)
		(void)p9_client_clunk(sb->conn->c, fid);
	pthread_mutex_unlock(&sb->conn->lock);
	if (r < 0)
		return r;
	v = vnode_new(&gofer_vops, sb->dev, a.mode);
	g = calloc(1, sizeof(*g));
	if (!v || !g) {
		free(g);
		vnode_put(v);
		pthread_mutex_lock(&sb->conn->lock);
		(void)p9_client_clunk(sb->conn->c, fid);
		pthread_mutex_unlock(&sb->conn->lock);
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

int goferfs_conn_new(int sock, struct goferfs_conn **ret)
{
	struct goferfs_conn *gc = calloc(1, sizeof(*gc));
	int r;

	if (!gc) {
		safe_close(sock);
		return -ENOMEM;
	}
	r = p9_client_new(sock, 1 << 20, true, &gc->c);
	if (r < 0) {
		safe_close(sock);
		free(gc);
		return r;
	}
	pthread_mutex_init(&gc->lock, NULL);
	gc->next_fid = 1;
	gc->refs = 1;
	*ret = gc;
	return 0;
}

int goferfs_attach(struct goferfs_conn *gc, const char *aname, bool cached, struct vnode **ret)
{
	struct gofer_sb *sb = calloc(1, sizeof(*sb));
	struct p9_qid qid;
	uint32_t fid;
	int r;

	if (!sb)
		return -ENOMEM;
	sb->conn = gc;
	__atomic_add_fetch(&gc->refs, 1, __ATOMIC_RELAXED);
	sb->refs = 1;
	sb->dev = vfs_new_dev();
	if (cached && !(sb->dc = dcache_new(GOFERFS_DCACHE_MAX))) {
		sb_put(sb);
		return -ENOMEM;
	}
	fid = new_fid(sb);
	pthread_mutex_lock(&gc->lock);
	r = p9_client_attach(gc->c, fid, aname, 0, &qid);
	pthread_mutex_unlock(&gc->lock);
	if (r == 0)
		r = make_vnode(sb, fid, ret);
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

	r = sb->dc ? dcache_lookup(sb->dc, dir, name, ret) : -1;
	if (r >= 0)
		return r ? 0 : -ENOENT;
	pthread_mutex_lock(&sb->conn->lock);
	r = p9_client_walk(sb->conn->c, gn(dir)->fid, fid, name, &qid);
	pthread_mutex_unlock(&sb->conn->lock);
	if (r == -ENOENT && sb->dc)
		dcache_insert(sb->dc, dir, name, NULL);
	if (r < 0)
		return r;
	r = make_vnode(sb, fid, ret);
	if (r < 0)
		return r;
	(*ret)->parent = vnode_get(dir); /* held (see release): ".." */
	if (sb->dc)
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

	pthread_mutex_lock(&sb->conn->lock);
	r = p9_client_walk(sb->conn->c, gn(dir)->fid, fid, "", &qid);
	if (r == 0)
		r = p9_client_lopen(sb->conn->c, fid, O_RDONLY, &qid, NULL);
	while (r == 0 && !stop) {
		struct p9_msg t = { .type = P9_TREADDIR }, rep;
		size_t pos = 0;
		int got = 0;

		t.u.io.fid = fid;
		t.u.io.offset = off;
		t.u.io.count = p9_client_iounit(sb->conn->c);
		r = p9_client_rpc(sb->conn->c, &t, &rep, NULL);
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
	(void)p9_client_clunk(sb->conn->c, fid);
	pthread_mutex_unlock(&sb->conn->lock);
	return r;
}

static int gofer_readlink(struct vnode *v, char *buf, size_t len)
{
	struct gofer_sb *sb = gn(v)->sb;
	struct p9_msg t = { .type = P9_TREADLINK }, rep;
	int r;

	t.u.fid.fid = gn(v)->fid;
	pthread_mutex_lock(&sb->conn->lock);
	if (!gn(v)->link) {
		r = p9_client_rpc(sb->conn->c, &t, &rep, NULL);
		if (r == 0)
			gn(v)->link = strndup(rep.u.readlink.target.s, rep.u.readlink.target.len);
		if (r == 0 && !gn(v)->link)
			r = -ENOMEM;
		if (r < 0) {
			pthread_mutex_unlock(&sb->conn->lock);
			return r;
		}
	}
	r = MIN((int)strlen(gn(v)->link), (int)len);
	memcpy(buf, gn(v)->link, (size_t)r);
	pthread_mutex_unlock(&sb->conn->lock);
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
		pthread_mutex_lock(&g->sb->conn->lock);
		n = p9_client_read(g->sb->conn->c, g->fid, (uint64_t)*off, buf,
				   (uint32_t)MIN(len, (size_t)p9_client_iounit(g->sb->conn->c)));
		pthread_mutex_unlock(&g->sb->conn->lock);
		if (n < 0)
			return n;
	}
	*off += n;
	return n;
}

/* Host errors of a write that the application may see as they are. */
static int write_errno(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
	case EROFS:
	case EBADF:
	case EINTR:
		return -e;
	default:
		return -EIO;
	}
}

static ssize_t gf_write(struct file *f, struct task *t, const void *buf, size_t len, int64_t *off)
{
	struct gfile *g = f->priv;
	struct vnode *v = f->path.v;
	ssize_t n;

	(void)t;
	if (f->flags & O_APPEND) { /* the host file's end, whoever wrote it */
		struct stat st;

		if (g->hostfd >= 0 && fstat(g->hostfd, &st) == 0)
			*off = st.st_size;
		else if (v)
			*off = (int64_t)v->size;
	}
	if (g->hostfd >= 0) {
		n = pwrite(g->hostfd, buf, len, *off);
		if (n < 0)
			return write_errno(errno);
	} else {
		pthread_mutex_lock(&g->sb->conn->lock);
		n = p9_client_write(g->sb->conn->c, g->fid, (uint64_t)*off, buf,
				    (uint32_t)MIN(len, (size_t)p9_client_iounit(g->sb->conn->c)));
		pthread_mutex_unlock(&g->sb->conn->lock);
		if (n < 0)
			return n;
	}
	*off += n;
	if (v) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		pthread_mutex_lock(&v->lock);
		if ((uint64_t)*off > v->size)
			v->size = (uint64_t)*off;
		v->mtime = v->ctime = now;
		pthread_mutex_unlock(&v->lock);
	}
	return n;
}

/* Written files of a bind mount: the host's fsync, by the Gofer. */
static int gf_fsync(struct file *f, int datasync)
{
	struct gfile *g = f->priv;
	struct p9_msg t = { .type = P9_TFSYNC }, rep;
	int r;

	if (g->shared || !file_writable(f))
		return 0; /* read-only: nothing of ours to flush */
	t.u.fsync.fid = g->fid;
	t.u.fsync.datasync = (uint32_t)datasync;
	pthread_mutex_lock(&g->sb->conn->lock);
	r = p9_client_rpc(g->sb->conn->c, &t, &rep, NULL);
	pthread_mutex_unlock(&g->sb->conn->lock);
	if (r == 0 || r == -ENOSPC || r == -EDQUOT || r == -EROFS || r == -EINVAL)
		return r;
	return -EIO;
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
		pthread_mutex_lock(&g->sb->conn->lock);
		(void)p9_client_clunk(g->sb->conn->c, g->fid);
		pthread_mutex_unlock(&g->sb->conn->lock);
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
	.write = gf_write,
	.fsync = gf_fsync,
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
	unsigned acc;
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
	acc = flags & O_ACCMODE;
	if (acc != O_RDONLY && sb->dc)
		return -EROFS; /* a cached tree is never written */
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->sb = sb;
	g->hostfd = -EBADF;
	pthread_mutex_lock(&sb->conn->lock);
	if (acc != O_RDONLY) {
		/* a description of its own: the donated fd can write; the
		 * opened fid stays for Tfsync */
		g->fid = new_fid(sb);
		r = p9_client_walk(sb->conn->c, gn(v)->fid, g->fid, "", &qid);
		if (r == 0) {
			r = p9_client_lopen(sb->conn->c, g->fid, acc, &qid, &g->hostfd);
			if (r < 0)
				(void)p9_client_clunk(sb->conn->c, g->fid);
		}
	} else if (gn(v)->hostfd >= 0) {
		g->hostfd = gn(v)->hostfd;
		g->shared = 1;
		r = 0;
	} else {
		g->fid = new_fid(sb);
		r = p9_client_walk(sb->conn->c, gn(v)->fid, g->fid, "", &qid);
		if (r == 0) {
			r = p9_client_lopen(sb->conn->c, g->fid, O_RDONLY, &qid, &g->hostfd);
			if (r < 0 || g->hostfd >= 0)
				(void)p9_client_clunk(sb->conn->c, g->fid);
		}
		if (r == 0 && g->hostfd >= 0) { /* the vnode keeps it for later opens */
			gn(v)->hostfd = g->hostfd;
			g->shared = 1;
		}
	}
	pthread_mutex_unlock(&sb->conn->lock);
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
		pthread_mutex_lock(&g->sb->conn->lock);
		(void)p9_client_clunk(g->sb->conn->c, g->fid);
		pthread_mutex_unlock(&g->sb->conn->lock);
		safe_close(g->hostfd);
		free(g->link);
		sb_put(g->sb);
		free(g);
	}
	vnode_put(v->parent);
	v->parent = NULL;
}

/* ---- modifications (uncached trees only: bind mounts) ---- */

static struct p9_str str9(const char *s)
{
	return (struct p9_str){ s, (uint16_t)strlen(s) };
}

/* One request without reply data, under the connection lock. */
static int rpc(struct gofer_sb *sb, struct p9_msg *t)
{
	struct p9_msg rep;
	int r;

	pthread_mutex_lock(&sb->conn->lock);
	r = p9_client_rpc(sb->conn->c, t, &rep, NULL);
	pthread_mutex_unlock(&sb->conn->lock);
	return r;
}

static int writable(struct vnode *v)
{
	return gn(v)->sb->dc ? -EROFS : 0;
}

static int setattr_fid(struct gofer_sb *sb, uint32_t fid, uint32_t valid, const struct vnode_attr *a,
		       uint64_t size)
{
	struct p9_msg t = { .type = P9_TSETATTR };

	t.u.setattr.fid = fid;
	t.u.setattr.valid = valid;
	if (a) {
		t.u.setattr.mode = a->mode & 07777;
		t.u.setattr.uid = a->uid;
		t.u.setattr.gid = a->gid;
		t.u.setattr.atime_sec = (uint64_t)a->atime.tv_sec;
		t.u.setattr.atime_nsec = (uint64_t)a->atime.tv_nsec;
		t.u.setattr.mtime_sec = (uint64_t)a->mtime.tv_sec;
		t.u.setattr.mtime_nsec = (uint64_t)a->mtime.tv_nsec;
	}
	t.u.setattr.size = size;
	return rpc(sb, &t);
}

/* The Gofer creates as the attaching user (root): give a new object to
 * the creating task's fsuid, as Linux would. */
static int own_new(struct vnode *v, const struct creds *c)
{
	struct vnode_attr a = { .mask = VA_UID };
	int r;

	if (!c || c->fsuid == v->uid)
		return 0;
	a.uid = c->fsuid;
	r = setattr_fid(gn(v)->sb, gn(v)->fid, P9_SETATTR_UID, &a, 0);
	if (r == 0)
		vnode_apply_attr(v, &a);
	return r;
}

static int gofer_create(struct vnode *dir, const char *name, mode_t mode, dev_t rdev,
			const struct creds *c, struct vnode **ret)
{
	struct gofer_sb *sb = gn(dir)->sb;
	struct p9_msg t = { 0 };
	struct vnode *v;
	uint32_t gid = c ? c->fsgid : 0;
	int r = writable(dir);

	(void)rdev;
	if (r < 0)
		return r;
	if (S_ISDIR(mode)) {
		t.type = P9_TMKDIR;
		t.u.mkdir.dfid = gn(dir)->fid;
		t.u.mkdir.name = str9(name);
		t.u.mkdir.mode = mode & 07777;
		t.u.mkdir.gid = gid;
	} else if (S_ISREG(mode) || S_ISFIFO(mode) || S_ISSOCK(mode)) {
		t.type = P9_TMKNOD;
		t.u.mknod.dfid = gn(dir)->fid;
		t.u.mknod.name = str9(name);
		t.u.mknod.mode = mode & (S_IFMT | 07777);
		t.u.mknod.gid = gid;
	} else {
		return -EPERM; /* no device nodes on a host directory */
	}
	r = rpc(sb, &t);
	if (r == 0)
		r = gofer_lookup(dir, name, &v);
	if (r < 0)
		return r;
	(void)own_new(v, c); /* as root's, if the Gofer may not chown */
	if (ret)
		*ret = v;
	else
		vnode_put(v);
	return 0;
}

static int gofer_symlink(struct vnode *dir, const char *name, const char *target,
			 const struct creds *c)
{
	struct p9_msg t = { .type = P9_TSYMLINK };
	struct vnode *v;
	int r = writable(dir);

	if (r < 0)
		return r;
	if (strlen(target) >= VFS_PATH_MAX)
		return -ENAMETOOLONG;
	t.u.symlink.fid = gn(dir)->fid;
	t.u.symlink.name = str9(name);
	t.u.symlink.target = (struct p9_str){ target, (uint16_t)strlen(target) };
	t.u.symlink.gid = c ? c->fsgid : 0;
	r = rpc(gn(dir)->sb, &t);
	if (r == 0 && c && c->fsuid != 0 && gofer_lookup(dir, name, &v) == 0) {
		(void)own_new(v, c);
		vnode_put(v);
	}
	return r;
}

static int gofer_link(struct vnode *dir, const char *name, struct vnode *v)
{
	struct p9_msg t = { .type = P9_TLINK };
	int r = writable(dir);

	if (r < 0)
		return r;
	if (v->ops != dir->ops || gn(v)->sb != gn(dir)->sb)
		return -EXDEV;
	t.u.link.dfid = gn(dir)->fid;
	t.u.link.fid = gn(v)->fid;
	t.u.link.name = str9(name);
	r = rpc(gn(dir)->sb, &t);
	if (r == 0) {
		pthread_mutex_lock(&v->lock);
		v->nlink++;
		pthread_mutex_unlock(&v->lock);
	}
	return r;
}

static int gofer_unlink(struct vnode *dir, const char *name, int rmdir)
{
	struct p9_msg t = { .type = P9_TUNLINKAT };
	int r = writable(dir);

	if (r < 0)
		return r;
	t.u.unlinkat.dirfid = gn(dir)->fid;
	t.u.unlinkat.name = str9(name);
	t.u.unlinkat.flags = rmdir ? P9_AT_REMOVEDIR : 0;
	return rpc(gn(dir)->sb, &t);
}

static int gofer_rename(struct vnode *odir, const char *oname, struct vnode *ndir,
			const char *nname, unsigned flags)
{
	struct p9_msg t = { .type = P9_TRENAMEAT };
	struct vnode *v;
	int r = writable(odir);

	if (r < 0)
		return r;
	if (ndir->ops != odir->ops || gn(ndir)->sb != gn(odir)->sb)
		return -EXDEV;
	if (flags & ~1u) /* RENAME_EXCHANGE, RENAME_WHITEOUT: not over 9P */
		return -EINVAL;
	if (flags) { /* RENAME_NOREPLACE: checked, then done (not atomic) */
		r = gofer_lookup(ndir, nname, &v);
		if (r == 0) {
			vnode_put(v);
			return -EEXIST;
		}
		if (r != -ENOENT)
			return r;
	}
	t.u.renameat.olddirfid = gn(odir)->fid;
	t.u.renameat.oldname = str9(oname);
	t.u.renameat.newdirfid = gn(ndir)->fid;
	t.u.renameat.newname = str9(nname);
	return rpc(gn(odir)->sb, &t);
}

static int gofer_truncate(struct vnode *v, uint64_t size)
{
	int r = writable(v);

	if (r == 0)
		r = setattr_fid(gn(v)->sb, gn(v)->fid, P9_SETATTR_SIZE, NULL, size);
	if (r == 0) {
		pthread_mutex_lock(&v->lock);
		v->size = size;
		pthread_mutex_unlock(&v->lock);
	}
	return r;
}

static int gofer_setattr(struct vnode *v, const struct vnode_attr *a)
{
	uint32_t valid = 0;
	int r = writable(v);

	if (r < 0)
		return r;
	if (a->mask & VA_MODE)
		valid |= P9_SETATTR_MODE;
	if (a->mask & VA_UID)
		valid |= P9_SETATTR_UID;
	if (a->mask & VA_GID)
		valid |= P9_SETATTR_GID;
	if (a->mask & VA_ATIME)
		valid |= P9_SETATTR_ATIME | P9_SETATTR_ATIME_SET;
	if (a->mask & VA_MTIME)
		valid |= P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET;
	if (a->mask & VA_CTIME)
		valid |= P9_SETATTR_CTIME;
	r = valid ? setattr_fid(gn(v)->sb, gn(v)->fid, valid, a, 0) : 0;
	if (r == 0)
		vnode_apply_attr(v, a);
	return r;
}

/* Uncached trees: the host may have changed the object since the lookup. */
static void gofer_getattr(struct vnode *v)
{
	struct gofer_sb *sb = gn(v)->sb;
	struct p9_attr a;
	int r;

	if (sb->dc)
		return;
	pthread_mutex_lock(&sb->conn->lock);
	r = p9_client_getattr(sb->conn->c, gn(v)->fid, &a);
	pthread_mutex_unlock(&sb->conn->lock);
	if (r < 0)
		return; /* gone on the host: keep what we knew */
	pthread_mutex_lock(&v->lock);
	a.mode = (v->mode & S_IFMT) | (a.mode & 07777); /* the type never changes */
	apply_attr(v, &a);
	pthread_mutex_unlock(&v->lock);
}

/* Uncached trees: the host file itself, opened read-write by the Gofer, is
 * the data, so shared mappings, read() and write() see one copy (the host's
 * page cache).  A read-only export or no donation: -EOPNOTSUPP (mappings
 * then go through the description's read-only fd, or are copies). */
static int gofer_mmap_fd(struct vnode *v)
{
	struct gofer_sb *sb = gn(v)->sb;
	struct p9_qid qid;
	uint32_t fid;
	int fd = -EBADF, r;

	if (sb->dc || !S_ISREG(v->mode))
		return -EOPNOTSUPP;
	fid = new_fid(sb);
	pthread_mutex_lock(&sb->conn->lock);
	r = p9_client_walk(sb->conn->c, gn(v)->fid, fid, "", &qid);
	if (r == 0) {
		r = p9_client_lopen(sb->conn->c, fid, O_RDWR, &qid, &fd);
		(void)p9_client_clunk(sb->conn->c, fid);
	}
	pthread_mutex_unlock(&sb->conn->lock);
	if (r < 0 || fd < 0) {
		safe_close(fd);
		return -EOPNOTSUPP;
	}
	return fd;
}

static const struct vnode_ops gofer_vops = {
	.mmap_fd = gofer_mmap_fd,
	.lookup = gofer_lookup,
	.create = gofer_create,
	.symlink = gofer_symlink,
	.link = gofer_link,
	.unlink = gofer_unlink,
	.rename = gofer_rename,
	.readdir = gofer_readdir,
	.readlink = gofer_readlink,
	.open = gofer_open,
	.truncate = gofer_truncate,
	.setattr = gofer_setattr,
	.getattr = gofer_getattr,
	.release = gofer_release,
};
