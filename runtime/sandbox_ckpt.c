/* SPDX-License-Identifier: Apache-2.0 */
/* Checkpoint and restore through the control socket (sandbox.h). */
#include "runtime/sandbox.h"
#include "runtime/sandbox_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint/image.h"
#include "lib/macro.h"

const char *sandbox_error_message(const struct sandbox *sb)
{
	return sb->errmsg;
}

static int sentry_error(struct sandbox *sb, int r, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", sb->errmsg[0] ? sb->errmsg : strerror(-r));
	return r;
}

/* pages.img files this process verified or wrote (SANDBOX_RESTORE_VERIFY_ONCE):
 * a small ring of file identities; any write to a file changes its mtime
 * and ctime, so a changed file is hashed again. */
struct pages_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

#define VERIFIED_MAX 64
static struct pages_id verified[VERIFIED_MAX];
static unsigned verified_next, verified_n;
static pthread_mutex_t verified_lock = PTHREAD_MUTEX_INITIALIZER;

static int pages_id_of(int fd, struct pages_id *id)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	*id = (struct pages_id){ st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim };
	return 0;
}

static bool pages_id_eq(const struct pages_id *a, const struct pages_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
	       a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static void verified_add(int fd)
{
	struct pages_id id;

	if (pages_id_of(fd, &id) < 0)
		return;
	pthread_mutex_lock(&verified_lock);
	for (unsigned i = 0; i < verified_n; i++)
		if (pages_id_eq(&verified[i], &id))
			goto out;
	verified[verified_next] = id;
	verified_next = (verified_next + 1) % VERIFIED_MAX;
	if (verified_n < VERIFIED_MAX)
		verified_n++;
out:
	pthread_mutex_unlock(&verified_lock);
}

static bool verified_has(int fd)
{
	struct pages_id id;
	bool found = false;

	if (pages_id_of(fd, &id) < 0)
		return false;
	pthread_mutex_lock(&verified_lock);
	for (unsigned i = 0; i < verified_n && !found; i++)
		found = pages_id_eq(&verified[i], &id);
	pthread_mutex_unlock(&verified_lock);
	return found;
}

/* Open image @dir for a restore with @flags' verification of pages.img. */
static int open_for_restore(const char *dir, unsigned flags, struct img **ret,
			    struct img_error *ie)
{
	struct img *im = NULL;
	int r;

	if (flags & SANDBOX_RESTORE_TRUST_PAGES)
		return img_open(dir, 0, ret, ie);
	if (!(flags & SANDBOX_RESTORE_VERIFY_ONCE))
		return img_open(dir, IMG_VERIFY_PAGES, ret, ie);
	/* Unverified first: the identity checked is that of the very fd the
	 * Sentry will map.  A compressed part is a fresh memfd, always
	 * verified by img_open. */
	r = img_open(dir, 0, &im, ie);
	if (r < 0)
		return r;
	if (im->m.pages_compress || verified_has(im->pages_fd)) {
		*ret = im;
		return 0;
	}
	img_close(im);
	r = img_open(dir, IMG_VERIFY_PAGES, &im, ie);
	if (r < 0)
		return r;
	verified_add(im->pages_fd);
	*ret = im;
	return 0;
}

/* zstd level of SANDBOX_CKPT_COMPRESS: the fastest (checkpoints are on the
 * critical path of a snapshot; memory pages compress well even so). */
#define CKPT_ZSTD_LEVEL 1

/* Store the memfd @fd the Sentry wrote as part @name of @dfd, compressed. */
static int compress_part(int dfd, const char *name, int fd, struct img_part *ret,
			 struct img_error *ie)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(ie->msg, sizeof(ie->msg), "%s: %s", name, strerror(errno));
		return -errno;
	}
	return img_part_compress(dfd, name, fd, (uint64_t)st.st_size, CKPT_ZSTD_LEVEL, ret, ie);
}

/* The part @name: a memfd when it is to be compressed, else the file. */
static int open_part(int dfd, const char *dir, const char *name, bool compress, char *err,
		     size_t errlen)
{
	int fd = compress ? memfd_create(name, MFD_CLOEXEC)
			  : openat(dfd, name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
				   0600);

	if (fd < 0) {
		snprintf(err, errlen, "%s/%s: %s", dir, name, strerror(errno));
		return -errno;
	}
	return fd;
}

int sandbox_checkpoint(struct sandbox *sb, const char *dir, unsigned flags, char *err,
		       size_t errlen)
{
	CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT;
	Cvisor__Control__Checkpoint m = CVISOR__CONTROL__CHECKPOINT__INIT;
	_cleanup_close_ int dfd = -EBADF, pfd = -EBADF, ffd = -EBADF;
	bool compress = flags & SANDBOX_CKPT_COMPRESS;
	struct img_error ie = { { 0 } };
	CtlResponse *p = NULL;
	int fds[2], r;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	/* an old image stops being one before its parts are overwritten */
	if (unlinkat(dfd, IMG_MANIFEST, 0) < 0 && errno != ENOENT) {
		snprintf(err, errlen, "%s/" IMG_MANIFEST ": %s", dir, strerror(errno));
		return -errno;
	}
	pfd = open_part(dfd, dir, IMG_PAGES, compress, err, errlen);
	if (pfd < 0)
		return pfd;
	ffd = open_part(dfd, dir, IMG_FILES, compress, err, errlen);
	if (ffd < 0)
		return ffd;
	fds[0] = pfd, fds[1] = ffd;
	m.pages_fd = 0;
	m.with_files = true;
	m.files_fd = 1;
	m.leave_running = flags & SANDBOX_CKPT_LEAVE_RUNNING;
	q.req_case = CVISOR__CONTROL__CONTROL_REQUEST__REQ_CHECKPOINT;
	q.checkpoint = &m;
	r = sb_call(sb, &q, fds, 2, &p);
	if (r < 0) {
		sentry_error(sb, r, err, errlen);
		goto fail;
	}
	if (p->reply_case != CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_CHECKPOINT) {
		sb_response_free(p);
		snprintf(err, errlen, "protocol error: no checkpoint reply");
		r = -EPROTO;
		goto fail;
	}
	if (compress) {
		struct img_part pages, files;

		r = compress_part(dfd, IMG_PAGES, pfd, &pages, &ie);
		if (r == 0)
			r = compress_part(dfd, IMG_FILES, ffd, &files, &ie);
		if (r == 0)
			r = img_write_parts(dir, p->checkpoint->state.data, p->checkpoint->state.len,
					    p->checkpoint->xfeatures, &pages, &files, &ie);
	} else {
		r = img_write(dir, p->checkpoint->state.data, p->checkpoint->state.len,
			      p->checkpoint->xfeatures, &ie);
		if (r == 0)
			verified_add(pfd); /* hashed from this very file */
	}
	sb_response_free(p);
	if (r < 0) {
		snprintf(err, errlen, "%s", ie.msg);
		goto fail;
	}
	return 0;
fail:
	(void)unlinkat(dfd, IMG_PAGES, 0);
	(void)unlinkat(dfd, IMG_FILES, 0);
	(void)unlinkat(dfd, IMG_STATE, 0);
	return r;
}

int sandbox_restore(struct sandbox *sb, const char *dir, const int stdio[3], unsigned flags,
		    char *err, size_t errlen)
{
	CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT;
	Cvisor__Control__Restore m = CVISOR__CONTROL__RESTORE__INIT;
	struct img_error ie = { { 0 } };
	struct img *im = NULL;
	int32_t idx[3];
	int fds[5];
	size_t nfds = 0;
	int r;

	r = open_for_restore(dir, flags, &im, &ie);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", dir, ie.msg);
		return r;
	}
	fds[nfds++] = im->pages_fd;
	if (im->files_fd >= 0) {
		m.with_files = true;
		m.files_fd = (int32_t)nfds;
		fds[nfds++] = im->files_fd;
	}
	for (int i = 0; i < 3; i++) {
		idx[i] = -1;
		if (stdio[i] >= 0) {
			idx[i] = (int32_t)nfds;
			fds[nfds++] = stdio[i];
		}
	}
	m.state.data = im->state_buf;
	m.state.len = im->state_len;
	m.pages_fd = 0;
	m.n_stdio_fds = 3;
	m.stdio_fds = idx;
	q.req_case = CVISOR__CONTROL__CONTROL_REQUEST__REQ_RESTORE;
	q.restore = &m;
	r = sb_call(sb, &q, fds, nfds, NULL);
	if (r < 0)
		sentry_error(sb, r, err, errlen);
	img_close(im);
	return r;
}
