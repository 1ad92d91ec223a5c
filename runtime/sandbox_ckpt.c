/* SPDX-License-Identifier: Apache-2.0 */
/* Checkpoint and restore through the control socket (sandbox.h). */
#include "runtime/sandbox.h"
#include "runtime/sandbox_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int sandbox_checkpoint(struct sandbox *sb, const char *dir, bool leave_running, char *err,
		       size_t errlen)
{
	CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT;
	Cvisor__Control__Checkpoint m = CVISOR__CONTROL__CHECKPOINT__INIT;
	_cleanup_close_ int dfd = -EBADF, pfd = -EBADF;
	struct img_error ie = { { 0 } };
	CtlResponse *p = NULL;
	int r;

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
	pfd = openat(dfd, IMG_PAGES, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (pfd < 0) {
		snprintf(err, errlen, "%s/" IMG_PAGES ": %s", dir, strerror(errno));
		return -errno;
	}
	m.pages_fd = 0;
	m.leave_running = leave_running;
	q.req_case = CVISOR__CONTROL__CONTROL_REQUEST__REQ_CHECKPOINT;
	q.checkpoint = &m;
	r = sb_call(sb, &q, &pfd, 1, &p);
	if (r < 0) {
		(void)unlinkat(dfd, IMG_PAGES, 0);
		return sentry_error(sb, r, err, errlen);
	}
	if (p->reply_case != CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_CHECKPOINT) {
		sb_response_free(p);
		snprintf(err, errlen, "protocol error: no checkpoint reply");
		return -EPROTO;
	}
	r = img_write(dir, p->checkpoint->state.data, p->checkpoint->state.len,
		      p->checkpoint->xfeatures, &ie);
	sb_response_free(p);
	if (r < 0) {
		snprintf(err, errlen, "%s", ie.msg);
		(void)unlinkat(dfd, IMG_PAGES, 0);
		(void)unlinkat(dfd, IMG_STATE, 0);
	}
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
	int fds[4];
	size_t nfds = 0;
	int r;

	r = img_open(dir, (flags & SANDBOX_RESTORE_TRUST_PAGES) ? 0 : IMG_VERIFY_PAGES, &im, &ie);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", dir, ie.msg);
		return r;
	}
	fds[nfds++] = im->pages_fd;
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
