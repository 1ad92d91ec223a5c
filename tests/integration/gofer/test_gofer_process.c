/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Gofer as the Sentry will run it: `gofer_run --root DIR --ro --fd 3`
 * on an inherited, connected socket, fully confined.  Checks the
 * confinement from the outside (/proc/PID/status: seccomp filter mode,
 * capabilities, no_new_privs; an empty root), the fd donation through the
 * real process, EROFS, and a clean exit (status 0, no seccomp kill) at EOF;
 * then bind exports as `cvisor boot` starts them (a rw and a ro one).
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

/* Start the confined gofer_run on a socketpair with @argv after the
 * program name (--fd 3 --ready-fd 4 are appended); returns the client end. */
static int start_gofer(const char *const *args, pid_t *ret_pid)
{
	const char *argv[24];
	int sv[2], ready[2], n = 0;
	char buf[1];
	pid_t pid;

	argv[n++] = "gofer_run";
	while (*args && n < 18)
		argv[n++] = *args++;
	argv[n++] = "--fd";
	argv[n++] = "3";
	argv[n++] = "--ready-fd";
	argv[n++] = "4";
	argv[n] = NULL;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(sv[1], 3);
		dup2(ready[1], 4);
		setenv("ASAN_OPTIONS", "detect_leaks=0", 1); /* see test_confined_process */
		execv(gofer_run, (char *const *)argv);
		_exit(127);
	}
	close(sv[1]);
	close(ready[1]);
	assert_int_equal(read(ready[0], buf, 1), 1);
	close(ready[0]);
	*ret_pid = pid;
	return sv[0];
}

static int rpc_name(struct p9_client *c, uint8_t type, uint32_t fid, const char *name)
{
	struct p9_msg t = {.type = type}, r;
	struct p9_str s = {name, (uint16_t)strlen(name)};

	switch (type) {
	case P9_TLCREATE:
		t.u.lcreate.fid = fid;
		t.u.lcreate.name = s;
		t.u.lcreate.flags = O_RDWR;
		t.u.lcreate.mode = 0644;
		break;
	case P9_TMKDIR:
		t.u.mkdir.dfid = fid;
		t.u.mkdir.name = s;
		t.u.mkdir.mode = 0755;
		break;
	case P9_TUNLINKAT:
		t.u.unlinkat.dirfid = fid;
		t.u.unlinkat.name = s;
		break;
	case P9_TSYMLINK:
		t.u.symlink.fid = fid;
		t.u.symlink.name = s;
		t.u.symlink.target = s;
		break;
	default:
		fail();
	}
	return p9_client_rpc(c, &t, &r, NULL);
}

/* What `cvisor boot` starts for a container with directory bind mounts:
 * the rootfs read-only, a rw and a ro bind export.  The Gofer itself
 * refuses every modification of the ro export (not only the Sentry), a
 * write-opened donated fd of the rw one reaches the host, and none of
 * them reaches outside its directory. */
static void test_bind_exports(void **state)
{
	char dir[] = "/tmp/cvisor-gbind-XXXXXX", root[96], rw[96], ro[96], path[160], cmd[200];
	char rwspec[128], rospec[128], buf[64];
	struct p9_client *c = NULL;
	struct p9_qid q0, q1;
	struct stat st;
	int fd = -EBADF, status, sock;
	pid_t pid;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(rw, sizeof(rw), "%s/rw", dir);
	snprintf(ro, sizeof(ro), "%s/ro", dir);
	assert_int_equal(mkdir(root, 0755), 0);
	assert_int_equal(mkdir(rw, 0755), 0);
	assert_int_equal(mkdir(ro, 0755), 0);
	snprintf(path, sizeof(path), "%s/keep", ro);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("keep\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/out", rw);
	assert_int_equal(symlink("../ro/keep", path), 0); /* the Gofer never follows it */
	snprintf(rwspec, sizeof(rwspec), "%s:/bind0", rw);
	snprintf(rospec, sizeof(rospec), "%s:/bind1:ro", ro);
	{
		const char *args[] = {"--root", root, "--ro", "--bind", rwspec, "--bind", rospec, NULL};

		sock = start_gofer(args, &pid);
	}
	assert_int_equal(p9_client_new(sock, 65536, true, &c), 0);
	assert_int_equal(p9_client_attach(c, 1, "/bind0", 0, &q0), 0);
	assert_int_equal(p9_client_attach(c, 2, "/bind1", 0, &q1), 0);
	assert_int_equal(p9_client_attach(c, 3, "/bind2", 0, NULL), -ENOENT);
	assert_int_equal(p9_client_attach(c, 3, "/bind", 0, NULL), -ENOENT);

	/* ro: refused by the Gofer */
	assert_int_equal(p9_client_walk(c, 2, 10, "", NULL), 0);
	assert_int_equal(rpc_name(c, P9_TLCREATE, 10, "new"), -EROFS);
	assert_int_equal(rpc_name(c, P9_TMKDIR, 2, "d"), -EROFS);
	assert_int_equal(rpc_name(c, P9_TSYMLINK, 2, "l"), -EROFS);
	assert_int_equal(rpc_name(c, P9_TUNLINKAT, 2, "keep"), -EROFS);
	assert_int_equal(p9_client_walk(c, 2, 11, "keep", NULL), 0);
	assert_int_equal(p9_client_lopen(c, 11, O_WRONLY, NULL, NULL), -EROFS);
	assert_int_equal(p9_client_walk(c, 2, 12, "keep", NULL), 0);
	assert_int_equal(p9_client_lopen(c, 12, O_RDONLY, NULL, &fd), 0);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), -1); /* the donated fd is read-only */
	close(fd);
	assert_int_equal(p9_client_write(c, 12, 0, "x", 1), -EROFS);
	snprintf(path, sizeof(path), "%s/new", ro);
	assert_int_equal(stat(path, &st), -1); /* nothing appeared */
	snprintf(path, sizeof(path), "%s/d", ro);
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/keep", ro);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 5);

	/* rw: a created file written through its donated fd is on the host */
	assert_int_equal(p9_client_walk(c, 1, 20, "", NULL), 0);
	{
		struct p9_msg t = {.type = P9_TLCREATE}, r;

		t.u.lcreate.fid = 20;
		t.u.lcreate.name = (struct p9_str){"made", 4};
		t.u.lcreate.flags = O_RDWR;
		t.u.lcreate.mode = 0640;
		assert_int_equal(p9_client_rpc(c, &t, &r, &fd), 0);
	}
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "to the host\n", 12, 0), 12);
	close(fd);
	snprintf(path, sizeof(path), "%s/made", rw);
	f = fopen(path, "r");
	assert_non_null(f);
	memset(buf, 0, sizeof(buf));
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "to the host\n");
	assert_int_equal(rpc_name(c, P9_TMKDIR, 1, "sub"), 0);

	/* confinement of a bind export: ".." of its root is the root, a
	 * symlink out of it is not followed, names cannot climb */
	assert_int_equal(p9_client_walk(c, 1, 30, "..", &q1), 0);
	assert_int_equal(q1.path, q0.path);
	assert_int_equal(p9_client_walk(c, 1, 31, "out", &q1), 0);
	assert_int_equal(q1.type, P9_QTSYMLINK);
	assert_int_equal(p9_client_lopen(c, 31, O_RDONLY, NULL, NULL), -ELOOP);
	assert_int_equal(p9_client_walk(c, 1, 32, "../ro/keep", NULL), -ENOENT);
	p9_client_free(c);

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_confined_process),
	    cmocka_unit_test(test_bind_exports),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s GOFER_RUN\n", argv[0]);
		return 2;
	}
	gofer_run = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
