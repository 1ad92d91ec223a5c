/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checkpoint and restore time against touched memory (issue 8 targets; not
 * a pass/fail test).  For each size (MiB): a sandbox runs bench_guest,
 * which touches that much heap; then
 *   checkpoint   sandbox_checkpoint (--leave-running): safe point, pages
 *                read and written to pages.img, state.pb, manifest hashes
 *   restore      sandbox_restore into a booted sandbox, pages.img verified
 *                (hashed in full), and with SANDBOX_RESTORE_TRUST_PAGES
 *                (lazy: pages.img mapped, nothing read)
 *   first pass   from SIGUSR2 to PASS: the guest reads one byte per page,
 *                in the original and in a lazily restored copy (the cost
 *                of the page-cache faults)
 *   compressed   the same, once more with SANDBOX_CKPT_COMPRESS: checkpoint
 *                time (GB/s of uncompressed pages), the ratio, and the
 *                (eager, decompressing) restore
 * Usage: bench_restore CVISOR GUEST [PLATFORM [MIB...]]  (default 10 1024)
 *
 * Clones: bench_restore CVISOR GUEST PLATFORM clones N MIB [zstd]
 *   one image of a guest with MIB of touched heap restored into N
 *   sandboxes at once (lazily, as a pool would), each guest reading all of
 *   its memory and staying alive; then the PSS (/proc/PID/smaps_rollup) of
 *   every host process of each sandbox (its launcher, Sentry, stubs and
 *   Gofer: the launcher's process tree) summed over all N, against the PSS
 *   of the first clone measured while it was alone: the ratio is what N
 *   copies cost in memory against one.
 * BENCH_FILL=mixed: half of every page pseudo-random (else a constant).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runtime/sandbox.h"

static const char *cvisor_bin;
static enum plat_kind platform = PLAT_SYSTRAP;
static char work[64], rootfs[128];
static int nboot;

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static struct sandbox *boot(void)
{
	struct sandbox_opts o = { 0 };
	struct sandbox *sb;
	char path[160];

	snprintf(path, sizeof(path), "%s/sb%d.sock", work, nboot++);
	o.rootfs = rootfs;
	o.control_path = path;
	o.platform = platform;
	o.cvisor_path = cvisor_bin;
	o.die_with_caller = true;
	o.log_fd = getenv("BENCH_STRACE") ? -1 : -2;
	o.strace = getenv("BENCH_STRACE") != NULL;
	if (sandbox_boot(&o, &sb) < 0) {
		fprintf(stderr, "boot failed\n");
		exit(1);
	}
	return sb;
}

static int wait_for(int fd, const char *want)
{
	char buf[256] = "";
	size_t len = 0;

	while (!strstr(buf, want)) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 120000) <= 0)
			return -1;
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = 0;
		if (strstr(buf, "FAIL"))
			return -1;
	}
	return 0;
}

static double go_to_pass(struct sandbox *sb, int fd)
{
	double t0 = now_ms();

	if (getenv("BENCH_TRACE"))
		fprintf(stderr, "go %p\n", (void *)sb);

	sandbox_kill(sb, 1, SIGUSR2);
	if (wait_for(fd, "PASS") < 0) {
		fprintf(stderr, "no PASS\n");
		exit(1);
	}
	return now_ms() - t0;
}

/* The compressed run of one(): the same sandbox checkpointed again with
 * SANDBOX_CKPT_COMPRESS into IMG-z. */
struct zstd_run {
	char img[160];
	double ck_ms;
};

static uint64_t file_size(const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static void compressed_checkpoint(struct sandbox *a, const char *img, struct zstd_run *z)
{
	char err[512];
	double t0 = now_ms();

	snprintf(z->img, sizeof(z->img), "%s-z", img);
	if (sandbox_checkpoint(a, z->img, SANDBOX_CKPT_LEAVE_RUNNING | SANDBOX_CKPT_COMPRESS, err,
			       sizeof(err)) < 0) {
		fprintf(stderr, "compressed checkpoint: %s\n", err);
		exit(1);
	}
	z->ck_ms = now_ms() - t0;
}

/* Restore the compressed image (eager: decompressed into memory first),
 * touch all, print the line. */
static void compressed_restore(const char *img, struct zstd_run *z)
{
	uint64_t raw = file_size(img, "pages.img"), stored = file_size(z->img, "pages.img");
	struct sandbox *b = boot();
	int pfd[2], stdio[3] = { -1, -1, -1 };
	char err[512];
	double t0, rz, pass;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		exit(1);
	stdio[1] = pfd[1];
	t0 = now_ms();
	if (sandbox_restore(b, z->img, stdio, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "compressed restore: %s\n", err);
		exit(1);
	}
	rz = now_ms() - t0;
	close(pfd[1]);
	pass = go_to_pass(b, pfd[0]);
	printf("        zstd  pages.img %7.1f MiB (%5.1fx)  checkpoint %8.1f ms (%6.2f GB/s)  "
	       "restore: eager %7.1f ms  touch all: restored %7.1f ms\n",
	       (double)stored / (1 << 20), stored ? (double)raw / (double)stored : 0.0, z->ck_ms,
	       (double)raw / (z->ck_ms * 1e6), rz, pass);
	close(pfd[0]);
	sandbox_destroy(b);
	snprintf(err, sizeof(err), "rm -rf '%s'", z->img);
	(void)!system(err);
}

/* The parent pid and command name of @pid (ppid 0 if gone). */
static pid_t ppid_of(pid_t pid, char comm[32])
{
	char path[64], buf[512], *p, *o;
	int ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && (o = strchr(buf, '('))) {
		(void)sscanf(p + 2, "%*c %d", &ppid);
		if (comm)
			snprintf(comm, 32, "%.*s", (int)(p - o - 1), o + 1);
	}
	fclose(f);
	return ppid;
}

/* PSS in KiB of @pid (smaps_rollup). */
static uint64_t pss_kib(pid_t pid)
{
	char path[64], line[256];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Pss: %llu kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

struct pss {
	uint64_t all;    /* KiB: every process of the sandbox (launcher, Gofer too) */
	uint64_t sentry; /* KiB: the Sentry and its stubs (comm cvisor-sentry) */
	int nprocs;
};

/* PSS of the process tree of the sandbox launcher @root. */
static struct pss pss_tree(pid_t root)
{
	struct pss r = { .all = pss_kib(root), .nprocs = 1 };
	DIR *d = opendir("/proc");
	struct dirent *e;

	while (d && (e = readdir(d))) {
		pid_t pid = (pid_t)atoi(e->d_name), q = pid;
		char comm[32] = "";

		if (pid <= 0 || pid == root)
			continue;
		(void)ppid_of(pid, comm);
		for (int depth = 0; q > 1 && depth < 16; depth++) {
			q = ppid_of(q, NULL);
			if (q == root) {
				uint64_t v = pss_kib(pid);

				r.all += v;
				if (!strcmp(comm, "cvisor-sentry"))
					r.sentry += v;
				r.nprocs++;
				break;
			}
		}
	}
	if (d)
		closedir(d);
	return r;
}

static void clones(unsigned n, unsigned mib, bool compress)
{
	char arg[16], img[128], err[512];
	const char *argv[] = { "/prog", arg, "hold", NULL, NULL };
	struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 }, .init = true };
	struct sandbox *a, **sb = calloc(n, sizeof(*sb));
	int *fds = calloc(n, sizeof(*fds)), pfd[2];
	struct pss one = { 0 }, total = { 0 };
	double t0, restore_ms = 0;
	int32_t pid;

	snprintf(arg, sizeof(arg), "%u", mib);
	snprintf(img, sizeof(img), "%s/clones", work);
	if (getenv("BENCH_FILL"))
		argv[2] = getenv("BENCH_FILL"), argv[3] = "hold";
	a = boot();
	if (!sb || !fds || pipe2(pfd, O_CLOEXEC) < 0)
		exit(1);
	p.stdio[1] = pfd[1];
	if (sandbox_spawn(a, &p, &pid) < 0)
		exit(1);
	close(pfd[1]);
	if (wait_for(pfd[0], "READY") < 0)
		exit(1);
	if (sandbox_checkpoint(a, img, SANDBOX_CKPT_LEAVE_RUNNING |
				       (compress ? SANDBOX_CKPT_COMPRESS : 0),
			       err, sizeof(err)) < 0) {
		fprintf(stderr, "checkpoint: %s\n", err);
		exit(1);
	}
	close(pfd[0]);
	sandbox_destroy(a);
	for (unsigned i = 0; i < n; i++) {
		int stdio[3] = { -1, -1, -1 };

		sb[i] = boot();
		if (pipe2(pfd, O_CLOEXEC) < 0)
			exit(1);
		stdio[1] = pfd[1];
		t0 = now_ms();
		if (sandbox_restore(sb[i], img, stdio, SANDBOX_RESTORE_TRUST_PAGES, err,
				    sizeof(err)) < 0) {
			fprintf(stderr, "restore %u: %s\n", i, err);
			exit(1);
		}
		restore_ms += now_ms() - t0;
		close(pfd[1]);
		fds[i] = pfd[0];
		(void)go_to_pass(sb[i], fds[i]); /* every page read: all faulted in */
		if (i == 0)
			one = pss_tree(sandbox_host_pid(sb[0]));
	}
	for (unsigned i = 0; i < n; i++) {
		struct pss p1 = pss_tree(sandbox_host_pid(sb[i]));

		total.all += p1.all, total.sentry += p1.sentry, total.nprocs += p1.nprocs;
	}
	printf("%u clones of %u MiB%s, restore %.1f ms each on average; PSS of the Sentries "
	       "and stubs: one alone %.1f MiB, all %u %.1f MiB, ratio %.2fx; with launchers "
	       "and Gofers (%d host processes): one %.1f MiB, all %.1f MiB, ratio %.2fx\n",
	       n, mib, compress ? " (zstd image)" : "", restore_ms / n,
	       (double)one.sentry / 1024, n, (double)total.sentry / 1024,
	       one.sentry ? (double)total.sentry / (double)one.sentry : 0.0, total.nprocs,
	       (double)one.all / 1024, (double)total.all / 1024,
	       one.all ? (double)total.all / (double)one.all : 0.0);
	fflush(stdout);
	if (getenv("BENCH_HOLD_S")) /* time to look at the processes */
		sleep((unsigned)atoi(getenv("BENCH_HOLD_S")));
	for (unsigned i = 0; i < n; i++) {
		close(fds[i]);
		sandbox_destroy(sb[i]);
	}
	free(sb);
	free(fds);
	snprintf(err, sizeof(err), "rm -rf '%s'", img);
	(void)!system(err);
}

static void one(unsigned mib)
{
	char arg[16], img[128], err[512];
	const char *argv[] = { "/prog", arg, NULL, NULL };
	struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 }, .init = true };
	struct sandbox *a, *b, *c;
	struct zstd_run z;
	int pfd[2], stdio[3], fb, fc;
	double t0, ck, rv, rl, pass_orig, pass_lazy;
	int32_t pid;
	struct stat st;

	snprintf(arg, sizeof(arg), "%u", mib);
	snprintf(img, sizeof(img), "%s/img%u", work, mib);
	argv[2] = getenv("BENCH_FILL");
	a = boot();
	if (pipe2(pfd, O_CLOEXEC) < 0)
		exit(1);
	p.stdio[1] = pfd[1];
	if (sandbox_spawn(a, &p, &pid) < 0)
		exit(1);
	close(pfd[1]);
	if (wait_for(pfd[0], "READY") < 0)
		exit(1);
	if (getenv("BENCH_TRACE"))
		fprintf(stderr, "checkpoint\n");
	/* the compressed one first, each after a sync(): neither pays for
	 * the other's writeback (pages.img on a disk file system) */
	sync();
	compressed_checkpoint(a, img, &z);
	sync();
	t0 = now_ms();
	if (sandbox_checkpoint(a, img, true, err, sizeof(err)) < 0) {
		fprintf(stderr, "checkpoint: %s\n", err);
		exit(1);
	}
	ck = now_ms() - t0;
	pass_orig = go_to_pass(a, pfd[0]);
	close(pfd[0]);
	sandbox_destroy(a);

	stdio[0] = stdio[2] = -1;
	b = boot();
	if (pipe2(pfd, O_CLOEXEC) < 0)
		exit(1);
	stdio[1] = pfd[1];
	t0 = now_ms();
	if (sandbox_restore(b, img, stdio, 0, err, sizeof(err)) < 0)
		exit(1);
	rv = now_ms() - t0;
	close(pfd[1]);
	fb = pfd[0];
	c = boot();
	if (pipe2(pfd, O_CLOEXEC) < 0)
		exit(1);
	stdio[1] = pfd[1];
	t0 = now_ms();
	if (sandbox_restore(c, img, stdio, SANDBOX_RESTORE_TRUST_PAGES, err, sizeof(err)) < 0)
		exit(1);
	rl = now_ms() - t0;
	close(pfd[1]);
	fc = pfd[0];
	pass_lazy = go_to_pass(c, fc);
	(void)go_to_pass(b, fb);
	snprintf(err, sizeof(err), "%s/pages.img", img);
	stat(err, &st);
	printf("%6u MiB  pages.img %7.1f MiB  checkpoint %8.1f ms (%6.2f GB/s)  restore: verified "
	       "%7.1f ms, lazy %6.1f ms  touch all: original %7.1f ms, restored %7.1f ms\n",
	       mib, (double)st.st_size / (1 << 20), ck, (double)st.st_size / (ck * 1e6), rv, rl,
	       pass_orig, pass_lazy);
	compressed_restore(img, &z);
	fflush(stdout);
	close(fb);
	close(fc);
	sandbox_destroy(b);
	sandbox_destroy(c);
	snprintf(err, sizeof(err), "rm -rf '%s'", img);
	(void)!system(err);
}

int main(int argc, char **argv)
{
	char cmd[2048];

	if (argc < 3)
		return fprintf(stderr, "usage: bench_restore CVISOR GUEST [PLATFORM [MIB...]]\n"), 2;
	cvisor_bin = argv[1];
	if (argc > 3 && plat_kind_from_string(argv[3], &platform) < 0)
		return 2;
	snprintf(work, sizeof(work), "%s/bench-restore-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(work))
		return 1;
	snprintf(rootfs, sizeof(rootfs), "%s/root", work);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/dev' '%s/proc' '%s/tmp' && cp '%s' '%s/prog'",
		 rootfs, rootfs, rootfs, argv[2], rootfs);
	if (system(cmd) != 0)
		return 1;
	printf("checkpoint/restore, platform %s\n", argc > 3 ? argv[3] : "systrap");
	if (argc > 6 && !strcmp(argv[4], "clones"))
		clones((unsigned)atoi(argv[5]), (unsigned)atoi(argv[6]),
		       argc > 7 && !strcmp(argv[7], "zstd"));
	else if (argc > 4)
		for (int i = 4; i < argc; i++)
			one((unsigned)atoi(argv[i]));
	else
		one(10), one(1024);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
	(void)!system(cmd);
	return 0;
}
