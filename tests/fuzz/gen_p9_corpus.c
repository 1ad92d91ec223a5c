/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Write the seed corpora: for fuzz_p9 one file per 9P2000.L message type
 * (tests/unit/gofer/p9_samples.c) plus a few hostile frames; for fuzz_gofer
 * a few request sequences on the attached fids 0 ("/") and 1 ("/ro").
 *   gen_p9_corpus P9_DIR [GOFER_DIR]
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "gofer/p9.h"
#include "tests/unit/gofer/p9_samples.h"

static int put(const char *dir, const char *name, const void *buf, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len) {
		perror(path);
		return -1;
	}
	fclose(f);
	return 0;
}

/* Append message @m to @buf at *len. */
static void add(uint8_t *buf, size_t *len, struct p9_msg *m)
{
	ssize_t n;

	m->tag = (uint16_t)(*len % 1000 + 10);
	n = p9_encode(m, buf + *len, 65536 - *len);
	if (n > 0)
		*len += (size_t)n;
}

static struct p9_str S(const char *s) {
	struct p9_str r;

	p9_str_from(s, &r);
	return r;
}

static int
gofer_seeds(const char *dir)
{
	static uint8_t buf[65536];
	struct p9_msg m;
	size_t len;

	/* walk, open, read, getattr, clunk */
	len = 0;
	m = (struct p9_msg){.type = P9_TWALK, .u.walk = {.fid = 0, .newfid = 2, .nwname = 1}};
	m.u.walk.wname[0] = S("a");
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TLOPEN, .u.lopen = {.fid = 2, .flags = O_RDONLY}};
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TREAD, .u.io = {.fid = 2, .offset = 0, .count = 100}};
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TGETATTR,
			    .u.getattr = {.fid = 2, .request_mask = P9_GETATTR_ALL}};
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TCLUNK, .u.fid = {.fid = 2}};
	add(buf, &len, &m);
	if (put(dir, "seq-read", buf, len) < 0)
		return -1;

	/* readdir of sub, walk .. and symlink */
	len = 0;
	m = (struct p9_msg){.type = P9_TWALK, .u.walk = {.fid = 0, .newfid = 3, .nwname = 1}};
	m.u.walk.wname[0] = S("sub");
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TLOPEN, .u.lopen = {.fid = 3, .flags = O_RDONLY}};
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TREADDIR, .u.io = {.fid = 3, .offset = 0, .count = 4000}};
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TWALK, .u.walk = {.fid = 3, .newfid = 4, .nwname = 2}};
	m.u.walk.wname[0] = S("..");
	m.u.walk.wname[1] = S("up");
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TREADLINK, .u.fid = {.fid = 4}};
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TLOPEN, .u.lopen = {.fid = 4, .flags = O_RDONLY}};
	add(buf, &len, &m);
	if (put(dir, "seq-readdir", buf, len) < 0)
		return -1;

	/* create, write, setattr, rename, unlink */
	len = 0;
	m = (struct p9_msg){.type = P9_TWALK, .u.walk = {.fid = 0, .newfid = 5, .nwname = 0}};
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TLCREATE,
			    .u.lcreate = {.fid = 5, .flags = O_RDWR, .mode = 0644}};
	m.u.lcreate.name = S("new");
	add(buf, &len, &m);
	m = (struct p9_msg){
	    .type = P9_TWRITE,
	    .u.io = {.fid = 5, .offset = 3, .count = 4, .data = (const uint8_t *)"data"}};
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TSETATTR,
			    .u.setattr = {.fid = 5, .valid = P9_SETATTR_SIZE, .size = 2}};
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TRENAMEAT, .u.renameat = {.olddirfid = 0, .newdirfid = 0}};
	m.u.renameat.oldname = S("new");
	m.u.renameat.newname = S("new2");
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TMKDIR, .u.mkdir = {.dfid = 0, .mode = 0755}};
	m.u.mkdir.name = S("d");
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TUNLINKAT,
			    .u.unlinkat = {.dirfid = 0, .flags = P9_AT_REMOVEDIR}};
	m.u.unlinkat.name = S("d");
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TUNLINKAT, .u.unlinkat = {.dirfid = 0}};
	m.u.unlinkat.name = S("new2");
	add(buf, &len, &m);
	if (put(dir, "seq-create", buf, len) < 0)
		return -1;

	/* the read-only export, flush, statfs, locks */
	len = 0;
	m = (struct p9_msg){.type = P9_TWALK, .u.walk = {.fid = 1, .newfid = 6, .nwname = 1}};
	m.u.walk.wname[0] = S("r");
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TLOPEN, .u.lopen = {.fid = 6, .flags = O_RDWR}};
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TLOPEN, .u.lopen = {.fid = 6, .flags = O_RDONLY}};
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TLOCK, .u.lock = {.fid = 6}};
	m.u.lock.lk.type = P9_LOCK_TYPE_RDLCK;
	m.u.lock.lk.client_id = S("c");
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TGETLOCK, .u.getlock = {.fid = 6}};
	m.u.getlock.lk.type = P9_LOCK_TYPE_WRLCK;
	m.u.getlock.lk.client_id = S("c");
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TFLUSH, .u.flush = {.oldtag = 12}};
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TSTATFS, .u.fid = {.fid = 1}};
	add(buf, &len, &m);
	m = (struct p9_msg){.type = P9_TREMOVE, .u.fid = {.fid = 6}};
	add(buf, &len, &m);
	return put(dir, "seq-ro", buf, len);
}

int main(int argc, char **argv)
{
	static uint8_t buf[65536];
	static const uint8_t hostile[][24] = {
	    {0x03, 0, 0, 0},			       /* size below the header */
	    {0xff, 0xff, 0xff, 0xff, 100, 0xff, 0xff}, /* size 4 GiB */
	    {0x11, 0, 0, 0, 110, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff}, /* nwname 65535 */
	    {0x17, 0, 0, 0, 118, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff},
	};
	char name[64];

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: %s P9_DIR [GOFER_DIR]\n", argv[0]);
		return 2;
	}
	for (size_t i = 0; i < p9_sample_count(); i++) {
		struct p9_msg m;
		ssize_t n;

		p9_sample(i, &m);
		n = p9_encode(&m, buf, sizeof(buf));
		if (n < 0)
			return 1;
		snprintf(name, sizeof(name), "%s", p9_type_name(m.type));
		if (put(argv[1], name, buf, (size_t)n) < 0)
			return 1;
	}
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		snprintf(name, sizeof(name), "hostile-%zu", i);
		if (put(argv[1], name, hostile[i], sizeof(hostile[i])) < 0)
			return 1;
	}
	if (argc == 3 && gofer_seeds(argv[2]) < 0)
		return 1;
	return 0;
}
