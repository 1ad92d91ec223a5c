/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Gofer operations on directories and on names within them: readdir, the
 * create family (lcreate, mkdir, symlink, mknod, link), rename/renameat,
 * unlinkat; and POSIX locks (Tlock/Tgetlock, as open-file-description locks
 * so that two fids never share a lock).
 *
 * Every name is validated with p9_name_valid() (no '/', no NUL, not "." or
 * "..", at most 255 bytes) and used relative to a directory fid's O_PATH fd:
 * a single component can neither climb nor cross a symlink.  Every
 * modification is refused with EROFS on a read-only export.
 */
#include "gofer/gofer_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/macro.h"

void gofer_chown_new(int dirfd, const char *name, uint32_t uid, uint32_t gid)
{
	uid_t u = uid == P9_NONUNAME ? (uid_t)-1 : uid;
	gid_t g = gid == P9_NONUNAME ? (gid_t)-1 : gid;

	/* Best effort: an unprivileged Gofer keeps its own ids. */
	if (u != (uid_t)-1 || g != (gid_t)-1)
		(void)fchownat(dirfd, name, u, g, AT_SYMLINK_NOFOLLOW);
}

/* Take a reference on a directory fid of a writable mount and check @name. */
static int get_dir(struct gofer_ctx *ctx, uint32_t fid, const struct p9_str *name, char buf[256],
		   bool write, struct gofer_fid **ret)
{
	struct gofer_fid *f = gofer_fid_get(ctx->conn, fid);
	int r = 0;

	if (!f)
		return -EBADF;
	if (f->fmt != S_IFDIR)
		r = -ENOTDIR;
	else if (name && (r = gofer_name(name, buf)) < 0)
		;
	else if (write && f->mnt->ro)
		r = -EROFS;
	if (r < 0) {
		gofer_fid_put(ctx->conn, f);
		return r;
	}
	*ret = f;
	return 0;
}

/* ---- readdir ------------------------------------------------------------ */

static uint8_t dtype_qid(uint8_t d_type)
{
	return d_type == DT_DIR ? P9_QTDIR : d_type == DT_LNK ? P9_QTSYMLINK : P9_QTFILE;
}

int gofer_op_readdir(struct gofer_ctx *ctx)
{
	const struct p9_msg *t = ctx->t;
	struct gofer_fid *f = gofer_fid_get(ctx->conn, t->u.io.fid);
	uint32_t count = MIN(t->u.io.count, gofer_conn_msize(ctx->conn) - P9_IOHDRSZ);
	uint8_t *data = ctx->rbuf + P9_IOHDRSZ;
	_cleanup_free_ char *dbuf = NULL;
	size_t pos = 0, dsize = MAX(count, 4096u);
	bool is_root, full = false;
	int fd, r = 0;

	if (!f)
		return -EBADF;
	if (f->fmt != S_IFDIR) {
		r = -ENOTDIR;
		goto out;
	}
	fd = gofer_fid_open_fd(f, NULL);
	if (fd < 0) {
		r = -EBADF;
		goto out;
	}
	if (t->u.io.offset > (uint64_t)INT64_MAX) {
		r = -EINVAL;
		goto out;
	}
	dbuf = malloc(dsize);
	if (!dbuf) {
		r = -ENOMEM;
		goto out;
	}
	pthread_mutex_lock(&f->lock);
	is_root = !strcmp(f->path, ".");
	if (lseek(fd, (off_t)t->u.io.offset, SEEK_SET) < 0)
		r = neg_errno();
	while (r == 0 && !full) {
		ssize_t n = getdents64(fd, dbuf, dsize);

		if (n < 0) {
			r = neg_errno();
			break;
		}
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *de = (struct dirent64 *)(dbuf + off);
			struct p9_dirent d = {
			    .qid = {.type = dtype_qid(de->d_type), .path = de->d_ino},
			    .offset = (uint64_t)de->d_off,
			    .type = de->d_type,
			};

			off += de->d_reclen;
			p9_str_from(de->d_name, &d.name);
			/* ".." of an export's root must not reveal what lies above. */
			if (is_root && !strcmp(de->d_name, ".."))
				d.qid.path = f->ino;
			if (p9_dirent_put(data, count, &pos, &d) < 0) {
				full = true;
				break;
			}
		}
	}
	pthread_mutex_unlock(&f->lock);
	if (r == 0 && full && pos == 0)
		r = -EINVAL; /* count too small for one entry */
	if (r == 0) {
		ctx->r->u.io.count = (uint32_t)pos;
		ctx->r->u.io.data = data;
	}
out:
	gofer_fid_put(ctx->conn, f);
	return r;
}

/* ---- create family ----------------------------------------------------------- */

int gofer_op_lcreate(struct gofer_ctx *ctx)
{
	const struct p9_msg *t = ctx->t;
	struct gofer_fid *d, *nf = NULL;
	_cleanup_close_ int fd = -EBADF, pfd = -EBADF;
	_cleanup_free_ char *path = NULL;
	char name[256];
	struct stat st, pst;
	int flags, r;

	r = get_dir(ctx, t->u.lcreate.fid, &t->u.lcreate.name, name, true, &d);
	if (r < 0)
		return r;
	flags = gofer_open_flags(d, t->u.lcreate.flags, S_IFREG);
	if (flags < 0) {
		r = flags;
		goto out;
	}
	pthread_mutex_lock(&d->lock);
	r = d->open_fd >= 0 ? -EBUSY : 0;
	path = gofer_path_join(d->path, name);
	pthread_mutex_unlock(&d->lock);
	if (r < 0 || !path) {
		r = r < 0 ? r : -ENOMEM;
		goto out;
	}
	/* O_NONBLOCK: an existing FIFO of that name must not park the worker. */
	fd = gofer_openat2(d->fd, name,
			   flags | O_CREAT | O_NONBLOCK | (int)(t->u.lcreate.flags & O_EXCL),
			   t->u.lcreate.mode & 07777);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = -EEXIST;
		goto out;
	}
	if (!(flags & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL,
			    flags & ~O_ACCMODE & (O_APPEND | O_NOATIME | O_DSYNC | O_SYNC));
	gofer_chown_new(d->fd, name, d->uid, t->u.lcreate.gid);
	pfd = gofer_openat2(d->fd, name, O_PATH, 0);
	if (pfd < 0 || fstat(pfd, &pst) < 0 || pst.st_ino != st.st_ino || pst.st_dev != st.st_dev) {
		r = pfd < 0 ? pfd : -ESTALE;
		goto out;
	}
	nf = gofer_fid_new(d->mnt, pfd, path, d->uid);
	if (!nf) {
		r = -ENOMEM;
		goto out;
	}
	pfd = -EBADF;
	nf->fid = t->u.lcreate.fid;
	gofer_qid_from_stat(&st, &ctx->r->u.lcreate.qid);
	ctx->r->u.lcreate.iounit = gofer_conn_msize(ctx->conn) - P9_TWRITE_HDRSZ;
	if (gofer_conn_ext(ctx->conn))
		ctx->donate_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	nf->open_fd = TAKE_FD(fd);
	nf->open_flags = flags;
	/* The fid now names the new, open file. */
	(void)gofer_fid_remove(ctx->conn, nf->fid);
	r = gofer_fid_insert(ctx->conn, nf);
	if (r < 0) {
		gofer_fid_free(nf);
		ctx->donate_fd = safe_close(ctx->donate_fd);
	}
out:
	gofer_fid_put(ctx->conn, d);
	return r;
}

int gofer_op_mkdir(struct gofer_ctx *ctx)
{
	const struct p9_msg *t = ctx->t;
	struct gofer_fid *d;
	char name[256];
	struct stat st;
	int r;

	r = get_dir(ctx, t->u.mkdir.dfid, &t->u.mkdir.name, name, true, &d);
	if (r < 0)
		return r;
	if (mkdirat(d->fd, name, t->u.mkdir.mode & 07777) < 0)
		r = neg_errno();
	else {
		gofer_chown_new(d->fd, name, d->uid, t->u.mkdir.gid);
		if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			r = neg_errno();
		else
			gofer_qid_from_stat(&st, &ctx->r->u.mkdir.qid);
	}
	gofer_fid_put(ctx->conn, d);
	return r;
}

int gofer_op_symlink(struct gofer_ctx *ctx)
{
	const struct p9_msg *t = ctx->t;
	const struct p9_str *tg = &t->u.symlink.target;
	struct gofer_fid *d;
	char name[256];
	struct stat st;
	int r;

	/* The target is stored, never followed by the Gofer: any text but NUL. */
	if (tg->len == 0 || tg->len >= sizeof(ctx->scratch) || memchr(tg->s, '\0', tg->len))
		return tg->len >= sizeof(ctx->scratch) ? -ENAMETOOLONG : -EINVAL;
	r = get_dir(ctx, t->u.symlink.fid, &t->u.symlink.name, name, true, &d);
	if (r < 0)
		return r;
	memcpy(ctx->scratch, tg->s, tg->len);
	ctx->scratch[tg->len] = '\0';
	if (symlinkat(ctx->scratch, d->fd, name) < 0)
		r = neg_errno();
	else {
		gofer_chown_new(d->fd, name, d->uid, t->u.symlink.gid);
		if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			r = neg_errno();
		else
			gofer_qid_from_stat(&st, &ctx->r->u.symlink.qid);
	}
	gofer_fid_put(ctx->conn, d);
	return r;
}

int gofer_op_mknod(struct gofer_ctx *ctx)
{
	const struct p9_msg *t = ctx->t;
	mode_t fmt = t->u.mknod.mode & S_IFMT;
	struct gofer_fid *d;
	char name[256];
	struct stat st;
	int r;

	/* No device nodes: they would reach host devices. */
	if (fmt != S_IFREG && fmt != S_IFIFO && fmt != S_IFSOCK)
		return fmt == S_IFCHR || fmt == S_IFBLK ? -EPERM : -EINVAL;
	r = get_dir(ctx, t->u.mknod.dfid, &t->u.mknod.name, name, true, &d);
	if (r < 0)
		return r;
	if (mknodat(d->fd, name, fmt | (t->u.mknod.mode & 07777), 0) < 0)
		r = neg_errno();
	else {
		gofer_chown_new(d->fd, name, d->uid, t->u.mknod.gid);
		if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			r = neg_errno();
		else
			gofer_qid_from_stat(&st, &ctx->r->u.mknod.qid);
	}
	gofer_fid_put(ctx->conn, d);
	return r;
}

int gofer_op_link(struct gofer_ctx *ctx)
{
	const struct p9_msg *t = ctx->t;
	struct gofer_fid *d, *f;
	char name[256];
	int r;

	r = get_dir(ctx, t->u.link.dfid, &t->u.link.name, name, true, &d);
	if (r < 0)
		return r;
	f = gofer_fid_get(ctx->conn, t->u.link.fid);
	if (!f)
		r = -EBADF;
	else if (f->mnt != d->mnt)
		r = -EXDEV;
	else if (f->fmt == S_IFDIR)
		r = -EPERM;
	else if (linkat(f->fd, "", d->fd, name, AT_EMPTY_PATH) < 0)
		r = neg_errno();
	gofer_fid_put(ctx->conn, f);
	gofer_fid_put(ctx->conn, d);
	return r;
}

/* ---- rename / unlink ------------------------------------------------------------ */

int gofer_op_rename(struct gofer_ctx *ctx)
{
	const struct p9_msg *t = ctx->t;
	struct gofer_fid *d, *f;
	char name[256], base[256];
	char *np = NULL;
	int pfd = -EBADF, r;

	r = get_dir(ctx, t->u.rename.dfid, &t->u.rename.name, name, true, &d);
	if (r < 0)
		return r;
	f = gofer_fid_get(ctx->conn, t->u.rename.fid);
	if (!f) {
		r = -EBADF;
		goto out;
	}
	if (f->mnt != d->mnt) {
		r = -EXDEV;
		goto out;
	}
	pfd = gofer_open_parent(f, base);
	if (pfd < 0) {
		r = pfd;
		goto out;
	}
	pthread_mutex_lock(&d->lock);
	np = gofer_path_join(d->path, name);
	pthread_mutex_unlock(&d->lock);
	if (!np)
		r = -ENOMEM;
	else if (renameat(pfd, base, d->fd, name) < 0)
		r = neg_errno();
	if (r == 0) {
		pthread_mutex_lock(&f->lock);
		free(f->path);
		f->path = TAKE_PTR(np);
		pthread_mutex_unlock(&f->lock);
	}
out:
	free(np);
	safe_close(pfd);
	gofer_fid_put(ctx->conn, f);
	gofer_fid_put(ctx->conn, d);
	return r;
}

int gofer_op_renameat(struct gofer_ctx *ctx)
{
	const struct p9_msg *t = ctx->t;
	struct gofer_fid *od, *nd;
	char oname[256], nname[256];
	int r;

	r = get_dir(ctx, t->u.renameat.olddirfid, &t->u.renameat.oldname, oname, true, &od);
	if (r < 0)
		return r;
	r = get_dir(ctx, t->u.renameat.newdirfid, &t->u.renameat.newname, nname, true, &nd);
	if (r < 0) {
		gofer_fid_put(ctx->conn, od);
		return r;
	}
	if (od->mnt != nd->mnt)
		r = -EXDEV;
	else if (renameat(od->fd, oname, nd->fd, nname) < 0)
		r = neg_errno();
	gofer_fid_put(ctx->conn, nd);
	gofer_fid_put(ctx->conn, od);
	return r;
}

int gofer_op_unlinkat(struct gofer_ctx *ctx)
{
	const struct p9_msg *t = ctx->t;
	struct gofer_fid *d;
	char name[256];
	int r;

	if (t->u.unlinkat.flags & ~P9_AT_REMOVEDIR)
		return -EINVAL;
	r = get_dir(ctx, t->u.unlinkat.dirfid, &t->u.unlinkat.name, name, true, &d);
	if (r < 0)
		return r;
	if (unlinkat(d->fd, name, (t->u.unlinkat.flags & P9_AT_REMOVEDIR) ? AT_REMOVEDIR : 0) < 0)
		r = neg_errno();
	gofer_fid_put(ctx->conn, d);
	return r;
}

/* ---- locks ---------------------------------------------------------------- */

static int lock_to_flock(const struct p9_lockdesc *lk, struct flock *fl)
{
	static const short types[] = {F_RDLCK, F_WRLCK, F_UNLCK};

	if (lk->type >= ARRAY_SIZE(types) || lk->start > (uint64_t)INT64_MAX ||
	    lk->length > (uint64_t)INT64_MAX)
		return -EINVAL;
	memset(fl, 0, sizeof(*fl));
	fl->l_type = types[lk->type];
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)lk->start;
	fl->l_len = (off_t)lk->length;
	return 0;
}

int gofer_op_lock(struct gofer_ctx *ctx)
{
	const struct p9_msg *t = ctx->t;
	struct gofer_fid *f = gofer_fid_get(ctx->conn, t->u.lock.fid);
	struct flock fl;
	int fd, r;

	if (!f)
		return -EBADF;
	fd = gofer_fid_open_fd(f, NULL);
	r = fd < 0 ? -EBADF : lock_to_flock(&t->u.lock.lk, &fl);
	if (r == 0) {
		/* Never block a worker: a contended lock answers BLOCKED, the client retries. */
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
			ctx->r->u.lock.status = P9_LOCK_SUCCESS;
		else if (errno == EAGAIN || errno == EACCES)
			ctx->r->u.lock.status = P9_LOCK_BLOCKED;
		else
			r = neg_errno();
	}
	gofer_fid_put(ctx->conn, f);
	return r;
}

int gofer_op_getlock(struct gofer_ctx *ctx)
{
	const struct p9_msg *t = ctx->t;
	struct gofer_fid *f = gofer_fid_get(ctx->conn, t->u.getlock.fid);
	struct p9_lockdesc *o = &ctx->r->u.getlock.lk;
	struct flock fl;
	int fd, r;

	if (!f)
		return -EBADF;
	fd = gofer_fid_open_fd(f, NULL);
	r = fd < 0 ? -EBADF : lock_to_flock(&t->u.getlock.lk, &fl);
	if (r == 0 && fl.l_type == F_UNLCK)
		r = -EINVAL;
	if (r == 0 && fcntl(fd, F_OFD_GETLK, &fl) < 0)
		r = neg_errno();
	if (r == 0) {
		o->type = fl.l_type == F_RDLCK	 ? P9_LOCK_TYPE_RDLCK
			  : fl.l_type == F_WRLCK ? P9_LOCK_TYPE_WRLCK
						 : P9_LOCK_TYPE_UNLCK;
		o->start = (uint64_t)fl.l_start;
		o->length = (uint64_t)fl.l_len;
		o->proc_id = fl.l_type == F_UNLCK ? t->u.getlock.lk.proc_id : 0;
		o->client_id = t->u.getlock.lk.client_id;
	}
	gofer_fid_put(ctx->conn, f);
	return r;
}
