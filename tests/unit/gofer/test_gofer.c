/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Functional tests of the Gofer server, in-process: every answer is checked
 * against the real directory (listings, contents, attributes, effects of
 * modifications), read-only exports, fd donation, flush and concurrency.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/gofer/gofer_harness.h"

static struct harness H;

static int setup(void **state)
{
	(void)state;
	h_setup(&H, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	h_teardown(&H);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of a directory through 9P (sorted), count returned. */
static size_t list_9p(struct p9_client *c, const char *path, char **names, size_t max)
{
	struct p9_msg t = {.type = P9_TREADDIR}, r;
	uint64_t off = 0;
	size_t n = 0;

	assert_int_equal(p9_client_walk(c, 0, 50, path, NULL), 0);
	assert_int_equal(p9_client_lopen(c, 50, O_RDONLY, NULL, NULL), 0);
	for (;;) {
		struct p9_dirent d;
		size_t pos = 0;
		int k;

		t.u.io.fid = 50;
		t.u.io.offset = off;
		t.u.io.count = 200; /* small: forces several round trips */
		assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
		if (r.u.io.count == 0)
			break;
		while ((k = p9_dirent_next(r.u.io.data, r.u.io.count, &pos, &d)) == 1) {
			assert_true(n < max);
			names[n++] = strndup(d.name.s, d.name.len);
			off = d.offset;
		}
		assert_int_equal(k, 0);
	}
	assert_int_equal(p9_client_clunk(c, 50), 0);
	qsort(names, n, sizeof(*names), cmp_str);
	return n;
}

static size_t list_real(const char *path, char **names, size_t max)
{
	DIR *d = opendir(path);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d))) {
		assert_true(n < max);
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	return n;
}

static void test_listing_matches_real_dir(void **state)
{
	struct p9_client *c = h_client(&H, false, "/");
	char *a[64], *b[64];
	const char *dirs[] = {"", "sub", "sub/deep"};

	(void)state;
	for (size_t k = 0; k < 3; k++) {
		size_t n = list_9p(c, dirs[k], a, 64);
		size_t m = list_real(h_path(H.root, dirs[k]), b, 64);

		assert_int_equal(n, m);
		for (size_t i = 0; i < n; i++) {
			assert_string_equal(a[i], b[i]);
			free(a[i]);
			free(b[i]);
		}
	}
	p9_client_free(c);
}

static void test_read_and_getattr(void **state)
{
	struct p9_client *c = h_client(&H, false, "/");
	const char *files[] = {"a.txt", "sub/b.txt", "sub/deep/c.txt", "hard"};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct p9_attr a;
		struct stat st;

		assert_true(h_read_9p(c, files[i], buf, sizeof(buf)) >= 0);
		assert_string_equal(buf, h_read_real(h_path(H.root, files[i])));
		assert_int_equal(p9_client_walk(c, 0, 1, files[i], NULL), 0);
		assert_int_equal(p9_client_getattr(c, 1, &a), 0);
		assert_int_equal(lstat(h_path(H.root, files[i]), &st), 0);
		assert_int_equal(a.size, st.st_size);
		assert_int_equal(a.mode, st.st_mode);
		assert_int_equal(a.qid.path, st.st_ino);
		assert_int_equal(a.nlink, st.st_nlink);
		assert_int_equal(a.mtime_sec, st.st_mtim.tv_sec);
		assert_int_equal(p9_client_clunk(c, 1), 0);
	}
	/* a symlink is a symlink: readlink, and lopen refuses to follow it */
	struct p9_msg t = {.type = P9_TREADLINK}, r;
	struct p9_qid q;
	assert_int_equal(p9_client_walk(c, 0, 1, "link_in", &q), 0);
	assert_int_equal(q.type, P9_QTSYMLINK);
	t.u.fid.fid = 1;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	assert_int_equal(r.u.readlink.target.len, 5);
	assert_memory_equal(r.u.readlink.target.s, "a.txt", 5);
	assert_int_equal(p9_client_lopen(c, 1, O_RDONLY, NULL, NULL), -ELOOP);
	assert_int_equal(p9_client_clunk(c, 1), 0);
	/* statfs */
	t.type = P9_TSTATFS;
	t.u.fid.fid = 0;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	assert_true(r.u.statfs.st.bsize > 0);
	p9_client_free(c);
}

static void test_modifications(void **state)
{
	struct p9_client *c = h_client(&H, false, "/");
	struct p9_msg t, r;
	struct stat st;

	(void)state;
	/* lcreate + write: the real file has the bytes */
	assert_int_equal(p9_client_walk(c, 0, 1, "sub", NULL), 0);
	memset(&t, 0, sizeof(t));
	t.type = P9_TLCREATE;
	t.u.lcreate.fid = 1;
	p9_str_from("new.txt", &t.u.lcreate.name);
	t.u.lcreate.flags = O_RDWR;
	t.u.lcreate.mode = 0640;
	t.u.lcreate.gid = 0;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	assert_int_equal(p9_client_write(c, 1, 0, "written", 7), 7);
	assert_string_equal(h_read_real(h_path(H.root, "sub/new.txt")), "written");
	assert_int_equal(lstat(h_path(H.root, "sub/new.txt"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(p9_client_clunk(c, 1), 0);

	/* setattr: mode, size, mtime */
	assert_int_equal(p9_client_walk(c, 0, 2, "sub/new.txt", NULL), 0);
	memset(&t, 0, sizeof(t));
	t.type = P9_TSETATTR;
	t.u.setattr.fid = 2;
	t.u.setattr.valid =
	    P9_SETATTR_MODE | P9_SETATTR_SIZE | P9_SETATTR_MTIME | P9_SETATTR_MTIME_SET;
	t.u.setattr.mode = 0600;
	t.u.setattr.size = 3;
	t.u.setattr.mtime_sec = 1000000000;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	assert_int_equal(lstat(h_path(H.root, "sub/new.txt"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, 3);
	assert_int_equal(st.st_mtim.tv_sec, 1000000000);

	/* rename the fid, then it still names the file */
	memset(&t, 0, sizeof(t));
	t.type = P9_TRENAME;
	t.u.rename.fid = 2;
	t.u.rename.dfid = 0;
	p9_str_from("moved.txt", &t.u.rename.name);
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	assert_int_equal(access(h_path(H.root, "sub/new.txt"), F_OK), -1);
	assert_string_equal(h_read_real(h_path(H.root, "moved.txt")), "wri");
	assert_int_equal(p9_client_lopen(c, 2, O_RDONLY, NULL, NULL), 0);

	/* mkdir, symlink, fifo, hard link, renameat, unlinkat */
	memset(&t, 0, sizeof(t));
	t.type = P9_TMKDIR;
	t.u.mkdir.dfid = 0;
	p9_str_from("newdir", &t.u.mkdir.name);
	t.u.mkdir.mode = 0711;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	assert_int_equal(lstat(h_path(H.root, "newdir"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(r.u.mkdir.qid.path, st.st_ino);

	memset(&t, 0, sizeof(t));
	t.type = P9_TSYMLINK;
	t.u.symlink.fid = 0;
	p9_str_from("sl", &t.u.symlink.name);
	p9_str_from("/nowhere/at/all", &t.u.symlink.target);
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	char tgt[64] = {0};
	assert_int_equal(readlink(h_path(H.root, "sl"), tgt, sizeof(tgt)), 15);
	assert_string_equal(tgt, "/nowhere/at/all");

	memset(&t, 0, sizeof(t));
	t.type = P9_TMKNOD;
	t.u.mknod.dfid = 0;
	p9_str_from("fifo", &t.u.mknod.name);
	t.u.mknod.mode = S_IFIFO | 0600;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	assert_int_equal(lstat(h_path(H.root, "fifo"), &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	t.u.mknod.mode = S_IFCHR | 0600; /* device nodes are refused */
	p9_str_from("dev", &t.u.mknod.name);
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EPERM);
	/* opening the fifo must not hang a worker */
	assert_int_equal(p9_client_walk(c, 0, 3, "fifo", NULL), 0);
	assert_int_equal(p9_client_lopen(c, 3, O_RDONLY, NULL, NULL), 0);
	assert_int_equal(p9_client_clunk(c, 3), 0);

	assert_int_equal(p9_client_walk(c, 0, 3, "a.txt", NULL), 0);
	memset(&t, 0, sizeof(t));
	t.type = P9_TLINK;
	t.u.link.dfid = 0;
	t.u.link.fid = 3;
	p9_str_from("a2", &t.u.link.name);
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	assert_int_equal(lstat(h_path(H.root, "a.txt"), &st), 0);
	assert_int_equal(st.st_nlink, 3);

	memset(&t, 0, sizeof(t));
	t.type = P9_TRENAMEAT;
	t.u.renameat.olddirfid = 0;
	p9_str_from("a2", &t.u.renameat.oldname);
	t.u.renameat.newdirfid = 0;
	p9_str_from("a3", &t.u.renameat.newname);
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	assert_string_equal(h_read_real(h_path(H.root, "a3")), "hello gofer\n");

	memset(&t, 0, sizeof(t));
	t.type = P9_TUNLINKAT;
	t.u.unlinkat.dirfid = 0;
	p9_str_from("a3", &t.u.unlinkat.name);
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	assert_int_equal(access(h_path(H.root, "a3"), F_OK), -1);
	p9_str_from("newdir", &t.u.unlinkat.name);
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EISDIR);
	t.u.unlinkat.flags = P9_AT_REMOVEDIR;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	assert_int_equal(access(h_path(H.root, "newdir"), F_OK), -1);

	/* Tremove of a fid, and the fid is gone afterwards */
	assert_int_equal(p9_client_walk(c, 0, 4, "sl", NULL), 0);
	memset(&t, 0, sizeof(t));
	t.type = P9_TREMOVE;
	t.u.fid.fid = 4;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	assert_int_equal(access(h_path(H.root, "sl"), F_OK), -1);
	assert_int_equal(p9_client_clunk(c, 4), -EBADF);

	/* locks */
	memset(&t, 0, sizeof(t));
	t.type = P9_TLOCK;
	t.u.lock.fid = 2;
	t.u.lock.lk.type = P9_LOCK_TYPE_RDLCK;
	t.u.lock.lk.length = 10;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	assert_int_equal(r.u.lock.status, P9_LOCK_SUCCESS);
	memset(&t, 0, sizeof(t));
	t.type = P9_TFSYNC;
	t.u.fsync.fid = 2;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	p9_client_free(c);
}

static void test_read_only_export(void **state)
{
	struct p9_client *c = h_client(&H, true, "/ro");
	struct p9_msg t, r;
	char buf[64];
	int fd = -EBADF;

	(void)state;
	assert_true(h_read_9p(c, "r.txt", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "readonly\n");
	assert_int_equal(p9_client_walk(c, 0, 1, "r.txt", NULL), 0);
	assert_int_equal(p9_client_lopen(c, 1, O_WRONLY, NULL, NULL), -EROFS);
	assert_int_equal(p9_client_lopen(c, 1, O_RDONLY | O_TRUNC, NULL, NULL), -EROFS);
	memset(&t, 0, sizeof(t));
	t.type = P9_TSETATTR;
	t.u.setattr.fid = 1;
	t.u.setattr.valid = P9_SETATTR_SIZE;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EROFS);
	/* the donated fd of a read-only export cannot write either */
	assert_int_equal(p9_client_lopen(c, 1, O_RDONLY, NULL, &fd), 0);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), -1);
	close(fd);
	memset(&t, 0, sizeof(t));
	t.type = P9_TMKDIR;
	t.u.mkdir.dfid = 0;
	p9_str_from("d", &t.u.mkdir.name);
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EROFS);
	memset(&t, 0, sizeof(t));
	t.type = P9_TUNLINKAT;
	t.u.unlinkat.dirfid = 0;
	p9_str_from("r.txt", &t.u.unlinkat.name);
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EROFS);
	memset(&t, 0, sizeof(t));
	t.type = P9_TLCREATE;
	t.u.lcreate.fid = 0;
	p9_str_from("n", &t.u.lcreate.name);
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EROFS);
	memset(&t, 0, sizeof(t));
	t.type = P9_TREMOVE;
	t.u.fid.fid = 1;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EROFS);
	assert_string_equal(h_read_real(h_path(H.ro, "r.txt")), "readonly\n");
	assert_int_equal(access(h_path(H.ro, "d"), F_OK), -1);
	p9_client_free(c);
}

static void test_fd_donation_negotiated(void **state)
{
	struct p9_client *plain = h_client(&H, false, "/");
	struct p9_client *ext = h_client(&H, true, "/");
	struct stat st, real;
	char buf[64] = {0};
	int fd = -EBADF;

	(void)state;
	/* plain 9P2000.L: never an fd */
	assert_int_equal(p9_client_walk(plain, 0, 1, "a.txt", NULL), 0);
	assert_int_equal(p9_client_lopen(plain, 1, O_RDONLY, NULL, &fd), 0);
	assert_int_equal(fd, -EBADF);
	/* extended: the fd is the very file */
	assert_int_equal(p9_client_walk(ext, 0, 1, "a.txt", NULL), 0);
	assert_int_equal(p9_client_lopen(ext, 1, O_RDONLY, NULL, &fd), 0);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(stat(h_path(H.root, "a.txt"), &real), 0);
	assert_int_equal(st.st_ino, real.st_ino);
	assert_int_equal(pread(fd, buf, sizeof(buf) - 1, 0), 12);
	assert_string_equal(buf, "hello gofer\n");
	close(fd);
	/* directories are not donated */
	assert_int_equal(p9_client_walk(ext, 0, 2, "sub", NULL), 0);
	fd = -EBADF;
	assert_int_equal(p9_client_lopen(ext, 2, O_RDONLY, NULL, &fd), 0);
	assert_int_equal(fd, -EBADF);
	p9_client_free(plain);
	p9_client_free(ext);
}

/* Several requests in flight on one connection, a flush, replies matched by tag. */
static void test_concurrent_tags_and_flush(void **state)
{
	struct p9_client *c = h_client(&H, false, "/");
	uint8_t frame[256];
	bool seen[20] = {false};

	(void)state;
	for (uint16_t tag = 1; tag <= 16; tag++) {
		struct p9_msg t = {.type = P9_TGETATTR, .tag = tag};
		ssize_t n;

		t.u.getattr.fid = 0;
		t.u.getattr.request_mask = P9_GETATTR_BASIC;
		n = p9_encode(&t, frame, sizeof(frame));
		assert_int_equal(send(c->sock, frame, (size_t)n, 0), n);
	}
	struct p9_msg f = {.type = P9_TFLUSH, .tag = 17};
	f.u.flush.oldtag = 16;
	ssize_t n = p9_encode(&f, frame, sizeof(frame));
	assert_int_equal(send(c->sock, frame, (size_t)n, 0), n);
	/*
	 * Replies to 1..15, to 16 unless the flush dropped it while queued, and
	 * one Rflush: if 16 was answered, that came before the Rflush.
	 */
	for (;;) {
		bool all = seen[17];

		for (int tag = 1; tag <= 15; tag++)
			all = all && seen[tag];
		if (all)
			break;
		struct p9_msg r;
		uint32_t size;

		assert_int_equal(recv(c->sock, c->rbuf, 4, MSG_WAITALL), 4);
		p9_peek_header(c->rbuf, 7, &size, NULL, NULL);
		assert_int_equal(recv(c->sock, c->rbuf + 4, size - 4, MSG_WAITALL),
				 (ssize_t)size - 4);
		assert_int_equal(p9_decode(c->rbuf, size, c->msize, &r), 0);
		assert_true(r.tag >= 1 && r.tag <= 17);
		assert_false(seen[r.tag]);
		seen[r.tag] = true;
		if (r.tag == 17) {
			assert_int_equal(r.type, P9_RFLUSH);
			continue;
		}
		if (r.tag == 16)
			assert_false(seen[17]);
		assert_int_equal(r.type, P9_RGETATTR);
	}
	/* a flush of an unknown tag is answered at once; the connection still works */
	f.u.flush.oldtag = 999;
	assert_int_equal(p9_client_rpc(c, &f, NULL, NULL), 0);
	struct p9_attr a;
	assert_int_equal(p9_client_getattr(c, 0, &a), 0);
	p9_client_free(c);
}

static void test_bind_exports(void **state)
{
	struct p9_client *c = h_client(&H, false, "/rw");
	struct p9_msg t = {.type = P9_TLCREATE}, r;
	struct p9_qid q, root;

	(void)state;
	assert_int_equal(p9_client_walk(c, 0, 1, "", &root), 0);
	assert_int_equal(p9_client_walk(c, 0, 2, "..", &q), 0);
	t.u.lcreate.fid = 1;
	p9_str_from("f", &t.u.lcreate.name);
	t.u.lcreate.flags = O_WRONLY;
	t.u.lcreate.mode = 0644;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	assert_int_equal(access(h_path(H.rw, "f"), F_OK), 0);
	p9_client_free(c);
	/* an unknown export */
	int s = h_connect(&H);
	assert_int_equal(p9_client_new(s, 65536, false, &c), 0);
	assert_int_equal(p9_client_attach(c, 0, "/nope", 0, NULL), -ENOENT);
	assert_int_equal(p9_client_attach(c, 0, "/ro/..", 0, NULL), -ENOENT);
	p9_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_listing_matches_real_dir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_and_getattr, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_modifications, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_only_export, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fd_donation_negotiated, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_concurrent_tags_and_flush, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bind_exports, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
