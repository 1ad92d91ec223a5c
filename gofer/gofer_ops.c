/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Gofer operations on a single fid: attach, walk, getattr/setattr, lopen,
 * read/write, clunk/remove, readlink, fsync, statfs, and the dispatcher.
 *
 * Confinement rule: every lookup is one openat2() with GOFER_RESOLVE
 * (beneath the mount root, no symlinks at all, no mount crossing), either of
 * a single validated name relative to a directory fid, or of a fid's
 * recorded path relative to the mount root.  The client resolves symlinks
 * itself (as 9P2000.L clients do); the Gofer never follows one.
 */
#include "gofer/gofer_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/macro.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

/* Flags a client may pass to Tlopen/Tlcreate; the rest are dropped. */
#define GOFER_OPEN_MASK                                                                            \
	(O_ACCMODE | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC | O_NOATIME | O_DIRECTORY)

int gofer_openat2(int dirfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
	    /* openat2 refuses O_PATH with anything but O_DIRECTORY/O_NOFOLLOW/O_CLOEXEC. */
	    .flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC | ((flags & O_PATH) ? 0 : O_NOCTTY)),
	    .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
	    .resolve = GOFER_RESOLVE,
	};
	long fd;

	do
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EINTR);
	return fd < 0 ? neg_errno() : (int)fd;
}

/* ---- fid objects and helpers -------------------------------------------------- */

struct gofer_fid *gofer_fid_new(const struct gofer_mount *mnt, int fd, const char *path,
				uint32_t uid)
{
	struct gofer_fid *f = calloc(1, sizeof(*f));
	struct stat st;

	if (!f)
		return NULL;
	f->path = strdup(path);
	if (!f->path || fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		free(f->path);
		free(f);
		return NULL;
	}
	f->mnt = mnt;
	f->fd = fd;
	f->uid = uid;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->fmt = st.st_mode & S_IFMT;
	f->open_fd = -EBADF;
	pthread_mutex_init(&f->lock, NULL);
	return f;
}

void gofer_fid_free(struct gofer_fid *f)
{
	if (!f)
		return;
	safe_close(f->fd);
	safe_close(f->open_fd);
	free(f->path);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

void gofer_qid_from_stat(const struct stat *st, struct p9_qid *ret)
{
	ret->type = S_ISDIR(st->st_mode)   ? P9_QTDIR
		    : S_ISLNK(st->st_mode) ? P9_QTSYMLINK
					   : P9_QTFILE;
	ret->version = 0;
	ret->path = st->st_ino;
}

int gofer_qid_of(int fd, struct p9_qid *ret_qid, struct stat *ret_st)
{
	struct stat st;

	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return neg_errno();
	if (ret_qid)
		gofer_qid_from_stat(&st, ret_qid);
	if (ret_st)
		*ret_st = st;
	return 0;
}

int gofer_name(const struct p9_str *s, char buf[256])
{
	if (!p9_name_valid(s))
		return s && s->len > 255 ? -ENAMETOOLONG : -EINVAL;
	memcpy(buf, s->s, s->len);
	buf[s->len] = '\0';
	return 0;
}

char *gofer_path_join(const char *parent, const char *name)
{
	char *p;

	if (!strcmp(parent, "."))
		return strdup(name);
	if (asprintf(&p, "%s/%s", parent, name) < 0)
		return NULL;
	return p;
}

/* Parent of a recorded path ("a/b" -> "a", "a" -> "."); NULL on ENOMEM. */
static char *path_parent(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
}

int gofer_reopen(struct gofer_fid *f, int flags)
{
	_cleanup_close_ int fd = -EBADF;
	struct stat st;

	if (f->fmt == S_IFDIR) {
		fd = openat(f->fd, ".", flags | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
		fd = fd < 0 ? neg_errno() : fd;
	} else {
		/*
		 * O_NONBLOCK: the path may now lead to a FIFO (a rename since the
		 * walk), whose open would park this worker; the inode check below
		 * then refuses it.
		 */
		pthread_mutex_lock(&f->lock);
		fd = gofer_openat2(f->mnt->root_fd, f->path, flags | O_NONBLOCK, 0);
		pthread_mutex_unlock(&f->lock);
	}
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return neg_errno();
	if (st.st_dev != f->dev || st.st_ino != f->ino)
		return -ESTALE;
	if (!(flags & O_NONBLOCK) && f->fmt != S_IFDIR) {
		int fl = fcntl(fd, F_GETFL);

		if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
			return neg_errno();
	}
	return TAKE_FD(fd);
}

int gofer_open_parent(struct gofer_fid *f, char base[256])
{
	_cleanup_free_ char *parent = NULL;
	_cleanup_close_ int pfd = -EBADF;
	const char *slash;
	struct stat st;

	pthread_mutex_lock(&f->lock);
	if (!strcmp(f->path, ".")) {
		pthread_mutex_unlock(&f->lock);
		return -EBUSY;
	}
	slash = strrchr(f->path, '/');
	snprintf(base, 256, "%s", slash ? slash + 1 : f->path);
	parent = path_parent(f->path);
	pthread_mutex_unlock(&f->lock);
	if (!parent)
		return -ENOMEM;
	pfd = gofer_openat2(f->mnt->root_fd, parent, O_PATH | O_DIRECTORY, 0);
	if (pfd < 0)
		return pfd;
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return neg_errno();
	if (st.st_dev != f->dev || st.st_ino != f->ino)
		return -ESTALE;
	return TAKE_FD(pfd);
}

/* ---- session --------------------------------------------------------------- */

int gofer_op_attach(struct gofer_ctx *ctx)
{
	const struct gofer_server *s = gofer_conn_server(ctx->conn);
	const struct p9_str *an = &ctx->t->u.attach.aname;
	const struct gofer_mount *mnt = NULL;
	struct gofer_fid *f;
	int fd, r;

	if (ctx->t->u.attach.afid != P9_NOFID)
		return -EINVAL;
	if (memchr(an->s, '\0', an->len))
		return -EINVAL;
	if (an->len == 0 || (an->len == 1 && an->s[0] == '/')) {
		mnt = &s->mounts[0];
	} else {
		for (size_t i = 0; i < s->n_mounts; i++)
			if (strlen(s->mounts[i].name) == an->len &&
			    !memcmp(s->mounts[i].name, an->s, an->len))
				mnt = &s->mounts[i];
	}
	if (!mnt)
		return -ENOENT;
	fd = gofer_openat2(mnt->root_fd, ".", O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	f = gofer_fid_new(mnt, fd, ".", ctx->t->u.attach.n_uname);
	if (!f) {
		safe_close(fd);
		return -ENOMEM;
	}
	f->fid = ctx->t->u.attach.fid;
	r = gofer_qid_of(f->fd, &ctx->r->u.attach.qid, NULL);
	if (r >= 0)
		r = gofer_fid_insert(ctx->conn, f);
	if (r < 0)
		gofer_fid_free(f);
	return r;
}

int gofer_op_walk(struct gofer_ctx *ctx)
{
	const struct p9_msg *t = ctx->t;
	struct gofer_fid *f, *nf, *exist = NULL;
	_cleanup_free_ char *path = NULL;
	_cleanup_close_ int cur = -EBADF;
	mode_t fmt;
	int r = 0;
	unsigned i;

	f = gofer_fid_get(ctx->conn, t->u.walk.fid);
	if (!f)
		return -EBADF;
	if (t->u.walk.newfid != t->u.walk.fid)
		exist = gofer_fid_get(ctx->conn, t->u.walk.newfid);
	if (exist) {
		r = -EEXIST;
		goto out;
	}
	/* Linux and diod clients walk from open fids too: allowed. */
	pthread_mutex_lock(&f->lock);
	path = strdup(f->path);
	pthread_mutex_unlock(&f->lock);
	cur = fcntl(f->fd, F_DUPFD_CLOEXEC, 3);
	if (!path || cur < 0) {
		r = path ? neg_errno() : -ENOMEM;
		goto out;
	}
	fmt = f->fmt;

	for (i = 0; i < t->u.walk.nwname; i++) {
		const struct p9_str *w = &t->u.walk.wname[i];
		char name[256];
		char *np;
		struct stat st;
		int nfd;

		if (fmt != S_IFDIR) {
			r = -ENOTDIR;
			break;
		}
		if (w->len == 1 && w->s[0] == '.') {
			/* "." stays put (diodls walks it). */
			np = strdup(path);
			if (!np) {
				r = -ENOMEM;
				break;
			}
			nfd = fcntl(cur, F_DUPFD_CLOEXEC, 3);
			nfd = nfd < 0 ? neg_errno() : nfd;
		} else if (w->len == 2 && w->s[0] == '.' && w->s[1] == '.') {
			np = !strcmp(path, ".") ? strdup(".") : path_parent(path);
			if (!np) {
				r = -ENOMEM;
				break;
			}
			nfd = gofer_openat2(f->mnt->root_fd, np, O_PATH | O_DIRECTORY, 0);
		} else {
			r = gofer_name(w, name);
			if (r < 0) {
				/* Names with '/' or NUL never resolve. */
				if (r == -EINVAL)
					r = -ENOENT;
				break;
			}
			np = gofer_path_join(path, name);
			if (!np) {
				r = -ENOMEM;
				break;
			}
			nfd = gofer_openat2(cur, name, O_PATH, 0);
		}
		if (nfd < 0) {
			free(np);
			r = nfd;
			break;
		}
		r = gofer_qid_of(nfd, &ctx->r->u.walk.wqid[i], &st);
		if (r < 0) {
			free(np);
			safe_close(nfd);
			break;
		}
		fmt = st.st_mode & S_IFMT;
		safe_close(cur);
		cur = nfd;
		free(path);
		path = np;
	}
	ctx->r->u.walk.nwqid = (uint16_t)i;
	if (i < t->u.walk.nwname) {
		/* First element failing is an error; later ones a partial walk. */
		if (i == 0)
			goto out;
		r = 0;
		goto out;
	}
	nf = gofer_fid_new(f->mnt, cur, path, f->uid);
	if (!nf) {
		r = -ENOMEM;
		goto out;
	}
	cur = -EBADF; /* owned by nf */
	nf->fid = t->u.walk.newfid;
	if (t->u.walk.newfid == t->u.walk.fid)
		(void)gofer_fid_remove(ctx->conn, t->u.walk.fid);
	r = gofer_fid_insert(ctx->conn, nf);
	if (r < 0)
		gofer_fid_free(nf);
out:
	gofer_fid_put(ctx->conn, exist);
	gofer_fid_put(ctx->conn, f);
	return r;
}

int gofer_op_clunk(struct gofer_ctx *ctx)
{
	return gofer_fid_remove(ctx->conn, ctx->t->u.fid.fid);
}

int gofer_op_remove(struct gofer_ctx *ctx)
{
	struct gofer_fid *f = gofer_fid_get(ctx->conn, ctx->t->u.fid.fid);
	char base[256];
	int pfd, r;

	if (!f)
		return -EBADF;
	if (f->mnt->ro) {
		r = -EROFS;
	} else {
		pfd = gofer_open_parent(f, base);
		r = pfd;
		if (pfd >= 0) {
			r = unlinkat(pfd, base, f->fmt == S_IFDIR ? AT_REMOVEDIR : 0) < 0
				? neg_errno()
				: 0;
			safe_close(pfd);
		}
	}
	gofer_fid_put(ctx->conn, f);
	/* Tremove clunks the fid even when the removal fails. */
	(void)gofer_fid_remove(ctx->conn, ctx->t->u.fid.fid);
	return r;
}

/* ---- attributes ----------------------------------------------------------- */

int gofer_op_getattr(struct gofer_ctx *ctx)
{
	struct gofer_fid *f = gofer_fid_get(ctx->conn, ctx->t->u.getattr.fid);
	struct p9_attr *a = &ctx->r->u.getattr.attr;
	struct stat st;
	int r;

	if (!f)
		return -EBADF;
	r = gofer_qid_of(f->fd, &a->qid, &st);
	gofer_fid_put(ctx->conn, f);
	if (r < 0)
		return r;
	a->valid = P9_GETATTR_BASIC;
	a->mode = st.st_mode;
	a->uid = st.st_uid;
	a->gid = st.st_gid;
	a->nlink = st.st_nlink;
	a->rdev = st.st_rdev;
	a->size = (uint64_t)st.st_size;
	a->blksize = (uint64_t)st.st_blksize;
	a->blocks = (uint64_t)st.st_blocks;
	a->atime_sec = (uint64_t)st.st_atim.tv_sec;
	a->atime_nsec = (uint64_t)st.st_atim.tv_nsec;
	a->mtime_sec = (uint64_t)st.st_mtim.tv_sec;
	a->mtime_nsec = (uint64_t)st.st_mtim.tv_nsec;
	a->ctime_sec = (uint64_t)st.st_ctim.tv_sec;
	a->ctime_nsec = (uint64_t)st.st_ctim.tv_nsec;
	return 0;
}

static int do_setattr(struct gofer_fid *f, const struct p9_msg *t)
{
	uint32_t v = t->u.setattr.valid;

	if (v & ~0x1ffu)
		return -EINVAL;
	if (f->mnt->ro)
		return -EROFS;
	if (v & P9_SETATTR_MODE) {
		if (f->fmt == S_IFLNK)
			return -EOPNOTSUPP;
		if (syscall(SYS_fchmodat2, f->fd, "", t->u.setattr.mode & 07777, AT_EMPTY_PATH) < 0)
			return neg_errno();
	}
	if (v & (P9_SETATTR_UID | P9_SETATTR_GID)) {
		uid_t uid = (v & P9_SETATTR_UID) ? t->u.setattr.uid : (uid_t)-1;
		gid_t gid = (v & P9_SETATTR_GID) ? t->u.setattr.gid : (gid_t)-1;

		if (fchownat(f->fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			return neg_errno();
	}
	if (v & P9_SETATTR_SIZE) {
		_cleanup_close_ int wfd = -EBADF;

		if (f->fmt == S_IFDIR)
			return -EISDIR;
		if (f->fmt != S_IFREG)
			return -EINVAL;
		if (t->u.setattr.size > (uint64_t)INT64_MAX)
			return -EFBIG;
		wfd = gofer_reopen(f, O_WRONLY);
		if (wfd < 0)
			return wfd;
		if (ftruncate(wfd, (off_t)t->u.setattr.size) < 0)
			return neg_errno();
	}
	if (v & (P9_SETATTR_ATIME | P9_SETATTR_MTIME)) {
		struct timespec ts[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_nsec = UTIME_OMIT}};

		if (v & P9_SETATTR_ATIME) {
			ts[0].tv_nsec = UTIME_NOW;
			if (v & P9_SETATTR_ATIME_SET) {
				if (t->u.setattr.atime_nsec >= 1000000000ull ||
				    t->u.setattr.atime_sec > (uint64_t)INT64_MAX)
					return -EINVAL;
				ts[0].tv_sec = (time_t)t->u.setattr.atime_sec;
				ts[0].tv_nsec = (long)t->u.setattr.atime_nsec;
			}
		}
		if (v & P9_SETATTR_MTIME) {
			ts[1].tv_nsec = UTIME_NOW;
			if (v & P9_SETATTR_MTIME_SET) {
				if (t->u.setattr.mtime_nsec >= 1000000000ull ||
				    t->u.setattr.mtime_sec > (uint64_t)INT64_MAX)
					return -EINVAL;
				ts[1].tv_sec = (time_t)t->u.setattr.mtime_sec;
				ts[1].tv_nsec = (long)t->u.setattr.mtime_nsec;
			}
		}
		if (utimensat(f->fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			return neg_errno();
	}
	return 0;
}

int gofer_op_setattr(struct gofer_ctx *ctx)
{
	struct gofer_fid *f = gofer_fid_get(ctx->conn, ctx->t->u.setattr.fid);
	int r;

	if (!f)
		return -EBADF;
	r = do_setattr(f, ctx->t);
	gofer_fid_put(ctx->conn, f);
	return r;
}

int gofer_op_readlink(struct gofer_ctx *ctx)
{
	struct gofer_fid *f = gofer_fid_get(ctx->conn, ctx->t->u.fid.fid);
	ssize_t n;

	if (!f)
		return -EBADF;
	if (f->fmt != S_IFLNK) {
		gofer_fid_put(ctx->conn, f);
		return -EINVAL;
	}
	n = readlinkat(f->fd, "", ctx->scratch, sizeof(ctx->scratch) - 1);
	gofer_fid_put(ctx->conn, f);
	if (n < 0)
		return neg_errno();
	if ((size_t)n >= sizeof(ctx->scratch) - 1)
		return -ENAMETOOLONG;
	ctx->r->u.readlink.target.s = ctx->scratch;
	ctx->r->u.readlink.target.len = (uint16_t)n;
	return 0;
}

int gofer_op_statfs(struct gofer_ctx *ctx)
{
	struct gofer_fid *f = gofer_fid_get(ctx->conn, ctx->t->u.fid.fid);
	struct p9_statfs *o = &ctx->r->u.statfs.st;
	struct statfs sf;
	int r;

	if (!f)
		return -EBADF;
	r = fstatfs(f->fd, &sf) < 0 ? neg_errno() : 0;
	gofer_fid_put(ctx->conn, f);
	if (r < 0)
		return r;
	o->type = (uint32_t)sf.f_type;
	o->bsize = (uint32_t)sf.f_bsize;
	o->blocks = sf.f_blocks;
	o->bfree = sf.f_bfree;
	o->bavail = sf.f_bavail;
	o->files = sf.f_files;
	o->ffree = sf.f_ffree;
	o->fsid = (uint64_t)(uint32_t)sf.f_fsid.__val[0] | (uint64_t)(uint32_t)sf.f_fsid.__val[1]
							       << 32;
	o->namelen = (uint32_t)sf.f_namelen;
	return 0;
}

/* ---- open files ------------------------------------------------------------- */

int gofer_open_flags(const struct gofer_fid *f, uint32_t p9flags, mode_t fmt)
{
	int flags = (int)(p9flags & GOFER_OPEN_MASK);
	int acc = flags & O_ACCMODE;

	if (acc == O_ACCMODE)
		return -EINVAL;
	if (f->mnt->ro && (acc != O_RDONLY || (flags & O_TRUNC)))
		return -EROFS;
	switch (fmt) {
	case S_IFDIR:
		if (acc != O_RDONLY)
			return -EISDIR;
		break;
	case S_IFREG:
		if (flags & O_DIRECTORY)
			return -ENOTDIR;
		break;
	case S_IFIFO:
		flags |= O_NONBLOCK; /* never park a worker on a pipe */
		break;
	case S_IFLNK:
		return -ELOOP;
	default:
		return -EPERM; /* device nodes and sockets are not served */
	}
	return flags;
}

int gofer_op_lopen(struct gofer_ctx *ctx)
{
	struct gofer_fid *f = gofer_fid_get(ctx->conn, ctx->t->u.lopen.fid);
	int flags, fd = -EBADF, r = 0;

	if (!f)
		return -EBADF;
	flags = gofer_open_flags(f, ctx->t->u.lopen.flags, f->fmt);
	if (flags < 0) {
		r = flags;
		goto out;
	}
	fd = gofer_reopen(f, flags);
	if (fd < 0) {
		r = fd;
		goto out;
	}
	pthread_mutex_lock(&f->lock);
	if (f->open_fd >= 0) {
		r = -EBUSY;
	} else {
		f->open_fd = fd;
		f->open_flags = flags;
		fd = -EBADF;
	}
	pthread_mutex_unlock(&f->lock);
	safe_close(fd);
	if (r < 0)
		goto out;
	r = gofer_qid_of(f->fd, &ctx->r->u.lopen.qid, NULL);
	ctx->r->u.lopen.iounit = gofer_conn_msize(ctx->conn) - P9_TWRITE_HDRSZ;
	if (r >= 0 && gofer_conn_ext(ctx->conn) && f->fmt == S_IFREG)
		ctx->donate_fd = fcntl(f->open_fd, F_DUPFD_CLOEXEC, 3);
out:
	gofer_fid_put(ctx->conn, f);
	return r;
}

int gofer_fid_open_fd(struct gofer_fid *f, int *ret_flags)
{
	int fd;

	pthread_mutex_lock(&f->lock);
	fd = f->open_fd;
	if (ret_flags)
		*ret_flags = f->open_flags;
	pthread_mutex_unlock(&f->lock);
	return fd;
}

int gofer_op_read(struct gofer_ctx *ctx)
{
	const struct p9_msg *t = ctx->t;
	struct gofer_fid *f = gofer_fid_get(ctx->conn, t->u.io.fid);
	uint32_t count = MIN(t->u.io.count, gofer_conn_msize(ctx->conn) - P9_IOHDRSZ);
	uint8_t *data = ctx->rbuf + P9_IOHDRSZ;
	ssize_t n;
	int fd;

	if (!f)
		return -EBADF;
	fd = gofer_fid_open_fd(f, NULL);
	if (fd < 0)
		n = -EBADF;
	else if (t->u.io.offset > (uint64_t)INT64_MAX)
		n = -EINVAL;
	else {
		do
			n = pread(fd, data, count, (off_t)t->u.io.offset);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			n = neg_errno();
	}
	gofer_fid_put(ctx->conn, f);
	if (n < 0)
		return (int)n;
	ctx->r->u.io.count = (uint32_t)n;
	ctx->r->u.io.data = data;
	return 0;
}

int gofer_op_write(struct gofer_ctx *ctx)
{
	const struct p9_msg *t = ctx->t;
	struct gofer_fid *f = gofer_fid_get(ctx->conn, t->u.io.fid);
	ssize_t n;
	int fd, flags = 0;

	if (!f)
		return -EBADF;
	fd = gofer_fid_open_fd(f, &flags);
	if (f->mnt->ro)
		n = -EROFS;
	else if (fd < 0 || (flags & O_ACCMODE) == O_RDONLY)
		n = -EBADF;
	else if (t->u.io.offset > (uint64_t)INT64_MAX ||
		 t->u.io.offset + t->u.io.count > (uint64_t)INT64_MAX)
		n = -EFBIG;
	else {
		do
			n = pwrite(fd, t->u.io.data, t->u.io.count, (off_t)t->u.io.offset);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			n = neg_errno();
	}
	gofer_fid_put(ctx->conn, f);
	if (n < 0)
		return (int)n;
	ctx->r->u.io.count = (uint32_t)n;
	return 0;
}

int gofer_op_fsync(struct gofer_ctx *ctx)
{
	struct gofer_fid *f = gofer_fid_get(ctx->conn, ctx->t->u.fsync.fid);
	int fd, r;

	if (!f)
		return -EBADF;
	fd = gofer_fid_open_fd(f, NULL);
	if (fd < 0)
		r = -EBADF;
	else
		r = (ctx->t->u.fsync.datasync ? fdatasync(fd) : fsync(fd)) < 0 ? neg_errno() : 0;
	gofer_fid_put(ctx->conn, f);
	return r;
}

/* ---- dispatch -------------------------------------------------------------- */

int gofer_dispatch(struct gofer_ctx *ctx)
{
	switch (ctx->t->type) {
	case P9_TATTACH:
		return gofer_op_attach(ctx);
	case P9_TWALK:
		return gofer_op_walk(ctx);
	case P9_TGETATTR:
		return gofer_op_getattr(ctx);
	case P9_TSETATTR:
		return gofer_op_setattr(ctx);
	case P9_TLOPEN:
		return gofer_op_lopen(ctx);
	case P9_TREAD:
		return gofer_op_read(ctx);
	case P9_TWRITE:
		return gofer_op_write(ctx);
	case P9_TCLUNK:
		return gofer_op_clunk(ctx);
	case P9_TREMOVE:
		return gofer_op_remove(ctx);
	case P9_TREADLINK:
		return gofer_op_readlink(ctx);
	case P9_TFSYNC:
		return gofer_op_fsync(ctx);
	case P9_TSTATFS:
		return gofer_op_statfs(ctx);
	case P9_TREADDIR:
		return gofer_op_readdir(ctx);
	case P9_TLCREATE:
		return gofer_op_lcreate(ctx);
	case P9_TMKDIR:
		return gofer_op_mkdir(ctx);
	case P9_TSYMLINK:
		return gofer_op_symlink(ctx);
	case P9_TMKNOD:
		return gofer_op_mknod(ctx);
	case P9_TLINK:
		return gofer_op_link(ctx);
	case P9_TRENAME:
		return gofer_op_rename(ctx);
	case P9_TRENAMEAT:
		return gofer_op_renameat(ctx);
	case P9_TUNLINKAT:
		return gofer_op_unlinkat(ctx);
	case P9_TLOCK:
		return gofer_op_lock(ctx);
	case P9_TGETLOCK:
		return gofer_op_getlock(ctx);
	case P9_TAUTH:
		return -ENOENT; /* no authentication: attach with afid = NOFID */
	case P9_TXATTRWALK:
	case P9_TXATTRCREATE:
		return -EOPNOTSUPP;
	default:
		return -EOPNOTSUPP;
	}
}
