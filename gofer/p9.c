/* SPDX-License-Identifier: Apache-2.0 */
/*
 * 9P2000.L codec.  Every message body is described by a small field table
 * (kind + offset into struct p9_msg); one generic loop decodes and one
 * encodes, so the bounds checks live in exactly two places (struct p9_rd and
 * struct p9_wr).  Walk arrays and io data blobs are handled next to the loop.
 */
#include "gofer/p9.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "lib/macro.h"

/* ---- bounded reader / writer ------------------------------------------ */

/* Invariant: pos <= len; once err is set every get returns zeroes. */
struct p9_rd {
	const uint8_t *buf;
	size_t len, pos;
	int err;
};

static const uint8_t *rd_take(struct p9_rd *r, size_t n)
{
	const uint8_t *p;

	if (r->err || n > r->len - r->pos) {
		r->err = -EBADMSG;
		return NULL;
	}
	p = r->buf + r->pos;
	r->pos += n;
	return p;
}

static uint64_t rd_le(struct p9_rd *r, unsigned n)
{
	const uint8_t *p = rd_take(r, n);
	uint64_t v = 0;

	if (!p)
		return 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void rd_str(struct p9_rd *r, struct p9_str *s)
{
	uint16_t n = (uint16_t)rd_le(r, 2);
	const uint8_t *p = rd_take(r, n);

	s->s = p ? (const char *)p : "";
	s->len = p ? n : 0;
}

static void rd_qid(struct p9_rd *r, struct p9_qid *q)
{
	q->type = (uint8_t)rd_le(r, 1);
	q->version = (uint32_t)rd_le(r, 4);
	q->path = rd_le(r, 8);
}

/* Invariant: pos <= cap; once err is set nothing more is written. */
struct p9_wr {
	uint8_t *buf;
	size_t cap, pos;
	int err;
};

static uint8_t *wr_take(struct p9_wr *w, size_t n)
{
	uint8_t *p;

	if (w->err || n > w->cap - w->pos) {
		w->err = -EMSGSIZE;
		return NULL;
	}
	p = w->buf + w->pos;
	w->pos += n;
	return p;
}

static void wr_le(struct p9_wr *w, uint64_t v, unsigned n)
{
	uint8_t *p = wr_take(w, n);

	if (!p)
		return;
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void wr_bytes(struct p9_wr *w, const void *src, size_t n)
{
	uint8_t *p = wr_take(w, n);

	/* io data may already be in place (Rread built in the reply buffer). */
	if (p && n && p != src)
		memmove(p, src, n);
}

static void wr_str(struct p9_wr *w, const struct p9_str *s)
{
	if (s->len && !s->s) {
		w->err = -EINVAL;
		return;
	}
	wr_le(w, s->len, 2);
	wr_bytes(w, s->s, s->len);
}

static void wr_qid(struct p9_wr *w, const struct p9_qid *q)
{
	wr_le(w, q->type, 1);
	wr_le(w, q->version, 4);
	wr_le(w, q->path, 8);
}

/* ---- field tables ---------------------------------------------------- */

enum p9_fkind { F_END = 0, F_U8, F_U16, F_U32, F_U64, F_STR, F_QID };

struct p9_field {
	uint8_t kind;
	uint16_t off;
};

#define F(k, m)                                                                                    \
	{                                                                                          \
		k, offsetof(struct p9_msg, u.m)                                                    \
	}
#define END                                                                                        \
	{                                                                                          \
		F_END, 0                                                                           \
	}
#define MAXF 24

/* Special bodies handled in code rather than by a table. */
enum p9_special { S_NONE = 0, S_TWALK, S_RWALK, S_RDATA, S_TWRITE, S_TFSYNC };

struct p9_desc {
	const char *name;
	uint8_t special;
	struct p9_field f[MAXF];
};

#define LOCKDESC(m)                                                                                \
	F(F_U8, m.lk.type), F(F_U64, m.lk.start), F(F_U64, m.lk.length), F(F_U32, m.lk.proc_id),   \
	    F(F_STR, m.lk.client_id)

static const struct p9_desc p9_descs[256] = {
    [P9_TLERROR] = {"Tlerror", S_NONE, {END}},
    [P9_RLERROR] = {"Rlerror", S_NONE, {F(F_U32, lerror.ecode), END}},
    [P9_TSTATFS] = {"Tstatfs", S_NONE, {F(F_U32, statfs.fid), END}},
    [P9_RSTATFS] = {"Rstatfs",
		    S_NONE,
		    {F(F_U32, statfs.st.type), F(F_U32, statfs.st.bsize),
		     F(F_U64, statfs.st.blocks), F(F_U64, statfs.st.bfree),
		     F(F_U64, statfs.st.bavail), F(F_U64, statfs.st.files),
		     F(F_U64, statfs.st.ffree), F(F_U64, statfs.st.fsid),
		     F(F_U32, statfs.st.namelen), END}},
    [P9_TLOPEN] = {"Tlopen", S_NONE, {F(F_U32, lopen.fid), F(F_U32, lopen.flags), END}},
    [P9_RLOPEN] = {"Rlopen", S_NONE, {F(F_QID, lopen.qid), F(F_U32, lopen.iounit), END}},
    [P9_TLCREATE] = {"Tlcreate",
		     S_NONE,
		     {F(F_U32, lcreate.fid), F(F_STR, lcreate.name), F(F_U32, lcreate.flags),
		      F(F_U32, lcreate.mode), F(F_U32, lcreate.gid), END}},
    [P9_RLCREATE] = {"Rlcreate", S_NONE, {F(F_QID, lcreate.qid), F(F_U32, lcreate.iounit), END}},
    [P9_TSYMLINK] = {"Tsymlink",
		     S_NONE,
		     {F(F_U32, symlink.fid), F(F_STR, symlink.name), F(F_STR, symlink.target),
		      F(F_U32, symlink.gid), END}},
    [P9_RSYMLINK] = {"Rsymlink", S_NONE, {F(F_QID, symlink.qid), END}},
    [P9_TMKNOD] = {"Tmknod",
		   S_NONE,
		   {F(F_U32, mknod.dfid), F(F_STR, mknod.name), F(F_U32, mknod.mode),
		    F(F_U32, mknod.major), F(F_U32, mknod.minor), F(F_U32, mknod.gid), END}},
    [P9_RMKNOD] = {"Rmknod", S_NONE, {F(F_QID, mknod.qid), END}},
    [P9_TRENAME] = {"Trename",
		    S_NONE,
		    {F(F_U32, rename.fid), F(F_U32, rename.dfid), F(F_STR, rename.name), END}},
    [P9_RRENAME] = {"Rrename", S_NONE, {END}},
    [P9_TREADLINK] = {"Treadlink", S_NONE, {F(F_U32, readlink.fid), END}},
    [P9_RREADLINK] = {"Rreadlink", S_NONE, {F(F_STR, readlink.target), END}},
    [P9_TGETATTR] = {"Tgetattr",
		     S_NONE,
		     {F(F_U32, getattr.fid), F(F_U64, getattr.request_mask), END}},
    [P9_RGETATTR] = {"Rgetattr",
		     S_NONE,
		     {F(F_U64, getattr.attr.valid),
		      F(F_QID, getattr.attr.qid),
		      F(F_U32, getattr.attr.mode),
		      F(F_U32, getattr.attr.uid),
		      F(F_U32, getattr.attr.gid),
		      F(F_U64, getattr.attr.nlink),
		      F(F_U64, getattr.attr.rdev),
		      F(F_U64, getattr.attr.size),
		      F(F_U64, getattr.attr.blksize),
		      F(F_U64, getattr.attr.blocks),
		      F(F_U64, getattr.attr.atime_sec),
		      F(F_U64, getattr.attr.atime_nsec),
		      F(F_U64, getattr.attr.mtime_sec),
		      F(F_U64, getattr.attr.mtime_nsec),
		      F(F_U64, getattr.attr.ctime_sec),
		      F(F_U64, getattr.attr.ctime_nsec),
		      F(F_U64, getattr.attr.btime_sec),
		      F(F_U64, getattr.attr.btime_nsec),
		      F(F_U64, getattr.attr.gen),
		      F(F_U64, getattr.attr.data_version),
		      END}},
    [P9_TSETATTR] = {"Tsetattr",
		     S_NONE,
		     {F(F_U32, setattr.fid), F(F_U32, setattr.valid), F(F_U32, setattr.mode),
		      F(F_U32, setattr.uid), F(F_U32, setattr.gid), F(F_U64, setattr.size),
		      F(F_U64, setattr.atime_sec), F(F_U64, setattr.atime_nsec),
		      F(F_U64, setattr.mtime_sec), F(F_U64, setattr.mtime_nsec), END}},
    [P9_RSETATTR] = {"Rsetattr", S_NONE, {END}},
    [P9_TXATTRWALK] = {"Txattrwalk",
		       S_NONE,
		       {F(F_U32, xattrwalk.fid), F(F_U32, xattrwalk.newfid),
			F(F_STR, xattrwalk.name), END}},
    [P9_RXATTRWALK] = {"Rxattrwalk", S_NONE, {F(F_U64, xattrwalk.size), END}},
    [P9_TXATTRCREATE] = {"Txattrcreate",
			 S_NONE,
			 {F(F_U32, xattrcreate.fid), F(F_STR, xattrcreate.name),
			  F(F_U64, xattrcreate.size), F(F_U32, xattrcreate.flags), END}},
    [P9_RXATTRCREATE] = {"Rxattrcreate", S_NONE, {END}},
    [P9_TREADDIR] = {"Treaddir",
		     S_NONE,
		     {F(F_U32, io.fid), F(F_U64, io.offset), F(F_U32, io.count), END}},
    [P9_RREADDIR] = {"Rreaddir", S_RDATA, {END}},
    [P9_TFSYNC] = {"Tfsync", S_TFSYNC, {F(F_U32, fsync.fid), END}},
    [P9_RFSYNC] = {"Rfsync", S_NONE, {END}},
    [P9_TLOCK] = {"Tlock",
		  S_NONE,
		  {F(F_U32, lock.fid), F(F_U8, lock.lk.type), F(F_U32, lock.lk.flags),
		   F(F_U64, lock.lk.start), F(F_U64, lock.lk.length), F(F_U32, lock.lk.proc_id),
		   F(F_STR, lock.lk.client_id), END}},
    [P9_RLOCK] = {"Rlock", S_NONE, {F(F_U8, lock.status), END}},
    [P9_TGETLOCK] = {"Tgetlock", S_NONE, {F(F_U32, getlock.fid), LOCKDESC(getlock), END}},
    [P9_RGETLOCK] = {"Rgetlock", S_NONE, {LOCKDESC(getlock), END}},
    [P9_TLINK] = {"Tlink",
		  S_NONE,
		  {F(F_U32, link.dfid), F(F_U32, link.fid), F(F_STR, link.name), END}},
    [P9_RLINK] = {"Rlink", S_NONE, {END}},
    [P9_TMKDIR] = {"Tmkdir",
		   S_NONE,
		   {F(F_U32, mkdir.dfid), F(F_STR, mkdir.name), F(F_U32, mkdir.mode),
		    F(F_U32, mkdir.gid), END}},
    [P9_RMKDIR] = {"Rmkdir", S_NONE, {F(F_QID, mkdir.qid), END}},
    [P9_TRENAMEAT] = {"Trenameat",
		      S_NONE,
		      {F(F_U32, renameat.olddirfid), F(F_STR, renameat.oldname),
		       F(F_U32, renameat.newdirfid), F(F_STR, renameat.newname), END}},
    [P9_RRENAMEAT] = {"Rrenameat", S_NONE, {END}},
    [P9_TUNLINKAT] = {"Tunlinkat",
		      S_NONE,
		      {F(F_U32, unlinkat.dirfid), F(F_STR, unlinkat.name), F(F_U32, unlinkat.flags),
		       END}},
    [P9_RUNLINKAT] = {"Runlinkat", S_NONE, {END}},
    [P9_TVERSION] = {"Tversion", S_NONE, {F(F_U32, version.msize), F(F_STR, version.version), END}},
    [P9_RVERSION] = {"Rversion", S_NONE, {F(F_U32, version.msize), F(F_STR, version.version), END}},
    [P9_TAUTH] = {"Tauth",
		  S_NONE,
		  {F(F_U32, auth.afid), F(F_STR, auth.uname), F(F_STR, auth.aname),
		   F(F_U32, auth.n_uname), END}},
    [P9_RAUTH] = {"Rauth", S_NONE, {F(F_QID, auth.aqid), END}},
    [P9_TATTACH] = {"Tattach",
		    S_NONE,
		    {F(F_U32, attach.fid), F(F_U32, attach.afid), F(F_STR, attach.uname),
		     F(F_STR, attach.aname), F(F_U32, attach.n_uname), END}},
    [P9_RATTACH] = {"Rattach", S_NONE, {F(F_QID, attach.qid), END}},
    [P9_TFLUSH] = {"Tflush", S_NONE, {F(F_U16, flush.oldtag), END}},
    [P9_RFLUSH] = {"Rflush", S_NONE, {END}},
    [P9_TWALK] = {"Twalk", S_TWALK, {F(F_U32, walk.fid), F(F_U32, walk.newfid), END}},
    [P9_RWALK] = {"Rwalk", S_RWALK, {END}},
    [P9_TREAD] = {"Tread",
		  S_NONE,
		  {F(F_U32, io.fid), F(F_U64, io.offset), F(F_U32, io.count), END}},
    [P9_RREAD] = {"Rread", S_RDATA, {END}},
    [P9_TWRITE] = {"Twrite", S_TWRITE, {F(F_U32, io.fid), F(F_U64, io.offset), END}},
    [P9_RWRITE] = {"Rwrite", S_NONE, {F(F_U32, io.count), END}},
    [P9_TCLUNK] = {"Tclunk", S_NONE, {F(F_U32, fid.fid), END}},
    [P9_RCLUNK] = {"Rclunk", S_NONE, {END}},
    [P9_TREMOVE] = {"Tremove", S_NONE, {F(F_U32, fid.fid), END}},
    [P9_RREMOVE] = {"Rremove", S_NONE, {END}},
};

const char *p9_type_name(uint8_t type)
{
	if (p9_descs[type].name)
		return p9_descs[type].name;
	return (type & 1) ? "R?" : "T?";
}

bool p9_is_tmsg(uint8_t type)
{
	return p9_descs[type].name && !(type & 1) && type != P9_TLERROR;
}

/* ---- generic decode / encode ------------------------------------------ */

static void decode_fields(struct p9_rd *r, const struct p9_field *f, struct p9_msg *m)
{
	for (; f->kind != F_END; f++) {
		char *p = (char *)m + f->off;

		switch (f->kind) {
		case F_U8:
			*(uint8_t *)p = (uint8_t)rd_le(r, 1);
			break;
		case F_U16:
			*(uint16_t *)p = (uint16_t)rd_le(r, 2);
			break;
		case F_U32:
			*(uint32_t *)p = (uint32_t)rd_le(r, 4);
			break;
		case F_U64:
			*(uint64_t *)p = rd_le(r, 8);
			break;
		case F_STR:
			rd_str(r, (struct p9_str *)p);
			break;
		case F_QID:
			rd_qid(r, (struct p9_qid *)p);
			break;
		}
	}
}

static void encode_fields(struct p9_wr *w, const struct p9_field *f, const struct p9_msg *m)
{
	for (; f->kind != F_END; f++) {
		const char *p = (const char *)m + f->off;

		switch (f->kind) {
		case F_U8:
			wr_le(w, *(const uint8_t *)p, 1);
			break;
		case F_U16:
			wr_le(w, *(const uint16_t *)p, 2);
			break;
		case F_U32:
			wr_le(w, *(const uint32_t *)p, 4);
			break;
		case F_U64:
			wr_le(w, *(const uint64_t *)p, 8);
			break;
		case F_STR:
			wr_str(w, (const struct p9_str *)p);
			break;
		case F_QID:
			wr_qid(w, (const struct p9_qid *)p);
			break;
		}
	}
}

int p9_peek_header(const uint8_t *buf, size_t len, uint32_t *ret_size, uint8_t *ret_type,
		   uint16_t *ret_tag)
{
	if (!buf || len < P9_HDRSZ)
		return -EBADMSG;
	if (ret_size)
		*ret_size = (uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
			    (uint32_t)buf[3] << 24;
	if (ret_type)
		*ret_type = buf[4];
	if (ret_tag)
		*ret_tag = (uint16_t)(buf[5] | buf[6] << 8);
	return 0;
}

int p9_decode(const uint8_t *buf, size_t len, uint32_t msize, struct p9_msg *ret)
{
	struct p9_rd r = {.buf = buf, .len = len};
	const struct p9_desc *d;
	struct p9_msg m;
	uint32_t size;

	if (!buf || !ret || len < P9_HDRSZ)
		return -EBADMSG;
	memset(&m, 0, sizeof(m));
	size = (uint32_t)rd_le(&r, 4);
	if (size > msize)
		return -EMSGSIZE;
	if (size != len)
		return -EBADMSG;
	m.type = (uint8_t)rd_le(&r, 1);
	m.tag = (uint16_t)rd_le(&r, 2);
	d = &p9_descs[m.type];
	if (!d->name)
		return -EPROTONOSUPPORT;

	decode_fields(&r, d->f, &m);
	switch (d->special) {
	case S_TWALK:
		m.u.walk.nwname = (uint16_t)rd_le(&r, 2);
		if (m.u.walk.nwname > P9_MAXWELEM)
			return -EBADMSG;
		for (unsigned i = 0; i < m.u.walk.nwname; i++)
			rd_str(&r, &m.u.walk.wname[i]);
		break;
	case S_RWALK:
		m.u.walk.nwqid = (uint16_t)rd_le(&r, 2);
		if (m.u.walk.nwqid > P9_MAXWELEM)
			return -EBADMSG;
		for (unsigned i = 0; i < m.u.walk.nwqid; i++)
			rd_qid(&r, &m.u.walk.wqid[i]);
		break;
	case S_TWRITE:
	case S_RDATA:
		m.u.io.count = (uint32_t)rd_le(&r, 4);
		m.u.io.data = rd_take(&r, m.u.io.count);
		break;
	case S_TFSYNC:
		/* Linux appends datasync[4]; the original 9P2000.L spec does not. */
		if (r.pos + 4 == r.len)
			m.u.fsync.datasync = (uint32_t)rd_le(&r, 4);
		break;
	}
	if (r.err)
		return r.err;
	if (r.pos != r.len)
		return -EBADMSG;
	*ret = m;
	return 0;
}

ssize_t p9_encode(const struct p9_msg *m, uint8_t *buf, size_t cap)
{
	struct p9_wr w = {.buf = buf, .cap = cap};
	const struct p9_desc *d;

	if (!m || !buf)
		return -EINVAL;
	d = &p9_descs[m->type];
	if (!d->name)
		return -EINVAL;
	if (cap > UINT32_MAX)
		w.cap = UINT32_MAX;
	wr_le(&w, 0, 4); /* size, patched below */
	wr_le(&w, m->type, 1);
	wr_le(&w, m->tag, 2);
	encode_fields(&w, d->f, m);
	switch (d->special) {
	case S_TWALK:
		if (m->u.walk.nwname > P9_MAXWELEM)
			return -EINVAL;
		wr_le(&w, m->u.walk.nwname, 2);
		for (unsigned i = 0; i < m->u.walk.nwname; i++)
			wr_str(&w, &m->u.walk.wname[i]);
		break;
	case S_RWALK:
		if (m->u.walk.nwqid > P9_MAXWELEM)
			return -EINVAL;
		wr_le(&w, m->u.walk.nwqid, 2);
		for (unsigned i = 0; i < m->u.walk.nwqid; i++)
			wr_qid(&w, &m->u.walk.wqid[i]);
		break;
	case S_TWRITE:
	case S_RDATA:
		if (m->u.io.count && !m->u.io.data)
			return -EINVAL;
		wr_le(&w, m->u.io.count, 4);
		wr_bytes(&w, m->u.io.data, m->u.io.count);
		break;
	case S_TFSYNC:
		wr_le(&w, m->u.fsync.datasync, 4);
		break;
	}
	if (w.err)
		return w.err;
	buf[0] = (uint8_t)w.pos;
	buf[1] = (uint8_t)(w.pos >> 8);
	buf[2] = (uint8_t)(w.pos >> 16);
	buf[3] = (uint8_t)(w.pos >> 24);
	return (ssize_t)w.pos;
}

/* ---- names and directory entries --------------------------------------- */

bool p9_name_valid(const struct p9_str *name)
{
	if (!name || !name->s || name->len == 0 || name->len > 255)
		return false;
	if (memchr(name->s, '/', name->len) || memchr(name->s, '\0', name->len))
		return false;
	if (name->len == 1 && name->s[0] == '.')
		return false;
	if (name->len == 2 && name->s[0] == '.' && name->s[1] == '.')
		return false;
	return true;
}

int p9_str_from(const char *s, struct p9_str *ret)
{
	size_t n = s ? strlen(s) : 0;

	if (n > UINT16_MAX)
		return -ENAMETOOLONG;
	ret->s = s ? s : "";
	ret->len = (uint16_t)n;
	return 0;
}

int p9_dirent_put(uint8_t *data, size_t cap, size_t *pos, const struct p9_dirent *d)
{
	struct p9_wr w = {.buf = data, .cap = cap, .pos = *pos};

	if (*pos > cap)
		return -EMSGSIZE;
	wr_qid(&w, &d->qid);
	wr_le(&w, d->offset, 8);
	wr_le(&w, d->type, 1);
	wr_str(&w, &d->name);
	if (w.err)
		return w.err;
	*pos = w.pos;
	return 0;
}

int p9_dirent_next(const uint8_t *data, size_t len, size_t *pos, struct p9_dirent *ret)
{
	struct p9_rd r = {.buf = data, .len = len, .pos = *pos};
	struct p9_dirent d;

	if (*pos >= len)
		return 0;
	rd_qid(&r, &d.qid);
	d.offset = rd_le(&r, 8);
	d.type = (uint8_t)rd_le(&r, 1);
	rd_str(&r, &d.name);
	if (r.err)
		return r.err;
	*pos = r.pos;
	*ret = d;
	return 1;
}
