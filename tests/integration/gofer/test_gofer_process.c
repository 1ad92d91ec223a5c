/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Gofer as the Sentry will run it: `gofer_run --root DIR --ro --fd 3`
 * on an inherited, connected socket, fully confined.  Checks the
 * confinement from the outside (/proc/PID/status: seccomp filter mode,
 * capabilities, no_new_privs; an empty root), the fd donation through the
 * real process, EROFS, and a clean exit (status 0, no seccomp kill) at EOF.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gofer/p9_client.h"

static const char *gofer_run;

/* Value of a "Key:\tvalue" line of /proc/PID/status, or "". */
static const char *status_field(pid_t pid, const char *key)
{
	static char val[128];
	char path[64], line[256];
	FILE *f;

	val[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return val;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':') {
			snprintf(val, sizeof(val), "%s", line + strlen(key) + 1);
			val[strcspn(val, "\n")] = '\0';
			memmove(val, val + strspn(val, " \t"), strlen(val) + 1);
			break;
		}
	fclose(f);
	return val;
}

static void test_confined_process(void **state)
{
	char dir[] = "/tmp/cvisor-gproc-XXXXXX", path[128], buf[64];
	struct p9_client *c = NULL;
	int sv[2], ready[2], fd = -EBADF, status;
	struct p9_msg t = {.type = P9_TSETATTR}, r;
	pid_t pid;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f.txt", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("through the donated fd\n", f);
	fclose(f);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(sv[1], 3);
		dup2(ready[1], 4);
		/*
		 * LeakSanitizer's exit-time scan (ptrace, /proc/self/task) cannot
		 * run inside the Gofer's seccomp filter and chroot; in-process
		 * tests cover leaks.  No effect on non-sanitizer builds.
		 */
		setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
		execl(gofer_run, "gofer_run", "--root", dir, "--ro", "--fd", "3", "--ready-fd", "4",
		      (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	close(ready[1]);
	assert_int_equal(read(ready[0], buf, 1), 1); /* confined and serving */
	close(ready[0]);

	/* confinement, seen from outside */
	assert_string_equal(status_field(pid, "Seccomp"), "2");
	assert_string_equal(status_field(pid, "NoNewPrivs"), "1");
	assert_string_equal(status_field(pid, "CapEff"), "000000000000001f");
	assert_string_equal(status_field(pid, "CapBnd"), "000000000000001f");
	snprintf(path, sizeof(path), "/proc/%d/root", pid);
	DIR *d = opendir(path);
	assert_non_null(d);
	struct dirent *de;
	int entries = 0;
	while ((de = readdir(d)))
		entries += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	assert_int_equal(entries, 0); /* chrooted into an empty tmpfs */

	/* 9P with the extension, through the confined process */
	assert_int_equal(p9_client_new(sv[0], 65536, true, &c), 0);
	assert_true(c->ext);
	assert_int_equal(p9_client_attach(c, 0, "/", 0, NULL), 0);
	assert_int_equal(p9_client_walk(c, 0, 1, "f.txt", NULL), 0);
	assert_int_equal(p9_client_lopen(c, 1, O_RDONLY, NULL, &fd), 0);
	assert_true(fd >= 0);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(pread(fd, buf, sizeof(buf) - 1, 0), 23);
	assert_string_equal(buf, "through the donated fd\n");
	assert_int_equal(write(fd, "x", 1), -1);
	close(fd);
	assert_int_equal(p9_client_walk(c, 0, 2, "f.txt", NULL), 0);
	assert_int_equal(p9_client_lopen(c, 2, O_RDWR, NULL, NULL), -EROFS);
	t.u.setattr.fid = 2;
	t.u.setattr.valid = P9_SETATTR_MODE;
	t.u.setattr.mode = 0777;
	assert_int_equal(p9_client_rpc(c, &t, &r, NULL), -EROFS);
	/* a symlink swap target cannot be reached, the process survives hostile frames */
	assert_int_equal(p9_client_walk(c, 0, 3, "../../etc/passwd", NULL), -ENOENT);
	p9_client_free(c);

	/* EOF: the Gofer exits cleanly under its seccomp filter */
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_confined_process),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s GOFER_RUN\n", argv[0]);
		return 2;
	}
	gofer_run = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
