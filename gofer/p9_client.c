/* SPDX-License-Identifier: Apache-2.0 */
#include "gofer/p9_client.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/fdutil.h"
#include "lib/macro.h"

int p9_client_dial(const char *path)
{
	return fd_unix_connect(path);
}

static int send_all(int sock, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(sock, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return neg_errno();
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Read exactly @len bytes; any fd that arrives is kept in *fd (a second one
 * is closed: the protocol carries at most one per reply).
 */
static int recv_exact(int sock, uint8_t *buf, size_t len, int *fd)
{
	while (len > 0) {
		int fds[FD_PASS_MAX];
		size_t nfds = 0;
		ssize_t n = fd_recv(sock, buf, len, fds, FD_PASS_MAX, &nfds);

		if (n < 0)
			return (int)n;
		for (size_t i = 0; i < nfds; i++) {
			if (*fd < 0)
				*fd = fds[i];
			else
				safe_close(fds[i]);
		}
		if (n == 0)
			return -ECONNRESET;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int recv_frame(struct p9_client *c, struct p9_msg *ret_r, int *ret_fd)
{
	_cleanup_close_ int fd = -EBADF;
	uint32_t size;
	int r;

	r = recv_exact(c->sock, c->rbuf, 4, &fd);
	if (r < 0)
		return r;
	p9_peek_header(c->rbuf, P9_HDRSZ, &size, NULL, NULL);
	if (size < P9_HDRSZ || size > c->msize)
		return -EBADMSG;
	r = recv_exact(c->sock, c->rbuf + 4, size - 4, &fd);
	if (r < 0)
		return r;
	r = p9_decode(c->rbuf, size, c->msize, ret_r);
	if (r < 0)
		return r;
	if (ret_r->type == P9_RLERROR)
		return ret_r->u.lerror.ecode > 0 && ret_r->u.lerror.ecode < 4096
			   ? -(int)ret_r->u.lerror.ecode
			   : -EIO;
	if (ret_fd)
		*ret_fd = TAKE_FD(fd);
	return 0;
}

int p9_client_raw(struct p9_client *c, const void *frame, size_t len, struct p9_msg *ret_r)
{
	int r = send_all(c->sock, frame, len);

	if (r < 0)
		return r;
	return recv_frame(c, ret_r, NULL);
}

int p9_client_rpc(struct p9_client *c, struct p9_msg *t, struct p9_msg *ret_r, int *ret_fd)
{
	struct p9_msg r;
	ssize_t n;
	int fd = -EBADF, ret;

	if (t->type != P9_TVERSION) {
		t->tag = c->next_tag++;
		if (c->next_tag == P9_NOTAG)
			c->next_tag = 0;
	}
	n = p9_encode(t, c->tbuf, c->msize);
	if (n < 0)
		return (int)n;
	ret = send_all(c->sock, c->tbuf, (size_t)n);
	if (ret < 0)
		return ret;
	ret = recv_frame(c, &r, &fd);
	if (ret < 0)
		return ret;
	if (r.tag != t->tag || r.type != t->type + 1) {
		safe_close(fd);
		return -EPROTO;
	}
	if (ret_fd)
		*ret_fd = fd;
	else
		safe_close(fd);
	if (ret_r)
		*ret_r = r;
	return 0;
}

void p9_client_free(struct p9_client *c)
{
	if (!c)
		return;
	safe_close(c->sock);
	free(c->tbuf);
	free(c->rbuf);
	free(c);
}

int p9_client_new(int sock, uint32_t msize, bool want_ext, struct p9_client **ret)
{
	struct p9_client *c;
	struct p9_msg t = {.type = P9_TVERSION, .tag = P9_NOTAG}, r;
	int e;

	if (msize < P9_MSIZE_MIN || msize > P9_MSIZE_MAX)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->sock = sock;
	c->msize = msize;
	c->tbuf = malloc(msize);
	c->rbuf = malloc(msize);
	if (!c->tbuf || !c->rbuf) {
		e = -ENOMEM;
		goto fail;
	}
	t.u.version.msize = msize;
	p9_str_from(want_ext ? P9_VERSION_L_CVISOR : P9_VERSION_L, &t.u.version.version);
	e = p9_client_rpc(c, &t, &r, NULL);
	if (e < 0 && want_ext) {
		/* Some servers (diod) answer an unknown version with Rlerror: retry plain. */
		c->sock = -EBADF;
		p9_client_free(c);
		return p9_client_new(sock, msize, false, ret);
	}
	if (e < 0)
		goto fail;
	if (r.u.version.msize < P9_MSIZE_MIN || r.u.version.msize > msize) {
		e = -EPROTO;
		goto fail;
	}
	if (r.u.version.version.len == strlen(P9_VERSION_L_CVISOR) &&
	    !memcmp(r.u.version.version.s, P9_VERSION_L_CVISOR, r.u.version.version.len))
		c->ext = true;
	else if (r.u.version.version.len != strlen(P9_VERSION_L) ||
		 memcmp(r.u.version.version.s, P9_VERSION_L, r.u.version.version.len)) {
		if (want_ext) {
			/* A plain server answered "unknown": negotiate again without the extension.
			 */
			c->sock = -EBADF;
			p9_client_free(c);
			return p9_client_new(sock, msize, false, ret);
		}
		e = -EPROTONOSUPPORT;
		goto fail;
	}
	c->msize = r.u.version.msize;
	*ret = c;
	return 0;
fail:
	c->sock = -EBADF; /* the caller keeps the socket on failure */
	p9_client_free(c);
	return e;
}

int p9_client_attach(struct p9_client *c, uint32_t fid, const char *aname, uint32_t uid,
		     struct p9_qid *ret_qid)
{
	struct p9_msg t = {.type = P9_TATTACH}, r;
	int e;

	t.u.attach.fid = fid;
	t.u.attach.afid = P9_NOFID;
	t.u.attach.n_uname = uid;
	p9_str_from("", &t.u.attach.uname);
	p9_str_from(aname, &t.u.attach.aname);
	e = p9_client_rpc(c, &t, &r, NULL);
	if (e < 0)
		return e;
	if (ret_qid)
		*ret_qid = r.u.attach.qid;
	return 0;
}

int p9_client_walk(struct p9_client *c, uint32_t fid, uint32_t newfid, const char *path,
		   struct p9_qid *ret_qid)
{
	struct p9_msg t = {.type = P9_TWALK}, r;
	const char *p = path;
	int e;

	t.u.walk.fid = fid;
	t.u.walk.newfid = newfid;
	while (p && *p) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);

		if (n > 0) {
			if (t.u.walk.nwname >= P9_MAXWELEM || n > UINT16_MAX)
				return -ENAMETOOLONG;
			t.u.walk.wname[t.u.walk.nwname].s = p;
			t.u.walk.wname[t.u.walk.nwname].len = (uint16_t)n;
			t.u.walk.nwname++;
		}
		p = slash ? slash + 1 : NULL;
	}
	e = p9_client_rpc(c, &t, &r, NULL);
	if (e < 0)
		return e;
	/* A partial walk does not create newfid: report the first failure. */
	if (r.u.walk.nwqid != t.u.walk.nwname)
		return -ENOENT;
	if (ret_qid) {
		if (r.u.walk.nwqid > 0)
			*ret_qid = r.u.walk.wqid[r.u.walk.nwqid - 1];
		else
			memset(ret_qid, 0, sizeof(*ret_qid));
	}
	return 0;
}

int p9_client_clunk(struct p9_client *c, uint32_t fid)
{
	struct p9_msg t = {.type = P9_TCLUNK};

	t.u.fid.fid = fid;
	return p9_client_rpc(c, &t, NULL, NULL);
}

int p9_client_lopen(struct p9_client *c, uint32_t fid, uint32_t flags, struct p9_qid *ret_qid,
		    int *ret_fd)
{
	struct p9_msg t = {.type = P9_TLOPEN}, r;
	int e;

	t.u.lopen.fid = fid;
	t.u.lopen.flags = flags;
	e = p9_client_rpc(c, &t, &r, ret_fd);
	if (e < 0)
		return e;
	if (ret_qid)
		*ret_qid = r.u.lopen.qid;
	return 0;
}

int p9_client_getattr(struct p9_client *c, uint32_t fid, struct p9_attr *ret)
{
	struct p9_msg t = {.type = P9_TGETATTR}, r;
	int e;

	t.u.getattr.fid = fid;
	t.u.getattr.request_mask = P9_GETATTR_ALL;
	e = p9_client_rpc(c, &t, &r, NULL);
	if (e < 0)
		return e;
	*ret = r.u.getattr.attr;
	return 0;
}

uint32_t p9_client_iounit(const struct p9_client *c)
{
	return c->msize - P9_TWRITE_HDRSZ;
}

ssize_t p9_client_read(struct p9_client *c, uint32_t fid, uint64_t off, void *buf, uint32_t count)
{
	struct p9_msg t = {.type = P9_TREAD}, r = {0};
	int e;

	t.u.io.fid = fid;
	t.u.io.offset = off;
	t.u.io.count = MIN(count, p9_client_iounit(c));
	e = p9_client_rpc(c, &t, &r, NULL);
	if (e < 0)
		return e;
	if (r.u.io.count > t.u.io.count)
		return -EPROTO;
	memcpy(buf, r.u.io.data, r.u.io.count);
	return r.u.io.count;
}

ssize_t p9_client_write(struct p9_client *c, uint32_t fid, uint64_t off, const void *buf,
			uint32_t count)
{
	struct p9_msg t = {.type = P9_TWRITE}, r = {0};
	int e;

	t.u.io.fid = fid;
	t.u.io.offset = off;
	t.u.io.count = MIN(count, p9_client_iounit(c));
	t.u.io.data = buf;
	e = p9_client_rpc(c, &t, &r, NULL);
	if (e < 0)
		return e;
	if (r.u.io.count > t.u.io.count)
		return -EPROTO;
	return r.u.io.count;
}
