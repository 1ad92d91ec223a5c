/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Escape and hostile-input tests of the Gofer: ".." past the root, absolute
 * and relative symlinks out, a symlink swapped in during walks, names with
 * '/' or NUL, over-long names, huge counts and offsets, host mounts inside
 * the export, malformed frames, fid exhaustion, and fd leaks.  Nothing
 * outside the exports may ever be read or written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fdutil.h"
#include "lib/macro.h"
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

static void test_dotdot_stays_at_root(void **state)
{
	struct p9_client *c = h_client(&H, false, "/");
	struct p9_qid root, q;
	struct p9_attr a;
	char buf[64];

	(void)state;
	assert_int_equal(p9_client_getattr(c, 0, &a), 0);
	root = a.qid;
	assert_int_equal(p9_client_walk(c, 0, 1, "", NULL), 0);
	assert_int_equal(p9_client_walk(c, 0, 2, "../../..", &q), 0);
	assert_int_equal(q.path, root.path);
	/* from the root's "..", the secret's relative path does not exist */
	assert_true(p9_client_walk(c, 2, 3, "outside/secret.txt", NULL) < 0);
	assert_true(p9_client_walk(c, 0, 3, "../outside/secret.txt", NULL) < 0);
	/* sub/../.. is the root too */
	assert_int_equal(p9_client_walk(c, 0, 4, "sub/../../..", &q), 0);
	assert_int_equal(q.path, root.path);
	assert_true(h_read_9p(c, "sub/../a.txt", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "hello gofer\n");
	/* ".." in a read-only bind export stays in that export */
	p9_client_free(c);
	c = h_client(&H, false, "/ro");
	assert_int_equal(p9_client_walk(c, 0, 1, "..", &q), 0);
	assert_true(p9_client_walk(c, 1, 2, "root/a.txt", NULL) < 0);
	assert_true(h_read_9p(c, "../r.txt", buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "readonly\n");
	/* the root's ".." entry in readdir does not reveal the parent's inode */
	p9_client_free(c);
}

static void test_symlinks_never_followed(void **state)
{
	struct p9_client *c = h_client(&H, true, "/");
	const char *links[] = {"link_abs", "link_rel", "dirlink", "link_in"};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct p9_qid q;
		int fd = -EBADF;

		assert_int_equal(p9_client_walk(c, 0, 1, links[i], &q), 0);
		assert_int_equal(q.type, P9_QTSYMLINK);
		assert_int_equal(p9_client_lopen(c, 1, O_RDONLY, NULL, &fd), -ELOOP);
		assert_int_equal(fd, -EBADF);
		assert_int_equal(p9_client_clunk(c, 1), 0);
	}
	/* through a symlinked directory */
	assert_true(p9_client_walk(c, 0, 1, "dirlink/secret.txt", NULL) < 0);
	assert_true(h_read_9p(c, "dirlink/secret.txt", buf, sizeof(buf)) < 0);
	/* creating through a symlink: lcreate on the link name must not write outside */
	struct p9_msg t = {.type = P9_TLCREATE}, r;
	t.u.lcreate.fid = 0;
	p9_str_from("link_abs", &t.u.lcreate.name);
	t.u.lcreate.flags = O_WRONLY | O_TRUNC;
	t.u.lcreate.mode = 0644;
	assert_true(p9_client_rpc(c, &t, &r, NULL) < 0);
	assert_string_equal(h_read_real(h_path(H.outside, "secret.txt")), H_SECRET);
	/* setattr on a symlink fid changes the link, never its target */
	assert_int_equal(p9_client_walk(c, 0, 2, "link_abs", NULL), 0);
	memset(&t, 0, sizeof(t));
	t.type = P9_TSETATTR;
	t.u.setattr.fid = 2;
	t.u.setattr.valid = P9_SETATTR_SIZE;
	assert_true(p9_client_rpc(c, &t, &r, NULL) < 0);
	t.u.setattr.valid = P9_SETATTR_MODE;
	t.u.setattr.mode = 0777;
	assert_true(p9_client_rpc(c, &t, &r, NULL) < 0);
	struct stat st;
	assert_int_equal(stat(h_path(H.outside, "secret.txt"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_string_equal(h_read_real(h_path(H.outside, "secret.txt")), H_SECRET);
	p9_client_free(c);
}

static atomic_bool stop_swapper;

static void *swapper(void *arg)
{
	(void)arg;
	/* Flip root/swap between a real directory and a symlink pointing outside. */
	while (!atomic_load(&stop_swapper)) {
		(void)rename(h_path(H.root, "swap"), h_path(H.root, "swap.dir"));
		(void)symlink(H.outside, h_path(H.root, "swap"));
		usleep(20); /* as long a window for the symlink as for the directory */
		(void)unlink(h_path(H.root, "swap"));
		(void)rename(h_path(H.root, "swap.dir"), h_path(H.root, "swap"));
		usleep(20); /* leave some walks a chance to succeed */
	}
	return NULL;
}

static void test_symlink_swap_race(void **state)
{
	struct p9_client *c = h_client(&H, true, "/");
	pthread_t th;
	char buf[64];
	unsigned ok = 0;

	(void)state;
	assert_int_equal(mkdir(h_path(H.root, "swap"), 0755), 0);
	int fd = open(h_path(H.root, "swap/secret.txt"), O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "inside", 6), 6);
	close(fd);
	atomic_store(&stop_swapper, false);
	assert_int_equal(pthread_create(&th, NULL, swapper, NULL), 0);
	for (int i = 0; i < 2000; i++) {
		int donated = -EBADF;

		if (h_read_9p(c, "swap/secret.txt", buf, sizeof(buf)) >= 0) {
			assert_string_equal(buf, "inside");
			ok++;
		}
		if (p9_client_walk(c, 0, 7, "swap/secret.txt", NULL) == 0) {
			if (p9_client_lopen(c, 7, O_RDONLY, NULL, &donated) == 0) {
				memset(buf, 0, sizeof(buf));
				assert_true(pread(donated, buf, sizeof(buf) - 1, 0) >= 0);
				assert_string_equal(buf, "inside");
				close(donated);
			}
			p9_client_clunk(c, 7);
		}
	}
	atomic_store(&stop_swapper, true);
	pthread_join(th, NULL);
	assert_true(ok > 0); /* the race was really exercised, not only refused */
	assert_string_equal(h_read_real(h_path(H.outside, "secret.txt")), H_SECRET);
	p9_client_free(c);
}

/* The deterministic twin of the race: the directory becomes a symlink out after the walk. */
static void test_symlink_swapped_after_walk(void **state)
{
	struct p9_client *c = h_client(&H, true, "/");
	struct p9_msg t = {.type = P9_TSETATTR}, r;
	char buf[64];
	int fd = -EBADF;

	(void)state;
	assert_int_equal(mkdir(h_path(H.root, "swap"), 0755), 0);
	int w = open(h_path(H.root, "swap/secret.txt"), O_WRONLY | O_CREAT, 0644);
	assert_true(w >= 0);
	close(w);
	assert_int_equal(p9_client_walk(c, 0, 1, "swap/secret.txt", NULL), 0);
	assert_int_equal(p9_client_walk(c, 0, 2, "swap/secret.txt", NULL), 0);
	assert_int_equal(rename(h_path(H.root, "swap"), h_path(H.root, "swap.old")), 0);
	assert_int_equal(symlink(H.outside, h_path(H.root, "swap")), 0);
	assert_true(p9_client_lopen(c, 1, O_RDWR | O_TRUNC, NULL, &fd) < 0);
	assert_int_equal(fd, -EBADF);
	t.u.setattr.fid = 2;
	t.u.setattr.valid = P9_SETATTR_SIZE;
	assert_true(p9_client_rpc(c, &t, &r, NULL) < 0);
	memset(&t, 0, sizeof(t));
	t.type = P9_TREMOVE;
	t.u.fid.fid = 2;
	assert_true(p9_client_rpc(c, &t, &r, NULL) < 0);
	assert_true(h_read_9p(c, "swap/secret.txt", buf, sizeof(buf)) < 0);
	assert_string_equal(h_read_real(h_path(H.outside, "secret.txt")), H_SECRET);
	p9_client_free(c);
}

/* A FIFO renamed over a walked file must not park the worker that reopens it. */
static void test_fifo_swapped_in(void **state)
{
	struct p9_client *c = h_client(&H, false, "/");
	struct p9_msg t = {.type = P9_TSETATTR}, r;

	(void)state;
	assert_int_equal(p9_client_walk(c, 0, 1, "sub/b.txt", NULL), 0);
	assert_int_equal(mkfifo(h_path(H.root, "fifo"), 0644), 0);
	assert_int_equal(rename(h_path(H.root, "fifo"), h_path(H.root, "sub/b.txt")), 0);
	assert_int_equal(p9_client_lopen(c, 1, O_RDONLY, NULL, NULL), -ESTALE);
	t.u.setattr.fid = 1;
	t.u.setattr.valid = P9_SETATTR_SIZE;
	assert_true(p9_client_rpc(c, &t, &r, NULL) < 0); /* ENXIO: no reader; never blocks */
	p9_client_free(c);
}

static void test_bad_names(void **state)
{
	struct p9_client *c = h_client(&H, false, "/");
	struct p9_msg t = {.type = P9_TWALK}, r;
	char longname[300];
	const struct {
		const char *s;
		uint16_t len;
		int err;
	} names[] = {
	    {"sub/b.txt", 9, -ENOENT},
	    {"a.txt\0x", 7, -ENOENT},
	    {"", 0, -ENOENT},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		memset(&t, 0, sizeof(t));
		t.type = P9_TWALK;
		t.u.walk.fid = 0;
		t.u.walk.newfid = 1;
		t.u.walk.nwname = 1;
		t.u.walk.wname[0].s = names[i].s;
		t.u.walk.wname[0].len = names[i].len;
		assert_int_equal(p9_client_rpc(c, &t, &r, NULL), names[i].err);
	}
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(p9_client_walk(c, 0, 1, longname, NULL), -ENAMETOOLONG);

	/* creation with bad names */
	const char *bad[] = {"a/b", "..", ".", "", "../escape"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&t, 0, sizeof(t));
		t.type = P9_TMKDIR;
		t.u.mkdir.dfid = 0;
		p9_str_from(bad[i], &t.u.mkdir.name);
		t.u.mkdir.mode = 0755;
		assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EINVAL);
	}
	memset(&t, 0, sizeof(t));
	t.type = P9_TLCREATE;
	t.u.lcreate.fid = 0;
	t.u.lcreate.name.s = "evil\0.txt";
	t.u.lcreate.name.len = 9;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EINVAL);
	p9_str_from(longname, &t.u.lcreate.name);
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -ENAMETOOLONG);
	memset(&t, 0, sizeof(t));
	t.type = P9_TRENAMEAT;
	t.u.renameat.olddirfid = 0;
	p9_str_from("a.txt", &t.u.renameat.oldname);
	t.u.renameat.newdirfid = 0;
	p9_str_from("../../outside/pwned", &t.u.renameat.newname);
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EINVAL);
	assert_int_equal(access(h_path(H.outside, "pwned"), F_OK), -1);
	assert_int_equal(access(h_path(H.root, "evil"), F_OK), -1);
	/* symlink whose target points out: stored as text, still never followed */
	memset(&t, 0, sizeof(t));
	t.type = P9_TSYMLINK;
	t.u.symlink.fid = 0;
	p9_str_from("out", &t.u.symlink.name);
	p9_str_from("../outside/secret.txt", &t.u.symlink.target);
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	char buf[64];
	assert_true(h_read_9p(c, "out", buf, sizeof(buf)) < 0);
	/* hard link of a fid of another export is refused */
	struct p9_client *ro = h_client(&H, false, "/ro");
	(void)ro;
	p9_client_free(ro);
	p9_client_free(c);
}

static void test_huge_counts_and_offsets(void **state)
{
	struct p9_client *c = h_client(&H, false, "/");
	struct p9_msg t, r;

	(void)state;
	assert_int_equal(p9_client_walk(c, 0, 1, "a.txt", NULL), 0);
	assert_int_equal(p9_client_lopen(c, 1, O_RDWR, NULL, NULL), 0);
	memset(&t, 0, sizeof(t));
	t.type = P9_TREAD;
	t.u.io.fid = 1;
	t.u.io.count = 0xffffffffu;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	assert_int_equal(r.u.io.count, 12);
	t.u.io.offset = 1ull << 63;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EINVAL);
	t.u.io.offset = (1ull << 62);
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
	assert_int_equal(r.u.io.count, 0);
	memset(&t, 0, sizeof(t));
	t.type = P9_TWRITE;
	t.u.io.fid = 1;
	t.u.io.offset = ~0ull - 2;
	t.u.io.count = 4;
	t.u.io.data = (const uint8_t *)"abcd";
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EFBIG);
	memset(&t, 0, sizeof(t));
	t.type = P9_TREADDIR;
	t.u.io.fid = 1;
	t.u.io.count = 0xffffffffu;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -ENOTDIR);
	memset(&t, 0, sizeof(t));
	t.type = P9_TSETATTR;
	t.u.setattr.fid = 1;
	t.u.setattr.valid = P9_SETATTR_SIZE;
	t.u.setattr.size = ~0ull;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EFBIG);
	t.u.setattr.valid = 0xffffffffu;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EINVAL);
	memset(&t, 0, sizeof(t));
	t.type = P9_TLOCK;
	t.u.lock.fid = 1;
	t.u.lock.lk.type = 7;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EINVAL);
	/* a tiny readdir count */
	assert_int_equal(p9_client_walk(c, 0, 2, "sub", NULL), 0);
	assert_int_equal(p9_client_lopen(c, 2, O_RDONLY, NULL, NULL), 0);
	memset(&t, 0, sizeof(t));
	t.type = P9_TREADDIR;
	t.u.io.fid = 2;
	t.u.io.count = 5;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EINVAL);
	assert_string_equal(h_read_real(h_path(H.root, "a.txt")), "hello gofer\n");
	p9_client_free(c);
}

static void test_host_mount_not_crossed(void **state)
{
	struct p9_client *c;
	char buf[64];

	(void)state;
	/* A private mount namespace: the tmpfs vanishes with this process whatever happens. */
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", h_path(H.root, "mnt"), "tmpfs", 0, "size=64k") < 0)
		skip();
	int fd = open(h_path(H.root, "mnt/hostfile"), O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "host", 4), 4);
	close(fd);
	/* a server opened after the mount: the export is a non-recursive clone */
	for (unsigned i = 0; i < H.n_conns; i++)
		h_join(&H, i);
	gofer_server_free(H.srv);
	struct gofer_export ex = {.src = H.root, .dst = "/"};
	struct gofer_opts o = {.exports = &ex, .n_exports = 1, .detach_mounts = true};
	assert_int_equal(gofer_server_new(&o, &H.srv), 0);
	c = h_client(&H, false, "/");
	assert_true(h_read_9p(c, "mnt/hostfile", buf, sizeof(buf)) < 0);
	p9_client_free(c);
	h_join(&H, H.n_conns - 1); /* the connection must end before its server */
	/* without the clone, RESOLVE_NO_XDEV refuses to enter the mount */
	gofer_server_free(H.srv);
	o.detach_mounts = false;
	assert_int_equal(gofer_server_new(&o, &H.srv), 0);
	c = h_client(&H, false, "/");
	assert_int_equal(p9_client_walk(c, 0, 1, "mnt", NULL), -EXDEV);
	assert_true(h_read_9p(c, "mnt/hostfile", buf, sizeof(buf)) < 0);
	p9_client_free(c);
}

/* Raw frames: framing errors close the connection, the rest get Rlerror. */
static void test_malformed_frames(void **state)
{
	struct p9_client *c = h_client(&H, false, "/");
	struct p9_msg r;
	uint8_t f[64];

	(void)state;
	/* unknown type */
	memcpy(f, "\x07\x00\x00\x00\x63\x01\x00", 7);
	assert_int_equal(p9_client_raw(c, f, 7, &r), -EOPNOTSUPP);
	/* an R message sent to the server */
	memcpy(f, "\x07\x00\x00\x00\x79\x02\x00", 7); /* Rclunk */
	assert_int_equal(p9_client_raw(c, f, 7, &r), -EOPNOTSUPP);
	/* Tclunk with a truncated fid */
	memcpy(f, "\x09\x00\x00\x00\x78\x03\x00\x01\x00", 9);
	assert_int_equal(p9_client_raw(c, f, 9, &r), -EINVAL);
	/* Twalk with nwname 17 */
	memcpy(f, "\x11\x00\x00\x00\x6e\x04\x00\x00\x00\x00\x00\x01\x00\x00\x00\x11\x00", 17);
	assert_int_equal(p9_client_raw(c, f, 17, &r), -EINVAL);
	/* operations on unknown fids, attach on a used fid, auth */
	assert_int_equal(p9_client_clunk(c, 12345), -EBADF);
	assert_int_equal(p9_client_walk(c, 12345, 1, "a.txt", NULL), -EBADF);
	assert_int_equal(p9_client_attach(c, 0, "/", 0, NULL), -EEXIST);
	assert_int_equal(p9_client_walk(c, 0, 0xffffffffu, "a.txt", NULL), -EINVAL);
	assert_int_equal(p9_client_walk(c, 0, 0, "sub", NULL), 0); /* in place */
	assert_int_equal(p9_client_walk(c, 0, 1, "b.txt", NULL), 0);
	struct p9_msg rd = {.type = P9_TREAD};
	rd.u.io.fid = 1;
	rd.u.io.count = 10;
	assert_int_equal(p9_client_rpc(c, &rd, &r, NULL), -EBADF); /* not open */
	/* still serving */
	struct p9_attr a;
	assert_int_equal(p9_client_getattr(c, 1, &a), 0);
	/* size below the header: the connection is closed */
	memcpy(f, "\x03\x00\x00\x00", 4);
	assert_true(p9_client_raw(c, f, 4, &r) < 0);
	p9_client_free(c);
	/* size above msize: closed too */
	c = h_client(&H, false, "/");
	memcpy(f, "\xff\xff\xff\x7f\x64\x00\x00", 7);
	assert_true(p9_client_raw(c, f, 7, &r) < 0);
	p9_client_free(c);
	/* a request before Tversion */
	int s = h_connect(&H);
	memcpy(f, "\x0b\x00\x00\x00\x78\x05\x00\x00\x00\x00\x00", 11);
	assert_int_equal(send(s, f, 11, 0), 11);
	assert_int_equal(recv(s, f, 11, MSG_WAITALL), 11);
	assert_int_equal(f[4], P9_RLERROR);
	close(s);
}

static void test_fid_limit(void **state)
{
	struct p9_client *c;

	(void)state;
	h_teardown(&H);
	h_setup(&H, 8);
	c = h_client(&H, false, "/");
	for (uint32_t fid = 1; fid < 8; fid++)
		assert_int_equal(p9_client_walk(c, 0, fid, "a.txt", NULL), 0);
	assert_int_equal(p9_client_walk(c, 0, 100, "a.txt", NULL), -EMFILE);
	assert_int_equal(p9_client_clunk(c, 7), 0);
	assert_int_equal(p9_client_walk(c, 0, 100, "a.txt", NULL), 0);
	p9_client_free(c);
}

/* Abandon fids, open files, donated fds and half-sent frames: no fd may leak. */
static void test_no_fd_leak(void **state)
{
	int before, after;

	(void)state;
	before = fd_count_open();
	for (int round = 0; round < 3; round++) {
		struct p9_client *c = h_client(&H, true, "/");
		uint8_t half[] = {0x40, 0, 0, 0, 0x6e, 0, 0};

		for (uint32_t fid = 1; fid < 40; fid++) {
			int fd = -EBADF;

			assert_int_equal(p9_client_walk(c, 0, fid, fid % 2 ? "a.txt" : "sub", NULL),
					 0);
			assert_int_equal(p9_client_lopen(c, fid, O_RDONLY, NULL, &fd), 0);
			if (fd >= 0)
				close(fd);
		}
		assert_true(p9_client_walk(c, 0, 50, "link_abs/x", NULL) < 0);
		assert_true(p9_client_walk(c, 0, 51, "nope", NULL) < 0);
		assert_int_equal(send(c->sock, half, sizeof(half), 0), (ssize_t)sizeof(half));
		p9_client_free(c);
		h_join(&H, H.n_conns - 1);
	}
	after = fd_count_open();
	assert_int_equal(after, before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_dotdot_stays_at_root, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_symlinks_never_followed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_symlink_swap_race, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_symlink_swapped_after_walk, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fifo_swapped_in, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_huge_counts_and_offsets, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_host_mount_not_crossed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_frames, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fid_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_fd_leak, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
