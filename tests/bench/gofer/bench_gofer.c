/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Gofer benchmark: stat, open+read+close of a small file, and sequential
 * read of a large file, natively and through the Gofer (9P round trips, and
 * the donated fd of the cvisor extension), with ratios against native, all
 * measured in the same run.  The server runs in-process on a socketpair
 * (one connection, default workers), the client is p9_client.
 *
 *   bench_gofer [SCALE]     SCALE multiplies the iteration counts (default 1)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gofer/gofer_server.h"
#include "gofer/p9_client.h"
#include "lib/timeutil.h"

#define SMALL_SIZE 4096
#define BIG_SIZE (64u << 20)
#define MSIZE (1u << 20)

static char dir[64];
static struct gofer_server *srv;

struct serve_arg {
	int sock;
};

static void *serve(void *p)
{
	struct serve_arg *a = p;

	(void)gofer_serve_conn(srv, a->sock);
	return NULL;
}

static void die(const char *what, int r)
{
	fprintf(stderr, "bench_gofer: %s: %s\n", what, strerror(r < 0 ? -r : r));
	exit(1);
}

static void make_file(const char *name, size_t size)
{
	char path[128];
	char *buf = malloc(1 << 20);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || !buf)
		die("create", errno);
	memset(buf, 'x', 1 << 20);
	for (size_t done = 0; done < size;) {
		size_t n = size - done < (1u << 20) ? size - done : (1u << 20);

		if (write(fd, buf, n) != (ssize_t)n)
			die("write", errno);
		done += n;
	}
	close(fd);
	free(buf);
}

static void report(const char *what, uint64_t ns, unsigned iters, uint64_t native_ns)
{
	double per = (double)ns / iters, nat = (double)native_ns / iters;

	printf("  %-34s %12.0f ns/op   x%.1f native\n", what, per, per / nat);
}

static void check(int r, const char *what)
{
	if (r < 0)
		die(what, r);
}

int main(int argc, char **argv)
{
	unsigned scale = argc > 1 ? (unsigned)atoi(argv[1]) : 1;
	unsigned n_stat = 20000 * scale, n_small = 5000 * scale, n_big = 2 * scale;
	struct gofer_export ex = {.dst = "/"};
	struct gofer_opts o = {.exports = &ex, .n_exports = 1, .max_msize = MSIZE};
	struct p9_client *c;
	struct serve_arg sa;
	pthread_t th;
	char *buf = malloc(MSIZE), path[128];
	uint64_t t0, native, dt;
	int sv[2], dfd, fd;

	if (scale == 0 || !buf)
		return 2;
	snprintf(dir, sizeof(dir), "/tmp/cvisor-bench-XXXXXX");
	if (!mkdtemp(dir))
		die("mkdtemp", errno);
	make_file("small", SMALL_SIZE);
	make_file("big", BIG_SIZE);
	ex.src = dir;
	check(gofer_server_new(&o, &srv), "server");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		die("socketpair", errno);
	sa.sock = sv[1];
	pthread_create(&th, NULL, serve, &sa);
	check(p9_client_new(sv[0], MSIZE, true, &c), "version");
	check(p9_client_attach(c, 0, "/", 0, NULL), "attach");
	dfd = open(dir, O_PATH | O_DIRECTORY);

	printf("bench_gofer: msize %u, small file %d B, big file %u MiB (page cache warm)\n", MSIZE,
	       SMALL_SIZE, BIG_SIZE >> 20);

	/* stat */
	struct stat st;
	struct p9_attr a;
	t0 = mono_ns();
	for (unsigned i = 0; i < n_stat; i++)
		if (fstatat(dfd, "small", &st, AT_SYMLINK_NOFOLLOW) < 0)
			die("fstatat", errno);
	native = mono_ns() - t0;
	printf("stat (%u iterations)\n", n_stat);
	report("native fstatat", native, n_stat, native);
	check(p9_client_walk(c, 0, 1, "small", NULL), "walk");
	t0 = mono_ns();
	for (unsigned i = 0; i < n_stat; i++)
		check(p9_client_getattr(c, 1, &a), "getattr");
	report("9P Tgetattr on a held fid", mono_ns() - t0, n_stat, native);
	check(p9_client_clunk(c, 1), "clunk");
	t0 = mono_ns();
	for (unsigned i = 0; i < n_stat; i++) {
		check(p9_client_walk(c, 0, 1, "small", NULL), "walk");
		check(p9_client_getattr(c, 1, &a), "getattr");
		check(p9_client_clunk(c, 1), "clunk");
	}
	report("9P walk+getattr+clunk", mono_ns() - t0, n_stat, native);

	/* open + read + close of a small file */
	printf("open+read+close %d B (%u iterations)\n", SMALL_SIZE, n_small);
	t0 = mono_ns();
	for (unsigned i = 0; i < n_small; i++) {
		fd = openat(dfd, "small", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read(fd, buf, SMALL_SIZE) != SMALL_SIZE)
			die("native read", errno);
		close(fd);
	}
	native = mono_ns() - t0;
	report("native", native, n_small, native);
	t0 = mono_ns();
	for (unsigned i = 0; i < n_small; i++) {
		check(p9_client_walk(c, 0, 1, "small", NULL), "walk");
		check(p9_client_lopen(c, 1, O_RDONLY, NULL, &fd), "lopen");
		if (fd >= 0)
			close(fd);
		if (p9_client_read(c, 1, 0, buf, SMALL_SIZE) != SMALL_SIZE)
			die("9P read", EIO);
		check(p9_client_clunk(c, 1), "clunk");
	}
	report("9P walk+lopen+read+clunk", mono_ns() - t0, n_small, native);
	t0 = mono_ns();
	for (unsigned i = 0; i < n_small; i++) {
		fd = -1;
		check(p9_client_walk(c, 0, 1, "small", NULL), "walk");
		check(p9_client_lopen(c, 1, O_RDONLY, NULL, &fd), "lopen");
		if (fd < 0 || pread(fd, buf, SMALL_SIZE, 0) != SMALL_SIZE)
			die("donated read", EIO);
		close(fd);
		check(p9_client_clunk(c, 1), "clunk");
	}
	report("9P walk+lopen, read donated fd", mono_ns() - t0, n_small, native);

	/* sequential read of a big file */
	printf("sequential read %u MiB x %u, 1 MiB requests\n", BIG_SIZE >> 20, n_big);
	snprintf(path, sizeof(path), "%s/big", dir);
	t0 = mono_ns();
	for (unsigned i = 0; i < n_big; i++) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		while (read(fd, buf, MSIZE) > 0)
			;
		close(fd);
	}
	native = mono_ns() - t0;
	report("native read()", native, n_big, native);
	printf("  %-34s %12.0f MB/s\n", "", (double)BIG_SIZE * n_big / (native / 1e3));
	check(p9_client_walk(c, 0, 2, "big", NULL), "walk");
	check(p9_client_lopen(c, 2, O_RDONLY, NULL, &fd), "lopen");
	t0 = mono_ns();
	for (unsigned i = 0; i < n_big; i++) {
		uint64_t off = 0;
		ssize_t n;

		while ((n = p9_client_read(c, 2, off, buf, MSIZE)) > 0)
			off += (uint64_t)n;
		if (off != BIG_SIZE)
			die("9P big read", EIO);
	}
	dt = mono_ns() - t0;
	report("9P Tread", dt, n_big, native);
	printf("  %-34s %12.0f MB/s\n", "", (double)BIG_SIZE * n_big / (dt / 1e3));
	t0 = mono_ns();
	for (unsigned i = 0; i < n_big; i++) {
		off_t off = 0;
		ssize_t n;

		while ((n = pread(fd, buf, MSIZE, off)) > 0)
			off += n;
	}
	dt = mono_ns() - t0;
	report("donated fd pread()", dt, n_big, native);
	printf("  %-34s %12.0f MB/s\n", "", (double)BIG_SIZE * n_big / (dt / 1e3));
	close(fd);

	p9_client_free(c);
	pthread_join(th, NULL);
	gofer_server_free(srv);
	close(dfd);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		return 1;
	free(buf);
	return 0;
}
