/* SPDX-License-Identifier: Apache-2.0 */
/* The checkpoint image format (checkpoint/image.c): manifest round trip,
 * refusals (version, architecture, CPU features, checksum, truncation),
 * state invariants, and a whole directory written and read back. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "checkpoint/image.h"

static struct img_manifest sample(void)
{
	struct img_manifest m = { .version = IMG_FORMAT_VERSION, .xfeatures = 3, .created = 1,
				  .state_size = 10, .state_hash = 0x1234, .pages_size = 8192,
				  .pages_hash = 0xabcdef };

	snprintf(m.arch, sizeof(m.arch), "%s", IMG_ARCH);
	return m;
}

static int parse_text(const char *t, struct img_error *err)
{
	struct img_manifest m;

	return img_manifest_parse(t, strlen(t), &m, err);
}

static void test_manifest_roundtrip(void **state)
{
	struct img_manifest m = sample(), got;
	struct img_error err = { { 0 } };
	char *text;
	size_t len;

	(void)state;
	assert_int_equal(img_manifest_format(&m, &text, &len), 0);
	assert_int_equal(img_manifest_parse(text, len, &got, &err), 0);
	assert_memory_equal(&m, &got, sizeof(m));
	/* every truncation is refused */
	for (size_t n = 0; n < len; n++)
		assert_true(img_manifest_parse(text, n, &got, &err) < 0);
	/* any changed byte is refused */
	for (size_t i = 0; i < len; i++) {
		text[i] ^= 1;
		assert_true(img_manifest_parse(text, len, &got, &err) < 0);
		text[i] ^= 1;
	}
	free(text);
}

static void test_manifest_refusals(void **state)
{
	struct img_manifest m = sample();
	struct img_error err = { { 0 } };
	char *text;
	size_t len;

	(void)state;
	snprintf(m.arch, sizeof(m.arch), "aarch64");
	assert_int_equal(img_manifest_format(&m, &text, &len), 0);
	assert_int_equal(parse_text(text, &err), -EXDEV);
	assert_non_null(strstr(err.msg, "aarch64"));
	free(text);
	m = sample();
	m.version = 2;
	assert_int_equal(img_manifest_format(&m, &text, &len), 0);
	assert_int_equal(parse_text(text, &err), -EPROTONOSUPPORT);
	assert_non_null(strstr(err.msg, "version 2"));
	free(text);
	assert_int_equal(parse_text("hello\n", &err), -EBADMSG);
	assert_int_equal(parse_text("", &err), -EBADMSG);
	/* CPU features this host lacks */
	m = sample();
	m.xfeatures = 1ULL << 62;
	assert_int_equal(img_check_host(&m, &err), -EXDEV);
	m.xfeatures = img_host_xfeatures();
	assert_int_equal(img_check_host(&m, &err), 0);
}

/* In-memory file entries pack_min adds (FsEntry). */
static Cvisor__Ckpt__FsEntry **g_fs;
static size_t g_nfs;

/* Anonymous shared memory for pack_min (image_shm.c): objects, and the
 * VMA's shm_id/kind/off (a VMA with shm_id set has no page run). */
static Cvisor__Ckpt__ShmObject **g_shm;
static size_t g_nshm;
static uint32_t g_vma_shm_id, g_vma_kind;
static Cvisor__Ckpt__SysvShm **g_sysv;
static size_t g_nsysv;
static uint64_t g_vma_off;

/* A minimal valid state: one process, one thread, one VMA with a run. */
static uint8_t *pack_min(size_t *len, uint64_t run_index, int32_t tid)
{
	Cvisor__Ckpt__Image img = CVISOR__CKPT__IMAGE__INIT;
	Cvisor__Ckpt__ThreadGroup g = CVISOR__CKPT__THREAD_GROUP__INIT, *gp = &g;
	Cvisor__Ckpt__Task t = CVISOR__CKPT__TASK__INIT, *tp = &t;
	Cvisor__Ckpt__Creds c = CVISOR__CKPT__CREDS__INIT;
	Cvisor__Ckpt__Mm m = CVISOR__CKPT__MM__INIT, *mp = &m;
	Cvisor__Ckpt__Vma v = CVISOR__CKPT__VMA__INIT, *vp = &v;
	Cvisor__Ckpt__PageRun r = CVISOR__CKPT__PAGE_RUN__INIT, *rp = &r;
	Cvisor__Ckpt__FdTable ft = CVISOR__CKPT__FD_TABLE__INIT, *ftp = &ft;
	Cvisor__Ckpt__FsContext fs = CVISOR__CKPT__FS_CONTEXT__INIT, *fsp = &fs;
	Cvisor__Ckpt__Rlimit rl = CVISOR__CKPT__RLIMIT__INIT, *rls[16];
	Cvisor__Ckpt__SigAction sa = CVISOR__CKPT__SIG_ACTION__INIT, *sas[64];
	uint8_t regs[IMG_REGS_SIZE] = { 0 }, *out;

	for (int i = 0; i < 16; i++)
		rls[i] = &rl;
	for (int i = 0; i < 64; i++)
		sas[i] = &sa;
	img.hostname = (char *)"h";
	img.next_tid = 2;
	img.init_tgid = 1;
	v.start = 0x400000, v.end = 0x402000, v.prot = 3, v.name = (char *)"";
	r.addr = 0x401000, r.npages = 1, r.page_index = run_index;
	m.id = 1, m.n_vmas = 1, m.vmas = &vp, m.n_runs = 1, m.runs = &rp;
	if (g_vma_shm_id || g_vma_kind) {
		v.shm_id = g_vma_shm_id, v.kind = g_vma_kind, v.off = g_vma_off;
		m.n_runs = 0;
	}
	img.n_shm_objects = g_nshm, img.shm_objects = g_shm;
	img.n_sysv_shm = g_nsysv, img.sysv_shm = g_sysv;
	ft.id = 2;
	fs.id = 3, fs.cwd = (char *)"/", fs.root = (char *)"/";
	t.tid = tid, t.creds = &c, t.regs.data = regs, t.regs.len = sizeof(regs);
	t.fd_table_id = 2, t.fs_id = 3;
	g.tgid = 1, g.pgid = 1, g.sid = 1, g.mm_id = 1, g.comm = (char *)"x", g.exe = (char *)"/x";
	g.n_rlimits = 16, g.rlimits = rls, g.n_actions = 64, g.actions = sas;
	g.n_tasks = 1, g.tasks = &tp;
	img.n_groups = 1, img.groups = &gp, img.n_mms = 1, img.mms = &mp;
	img.n_fd_tables = 1, img.fd_tables = &ftp, img.n_fs_contexts = 1, img.fs_contexts = &fsp;
	img.n_fs_entries = g_nfs, img.fs_entries = g_fs;
	*len = cvisor__ckpt__image__get_packed_size(&img);
	out = malloc(*len);
	cvisor__ckpt__image__pack(&img, out);
	return out;
}

static void test_state_checks(void **state)
{
	struct img_error err = { { 0 } };
	ImgState *s = NULL;
	uint8_t *buf;
	size_t len;

	(void)state;
	buf = pack_min(&len, 0, 1);
	assert_int_equal(img_state_parse(buf, len, 4096, &s, &err), 0);
	img_state_free(s);
	/* the run is outside a pages.img of 0 bytes: truncated image */
	assert_int_equal(img_state_parse(buf, len, 0, &s, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "outside pages.img"));
	free(buf);
	/* the main thread's tid must be the process id */
	buf = pack_min(&len, 0, 7);
	assert_int_equal(img_state_parse(buf, len, 4096, &s, &err), -EBADMSG);
	free(buf);
	assert_int_equal(img_state_parse("\xff\xff\xff", 3, 4096, &s, &err), -EBADMSG);
}

/* One FsEntry: accepted (0) or refused (-EBADMSG)? */
static int fs_entry_verdict(const char *path, int kind, uint32_t mode, size_t data_len,
			    const char *target)
{
	Cvisor__Ckpt__FsEntry e = CVISOR__CKPT__FS_ENTRY__INIT, *ep = &e;
	struct img_error err = { { 0 } };
	static uint8_t data[4096];
	ImgState *s = NULL;
	uint8_t *buf;
	size_t len;
	int r;

	e.path = (char *)path;
	e.kind = kind;
	e.mode = mode;
	e.data.data = data;
	e.data.len = data_len;
	e.target = (char *)target;
	g_fs = &ep;
	g_nfs = 1;
	buf = pack_min(&len, 0, 1);
	g_fs = NULL;
	g_nfs = 0;
	r = img_state_parse(buf, len, 4096, &s, &err);
	if (r == 0)
		img_state_free(s);
	free(buf);
	return r;
}

static void test_fs_entries(void **state)
{
	enum { DIR_ = 1, REG = 2, LNK = 3, WH = 4, OPQ = 5 };

	(void)state;
	assert_int_equal(fs_entry_verdict("/work/f", REG, 0644, 10, ""), 0);
	assert_int_equal(fs_entry_verdict("/work", OPQ, 0755, 0, ""), 0);
	assert_int_equal(fs_entry_verdict("/data.txt", WH, 0, 0, ""), 0);
	assert_int_equal(fs_entry_verdict("/tmp/l", LNK, 0777, 0, "../x"), 0);
	assert_int_equal(fs_entry_verdict("/tmp/d", DIR_, 01777, 0, ""), 0);
	/* hostile paths */
	assert_int_equal(fs_entry_verdict("/work/../etc/passwd", REG, 0644, 1, ""), -EBADMSG);
	assert_int_equal(fs_entry_verdict("/..", DIR_, 0755, 0, ""), -EBADMSG);
	assert_int_equal(fs_entry_verdict("/a/./b", REG, 0644, 0, ""), -EBADMSG);
	assert_int_equal(fs_entry_verdict("/a//b", REG, 0644, 0, ""), -EBADMSG);
	assert_int_equal(fs_entry_verdict("/a/", REG, 0644, 0, ""), -EBADMSG);
	assert_int_equal(fs_entry_verdict("relative", REG, 0644, 0, ""), -EBADMSG);
	assert_int_equal(fs_entry_verdict("/", DIR_, 0755, 0, ""), -EBADMSG);
	/* kinds, modes, data and targets where they do not belong */
	assert_int_equal(fs_entry_verdict("/x", 0, 0644, 0, ""), -EBADMSG);
	assert_int_equal(fs_entry_verdict("/x", 6, 0644, 0, ""), -EBADMSG);
	assert_int_equal(fs_entry_verdict("/x", REG, S_IFREG | 0644, 0, ""), -EBADMSG);
	assert_int_equal(fs_entry_verdict("/x", DIR_, 0755, 1, ""), -EBADMSG);
	assert_int_equal(fs_entry_verdict("/x", LNK, 0777, 0, ""), -EBADMSG);
	assert_int_equal(fs_entry_verdict("/x", REG, 0644, 0, "t"), -EBADMSG);
}

/* One object of @size with a run (@npages at @addr, page @index of a
 * one-page pages.img) mapped by the 2-page VMA (@kind, @id, @off). */
static int shm_verdict(uint64_t size, uint64_t addr, uint64_t npages, uint64_t index,
		       uint32_t kind, uint32_t id, uint64_t off)
{
	Cvisor__Ckpt__ShmObject o = CVISOR__CKPT__SHM_OBJECT__INIT, *op = &o;
	Cvisor__Ckpt__PageRun r = CVISOR__CKPT__PAGE_RUN__INIT, *rp = &r;
	struct img_error err = { { 0 } };
	ImgState *s = NULL;
	uint8_t *buf;
	size_t len;
	int ret;

	o.id = 1, o.size = size;
	r.addr = addr, r.npages = npages, r.page_index = index;
	o.n_runs = npages ? 1 : 0, o.runs = &rp;
	g_shm = &op, g_nshm = 1;
	g_vma_shm_id = id, g_vma_kind = kind, g_vma_off = off;
	buf = pack_min(&len, 0, 1);
	g_shm = NULL, g_nshm = 0, g_vma_shm_id = g_vma_kind = 0, g_vma_off = 0;
	ret = img_state_parse(buf, len, 4096, &s, &err);
	if (ret == 0)
		img_state_free(s);
	free(buf);
	return ret;
}

static void test_shm_objects(void **state)
{
	(void)state;
	assert_int_equal(shm_verdict(8192, 4096, 1, 0, 1, 1, 0), 0);
	assert_int_equal(shm_verdict(16384, 0, 0, 0, 1, 1, 8192), 0);
	/* the VMA: past the object's end, a missing object, not shared, a file */
	assert_int_equal(shm_verdict(8192, 0, 0, 0, 1, 1, 4096), -EBADMSG);
	assert_int_equal(shm_verdict(4096, 0, 0, 0, 1, 1, 0), -EBADMSG);
	assert_int_equal(shm_verdict(8192, 0, 0, 0, 1, 2, 0), -EBADMSG);
	assert_int_equal(shm_verdict(8192, 0, 0, 0, 0, 1, 0), -EBADMSG);
	assert_int_equal(shm_verdict(8192, 0, 0, 0, 3, 1, 0), -EBADMSG);
	assert_int_equal(shm_verdict(8192, 0, 0, 0, 1, 1, 100), -EBADMSG);
	/* a shared VMA without an object must be a read-only file map */
	assert_int_equal(shm_verdict(8192, 0, 0, 0, 1, 0, 0), -EBADMSG);
	/* the object: size, runs outside it or outside pages.img */
	assert_int_equal(shm_verdict(0, 0, 0, 0, 1, 1, 0), -EBADMSG);
	assert_int_equal(shm_verdict(8193, 0, 0, 0, 1, 1, 0), -EBADMSG);
	assert_int_equal(shm_verdict(8192, 8192, 1, 0, 1, 1, 0), -EBADMSG);
	assert_int_equal(shm_verdict(8192, 4096, 2, 0, 1, 1, 0), -EBADMSG);
	assert_int_equal(shm_verdict(8192, 0, 1, 1, 1, 1, 0), -EBADMSG);
	assert_int_equal(shm_verdict(8192, 100, 1, 0, 1, 1, 0), -EBADMSG);
}

/* Two SysV segments (ids @id0/@id1, keys @key0/@key1, size @size, mode
 * @mode) on objects 1 and 2 of 8192 bytes (fixed_size: @fixed). */
static int sysv_verdict(int fixed, int32_t id0, int32_t id1, int32_t key0, int32_t key1,
			uint64_t size, uint32_t mode, uint32_t obj1)
{
	Cvisor__Ckpt__ShmObject o[2] = { CVISOR__CKPT__SHM_OBJECT__INIT,
					 CVISOR__CKPT__SHM_OBJECT__INIT },
				*op[2] = { &o[0], &o[1] };
	Cvisor__Ckpt__SysvShm g[2] = { CVISOR__CKPT__SYSV_SHM__INIT, CVISOR__CKPT__SYSV_SHM__INIT },
			      *gp[2] = { &g[0], &g[1] };
	struct img_error err = { { 0 } };
	ImgState *s = NULL;
	uint8_t *buf;
	size_t len;
	int ret;

	for (int i = 0; i < 2; i++) {
		o[i].id = (uint32_t)i + 1, o[i].size = 8192, o[i].fixed_size = fixed;
		g[i].size = size, g[i].mode = mode, g[i].shm_id = (uint32_t)i + 1;
	}
	g[0].id = id0, g[1].id = id1, g[0].key = key0, g[1].key = key1, g[1].shm_id = obj1;
	g_shm = op, g_nshm = 2, g_sysv = gp, g_nsysv = 2;
	buf = pack_min(&len, 0, 1);
	g_shm = NULL, g_nshm = 0, g_sysv = NULL, g_nsysv = 0;
	ret = img_state_parse(buf, len, 4096, &s, &err);
	if (ret == 0)
		img_state_free(s);
	free(buf);
	return ret;
}

static void test_sysv_shm(void **state)
{
	(void)state;
	assert_int_equal(sysv_verdict(1, 32768, 65537, 7, 0, 5000, 0640, 2), 0);
	assert_int_equal(sysv_verdict(1, 32768, 65537, 0, 0, 8192, 01600, 2), 0);
	/* not a fixed-size object, one slot or key or object twice, slots and
	 * sizes out of range, unknown mode bits */
	assert_int_equal(sysv_verdict(0, 32768, 65537, 7, 0, 5000, 0640, 2), -EBADMSG);
	assert_int_equal(sysv_verdict(1, 32768, 65536, 7, 0, 5000, 0640, 2), -EBADMSG);
	assert_int_equal(sysv_verdict(1, 32768, 65537, 7, 7, 5000, 0640, 2), -EBADMSG);
	assert_int_equal(sysv_verdict(1, 32768, 65537, 7, 0, 5000, 0640, 1), -EBADMSG);
	assert_int_equal(sysv_verdict(1, 256, 65537, 7, 0, 5000, 0640, 2), -EBADMSG);
	assert_int_equal(sysv_verdict(1, -1, 65537, 7, 0, 5000, 0640, 2), -EBADMSG);
	assert_int_equal(sysv_verdict(1, 32768, 65537, 7, 0, 8193, 0640, 2), -EBADMSG);
	assert_int_equal(sysv_verdict(1, 32768, 65537, 7, 0, 4096, 0640, 2), -EBADMSG);
	assert_int_equal(sysv_verdict(1, 32768, 65537, 7, 0, 0, 0640, 2), -EBADMSG);
	assert_int_equal(sysv_verdict(1, 32768, 65537, 7, 0, 5000, 04640, 2), -EBADMSG);
}

static void test_directory(void **state)
{
	char dir[] = "/tmp/test-image-XXXXXX", path[64];
	struct img_error err = { { 0 } };
	struct img *im = NULL;
	uint8_t page[4096], *buf;
	size_t len;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pages.img", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	memset(page, 0x42, sizeof(page));
	assert_int_equal(write(fd, page, sizeof(page)), sizeof(page));
	close(fd);
	buf = pack_min(&len, 0, 1);
	assert_int_equal(img_write(dir, buf, len, 0, &err), 0);
	assert_int_equal(img_open(dir, IMG_VERIFY_PAGES, &im, &err), 0);
	assert_int_equal(im->state_len, len);
	assert_int_equal(im->state->groups[0]->tgid, 1);
	img_close(im);
	/* a changed page: only a verifying open notices */
	fd = open(path, O_WRONLY);
	assert_int_equal(pwrite(fd, "x", 1, 100), 1);
	close(fd);
	assert_int_equal(img_open(dir, IMG_VERIFY_PAGES, &im, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "pages.img: checksum"));
	assert_int_equal(img_open(dir, 0, &im, &err), 0);
	img_close(im);
	free(buf);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_roundtrip),
		cmocka_unit_test(test_manifest_refusals),
		cmocka_unit_test(test_state_checks),
		cmocka_unit_test(test_fs_entries),
		cmocka_unit_test(test_shm_objects),
		cmocka_unit_test(test_sysv_shm),
		cmocka_unit_test(test_directory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
