/* SPDX-License-Identifier: Apache-2.0 */
/*
 * 9P2000.L message codec, shared by the Gofer (decode T, encode R) and the
 * Sentry's goferfs client (encode T, decode R).
 *
 * Wire format: size[4] type[1] tag[2] body, all integers little endian,
 * strings are len[2] bytes (not NUL-terminated on the wire).
 *
 * Decoding is zero-copy: strings and data blobs of a decoded struct p9_msg
 * point into the input buffer, which must outlive the message.  The decoder
 * checks every field against the buffer: a message whose size field differs
 * from the buffer length, a truncated field, trailing bytes, an unknown type,
 * more than P9_MAXWELEM walk names or qids, or a count that does not match
 * the bytes present is refused with -EBADMSG (or -EMSGSIZE for a size field
 * beyond msize, -EPROTONOSUPPORT for an unknown type).  Decoding never reads
 * outside [buf, buf + len).  A decoded string may contain NUL or '/': the
 * server checks names with p9_name_valid().
 */
#ifndef CVISOR_GOFER_P9_H
#define CVISOR_GOFER_P9_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define P9_VERSION_L "9P2000.L"
/* Our extension: Rlopen/Rlcreate may carry the opened host fd (SCM_RIGHTS). */
#define P9_VERSION_L_CVISOR "9P2000.L.cvisor"

#define P9_HDRSZ 7u	    /* size[4] type[1] tag[2] */
#define P9_IOHDRSZ 11u	    /* header + count[4]: Rread/Rreaddir/Twrite overhead before data  */
#define P9_TWRITE_HDRSZ 23u /* header + fid[4] offset[8] count[4] */
#define P9_MSIZE_MIN 4096u
#define P9_MSIZE_MAX (16u << 20)
#define P9_MAXWELEM 16u
#define P9_NOTAG 0xffffu
#define P9_NOFID 0xffffffffu
#define P9_NONUNAME 0xffffffffu
#define P9_QID_SIZE 13u

enum p9_type {
	P9_TLERROR = 6,
	P9_RLERROR,
	P9_TSTATFS = 8,
	P9_RSTATFS,
	P9_TLOPEN = 12,
	P9_RLOPEN,
	P9_TLCREATE = 14,
	P9_RLCREATE,
	P9_TSYMLINK = 16,
	P9_RSYMLINK,
	P9_TMKNOD = 18,
	P9_RMKNOD,
	P9_TRENAME = 20,
	P9_RRENAME,
	P9_TREADLINK = 22,
	P9_RREADLINK,
	P9_TGETATTR = 24,
	P9_RGETATTR,
	P9_TSETATTR = 26,
	P9_RSETATTR,
	P9_TXATTRWALK = 30,
	P9_RXATTRWALK,
	P9_TXATTRCREATE = 32,
	P9_RXATTRCREATE,
	P9_TREADDIR = 40,
	P9_RREADDIR,
	P9_TFSYNC = 50,
	P9_RFSYNC,
	P9_TLOCK = 52,
	P9_RLOCK,
	P9_TGETLOCK = 54,
	P9_RGETLOCK,
	P9_TLINK = 70,
	P9_RLINK,
	P9_TMKDIR = 72,
	P9_RMKDIR,
	P9_TRENAMEAT = 74,
	P9_RRENAMEAT,
	P9_TUNLINKAT = 76,
	P9_RUNLINKAT,
	P9_TVERSION = 100,
	P9_RVERSION,
	P9_TAUTH = 102,
	P9_RAUTH,
	P9_TATTACH = 104,
	P9_RATTACH,
	P9_TFLUSH = 108,
	P9_RFLUSH,
	P9_TWALK = 110,
	P9_RWALK,
	P9_TREAD = 116,
	P9_RREAD,
	P9_TWRITE = 118,
	P9_RWRITE,
	P9_TCLUNK = 120,
	P9_RCLUNK,
	P9_TREMOVE = 122,
	P9_RREMOVE,
};

/* qid.type bits */
#define P9_QTDIR 0x80u
#define P9_QTAPPEND 0x40u
#define P9_QTEXCL 0x20u
#define P9_QTAUTH 0x08u
#define P9_QTTMP 0x04u
#define P9_QTSYMLINK 0x02u
#define P9_QTFILE 0x00u

/* Tgetattr request_mask / Rgetattr valid */
#define P9_GETATTR_MODE 0x001ull
#define P9_GETATTR_NLINK 0x002ull
#define P9_GETATTR_UID 0x004ull
#define P9_GETATTR_GID 0x008ull
#define P9_GETATTR_RDEV 0x010ull
#define P9_GETATTR_ATIME 0x020ull
#define P9_GETATTR_MTIME 0x040ull
#define P9_GETATTR_CTIME 0x080ull
#define P9_GETATTR_INO 0x100ull
#define P9_GETATTR_SIZE 0x200ull
#define P9_GETATTR_BLOCKS 0x400ull
#define P9_GETATTR_BASIC 0x7ffull
#define P9_GETATTR_BTIME 0x800ull
#define P9_GETATTR_GEN 0x1000ull
#define P9_GETATTR_DATA_VERSION 0x2000ull
#define P9_GETATTR_ALL 0x3fffull

/* Tsetattr valid */
#define P9_SETATTR_MODE 0x001u
#define P9_SETATTR_UID 0x002u
#define P9_SETATTR_GID 0x004u
#define P9_SETATTR_SIZE 0x008u
#define P9_SETATTR_ATIME 0x010u
#define P9_SETATTR_MTIME 0x020u
#define P9_SETATTR_CTIME 0x040u
#define P9_SETATTR_ATIME_SET 0x080u
#define P9_SETATTR_MTIME_SET 0x100u

/* Tlock type / flags / Rlock status */
#define P9_LOCK_TYPE_RDLCK 0u
#define P9_LOCK_TYPE_WRLCK 1u
#define P9_LOCK_TYPE_UNLCK 2u
#define P9_LOCK_FLAGS_BLOCK 1u
#define P9_LOCK_FLAGS_RECLAIM 2u
#define P9_LOCK_SUCCESS 0u
#define P9_LOCK_BLOCKED 1u
#define P9_LOCK_ERROR 2u
#define P9_LOCK_GRACE 3u

/* Tunlinkat flags */
#define P9_AT_REMOVEDIR 0x200u

struct p9_qid {
	uint8_t type;
	uint32_t version;
	uint64_t path;
};

/* A counted string or blob; points into the decoded buffer (not NUL-ended). */
struct p9_str {
	const char *s;
	uint16_t len;
};

struct p9_attr {
	uint64_t valid;
	struct p9_qid qid;
	uint32_t mode, uid, gid;
	uint64_t nlink, rdev, size, blksize, blocks;
	uint64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec;
	uint64_t ctime_sec, ctime_nsec, btime_sec, btime_nsec;
	uint64_t gen, data_version;
};

struct p9_statfs {
	uint32_t type, bsize;
	uint64_t blocks, bfree, bavail, files, ffree, fsid;
	uint32_t namelen;
};

struct p9_lockdesc {
	uint8_t type;
	uint32_t flags; /* Tlock only */
	uint64_t start, length;
	uint32_t proc_id;
	struct p9_str client_id;
};

/*
 * One 9P message.  @type selects the union member: both T and R of one
 * operation share a member (e.g. .walk holds Twalk's names and Rwalk's qids).
 */
struct p9_msg {
	uint8_t type;
	uint16_t tag;
	union {
		struct {
			uint32_t msize;
			struct p9_str version;
		} version;
		struct {
			uint32_t ecode;
		} lerror;
		struct {
			uint32_t afid;
			struct p9_str uname, aname;
			uint32_t n_uname;
			struct p9_qid aqid;
		} auth;
		struct {
			uint32_t fid, afid;
			struct p9_str uname, aname;
			uint32_t n_uname;
			struct p9_qid qid;
		} attach;
		struct {
			uint16_t oldtag;
		} flush;
		struct {
			uint32_t fid, newfid;
			uint16_t nwname;
			struct p9_str wname[P9_MAXWELEM];
			uint16_t nwqid;
			struct p9_qid wqid[P9_MAXWELEM];
		} walk;
		/* Tread/Rread, Twrite/Rwrite, Treaddir/Rreaddir */
		struct {
			uint32_t fid;
			uint64_t offset;
			uint32_t count;
			const uint8_t *data;
		} io;
		struct {
			uint32_t fid;
		} fid; /* clunk, remove, statfs, readlink(T) */
		struct {
			uint32_t fid;
			struct p9_statfs st;
		} statfs;
		struct {
			uint32_t fid, flags;
			struct p9_qid qid;
			uint32_t iounit;
		} lopen;
		struct {
			uint32_t fid;
			struct p9_str name;
			uint32_t flags, mode, gid;
			struct p9_qid qid;
			uint32_t iounit;
		} lcreate;
		struct {
			uint32_t fid;
			struct p9_str name, target;
			uint32_t gid;
			struct p9_qid qid;
		} symlink;
		struct {
			uint32_t dfid;
			struct p9_str name;
			uint32_t mode, major, minor, gid;
			struct p9_qid qid;
		} mknod;
		struct {
			uint32_t fid, dfid;
			struct p9_str name;
		} rename;
		struct {
			uint32_t fid;
			struct p9_str target;
		} readlink;
		struct {
			uint32_t fid;
			uint64_t request_mask;
			struct p9_attr attr;
		} getattr;
		struct {
			uint32_t fid, valid, mode, uid, gid;
			uint64_t size, atime_sec, atime_nsec, mtime_sec, mtime_nsec;
		} setattr;
		struct {
			uint32_t fid, newfid;
			struct p9_str name;
			uint64_t size;
		} xattrwalk;
		struct {
			uint32_t fid;
			struct p9_str name;
			uint64_t size;
			uint32_t flags;
		} xattrcreate;
		struct {
			uint32_t fid, datasync;
		} fsync;
		struct {
			uint32_t fid;
			struct p9_lockdesc lk;
			uint8_t status;
		} lock;
		struct {
			uint32_t fid;
			struct p9_lockdesc lk;
		} getlock;
		struct {
			uint32_t dfid, fid;
			struct p9_str name;
		} link;
		struct {
			uint32_t dfid;
			struct p9_str name;
			uint32_t mode, gid;
			struct p9_qid qid;
		} mkdir;
		struct {
			uint32_t olddirfid;
			struct p9_str oldname;
			uint32_t newdirfid;
			struct p9_str newname;
		} renameat;
		struct {
			uint32_t dirfid;
			struct p9_str name;
			uint32_t flags;
		} unlinkat;
	} u;
};

/* Peek at a frame header: the size field, type and tag.  -EBADMSG if len < 7. */
int p9_peek_header(const uint8_t *buf, size_t len, uint32_t *ret_size, uint8_t *ret_type,
		   uint16_t *ret_tag);

/*
 * Decode one complete frame of @len bytes (the size field must equal @len and
 * be <= @msize; pass P9_MSIZE_MAX before Tversion is negotiated).  Both T and
 * R messages are accepted.  On success fills *ret (borrowing from @buf).
 */
int p9_decode(const uint8_t *buf, size_t len, uint32_t msize, struct p9_msg *ret);

/*
 * Encode @m into @buf of capacity @cap.  Returns the frame length, or
 * -EMSGSIZE if it does not fit, -EINVAL for a field out of range (e.g. more
 * than P9_MAXWELEM names, a data pointer NULL with a non-zero count).  Data
 * of io messages may already sit at buf + P9_IOHDRSZ (Rread/Rreaddir): it is
 * then not copied.
 */
ssize_t p9_encode(const struct p9_msg *m, uint8_t *buf, size_t cap);

/* Type name for diagnostics ("Twalk"), "T?"/"R?" for unknown. */
const char *p9_type_name(uint8_t type);

/* True if @type is a T message this codec knows. */
bool p9_is_tmsg(uint8_t type);

/*
 * A valid single path component: 1..255 bytes, no '/', no NUL, not "." or
 * "..".  Walk additionally allows ".." (handled by the server).
 */
bool p9_name_valid(const struct p9_str *name);

/* Make a p9_str from a C string (length clamped to UINT16_MAX is an error: -1). */
int p9_str_from(const char *s, struct p9_str *ret);

/*
 * Directory entries (Rreaddir data): qid[13] offset[8] type[1] name[s].
 * p9_dirent_put appends one entry at *pos within cap; -EMSGSIZE if it does not
 * fit (nothing written).  p9_dirent_next parses the entry at *pos, advancing
 * it; returns 1 on an entry, 0 at the end, -EBADMSG on a truncated entry.
 */
struct p9_dirent {
	struct p9_qid qid;
	uint64_t offset;
	uint8_t type;
	struct p9_str name;
};
int p9_dirent_put(uint8_t *data, size_t cap, size_t *pos, const struct p9_dirent *d);
int p9_dirent_next(const uint8_t *data, size_t len, size_t *pos, struct p9_dirent *ret);

#endif
