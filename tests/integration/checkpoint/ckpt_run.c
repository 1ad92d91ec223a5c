/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The zdtm-style driver (zdtm.h): boots a sandbox on a scratch root file
 * system holding the test program, runs it until "READY", checkpoints it
 * with --leave-running, checks that the original still passes, then
 * restores the image into two new sandboxes at once and checks that both
 * pass.  Modes:
 *   ckpt_run CVISOR PLATFORM PROGRAM [pass|refuse|corrupt|zstd|stale|hostile_fs|hostile_event|hostile_sock]
 * The root file system: /prog, /data.txt ("0123456789" x 1000), /lower.txt
 * ("lower\n"), /work/,
 * /dev, /proc, /tmp.
 *   pass     as above (default)
 *   refuse   the checkpoint must fail with a message; the original passes
 *   corrupt  damaged copies of the image are refused before anything is
 *            created (the new sandbox has no process afterwards)
 *   hostile_event  (z_epoll) epoll items forming a loop or otherwise
 *            refused by EPOLL_CTL_ADD: the restore is refused, no process
 *   zstd     as pass, with the image compressed (SANDBOX_CKPT_COMPRESS);
 *            damaged compressed parts are refused too, even with a
 *            manifest rewritten to match them (only zstd can tell)
 *   hostile_sock  a socket's node replaced by a regular file, then by a
 *            missing path: restore refused, no process, sockets released
 *   stale    a restore into a sandbox that already runs a process is
 *            refused; after a file the program holds open changed (size,
 *            mtime), the restore is refused and leaves no process
 * Exit 0 on success; the reason on stderr otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "checkpoint/image.h"
#include "runtime/sandbox.h"

static const char *cvisor_bin, *program;
static enum plat_kind platform;
static char work[64], rootfs[128];
static int nboot;

#define DIE(...)                                                                             \
	do {                                                                                 \
		fprintf(stderr, "ckpt_run %s: ", program);                                   \
		fprintf(stderr, __VA_ARGS__);                                                \
		fputc('\n', stderr);                                                         \
		exit(1);                                                                     \
	} while (0)

static struct sandbox *boot(void)
{
	struct sandbox_opts o = { 0 };
	struct sandbox *sb;
	char path[160];
	int r;

	snprintf(path, sizeof(path), "%s/sb%d.sock", work, nboot++);
	o.rootfs = rootfs;
	o.control_path = path;
	o.platform = platform;
	o.cvisor_path = cvisor_bin;
	o.die_with_caller = true;
	o.log_fd = -1;
	o.strace = getenv("CKPT_STRACE") != NULL;
	/* CKPT_NETWORK=host: the host's network (sockets held by the Sentry) */
	if (getenv("CKPT_NETWORK") &&
	    sandbox_network_from_string(getenv("CKPT_NETWORK"), &o.network) < 0)
		DIE("CKPT_NETWORK=%s: unknown network", getenv("CKPT_NETWORK"));
	r = sandbox_boot(&o, &sb);
	if (r < 0)
		DIE("boot: %s", strerror(-r));
	return sb;
}

/* Read @fd until @want appears in what was read (into @buf) or EOF/timeout. */
static int read_until(int fd, const char *want, char *buf, size_t cap, int timeout_ms)
{
	size_t len = strlen(buf);
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;
		long el;

		if (want && strstr(buf, want))
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &t);
		el = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= timeout_ms)
			return 0;
		if (poll(&p, 1, (int)(timeout_ms - el)) <= 0)
			continue;
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			return want ? 0 : 1;
		len += (size_t)n;
		buf[len] = 0;
	}
}

static int32_t start(struct sandbox *sb, int *out_fd)
{
	/* CKPT_ROOTFS=DIR CKPT_CODE=... runs PROGRAM -c CODE on DIR instead
	 * (e.g. python3 on the host's /: tests/integration/checkpoint/python.sh) */
	const char *code = getenv("CKPT_CODE");
	/* CKPT_APPLET=sh: PROGRAM sh -c CODE (busybox: pipeline.sh) */
	const char *applet = code ? getenv("CKPT_APPLET") : NULL;
	const char *argv[] = { code ? program : "/prog", applet ? applet : code ? "-c" : NULL,
			       applet ? "-c" : code, applet ? code : NULL, NULL };
	struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 }, .init = true };
	int pfd[2], r;
	int32_t pid;
	char buf[4096] = "";

	if (pipe2(pfd, O_CLOEXEC) < 0)
		DIE("pipe: %m");
	p.stdio[1] = p.stdio[2] = pfd[1];
	p.cwd = "/";
	r = sandbox_spawn(sb, &p, &pid);
	if (r < 0)
		DIE("spawn: %s", strerror(-r));
	close(pfd[1]);
	if (!read_until(pfd[0], "READY\n", buf, sizeof(buf), 30000))
		DIE("no READY from the program; output: '%s'", buf);
	*out_fd = pfd[0];
	return pid;
}

/* SIGUSR2 to @pid, then PASS and exit status 0 expected.  The program's
 * "RAND ..." line, if any, goes to @rand (64 bytes). */
static void verify_out(struct sandbox *sb, int32_t pid, int fd, const char *what, char *rand)
{
	char buf[8192] = "";
	int st = -1, r;

	r = sandbox_kill(sb, pid, SIGUSR2);
	if (r < 0)
		DIE("%s: kill: %s", what, strerror(-r));
	read_until(fd, NULL, buf, sizeof(buf), 60000); /* to EOF */
	close(fd);
	r = sandbox_wait(sb, pid, 60000, &st);
	if (r < 0)
		DIE("%s: wait: %s; output: '%s'", what, strerror(-r), buf);
	if (!strstr(buf, "PASS\n") || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		DIE("%s: no PASS (status 0x%x); output: '%s'", what, st, buf);
	fprintf(stderr, "%s: PASS\n", what);
	if (rand && strstr(buf, "RAND "))
		snprintf(rand, 64, "%.*s", (int)strcspn(strstr(buf, "RAND "), "\n"),
			 strstr(buf, "RAND "));
}

static void verify(struct sandbox *sb, int32_t pid, int fd, const char *what)
{
	verify_out(sb, pid, fd, what, NULL);
}

static struct sandbox *restore(const char *img, int *out_fd, const char *what)
{
	struct sandbox *sb = boot();
	int pfd[2], stdio[3], r;
	char err[512];

	if (pipe2(pfd, O_CLOEXEC) < 0)
		DIE("pipe: %m");
	stdio[0] = -1;
	stdio[1] = stdio[2] = pfd[1];
	r = sandbox_restore(sb, img, stdio, 0, err, sizeof(err));
	close(pfd[1]);
	if (r < 0)
		DIE("%s: restore: %s", what, err);
	*out_fd = pfd[0];
	return sb;
}

/* Rewrite the manifest of image @dir with the sizes and checksums of its
 * parts as they are now (a damaged part that only the decompressor can
 * catch); @grow: pages.img's uncompressed size one page larger. */
static void rehash(const char *dir, int grow)
{
	char path[200], *text = NULL, buf[IMG_MANIFEST_MAX + 1];
	struct img_manifest m;
	struct img_error ie = { { 0 } };
	const char *names[] = { IMG_PAGES, IMG_FILES };
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" IMG_MANIFEST, dir);
	f = fopen(path, "r");
	len = f ? fread(buf, 1, IMG_MANIFEST_MAX, f) : 0;
	if (f)
		fclose(f);
	if (img_manifest_parse(buf, len, &m, &ie) < 0)
		DIE("rehash: %s", ie.msg);
	for (int i = 0; i < 2; i++) {
		struct stat st;
		uint64_t *size = i ? &m.files_size : &m.pages_size;
		uint64_t *hash = i ? &m.files_hash : &m.pages_hash;
		int fd;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		fd = open(path, O_RDONLY);
		if (fd < 0 || fstat(fd, &st) < 0)
			DIE("rehash: %s: %m", path);
		*size = (uint64_t)st.st_size;
		if (img_hash_fd(fd, *size, hash) < 0)
			DIE("rehash: %s", path);
		close(fd);
	}
	if (grow)
		m.pages_raw += 4096;
	if (img_manifest_format(&m, &text, &len) < 0)
		DIE("rehash: format");
	snprintf(path, sizeof(path), "%s/" IMG_MANIFEST, dir);
	f = fopen(path, "w");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0)
		DIE("rehash: %s: %m", path);
	free(text);
}

/* A copy of image @img damaged by @how (then its manifest rewritten to
 * match if @rehash_it, 2: and pages.img's raw size one page off); restore with @flags must fail naming @want (if
 * not NULL), nothing created. */
static void expect_refused_opts(const char *img, const char *how, unsigned flags, int rehash_it,
				const char *want);
static void expect_refused(const char *img, const char *how)
{
	expect_refused_opts(img, how, 0, 0, NULL);
}

static void expect_refused_opts(const char *img, const char *how, unsigned flags, int rehash_it,
				const char *want)
{
	char bad[160], cmd[2048], err[512] = "";
	struct sandbox *sb;
	struct sandbox_stats st;
	int stdio[3] = { -1, -1, -1 }, r;

	snprintf(bad, sizeof(bad), "%s/bad", work);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s' '%s' && cd '%s' && %s", bad, img, bad,
		 bad, how);
	if (system(cmd) != 0)
		DIE("%s failed", cmd);
	if (rehash_it)
		rehash(bad, rehash_it == 2);
	sb = boot();
	r = sandbox_restore(sb, bad, stdio, flags, err, sizeof(err));
	if (r >= 0)
		DIE("a damaged image (%s) was restored", how);
	if (want && !strstr(err, want))
		DIE("a damaged image (%s): '%s', expected '%s'", how, err, want);
	if (sandbox_stats(sb, &st) < 0 || st.nprocs != 0)
		DIE("a refused restore (%s) left processes behind", how);
	fprintf(stderr, "refused (%s): %s\n", how, err);
	sandbox_destroy(sb);
}

/* SANDBOX_RESTORE_VERIFY_ONCE: a copy of @img restores (hashed and
 * remembered), then restores again; once a page of that very file changed
 * in place, the next restore hashes it again and refuses it. */
static void expect_verify_once(const char *img)
{
	char once[160], cmd[512], err[512] = "";
	int stdio[3] = { -1, -1, -1 }, r;
	struct sandbox *sb;

	snprintf(once, sizeof(once), "%s/once", work);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s' '%s'", once, img, once);
	if (system(cmd) != 0)
		DIE("%s failed", cmd);
	for (int i = 0; i < 2; i++) {
		sb = boot();
		r = sandbox_restore(sb, once, stdio, SANDBOX_RESTORE_VERIFY_ONCE, err, sizeof(err));
		if (r < 0)
			DIE("verify-once restore %d: %s", i + 1, err);
		sandbox_destroy(sb);
	}
	snprintf(cmd, sizeof(cmd),
		 "printf 'Z' | dd of='%s/pages.img' bs=1 seek=100 conv=notrunc 2>/dev/null", once);
	if (system(cmd) != 0)
		DIE("%s failed", cmd);
	sb = boot();
	r = sandbox_restore(sb, once, stdio, SANDBOX_RESTORE_VERIFY_ONCE, err, sizeof(err));
	if (r >= 0 || !strstr(err, "pages.img"))
		DIE("a pages.img changed after it was verified was restored (%s)", err);
	fprintf(stderr, "refused (changed after verification): %s\n", err);
	sandbox_destroy(sb);
}

/* A copy of image @img with the in-memory file entries @extra appended
 * (state.pb repacked, manifest rewritten: a well-formed but hostile image);
 * restore must fail naming @want, nothing created. */
static void expect_fs_refused(const char *img, Cvisor__Ckpt__FsEntry **extra, size_t n,
			      const char *want)
{
	char bad[160], cmd[512], err[512] = "";
	struct img_error ie = { { 0 } };
	Cvisor__Ckpt__FsEntry **all;
	struct sandbox_stats st;
	struct img *im = NULL;
	struct sandbox *sb;
	int stdio[3] = { -1, -1, -1 }, r;
	size_t len, old;
	void *buf;

	snprintf(bad, sizeof(bad), "%s/bad", work);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s' '%s'", bad, img, bad);
	if (system(cmd) != 0)
		DIE("%s failed", cmd);
	if (img_open(bad, 0, &im, &ie) < 0)
		DIE("img_open: %s", ie.msg);
	old = im->state->n_fs_entries;
	all = calloc(old + n, sizeof(*all));
	if (!all)
		DIE("calloc");
	memcpy(all, im->state->fs_entries, old * sizeof(*all));
	memcpy(all + old, extra, n * sizeof(*all));
	{
		Cvisor__Ckpt__FsEntry **keep = im->state->fs_entries;

		im->state->fs_entries = all;
		im->state->n_fs_entries = old + n;
		len = cvisor__ckpt__image__get_packed_size(im->state);
		buf = malloc(len);
		if (!buf)
			DIE("malloc");
		cvisor__ckpt__image__pack(im->state, buf);
		im->state->fs_entries = keep;
		im->state->n_fs_entries = old;
	}
	if (img_write(bad, buf, len, im->m.xfeatures, &ie) < 0)
		DIE("img_write: %s", ie.msg);
	free(buf);
	free(all);
	img_close(im);
	sb = boot();
	r = sandbox_restore(sb, bad, stdio, 0, err, sizeof(err));
	if (r >= 0 || !strstr(err, want))
		DIE("a hostile image (%s) gave %d (%s)", want, r, err);
	if (sandbox_stats(sb, &st) < 0 || st.nprocs != 0)
		DIE("a refused restore (%s) left processes behind", want);
	fprintf(stderr, "refused (hostile in-memory files): %s\n", err);
	sandbox_destroy(sb);
}

static void hostile_fs(const char *img)
{
	Cvisor__Ckpt__FsEntry lnk = CVISOR__CKPT__FS_ENTRY__INIT, f = CVISOR__CKPT__FS_ENTRY__INIT,
			      wh = CVISOR__CKPT__FS_ENTRY__INIT, *v[2];

	/* a symlink it made, out to /proc, then a file through it: EXDEV */
	lnk.path = (char *)"/tmp/esc";
	lnk.kind = CVISOR__CKPT__FS_ENTRY__KIND__SYMLINK;
	lnk.mode = 0777;
	lnk.target = (char *)"/proc";
	f.path = (char *)"/tmp/esc/evil";
	f.kind = CVISOR__CKPT__FS_ENTRY__KIND__REGULAR;
	f.mode = 0644;
	v[0] = &lnk, v[1] = &f;
	expect_fs_refused(img, v, 2, "/tmp/esc/evil: cannot recreate it: Invalid cross-device link");
	/* a whiteout over a mount point: EBUSY */
	wh.path = (char *)"/tmp";
	wh.kind = CVISOR__CKPT__FS_ENTRY__KIND__WHITEOUT;
	v[0] = &wh;
	expect_fs_refused(img, v, 1, "/tmp: cannot recreate it: Device or resource busy");
}

/* hostile_event: well-formed images of z_epoll whose epoll items would
 * build what EPOLL_CTL_ADD refuses (a loop of two epolls; an
 * EPOLLEXCLUSIVE item on an epoll): restore refuses, nothing created. */
static void expect_epoll_refused(const char *img, int loop, const char *want)
{
	Cvisor__Ckpt__EpollItem extra = CVISOR__CKPT__EPOLL_ITEM__INIT, **items;
	Cvisor__Ckpt__File *inner = NULL, *outer = NULL;
	char bad[160], cmd[512], err[512] = "";
	struct img_error ie = { { 0 } };
	struct sandbox_stats st;
	struct img *im = NULL;
	struct sandbox *sb;
	int stdio[3] = { -1, -1, -1 }, r;
	size_t len, n;
	void *buf;

	snprintf(bad, sizeof(bad), "%s/bad", work);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s' '%s'", bad, img, bad);
	if (system(cmd) != 0)
		DIE("%s failed", cmd);
	if (img_open(bad, 0, &im, &ie) < 0)
		DIE("img_open: %s", ie.msg);
	/* outer: an epoll with one item on the epoll inner */
	for (size_t i = 0; i < im->state->n_files; i++) {
		Cvisor__Ckpt__File *f = im->state->files[i];

		for (size_t j = 0; f->kind == CVISOR__CKPT__FILE__KIND__EPOLL && j < f->n_epoll_items;
		     j++)
			for (size_t k = 0; k < im->state->n_files; k++)
				if (im->state->files[k]->id == f->epoll_items[j]->file_id &&
				    im->state->files[k]->kind == CVISOR__CKPT__FILE__KIND__EPOLL) {
					outer = f;
					inner = im->state->files[k];
				}
	}
	if (!outer)
		DIE("no nested epoll in the image");
	if (loop) { /* inner watches outer too */
		extra.fd = 100, extra.file_id = outer->id, extra.events = 1;
	} else { /* outer watches inner with EPOLLEXCLUSIVE */
		extra.fd = 101, extra.file_id = inner->id, extra.events = 1 | (1u << 28);
		inner = outer;
	}
	n = inner->n_epoll_items;
	items = calloc(n + 1, sizeof(*items));
	if (!items)
		DIE("calloc");
	memcpy(items, inner->epoll_items, n * sizeof(*items));
	items[n] = &extra;
	{
		Cvisor__Ckpt__EpollItem **keep = inner->epoll_items;

		inner->epoll_items = items;
		inner->n_epoll_items = n + 1;
		len = cvisor__ckpt__image__get_packed_size(im->state);
		buf = malloc(len);
		if (!buf)
			DIE("malloc");
		cvisor__ckpt__image__pack(im->state, buf);
		inner->epoll_items = keep;
		inner->n_epoll_items = n;
	}
	if (img_write(bad, buf, len, im->m.xfeatures, &ie) < 0)
		DIE("img_write: %s", ie.msg);
	free(buf);
	free(items);
	img_close(im);
	sb = boot();
	r = sandbox_restore(sb, bad, stdio, 0, err, sizeof(err));
	if (r >= 0 || !strstr(err, want))
		DIE("a hostile epoll image (%s) gave %d (%s)", want, r, err);
	if (sandbox_stats(sb, &st) < 0 || st.nprocs != 0)
		DIE("a refused restore (%s) left processes behind", want);
	fprintf(stderr, "refused (hostile epoll items): %s\n", err);
	sandbox_destroy(sb);
}

/* A copy of @img whose last socket bound to a node gets @path as its node
 * instead: restore must fail naming @want, with the sockets made before it
 * (files already) taken down and no process. */
static void expect_sock_refused(const char *img, const char *path, const char *want)
{
	char bad[160], cmd[512], err[512] = "";
	struct img_error ie = { { 0 } };
	Cvisor__Ckpt__UnixSocket *u = NULL;
	struct sandbox_stats st;
	struct img *im = NULL;
	struct sandbox *sb;
	int stdio[3] = { -1, -1, -1 }, r;
	char *keep;
	size_t len;
	void *buf;

	snprintf(bad, sizeof(bad), "%s/bad", work);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s' '%s'", bad, img, bad);
	if (system(cmd) != 0)
		DIE("%s failed", cmd);
	if (img_open(bad, 0, &im, &ie) < 0)
		DIE("img_open: %s", ie.msg);
	for (size_t i = 0; i < im->state->n_unix_sockets; i++)
		if (im->state->unix_sockets[i]->bound_path[0])
			u = im->state->unix_sockets[i];
	if (!u || u == im->state->unix_sockets[0])
		DIE("the image has no socket bound to a node after another socket");
	keep = u->bound_path;
	u->bound_path = (char *)path;
	len = cvisor__ckpt__image__get_packed_size(im->state);
	buf = malloc(len);
	if (!buf)
		DIE("malloc");
	cvisor__ckpt__image__pack(im->state, buf);
	u->bound_path = keep;
	if (img_write(bad, buf, len, im->m.xfeatures, &ie) < 0)
		DIE("img_write: %s", ie.msg);
	free(buf);
	img_close(im);
	sb = boot();
	r = sandbox_restore(sb, bad, stdio, 0, err, sizeof(err));
	if (r >= 0 || !strstr(err, want))
		DIE("a hostile image (%s) gave %d (%s)", want, r, err);
	if (sandbox_stats(sb, &st) < 0 || st.nprocs != 0)
		DIE("a refused restore (%s) left processes behind", want);
	fprintf(stderr, "refused (hostile socket node): %s\n", err);
	sandbox_destroy(sb);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 4 ? argv[4] : "pass";
	struct sandbox *a, *b, *c;
	char img[128], err[512], cmd[2048];
	int fa, fb, fc, r;
	int32_t pid;

	if (argc < 4)
		return fprintf(stderr, "usage: ckpt_run CVISOR PLATFORM PROGRAM [mode]\n"), 2;
	cvisor_bin = argv[1];
	program = argv[3];
	if (plat_kind_from_string(argv[2], &platform) < 0)
		return 2;
	snprintf(work, sizeof(work), "/tmp/ckpt-XXXXXX");
	if (!mkdtemp(work))
		DIE("mkdtemp: %m");
	/* the root file system: the template's tree plus the program; /etc
	 * gets the runtime's hosts, hostname and resolv.conf at boot */
	snprintf(rootfs, sizeof(rootfs), "%s/root", work);
	if (getenv("CKPT_ROOTFS")) {
		snprintf(rootfs, sizeof(rootfs), "%s", getenv("CKPT_ROOTFS"));
	} else {
		snprintf(cmd, sizeof(cmd),
			 "mkdir -p '%s'/dev '%s'/proc '%s'/tmp '%s'/work '%s'/etc && cp '%s' '%s/prog' && "
			 "for i in $(seq 1000); do printf 0123456789; done > '%s/data.txt' && "
			 "echo lower > '%s/lower.txt'",
			 rootfs, rootfs, rootfs, rootfs, rootfs, program, rootfs, rootfs, rootfs);
		if (system(cmd) != 0)
			DIE("%s failed", cmd);
	}
	snprintf(img, sizeof(img), "%s/img", work);

	a = boot();
	pid = start(a, &fa);
	r = sandbox_checkpoint(a, img,
			       SANDBOX_CKPT_LEAVE_RUNNING |
				       (!strcmp(mode, "zstd") ? SANDBOX_CKPT_COMPRESS : 0),
			       err, sizeof(err));
	if (!strcmp(mode, "refuse")) {
		if (r >= 0)
			DIE("the checkpoint should have been refused");
		fprintf(stderr, "checkpoint refused: %s\n", err);
		if (access(img, F_OK) == 0) {
			char man[200];

			snprintf(man, sizeof(man), "%s/manifest", img);
			if (access(man, F_OK) == 0)
				DIE("a refused checkpoint left a manifest");
		}
		verify(a, pid, fa, "original after a refused checkpoint");
		sandbox_destroy(a);
		goto done;
	}
	if (r < 0)
		DIE("checkpoint: %s", err);
	verify(a, pid, fa, "original (--leave-running)");
	sandbox_destroy(a);
	if (!strcmp(mode, "stale")) {
		struct sandbox *busy = boot();
		struct sandbox_stats st;
		int busy_fd, stdio[3] = { -1, -1, -1 };

		(void)start(busy, &busy_fd);
		r = sandbox_restore(busy, img, stdio, 0, err, sizeof(err));
		if (r != -EBUSY)
			DIE("a restore into a sandbox with a process gave %d (%s)", r, err);
		fprintf(stderr, "refused (sandbox not empty): %s\n", err);
		close(busy_fd);
		sandbox_destroy(busy);
		snprintf(cmd, sizeof(cmd), "echo more >> '%s/data.txt'", rootfs);
		if (system(cmd) != 0)
			DIE("%s failed", cmd);
		b = boot();
		r = sandbox_restore(b, img, stdio, 0, err, sizeof(err));
		if (r >= 0 || !strstr(err, "changed since the checkpoint"))
			DIE("a restore over a changed file gave %d (%s)", r, err);
		if (sandbox_stats(b, &st) < 0 || st.nprocs != 0)
			DIE("a refused restore left processes behind");
		fprintf(stderr, "refused (file changed): %s\n", err);
		sandbox_destroy(b);
		goto done;
	}
	if (!strcmp(mode, "hostile_fs"))
		hostile_fs(img);
	if (!strcmp(mode, "hostile_event")) {
		expect_epoll_refused(img, 1, strerror(ELOOP));
		expect_epoll_refused(img, 0, strerror(EINVAL));
	}
	if (!strcmp(mode, "hostile_sock")) {
		expect_sock_refused(img, "/data.txt", "its node /data.txt: Socket operation on non-socket");
		expect_sock_refused(img, "/tmp/none.sock", "its node /tmp/none.sock: No such file");
	}
	if (!strcmp(mode, "corrupt")) {
		expect_refused(img, "printf 'X' | dd of=state.pb bs=1 seek=20 conv=notrunc 2>/dev/null");
		expect_refused(img, "truncate -s -4096 pages.img");
		expect_refused(img, "truncate -s 10 state.pb");
		expect_refused(img, "sed -i 's/^cvisor-checkpoint [0-9]*$/cvisor-checkpoint 99/' manifest");
		expect_refused(img, "sed -i 's/^arch x86_64$/arch aarch64/' manifest");
		expect_refused(img, "head -n 3 manifest > m && mv m manifest");
		expect_refused(img, "rm manifest");
		/* a page changed: the checksum of pages.img catches it */
		expect_refused(img, "printf 'Z' | dd of=pages.img bs=1 seek=100 conv=notrunc 2>/dev/null");
		expect_verify_once(img);
	}
	if (!strcmp(mode, "zstd")) {
		snprintf(cmd, sizeof(cmd),
			 "grep -q '^part pages.img [0-9]* xxh3:[0-9a-f]* zstd [0-9]*$' '%s/manifest' && "
			 "grep -q '^part files.img [0-9]* xxh3:[0-9a-f]* zstd [0-9]*$' '%s/manifest'",
			 img, img);
		if (system(cmd) != 0)
			DIE("the image is not compressed");
		/* the stored bytes' checksum */
		expect_refused_opts(img, "printf 'Z' | dd of=pages.img bs=1 seek=100 conv=notrunc 2>/dev/null",
				    SANDBOX_RESTORE_TRUST_PAGES, 0, "pages.img: c");
		expect_refused_opts(img, "truncate -s -1 files.img", 0, 0, "files.img");
		/* with a manifest that matches: zstd's own checks */
		expect_refused_opts(img, "printf 'ZZZZ' | dd of=pages.img bs=1 seek=200 conv=notrunc 2>/dev/null",
				    0, 1, "pages.img: corrupt compressed data");
		expect_refused_opts(img, "truncate -s -8 pages.img", SANDBOX_RESTORE_TRUST_PAGES, 1,
				    "pages.img: compressed data truncated");
		expect_refused_opts(img, "head -c 13 pages.img > p && mv p pages.img", 0, 1,
				    "pages.img");
		/* a raw size the data does not fill */
		expect_refused_opts(img, "true", 0, 2, "pages.img: ");
	}
	/* two sandboxes from one image, at the same time */
	b = restore(img, &fb, "restore 1");
	c = restore(img, &fc, "restore 2");
	{
		char r1[64] = "", r2[64] = "";

		verify_out(b, pid, fb, "restore 1", r1);
		verify_out(c, pid, fc, "restore 2", r2);
		/* independent sandboxes: fresh randomness in each */
		if (r1[0] && !strcmp(r1, r2))
			DIE("two restores drew the same random value (%s)", r1);
		if (r1[0])
			fprintf(stderr, "fresh randomness: '%s' vs '%s'\n", r1, r2);
	}
	sandbox_destroy(b);
	sandbox_destroy(c);
done:
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
	if (!getenv("CKPT_KEEP")) /* keep the image (fuzz seeds, debugging) */
		(void)!system(cmd);
	else
		fprintf(stderr, "kept %s\n", work);
	fprintf(stderr, "ok\n");
	return 0;
}
