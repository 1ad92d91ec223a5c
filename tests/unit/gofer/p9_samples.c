/* SPDX-License-Identifier: Apache-2.0 */
#include "tests/unit/gofer/p9_samples.h"

#include <string.h>

static const uint8_t types[] = {
    P9_RLERROR,	  P9_TSTATFS,	 P9_RSTATFS,	P9_TLOPEN,	 P9_RLOPEN,	  P9_TLCREATE,
    P9_RLCREATE,  P9_TSYMLINK,	 P9_RSYMLINK,	P9_TMKNOD,	 P9_RMKNOD,	  P9_TRENAME,
    P9_RRENAME,	  P9_TREADLINK,	 P9_RREADLINK,	P9_TGETATTR,	 P9_RGETATTR,	  P9_TSETATTR,
    P9_RSETATTR,  P9_TXATTRWALK, P9_RXATTRWALK, P9_TXATTRCREATE, P9_RXATTRCREATE, P9_TREADDIR,
    P9_RREADDIR,  P9_TFSYNC,	 P9_RFSYNC,	P9_TLOCK,	 P9_RLOCK,	  P9_TGETLOCK,
    P9_RGETLOCK,  P9_TLINK,	 P9_RLINK,	P9_TMKDIR,	 P9_RMKDIR,	  P9_TRENAMEAT,
    P9_RRENAMEAT, P9_TUNLINKAT,	 P9_RUNLINKAT,	P9_TVERSION,	 P9_RVERSION,	  P9_TAUTH,
    P9_RAUTH,	  P9_TATTACH,	 P9_RATTACH,	P9_TFLUSH,	 P9_RFLUSH,	  P9_TWALK,
    P9_RWALK,	  P9_TREAD,	 P9_RREAD,	P9_TWRITE,	 P9_RWRITE,	  P9_TCLUNK,
    P9_RCLUNK,	  P9_TREMOVE,	 P9_RREMOVE,
};

size_t p9_sample_count(void)
{
	return sizeof(types);
}

static struct p9_str S(const char *s) {
	struct p9_str r;

	p9_str_from(s, &r);
	return r;
}

static const struct p9_qid Q = {.type = P9_QTDIR, .version = 7, .path = 0x1122334455667788ull};
static const uint8_t blob[] = "0123456789abcdef";

void p9_sample(size_t i, struct p9_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->type = types[i];
	m->tag = (uint16_t)(0x100 + i);
	switch (m->type) {
	case P9_RLERROR:
		m->u.lerror.ecode = 2;
		break;
	case P9_TSTATFS:
	case P9_TREADLINK:
	case P9_TCLUNK:
	case P9_TREMOVE:
		m->u.fid.fid = 3;
		break;
	case P9_RSTATFS:
		m->u.statfs.st =
		    (struct p9_statfs){0x9fa0, 4096, 100, 50, 40, 1000, 900, 0xabcdef, 255};
		break;
	case P9_TLOPEN:
		m->u.lopen.fid = 4;
		m->u.lopen.flags = 2;
		break;
	case P9_RLOPEN:
		m->u.lopen.qid = Q;
		m->u.lopen.iounit = 8192;
		break;
	case P9_TLCREATE:
		m->u.lcreate.fid = 5;
		m->u.lcreate.name = S("new.txt");
		m->u.lcreate.flags = 0101;
		m->u.lcreate.mode = 0644;
		m->u.lcreate.gid = 100;
		break;
	case P9_RLCREATE:
		m->u.lcreate.qid = Q;
		m->u.lcreate.iounit = 4096;
		break;
	case P9_TSYMLINK:
		m->u.symlink.fid = 6;
		m->u.symlink.name = S("ln");
		m->u.symlink.target = S("../x/y");
		m->u.symlink.gid = 1;
		break;
	case P9_RSYMLINK:
		m->u.symlink.qid = Q;
		break;
	case P9_TMKNOD:
		m->u.mknod.dfid = 7;
		m->u.mknod.name = S("fifo");
		m->u.mknod.mode = 010644;
		m->u.mknod.major = 1;
		m->u.mknod.minor = 3;
		m->u.mknod.gid = 0;
		break;
	case P9_RMKNOD:
		m->u.mknod.qid = Q;
		break;
	case P9_TRENAME:
		m->u.rename.fid = 8;
		m->u.rename.dfid = 9;
		m->u.rename.name = S("renamed");
		break;
	case P9_RREADLINK:
		m->u.readlink.target = S("/etc/passwd");
		break;
	case P9_TGETATTR:
		m->u.getattr.fid = 10;
		m->u.getattr.request_mask = P9_GETATTR_ALL;
		break;
	case P9_RGETATTR:
		m->u.getattr.attr = (struct p9_attr){
		    .valid = P9_GETATTR_BASIC,
		    .qid = Q,
		    .mode = 0100644,
		    .uid = 1000,
		    .gid = 1000,
		    .nlink = 1,
		    .rdev = 0,
		    .size = 12345,
		    .blksize = 4096,
		    .blocks = 24,
		    .atime_sec = 1,
		    .atime_nsec = 2,
		    .mtime_sec = 3,
		    .mtime_nsec = 4,
		    .ctime_sec = 5,
		    .ctime_nsec = 6,
		    .btime_sec = 7,
		    .btime_nsec = 8,
		    .gen = 9,
		    .data_version = 10,
		};
		break;
	case P9_TSETATTR:
		m->u.setattr.fid = 11;
		m->u.setattr.valid = P9_SETATTR_MODE | P9_SETATTR_SIZE;
		m->u.setattr.mode = 0600;
		m->u.setattr.uid = 1;
		m->u.setattr.gid = 2;
		m->u.setattr.size = 42;
		m->u.setattr.atime_sec = 1;
		m->u.setattr.atime_nsec = 2;
		m->u.setattr.mtime_sec = 3;
		m->u.setattr.mtime_nsec = 4;
		break;
	case P9_TXATTRWALK:
		m->u.xattrwalk.fid = 12;
		m->u.xattrwalk.newfid = 13;
		m->u.xattrwalk.name = S("user.x");
		break;
	case P9_RXATTRWALK:
		m->u.xattrwalk.size = 99;
		break;
	case P9_TXATTRCREATE:
		m->u.xattrcreate.fid = 14;
		m->u.xattrcreate.name = S("user.y");
		m->u.xattrcreate.size = 5;
		m->u.xattrcreate.flags = 1;
		break;
	case P9_TREADDIR:
	case P9_TREAD:
		m->u.io.fid = 15;
		m->u.io.offset = 0x123456789ull;
		m->u.io.count = 8192;
		break;
	case P9_RREADDIR:
	case P9_RREAD:
		m->u.io.count = sizeof(blob) - 1;
		m->u.io.data = blob;
		break;
	case P9_TFSYNC:
		m->u.fsync.fid = 16;
		m->u.fsync.datasync = 1;
		break;
	case P9_TLOCK:
		m->u.lock.fid = 17;
		m->u.lock.lk.type = P9_LOCK_TYPE_WRLCK;
		m->u.lock.lk.flags = 1;
		m->u.lock.lk.start = 10;
		m->u.lock.lk.length = 20;
		m->u.lock.lk.proc_id = 1234;
		m->u.lock.lk.client_id = S("host");
		break;
	case P9_RLOCK:
		m->u.lock.status = P9_LOCK_BLOCKED;
		break;
	case P9_TGETLOCK:
	case P9_RGETLOCK:
		m->u.getlock.fid = 18;
		m->u.getlock.lk.type = P9_LOCK_TYPE_RDLCK;
		m->u.getlock.lk.start = 1;
		m->u.getlock.lk.length = 2;
		m->u.getlock.lk.proc_id = 3;
		m->u.getlock.lk.client_id = S("cid");
		break;
	case P9_TLINK:
		m->u.link.dfid = 19;
		m->u.link.fid = 20;
		m->u.link.name = S("hard");
		break;
	case P9_TMKDIR:
		m->u.mkdir.dfid = 21;
		m->u.mkdir.name = S("dir");
		m->u.mkdir.mode = 0755;
		m->u.mkdir.gid = 0;
		break;
	case P9_RMKDIR:
		m->u.mkdir.qid = Q;
		break;
	case P9_TRENAMEAT:
		m->u.renameat.olddirfid = 22;
		m->u.renameat.oldname = S("a");
		m->u.renameat.newdirfid = 23;
		m->u.renameat.newname = S("b");
		break;
	case P9_TUNLINKAT:
		m->u.unlinkat.dirfid = 24;
		m->u.unlinkat.name = S("gone");
		m->u.unlinkat.flags = P9_AT_REMOVEDIR;
		break;
	case P9_TVERSION:
	case P9_RVERSION:
		m->tag = P9_NOTAG;
		m->u.version.msize = 65536;
		m->u.version.version = S(P9_VERSION_L);
		break;
	case P9_TAUTH:
		m->u.auth.afid = 25;
		m->u.auth.uname = S("root");
		m->u.auth.aname = S("/");
		m->u.auth.n_uname = 0;
		break;
	case P9_RAUTH:
		m->u.auth.aqid = Q;
		break;
	case P9_TATTACH:
		m->u.attach.fid = 0;
		m->u.attach.afid = P9_NOFID;
		m->u.attach.uname = S("");
		m->u.attach.aname = S("/");
		m->u.attach.n_uname = 1000;
		break;
	case P9_RATTACH:
		m->u.attach.qid = Q;
		break;
	case P9_TFLUSH:
		m->u.flush.oldtag = 77;
		break;
	case P9_TWALK:
		m->u.walk.fid = 26;
		m->u.walk.newfid = 27;
		m->u.walk.nwname = 3;
		m->u.walk.wname[0] = S("usr");
		m->u.walk.wname[1] = S("lib");
		m->u.walk.wname[2] = S("..");
		break;
	case P9_RWALK:
		m->u.walk.nwqid = 2;
		m->u.walk.wqid[0] = Q;
		m->u.walk.wqid[1] = Q;
		m->u.walk.wqid[1].type = P9_QTFILE;
		break;
	case P9_TWRITE:
		m->u.io.fid = 28;
		m->u.io.offset = 4096;
		m->u.io.count = sizeof(blob) - 1;
		m->u.io.data = blob;
		break;
	case P9_RWRITE:
		m->u.io.count = 16;
		break;
	default:
		break;
	}
}
