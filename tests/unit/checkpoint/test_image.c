/* SPDX-License-Identifier: Apache-2.0 */
/* The checkpoint image format (checkpoint/image.c): manifest round trip,
 * refusals (version, architecture, CPU features, checksum, truncation),
 * state invariants, and a whole directory written and read back. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "checkpoint/image.h"

static struct img_manifest sample(void)
{
	struct img_manifest m = { .version = IMG_FORMAT_VERSION, .xfeatures = 3, .created = 1,
				  .state_size = 10, .state_hash = 0x1234, .pages_size = 8192,
				  .pages_hash = 0xabcdef, .pages_raw = 8192, .has_files = true,
				  .files_size = 5, .files_hash = 0x55, .files_raw = 5 };

	snprintf(m.arch, sizeof(m.arch), "%s", IMG_ARCH);
	return m;
}

static void assert_same(const struct img_manifest *a, const struct img_manifest *b)
{
	assert_int_equal(a->version, b->version);
	assert_string_equal(a->arch, b->arch);
	assert_int_equal(a->xfeatures, b->xfeatures);
	assert_int_equal(a->created, b->created);
	assert_int_equal(a->state_size, b->state_size);
	assert_int_equal(a->state_hash, b->state_hash);
	assert_int_equal(a->pages_size, b->pages_size);
	assert_int_equal(a->pages_hash, b->pages_hash);
	assert_int_equal(a->pages_raw, b->pages_raw);
	assert_int_equal(a->pages_compress, b->pages_compress);
	assert_int_equal(a->has_files, b->has_files);
	assert_int_equal(a->files_size, b->files_size);
	assert_int_equal(a->files_hash, b->files_hash);
	assert_int_equal(a->files_raw, b->files_raw);
	assert_int_equal(a->files_compress, b->files_compress);
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
	assert_same(&m, &got);
	/* compressed parts: "zstd RAW" on their line */
	free(text);
	m.pages_compress = m.files_compress = IMG_COMPRESS_ZSTD;
	m.pages_size = 1000, m.files_size = 3;
	assert_int_equal(img_manifest_format(&m, &text, &len), 0);
	assert_non_null(strstr(text, "part pages.img 1000 xxh3:0000000000abcdef zstd 8192\n"));
	assert_int_equal(img_manifest_parse(text, len, &got, &err), 0);
	assert_same(&m, &got);
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
	m.version = 3;
	assert_int_equal(img_manifest_format(&m, &text, &len), 0);
	assert_int_equal(parse_text(text, &err), -EPROTONOSUPPORT);
	assert_non_null(strstr(err.msg, "version 3"));
	free(text);
	/* version 2 needs files.img; version 1 has none and no compression */
	m = sample();
	m.has_files = false;
	assert_int_equal(img_manifest_format(&m, &text, &len), 0);
	assert_int_equal(parse_text(text, &err), -EBADMSG);
	free(text);
	m.version = 1;
	assert_int_equal(img_manifest_format(&m, &text, &len), 0);
	assert_int_equal(parse_text(text, &err), 0);
	free(text);
	m.pages_compress = IMG_COMPRESS_ZSTD;
	assert_int_equal(img_manifest_format(&m, &text, &len), 0);
	assert_int_equal(parse_text(text, &err), -EBADMSG);
	free(text);
	/* uncompressed size: page aligned, bounded */
	m = sample();
	m.pages_compress = IMG_COMPRESS_ZSTD;
	m.pages_raw = 4097;
	assert_int_equal(img_manifest_format(&m, &text, &len), 0);
	assert_int_equal(parse_text(text, &err), -EBADMSG);
	free(text);
	m.pages_raw = IMG_RAW_MAX + 4096;
	assert_int_equal(img_manifest_format(&m, &text, &len), 0);
	assert_int_equal(parse_text(text, &err), -EBADMSG);
	free(text);
	m = sample();
	m.files_raw = m.files_size = IMG_FILES_MAX + 1;
	assert_int_equal(img_manifest_format(&m, &text, &len), 0);
	assert_int_equal(parse_text(text, &err), -EFBIG);
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
static Cvisor__Ckpt__File **g_files; /* test_event_files */
static size_t g_nfiles;
static Cvisor__Ckpt__Pipe **g_pipes;
static size_t g_npipes;

/* Anonymous shared memory for pack_min (image_shm.c): objects, and the
 * VMA's shm_id/kind/off (a VMA with shm_id set has no page run). */
static Cvisor__Ckpt__ShmObject **g_shm;
static size_t g_nshm;
static uint32_t g_vma_shm_id, g_vma_kind;
static Cvisor__Ckpt__SysvShm **g_sysv;
static size_t g_nsysv;
static uint64_t g_vma_off;
static Cvisor__Ckpt__PosixTimer **g_timers; /* POSIX timers of the process */
static size_t g_ntimers;
static Cvisor__Ckpt__SysvMsq **g_msq; /* System V message queues */
static size_t g_nmsq;
static Cvisor__Ckpt__SysvSem **g_sem; /* System V semaphore sets, undo records */
static size_t g_nsem;
static Cvisor__Ckpt__SemUndo **g_undo;
static size_t g_nundo;

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
	img.n_sysv_msq = g_nmsq, img.sysv_msq = g_msq;
	img.n_sysv_sem = g_nsem, img.sysv_sem = g_sem, img.n_sem_undo = g_nundo, img.sem_undo = g_undo;
	ft.id = 2;
	fs.id = 3, fs.cwd = (char *)"/", fs.root = (char *)"/";
	t.tid = tid, t.creds = &c, t.regs.data = regs, t.regs.len = sizeof(regs);
	t.fd_table_id = 2, t.fs_id = 3;
	g.tgid = 1, g.pgid = 1, g.sid = 1, g.mm_id = 1, g.comm = (char *)"x", g.exe = (char *)"/x";
	g.n_rlimits = 16, g.rlimits = rls, g.n_actions = 64, g.actions = sas;
	g.n_tasks = 1, g.tasks = &tp;
	g.n_posix_timers = g_ntimers, g.posix_timers = g_timers;
	img.n_groups = 1, img.groups = &gp, img.n_mms = 1, img.mms = &mp;
	img.n_fd_tables = 1, img.fd_tables = &ftp, img.n_fs_contexts = 1, img.fs_contexts = &fsp;
	img.n_fs_entries = g_nfs, img.fs_entries = g_fs;
	img.n_files = g_nfiles, img.files = g_files, img.n_pipes = g_npipes, img.pipes = g_pipes;
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

/* An image with the files @f (ids 10, 11, ...) and one pipe (id 20, 8
 * bytes in packets of @pk): accepted (0) or refused (-EBADMSG)? */
static int files_verdict(Cvisor__Ckpt__File **f, size_t n, const uint32_t *pk, size_t npk)
{
	Cvisor__Ckpt__Pipe p = CVISOR__CKPT__PIPE__INIT, *pp = &p;
	struct img_error err = { { 0 } };
	ImgState *s = NULL;
	uint8_t *buf;
	size_t len;
	int r;

	p.id = 20;
	p.capacity = 65536;
	p.data.data = (uint8_t *)"12345678";
	p.data.len = 8;
	p.packets = (uint32_t *)pk;
	p.n_packets = npk;
	for (size_t i = 0; i < n; i++)
		f[i]->id = 10 + (uint32_t)i;
	g_files = f, g_nfiles = n, g_pipes = &pp, g_npipes = 1;
	buf = pack_min(&len, 0, 1);
	g_files = NULL, g_nfiles = 0, g_pipes = NULL, g_npipes = 0;
	r = img_state_parse(buf, len, 4096, &s, &err);
	if (r == 0)
		img_state_free(s);
	free(buf);
	return r;
}

/* An entry whose data is in files.img at [@off, @off + @len): 0 or the
 * first refusal, by img_state_parse then img_state_check_files against a
 * files.img of @files_size bytes; @inline_len bytes of inline data too. */
static int fs_data_verdict(int kind, uint64_t off, uint64_t len, size_t inline_len,
			   uint64_t files_size)
{
	Cvisor__Ckpt__FsEntry e = CVISOR__CKPT__FS_ENTRY__INIT, *ep = &e;
	struct img_error err = { { 0 } };
	uint8_t data[4] = { 0 };
	ImgState *s = NULL;
	uint8_t *buf;
	size_t blen;
	int r;

	e.path = (char *)"/tmp/f";
	e.kind = kind;
	e.mode = 0644;
	e.target = (char *)(kind == 3 ? "t" : "");
	e.data_offset = off;
	e.data_len = len;
	e.data.data = data;
	e.data.len = inline_len;
	g_fs = &ep, g_nfs = 1;
	buf = pack_min(&blen, 0, 1);
	g_fs = NULL, g_nfs = 0;
	r = img_state_parse(buf, blen, 4096, &s, &err);
	if (r == 0)
		r = img_state_check_files(s, files_size, &err);
	img_state_free(s);
	free(buf);
	return r;
}

static void test_event_files(void **state)
{
	Cvisor__Ckpt__File ep = CVISOR__CKPT__FILE__INIT, tf = CVISOR__CKPT__FILE__INIT;
	Cvisor__Ckpt__File ff = CVISOR__CKPT__FILE__INIT, sf = CVISOR__CKPT__FILE__INIT;
	Cvisor__Ckpt__File *all[] = { &ep, &tf, &ff, &sf };
	Cvisor__Ckpt__EpollItem it = CVISOR__CKPT__EPOLL_ITEM__INIT, *itp = &it;
	Cvisor__Ckpt__Timerfd t = CVISOR__CKPT__TIMERFD__INIT;
	const uint32_t ok_pk[] = { 3, 5 }, bad_sum[] = { 3, 4 }, zero[] = { 8, 0 };

	(void)state;
	ep.kind = CVISOR__CKPT__FILE__KIND__EPOLL;
	ep.n_epoll_items = 1, ep.epoll_items = &itp;
	it.fd = 4, it.file_id = 11, it.events = 1;
	tf.kind = CVISOR__CKPT__FILE__KIND__TIMERFD;
	t.clock = 1, t.next_ns = 5, t.ticks = 2;
	tf.timerfd = &t;
	ff.kind = CVISOR__CKPT__FILE__KIND__FIFO;
	ff.path = (char *)"/tmp/fifo", ff.pipe_id = 20;
	sf.kind = CVISOR__CKPT__FILE__KIND__SIGNALFD;
	sf.signal_mask = ~0ULL;
	assert_int_equal(files_verdict(all, 4, ok_pk, 2), 0);
	assert_int_equal(files_verdict(all, 4, NULL, 0), 0);
	/* packets: not summing to the data, empty ones */
	assert_int_equal(files_verdict(all, 4, bad_sum, 2), -EBADMSG);
	assert_int_equal(files_verdict(all, 4, zero, 2), -EBADMSG);
	/* an epoll item on no file, on the epoll itself, with a bad fd */
	it.file_id = 99;
	assert_int_equal(files_verdict(all, 4, NULL, 0), -EBADMSG);
	it.file_id = 10;
	assert_int_equal(files_verdict(all, 4, NULL, 0), -EBADMSG);
	it.file_id = 11, it.fd = -1;
	assert_int_equal(files_verdict(all, 4, NULL, 0), -EBADMSG);
	it.fd = 4;
	/* a timerfd on another clock, without its state */
	t.clock = 2;
	assert_int_equal(files_verdict(all, 4, NULL, 0), -EBADMSG);
	t.clock = 1, tf.timerfd = NULL;
	assert_int_equal(files_verdict(all, 4, NULL, 0), -EBADMSG);
	tf.timerfd = &t;
	/* a FIFO with a relative path, or on no pipe */
	ff.path = (char *)"tmp/fifo";
	assert_int_equal(files_verdict(all, 4, NULL, 0), -EBADMSG);
	ff.path = (char *)"/tmp/fifo", ff.pipe_id = 21;
	assert_int_equal(files_verdict(all, 4, NULL, 0), -EBADMSG);
	ff.pipe_id = 20;
	assert_int_equal(files_verdict(all, 4, NULL, 0), 0);
	/* inotify: watches need a descriptor and an absolute path */
	{
		Cvisor__Ckpt__File in = CVISOR__CKPT__FILE__INIT, *one[] = { &in };
		Cvisor__Ckpt__InotifyWatch w = CVISOR__CKPT__INOTIFY_WATCH__INIT, *wp = &w;

		in.kind = CVISOR__CKPT__FILE__KIND__INOTIFY;
		in.inotify_next_wd = 2, in.n_inotify_watches = 1, in.inotify_watches = &wp;
		w.wd = 1, w.mask = 0x100, w.path = (char *)"/tmp";
		assert_int_equal(files_verdict(one, 1, NULL, 0), 0);
		w.wd = 0;
		assert_int_equal(files_verdict(one, 1, NULL, 0), -EBADMSG);
		w.wd = 1, w.path = (char *)"tmp";
		assert_int_equal(files_verdict(one, 1, NULL, 0), -EBADMSG);
		w.path = (char *)"/tmp", in.inotify_next_wd = 0;
		assert_int_equal(files_verdict(one, 1, NULL, 0), -EBADMSG);
	}
	/* the FIFO node kind of the in-memory files */
	assert_int_equal(fs_entry_verdict("/tmp/fifo", 12, 0640, 0, ""), 0);
	assert_int_equal(fs_entry_verdict("/tmp/fifo", 12, 0640, 1, ""), -EBADMSG);
}

static void test_files_img(void **state)
{
	(void)state;
	assert_int_equal(fs_data_verdict(2, 0, 100, 0, 100), 0);
	assert_int_equal(fs_data_verdict(2, 50, 50, 0, 100), 0);
	assert_int_equal(fs_data_verdict(2, 0, 0, 0, 0), 0);
	/* outside files.img (truncated), overflowing, too large */
	assert_int_equal(fs_data_verdict(2, 1, 100, 0, 100), -EBADMSG);
	assert_int_equal(fs_data_verdict(2, UINT64_MAX - 10, 20, 0, 100), -EBADMSG);
	assert_int_equal(fs_data_verdict(2, 0, IMG_FILES_MAX + 1, 0, UINT64_MAX), -EBADMSG);
	/* both inline and in files.img; data on a directory or symlink */
	assert_int_equal(fs_data_verdict(2, 0, 4, 4, 100), -EBADMSG);
	assert_int_equal(fs_data_verdict(1, 0, 4, 0, 100), -EBADMSG);
	assert_int_equal(fs_data_verdict(3, 0, 4, 0, 100), -EBADMSG);
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

/* Two POSIX timers of the one-thread process (tid 1): accepted or not? */
static int timer_verdict(int32_t id0, int32_t id1, int32_t clock, int32_t notify, int32_t signo,
			 int32_t tid, int32_t overrun)
{
	Cvisor__Ckpt__PosixTimer t[2] = { CVISOR__CKPT__POSIX_TIMER__INIT,
					  CVISOR__CKPT__POSIX_TIMER__INIT },
				 *tp[2] = { &t[0], &t[1] };
	struct img_error err = { { 0 } };
	ImgState *s = NULL;
	uint8_t *buf;
	size_t len;
	int ret;

	t[0].id = id0, t[0].clock = 1, t[0].notify = 0, t[0].signo = 14;
	t[0].next_ns = 123456789, t[0].interval_ns = 1000;
	t[1].id = id1, t[1].clock = clock, t[1].notify = notify, t[1].signo = signo;
	t[1].tid = tid, t[1].overrun = overrun;
	g_timers = tp, g_ntimers = 2;
	buf = pack_min(&len, 0, 1);
	g_timers = NULL, g_ntimers = 0;
	ret = img_state_parse(buf, len, 4096, &s, &err);
	if (ret == 0)
		img_state_free(s);
	free(buf);
	return ret;
}

static void test_posix_timers(void **state)
{
	(void)state;
	assert_int_equal(timer_verdict(0, 255, 0, 4, 34, 1, 3), 0);   /* REALTIME, THREAD_ID */
	assert_int_equal(timer_verdict(0, 1, 7, 1, 0, 0, 0), 0);      /* BOOTTIME, SIGEV_NONE */
	assert_int_equal(timer_verdict(0, 1, 1, 0, 64, 0, 0), 0);
	assert_int_equal(timer_verdict(0, 1, 1, 4, 14, 0, 0), 0); /* its thread exited */
	/* ids out of range or twice, CPU-time and unknown clocks, SIGEV_THREAD
	 * (a glibc notion) and unknown notifications, signals out of range,
	 * a target thread of no process of the image, negative overruns */
	assert_int_equal(timer_verdict(0, 256, 1, 0, 14, 0, 0), -EBADMSG);
	assert_int_equal(timer_verdict(0, -1, 1, 0, 14, 0, 0), -EBADMSG);
	assert_int_equal(timer_verdict(3, 3, 1, 0, 14, 0, 0), -EBADMSG);
	assert_int_equal(timer_verdict(0, 1, 2, 0, 14, 0, 0), -EBADMSG);
	assert_int_equal(timer_verdict(0, 1, 3, 0, 14, 0, 0), -EBADMSG);
	assert_int_equal(timer_verdict(0, 1, -5, 0, 14, 0, 0), -EBADMSG);
	assert_int_equal(timer_verdict(0, 1, 1, 2, 14, 0, 0), -EBADMSG);
	assert_int_equal(timer_verdict(0, 1, 1, 99, 14, 0, 0), -EBADMSG);
	assert_int_equal(timer_verdict(0, 1, 1, 0, 0, 0, 0), -EBADMSG);
	assert_int_equal(timer_verdict(0, 1, 1, 0, 65, 0, 0), -EBADMSG);
	assert_int_equal(timer_verdict(0, 1, 1, 4, 14, 2, 0), -EBADMSG);
	assert_int_equal(timer_verdict(0, 1, 1, 4, 14, -1, 0), -EBADMSG);
	assert_int_equal(timer_verdict(0, 1, 1, 0, 14, 0, -1), -EBADMSG);
}

/* Two message queues, the second with one message: accepted or not? */
static int msq_verdict(int32_t id0, int32_t id1, int32_t key0, int32_t key1, uint32_t mode,
		       uint64_t qbytes, int64_t type, size_t len)
{
	static uint8_t data[9000];
	Cvisor__Ckpt__SysvMsg m = CVISOR__CKPT__SYSV_MSG__INIT, *mp = &m;
	Cvisor__Ckpt__SysvMsq q[2] = { CVISOR__CKPT__SYSV_MSQ__INIT, CVISOR__CKPT__SYSV_MSQ__INIT },
			      *qp[2] = { &q[0], &q[1] };
	struct img_error err = { { 0 } };
	ImgState *s = NULL;
	uint8_t *buf;
	size_t blen;
	int ret;

	m.type = type, m.data.data = data, m.data.len = len;
	q[0].id = id0, q[0].key = key0, q[0].mode = 0600, q[0].qbytes = 16384;
	q[1].id = id1, q[1].key = key1, q[1].mode = mode, q[1].qbytes = qbytes;
	q[1].n_messages = 1, q[1].messages = &mp;
	g_msq = qp, g_nmsq = 2;
	buf = pack_min(&blen, 0, 1);
	g_msq = NULL, g_nmsq = 0;
	ret = img_state_parse(buf, blen, 4096, &s, &err);
	if (ret == 0)
		img_state_free(s);
	free(buf);
	return ret;
}

static void test_sysv_msq(void **state)
{
	(void)state;
	assert_int_equal(msq_verdict(0, 32769, 7, 0, 0640, 16384, 1, 100), 0);
	assert_int_equal(msq_verdict(0, 255, 0, 0, 0, 0, 5, 8192), 0);
	/* slots out of range or twice, keys twice, mode bits, queue sizes,
	 * message types and sizes */
	assert_int_equal(msq_verdict(0, 256, 7, 0, 0640, 16384, 1, 100), -EBADMSG);
	assert_int_equal(msq_verdict(0, -1, 7, 0, 0640, 16384, 1, 100), -EBADMSG);
	assert_int_equal(msq_verdict(0, 32768, 7, 0, 0640, 16384, 1, 100), -EBADMSG);
	assert_int_equal(msq_verdict(0, 1, 7, 7, 0640, 16384, 1, 100), -EBADMSG);
	assert_int_equal(msq_verdict(0, 1, 7, 0, 01640, 16384, 1, 100), -EBADMSG);
	assert_int_equal(msq_verdict(0, 1, 7, 0, 0640, (16u << 20) + 1, 1, 100), -EBADMSG);
	assert_int_equal(msq_verdict(0, 1, 7, 0, 0640, 16384, 0, 100), -EBADMSG);
	assert_int_equal(msq_verdict(0, 1, 7, 0, 0640, 16384, -4, 100), -EBADMSG);
	assert_int_equal(msq_verdict(0, 1, 7, 0, 0640, 16384, 1, 8193), -EBADMSG);
}

/* A set of two semaphores (values v0, v1) and an undo record of process
 * @tgid on set @semid with @nadj entries: accepted or not? */
static int sem_verdict(int32_t id, uint32_t mode, size_t nvals, int32_t v1, int32_t tgid,
		       int32_t semid, size_t nadj, int32_t adj0)
{
	int32_t vals[2] = { 3, v1 }, pids[2] = { 1, 1 }, adj[3] = { adj0, 0, 0 };
	Cvisor__Ckpt__SysvSem q = CVISOR__CKPT__SYSV_SEM__INIT, *qp = &q;
	Cvisor__Ckpt__SemUndo u = CVISOR__CKPT__SEM_UNDO__INIT, *up = &u;
	struct img_error err = { { 0 } };
	ImgState *s = NULL;
	uint8_t *buf;
	size_t blen;
	int ret;

	q.id = id, q.key = 9, q.mode = mode;
	q.n_values = nvals, q.values = vals, q.n_pids = nvals, q.pids = pids;
	u.tgid = tgid, u.semid = semid, u.n_adj = nadj, u.adj = adj;
	g_sem = &qp, g_nsem = 1, g_undo = &up, g_nundo = 1;
	buf = pack_min(&blen, 0, 1);
	g_sem = NULL, g_nsem = 0, g_undo = NULL, g_nundo = 0;
	ret = img_state_parse(buf, blen, 4096, &s, &err);
	if (ret == 0)
		img_state_free(s);
	free(buf);
	return ret;
}

static void test_sysv_sem(void **state)
{
	(void)state;
	assert_int_equal(sem_verdict(32769, 0640, 2, 32767, 1, 32769, 2, -3), 0);
	/* bad slot, mode bits, an empty set, values out of range, an undo
	 * record of no process or of no set, of the wrong size, out of range */
	assert_int_equal(sem_verdict(256, 0640, 2, 0, 1, 256, 2, 0), -EBADMSG);
	assert_int_equal(sem_verdict(1, 02640, 2, 0, 1, 1, 2, 0), -EBADMSG);
	assert_int_equal(sem_verdict(1, 0640, 0, 0, 1, 1, 0, 0), -EBADMSG);
	assert_int_equal(sem_verdict(1, 0640, 2, 32768, 1, 1, 2, 0), -EBADMSG);
	assert_int_equal(sem_verdict(1, 0640, 2, -1, 1, 1, 2, 0), -EBADMSG);
	assert_int_equal(sem_verdict(1, 0640, 2, 0, 2, 1, 2, 0), -EBADMSG);
	assert_int_equal(sem_verdict(1, 0640, 2, 0, 1, 2, 2, 0), -EBADMSG);
	assert_int_equal(sem_verdict(1, 0640, 2, 0, 1, 1, 3, 0), -EBADMSG);
	assert_int_equal(sem_verdict(1, 0640, 2, 0, 1, 1, 2, 40000), -EBADMSG);
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

/* A compressed image: pages.img and files.img stored with zstd read back
 * as memfds holding the original bytes; damage is refused. */
static void test_compressed(void **state)
{
	char dir[] = "/tmp/test-image-XXXXXX", cmd[96];
	struct img_error err = { { 0 } };
	struct img_part pages, files;
	struct img *im = NULL;
	uint8_t *raw = malloc(64 * 4096), *buf, back[4096];
	size_t len;
	int dfd, src, fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	for (size_t i = 0; i < 64 * 4096; i++)
		raw[i] = (uint8_t)(i % 251 < 200 ? 0x42 : i * 7);
	src = memfd_create("raw", 0);
	assert_int_equal(write(src, raw, 64 * 4096), 64 * 4096);
	assert_int_equal(img_part_compress(dfd, IMG_PAGES, src, 64 * 4096, 1, &pages, &err), 0);
	assert_true(pages.size < 64 * 4096 / 2);
	assert_int_equal(pages.raw, 64 * 4096);
	assert_int_equal(img_part_compress(dfd, IMG_FILES, src, 0, 1, &files, &err), 0);
	assert_int_equal(files.raw, 0);
	buf = pack_min(&len, 63, 1);
	assert_int_equal(img_write_parts(dir, buf, len, 0, &pages, &files, &err), 0);
	assert_int_equal(img_open(dir, 0, &im, &err), 0);
	assert_true(im->m.pages_compress == IMG_COMPRESS_ZSTD);
	for (size_t p = 0; p < 64; p += 9) {
		assert_int_equal(pread(im->pages_fd, back, 4096, (off_t)(p * 4096)), 4096);
		assert_memory_equal(back, raw + p * 4096, 4096);
	}
	/* sealed: it cannot grow nor be written */
	assert_true(ftruncate(im->pages_fd, 65 * 4096) < 0);
	assert_true(pwrite(im->pages_fd, "x", 1, 0) < 0);
	img_close(im);
	/* a damaged compressed byte: refused even without IMG_VERIFY_PAGES */
	fd = openat(dfd, IMG_PAGES, O_WRONLY);
	assert_int_equal(pwrite(fd, "xyz", 3, (off_t)pages.size / 2), 3);
	close(fd);
	assert_int_equal(img_open(dir, 0, &im, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "pages.img"));
	close(dfd);
	close(src);
	free(buf);
	free(raw);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
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
		cmocka_unit_test(test_posix_timers),
		cmocka_unit_test(test_sysv_msq),
		cmocka_unit_test(test_sysv_sem),
		cmocka_unit_test(test_event_files),
		cmocka_unit_test(test_files_img),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_compressed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
