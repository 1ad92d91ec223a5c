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
 * Usage: bench_restore CVISOR GUEST [PLATFORM [MIB...]]  (default 10 1024)
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

static void one(unsigned mib)
{
	char arg[16], img[128], err[512];
	const char *argv[] = { "/prog", arg, NULL };
	struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 }, .init = true };
	struct sandbox *a, *b, *c;
	int pfd[2], stdio[3], fb, fc;
	double t0, ck, rv, rl, pass_orig, pass_lazy;
	int32_t pid;
	struct stat st;

	snprintf(arg, sizeof(arg), "%u", mib);
	snprintf(img, sizeof(img), "%s/img%u", work, mib);
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
	if (argc > 4)
		for (int i = 4; i < argc; i++)
			one((unsigned)atoi(argv[i]));
	else
		one(10), one(1024);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
	(void)!system(cmd);
	return 0;
}
