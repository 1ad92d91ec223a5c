/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Our 9P client code (gofer/p9_client.c, gofer/p9.c) against a server
 * nobody here wrote: Debian's diod.  Listings, attributes and contents are
 * compared with the real directory; the donation extension must degrade to
 * plain 9P2000.L.  Skipped when diod is not installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gofer/p9_client.h"

static char dir[64], sock[96];
static pid_t diod_pid = -1;

static const char *diod_path(void)
{
	static const char *paths[] = {"/usr/sbin/diod", "/usr/bin/diod", "/sbin/diod"};

	for (size_t i = 0; i < 3; i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

static void put(const char *rel, const char *data)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(data, f);
	fclose(f);
}

static int setup(void **state)
{
	const char *diod = diod_path();
	char p[256];

	(void)state;
	if (!diod)
		return 0;
	snprintf(dir, sizeof(dir), "/tmp/cvisor-diod-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s.sock", dir);
	snprintf(p, sizeof(p), "%s/sub", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	put("a.txt", "alpha\n");
	put("sub/b.txt", "beta beta\n");
	diod_pid = fork();
	assert_true(diod_pid >= 0);
	if (diod_pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		/*
		 * diod may crash while shutting down on SIGTERM, and it raises its
		 * own core limit: let a core land in the scratch dir, removed below.
		 */
		if (chdir(dir) < 0)
			_exit(127);

		dup2(null, 1);
		dup2(null, 2);
		execl(diod, "diod", "-f", "-n", "-l", sock, "-e", dir, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && access(sock, F_OK) < 0; i++)
		usleep(10000);
	return 0;
}

static int teardown(void **state)
{
	char cmd[200];

	(void)state;
	if (diod_pid > 0) {
		kill(diod_pid, SIGTERM);
		waitpid(diod_pid, NULL, 0);
		snprintf(cmd, sizeof(cmd), "rm -rf %s %s", dir, sock);
		assert_int_equal(system(cmd), 0);
	}
	return 0;
}

static struct p9_client *connect_diod(bool ext)
{
	struct p9_client *c = NULL;
	int fd = -1;

	for (int i = 0; i < 100 && fd < 0; i++) {
		fd = p9_client_dial(sock);
		if (fd < 0)
			usleep(10000);
	}
	assert_true(fd >= 0);
	assert_int_equal(p9_client_new(fd, 65536, ext, &c), 0);
	assert_false(c->ext); /* diod knows nothing of the extension */
	assert_int_equal(p9_client_attach(c, 0, dir, geteuid(), NULL), 0);
	return c;
}

static void test_diod_read_and_stat(void **state)
{
	struct p9_client *c;
	char buf[64], path[128];
	struct stat st;
	struct p9_attr a;
	ssize_t n;
	int fd = -1;

	(void)state;
	if (diod_pid < 0)
		skip();
	c = connect_diod(true);
	assert_int_equal(p9_client_walk(c, 0, 1, "sub/b.txt", NULL), 0);
	assert_int_equal(p9_client_lopen(c, 1, O_RDONLY, NULL, &fd), 0);
	assert_int_equal(fd, -EBADF); /* no donation from a plain server */
	n = p9_client_read(c, 1, 0, buf, sizeof(buf) - 1);
	assert_int_equal(n, 10);
	buf[n] = '\0';
	assert_string_equal(buf, "beta beta\n");
	assert_int_equal(p9_client_getattr(c, 1, &a), 0);
	snprintf(path, sizeof(path), "%s/sub/b.txt", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(a.size, st.st_size);
	assert_int_equal(a.qid.path, st.st_ino);
	assert_int_equal(a.mode, st.st_mode);
	assert_int_equal(p9_client_clunk(c, 1), 0);
	assert_int_equal(p9_client_walk(c, 0, 2, "nope", NULL), -ENOENT);
	p9_client_free(c);
}

static void test_diod_readdir(void **state)
{
	struct p9_client *c;
	struct p9_msg t = {.type = P9_TREADDIR}, r;
	uint64_t off = 0;
	int found = 0, total = 0, real = 0;
	DIR *d;

	(void)state;
	if (diod_pid < 0)
		skip();
	c = connect_diod(false);
	assert_int_equal(p9_client_walk(c, 0, 1, "", NULL), 0);
	assert_int_equal(p9_client_lopen(c, 1, O_RDONLY, NULL, NULL), 0);
	for (;;) {
		struct p9_dirent de;
		size_t pos = 0;

		t.u.io.fid = 1;
		t.u.io.offset = off;
		t.u.io.count = 4096;
		assert_int_equal(p9_client_rpc(c, &t, &r, NULL), 0);
		if (r.u.io.count == 0)
			break;
		while (p9_dirent_next(r.u.io.data, r.u.io.count, &pos, &de) == 1) {
			if ((de.name.len == 5 && !memcmp(de.name.s, "a.txt", 5)) ||
			    (de.name.len == 3 && !memcmp(de.name.s, "sub", 3)))
				found++;
			total++;
			off = de.offset;
		}
	}
	d = opendir(dir);
	assert_non_null(d);
	while (readdir(d))
		real++;
	closedir(d);
	assert_int_equal(found, 2);
	assert_int_equal(total, real);
	p9_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diod_read_and_stat),
	    cmocka_unit_test(test_diod_readdir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
