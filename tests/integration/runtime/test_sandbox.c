/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A booted sandbox driven through runtime/sandbox.h, as the OCI verbs and
 * cvisord will: real `cvisor boot` + Gofer over the busybox rootfs.
 * Usage: test_sandbox CVISOR ROOTFS [systrap|ptrace]
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "runtime/sandbox.h"

static const char *cvisor_bin, *rootfs;
static enum plat_kind platform = PLAT_SYSTRAP;
static char dir[64], ctl_path[100];
static struct sandbox *sb;

/* ---- helpers ---- */

/* Spawn @argv with stdout+stderr on a pipe; returns the read end. */
static int spawn_out(struct sandbox *s, const char *const *argv, int32_t *pid)
{
	int pfd[2];
	struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 } };

	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	p.stdio[1] = p.stdio[2] = pfd[1];
	assert_int_equal(sandbox_spawn(s, &p, pid), 0);
	close(pfd[1]);
	return pfd[0];
}

static char *read_all(int fd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = 0;
	close(fd);
	return buf;
}

/* Run @argv to completion: its output and wait status. */
static char *run(struct sandbox *s, const char *const *argv, int *status)
{
	int32_t pid;
	int fd = spawn_out(s, argv, &pid);
	char *out = read_all(fd);

	assert_int_equal(sandbox_wait(s, pid, 20000, status), 0);
	return out;
}

static void sh(const char *script, const char *expect, int code)
{
	const char *argv[] = { "sh", "-c", script, NULL };
	int st = -1;
	char *out = run(sb, argv, &st);

	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), code);
	if (expect)
		assert_string_equal(out, expect);
	free(out);
}

/* Processes whose cmdline mentions @needle (ours excluded). */
static int count_procs(const char *needle)
{
	char path[64], buf[4096];
	int n = 0;

	for (int pid = 2; pid < 4194304; pid++) {
		FILE *f;
		size_t l;

		if (pid > 65536 && pid % 4096 == 0 && access("/proc/65536", F_OK) < 0)
			break;
		snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		l = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		for (size_t i = 0; i < l; i++)
			if (!buf[i])
				buf[i] = ' ';
		buf[l] = 0;
		if (pid != getpid() && strstr(buf, needle))
			n++;
	}
	return n;
}

static struct sandbox *boot(const char *name)
{
	struct sandbox_opts o = { .rootfs = rootfs, .control_path = ctl_path,
				  .platform = platform, .hostname = name, .log_fd = -1,
				  .cvisor_path = cvisor_bin, .die_with_caller = true };
	struct sandbox *s = NULL;

	/* sanitizer builds: the confined Sentry cannot run their runtime */
	o.no_confine = getenv("CVISOR_TEST_NO_CONFINE") != NULL;

	snprintf(ctl_path, sizeof(ctl_path), "%s/%s.sock", dir, name);
	assert_int_equal(sandbox_boot(&o, &s), 0);
	return s;
}

static int group_setup(void **state)
{
	sb = boot("sbmain");
	return 0;
}

static int group_teardown(void **state)
{
	pid_t pid = sandbox_host_pid(sb);

	assert_int_equal(sandbox_destroy(sb), 0);
	/* reaped: no such process any more, nor any Sentry/Gofer of it */
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(count_procs("sbmain"), 0);
	assert_int_equal(access(ctl_path, F_OK), -1);
	return 0;
}

/* ---- tests ---- */

static void test_echo(void **state)
{
	const char *argv[] = { "echo", "hi", NULL };
	int st = -1;
	char *out = run(sb, argv, &st);

	assert_string_equal(out, "hi\n");
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	free(out);
	sh("exit 3", "", 3);
	sh("echo $$ $PPID; pwd", NULL, 0);
}

static void test_not_found(void **state)
{
	const char *argv[] = { "no-such-program", NULL };
	struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 } };
	int32_t pid;

	assert_int_equal(sandbox_spawn(sb, &p, &pid), -ENOENT);
	argv[0] = "/etc/passwd";
	assert_int_equal(sandbox_spawn(sb, &p, &pid), -EACCES);
}

static void test_ppid_cwd_env(void **state)
{
	const char *argv[] = { "sh", "-c", "echo $PPID $FOO $(pwd) $(id -u)", NULL };
	const char *env[] = { "PATH=/bin", "FOO=bar", NULL };
	struct sandbox_process p = { .argv = argv, .env = env, .cwd = "/etc", .uid = 1000,
				     .gid = 1000, .stdio = { -1, -1, -1 } };
	int pfd[2], st;
	int32_t pid;
	char *out;

	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	p.stdio[1] = pfd[1];
	assert_int_equal(sandbox_spawn(sb, &p, &pid), 0);
	close(pfd[1]);
	out = read_all(pfd[0]);
	assert_int_equal(sandbox_wait(sb, pid, 10000, &st), 0);
	assert_string_equal(out, "0 bar /etc 1000\n");
	free(out);
}

static void test_concurrent(void **state)
{
	const char *a[] = { "sh", "-c", "sleep 0.3; echo a", NULL };
	const char *b[] = { "sh", "-c", "sleep 0.3; echo b", NULL };
	struct timespec t0, t1;
	int32_t pa, pb;
	int fa, fb, st;
	char *oa, *ob;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	fa = spawn_out(sb, a, &pa);
	fb = spawn_out(sb, b, &pb);
	assert_int_not_equal(pa, pb);
	/* b first: waits are per pid, in any order */
	assert_int_equal(sandbox_wait(sb, pb, 10000, &st), 0);
	assert_int_equal(st, 0);
	assert_int_equal(sandbox_wait(sb, pa, 10000, &st), 0);
	assert_int_equal(st, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	oa = read_all(fa);
	ob = read_all(fb);
	assert_string_equal(oa, "a\n");
	assert_string_equal(ob, "b\n");
	/* they ran side by side: well under two sleeps */
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 2000);
	/* collected: a second wait has nothing */
	assert_int_equal(sandbox_wait(sb, pa, 0, &st), -ECHILD);
	free(oa);
	free(ob);
}

static void test_kill_and_timeout(void **state)
{
	const char *argv[] = { "sleep", "100", NULL };
	struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 } };
	struct timespec t0, t1;
	int32_t pid;
	int st = 0;
	long ms;

	assert_int_equal(sandbox_spawn(sb, &p, &pid), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(sandbox_wait(sb, pid, 200, &st), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 190 && ms < 5000);
	assert_int_equal(sandbox_wait(sb, pid, 0, &st), -ETIMEDOUT);
	assert_int_equal(sandbox_kill(sb, pid, 0), 0);
	assert_int_equal(sandbox_kill(sb, pid, SIGTERM), 0);
	assert_int_equal(sandbox_wait(sb, pid, 10000, &st), 0);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	assert_int_equal(sandbox_kill(sb, pid, SIGKILL), -ESRCH);
	assert_int_equal(sandbox_kill(sb, 12345, SIGKILL), -ESRCH);
	assert_int_equal(sandbox_kill(sb, pid, 99), -EINVAL);
	assert_int_equal(sandbox_wait(sb, 12345, 0, &st), -ECHILD);
}

static void test_kill_all(void **state)
{
	const char *argv[] = { "sleep", "100", NULL };
	struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 } };
	int32_t pids[3];
	int st;

	for (int i = 0; i < 3; i++)
		assert_int_equal(sandbox_spawn(sb, &p, &pids[i]), 0);
	assert_int_equal(sandbox_kill(sb, 0, SIGKILL), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(sandbox_wait(sb, pids[i], 10000, &st), 0);
		assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	}
}

static void test_ps(void **state)
{
	const char *argv[] = { "sleep", "100", NULL };
	struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 } };
	struct sandbox_ps_entry *v = NULL;
	size_t n = 0;
	int32_t pid;
	int st, found = 0;

	assert_int_equal(sandbox_spawn(sb, &p, &pid), 0);
	assert_int_equal(sandbox_ps(sb, &v, &n), 0);
	for (size_t i = 0; i < n; i++) {
		if (v[i].pid != pid)
			continue;
		found = 1;
		assert_int_equal(v[i].ppid, 0);
		/* Linux names it "sleep" (the execve path); the Sentry's
		 * comm is the resolved program's, "busybox" here */
		assert_true(!strcmp(v[i].comm, "sleep") || !strcmp(v[i].comm, "busybox"));
		assert_string_equal(v[i].cmdline, "sleep 100");
		assert_true(v[i].state == 'S' || v[i].state == 'R');
	}
	assert_true(found);
	sandbox_ps_free(v, n);
	assert_int_equal(sandbox_kill(sb, pid, SIGKILL), 0);
	assert_int_equal(sandbox_wait(sb, pid, 10000, &st), 0);
	assert_int_equal(sandbox_ps(sb, &v, &n), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(v[i].pid, pid);
	sandbox_ps_free(v, n);
}

static void test_files(void **state)
{
	static const char data[] = "hello from the host\n";
	struct sandbox_dirent *d = NULL;
	void *buf = NULL;
	size_t len = 0, n = 0;
	int seen = 0;

	/* host -> app, on the overlay root and on /tmp */
	assert_int_equal(sandbox_file_write(sb, "/etc/greeting", data, strlen(data), 0644), 0);
	sh("cat /etc/greeting; stat -c %a /etc/greeting", "hello from the host\n644\n", 0);
	assert_int_equal(sandbox_file_write(sb, "/tmp/x", "abc", 3, 0600), 0);
	sh("cat /tmp/x", "abc", 0);
	/* app -> host */
	sh("echo written by the app > /out.txt; mkdir /d; echo 1 > /d/f", "", 0);
	assert_int_equal(sandbox_file_read(sb, "/out.txt", 1024, &buf, &len), 0);
	assert_int_equal(len, strlen("written by the app\n"));
	assert_memory_equal(buf, "written by the app\n", len);
	free(buf);
	assert_int_equal(sandbox_file_read(sb, "/out.txt", 4, &buf, &len), -EFBIG);
	assert_int_equal(sandbox_file_read(sb, "/nope", 4, &buf, &len), -ENOENT);
	assert_int_equal(sandbox_file_read(sb, "/etc", 4, &buf, &len), -EISDIR);
	assert_int_equal(sandbox_file_read(sb, "relative", 4, &buf, &len), -EINVAL);
	/* a file of the lower layer, through the Gofer */
	assert_int_equal(sandbox_file_read(sb, "/etc/passwd", 65536, &buf, &len), 0);
	assert_non_null(strstr(buf, "root:"));
	free(buf);
	assert_int_equal(sandbox_file_list(sb, "/", &d, &n), 0);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(d[i].name, "out.txt")) {
			seen |= 1;
			assert_true(S_ISREG(d[i].mode));
			assert_int_equal(d[i].size, strlen("written by the app\n"));
		}
		if (!strcmp(d[i].name, "bin")) {
			seen |= 2;
			assert_true(S_ISDIR(d[i].mode));
		}
		assert_string_not_equal(d[i].name, ".");
	}
	assert_int_equal(seen, 3);
	sandbox_dirents_free(d, n);
	assert_int_equal(sandbox_file_list(sb, "/out.txt", &d, &n), -ENOTDIR);
	/* remove: files, empty directories; what the app sees */
	assert_int_equal(sandbox_file_remove(sb, "/out.txt"), 0);
	assert_int_equal(sandbox_file_remove(sb, "/out.txt"), -ENOENT);
	assert_int_equal(sandbox_file_remove(sb, "/d"), -ENOTEMPTY);
	assert_int_equal(sandbox_file_remove(sb, "/d/f"), 0);
	assert_int_equal(sandbox_file_remove(sb, "/d"), 0);
	assert_int_equal(sandbox_file_remove(sb, "/proc"), -EBUSY);
	sh("test -e /out.txt || test -e /d || echo gone", "gone\n", 0);
	/* nothing reached the host tree */
	{
		char p[512];

		snprintf(p, sizeof(p), "%s/etc/greeting", rootfs);
		assert_int_equal(access(p, F_OK), -1);
	}
}

/* Bytes readable on @fd within @ms (drained). */
static size_t drain(int fd, int ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char buf[4096];
	size_t total = 0;

	while (poll(&pfd, 1, ms) > 0) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n <= 0)
			break;
		total += (size_t)n;
		ms = 0;
	}
	return total;
}

static void test_pause_resume(void **state)
{
	const char *argv[] = { "sh", "-c", "while true; do echo x; usleep 20000; done", NULL };
	struct sandbox_stats s;
	struct sandbox_ps_entry *v = NULL;
	size_t n;
	int32_t pid;
	int fd, st;

	fd = spawn_out(sb, argv, &pid);
	assert_true(drain(fd, 2000) > 0);
	assert_int_equal(sandbox_pause(sb), 0);
	assert_int_equal(sandbox_stats(sb, &s), 0);
	assert_true(s.paused);
	assert_int_equal(sandbox_ps(sb, &v, &n), 0);
	for (size_t i = 0; i < n; i++)
		if (v[i].pid == pid)
			assert_int_equal(v[i].state, 'T');
	sandbox_ps_free(v, n);
	(void)drain(fd, 100); /* in flight */
	assert_int_equal(drain(fd, 400), 0);
	assert_int_equal(sandbox_resume(sb), 0);
	assert_int_equal(sandbox_stats(sb, &s), 0);
	assert_false(s.paused);
	assert_true(drain(fd, 2000) > 0);
	/* a paused sandbox can still be killed */
	assert_int_equal(sandbox_pause(sb), 0);
	assert_int_equal(sandbox_kill(sb, pid, SIGKILL), 0);
	assert_int_equal(sandbox_wait(sb, pid, 10000, &st), 0);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(sandbox_resume(sb), 0);
	close(fd);
}

static void test_paused_spawn(void **state)
{
	const char *argv[] = { "echo", "started", NULL };
	struct sandbox_process p = { .argv = argv, .paused = true, .stdio = { -1, -1, -1 } };
	int pfd[2], st;
	int32_t pid;
	char *out;

	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	p.stdio[1] = pfd[1];
	assert_int_equal(sandbox_spawn(sb, &p, &pid), 0);
	close(pfd[1]);
	assert_int_equal(sandbox_wait(sb, pid, 300, &st), -ETIMEDOUT);
	assert_int_equal(drain(pfd[0], 0), 0);
	assert_int_equal(sandbox_start(sb, pid), 0);
	assert_int_equal(sandbox_start(sb, pid), -EALREADY);
	out = read_all(pfd[0]);
	assert_string_equal(out, "started\n");
	free(out);
	assert_int_equal(sandbox_wait(sb, pid, 10000, &st), 0);
	assert_int_equal(st, 0);
	assert_int_equal(sandbox_start(sb, pid), -ESRCH);
}

static void test_stats(void **state)
{
	const char *argv[] = { "sleep", "100", NULL };
	struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 } };
	struct sandbox_stats s0, s1;
	int32_t pid;
	int st;

	assert_int_equal(sandbox_stats(sb, &s0), 0);
	sh("i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done", "", 0);
	assert_int_equal(sandbox_spawn(sb, &p, &pid), 0);
	assert_int_equal(sandbox_stats(sb, &s1), 0);
	assert_int_equal(s1.nprocs, s0.nprocs + 1);
	assert_true(s1.nthreads >= 1);
	assert_true(s1.mem_bytes > 0);
	assert_false(s1.init_exited);
	assert_int_equal(sandbox_kill(sb, pid, SIGKILL), 0);
	assert_int_equal(sandbox_wait(sb, pid, 10000, &st), 0);
}

static void test_attach(void **state)
{
	struct sandbox *b = NULL;
	const char *sleep_argv[] = { "sleep", "100", NULL };
	const char *argv[] = { "echo", "second", NULL };
	struct sandbox_process p = { .argv = sleep_argv, .stdio = { -1, -1, -1 } };
	int32_t pid, orphan;
	int st;
	char *out;

	assert_int_equal(sandbox_attach(ctl_path, &b), 0);
	assert_int_equal(sandbox_host_pid(b), 0);
	out = run(b, argv, &st);
	assert_string_equal(out, "second\n");
	free(out);
	/* one connection waits for what another spawned */
	assert_int_equal(sandbox_spawn(b, &p, &pid), 0);
	assert_int_equal(sandbox_kill(sb, pid, SIGKILL), 0);
	assert_int_equal(sandbox_wait(sb, pid, 10000, &st), 0);
	/* a zombie left behind goes with the connection that spawned it */
	argv[1] = "orphan";
	p.argv = argv;
	assert_int_equal(sandbox_spawn(b, &p, &orphan), 0);
	usleep(300000);
	sandbox_close(b);
	usleep(200000);
	assert_int_equal(sandbox_wait(sb, orphan, 0, &st), -ECHILD);
	assert_int_equal(sandbox_attach("/nonexistent/sock", &b), -ENOENT);
}

static void still_serving(void)
{
	struct sandbox_stats s;

	assert_int_equal(sandbox_stats(sb, &s), 0);
	sh("echo ok", "ok\n", 0);
}

/* The host end of a stdio pipe goes away: the writer gets SIGPIPE, the
 * sandbox lives on. */
static void test_stdio_epipe(void **state)
{
	const char *argv[] = { "yes", NULL };
	char buf[64];
	int32_t pid;
	int fd = spawn_out(sb, argv, &pid), st;

	assert_true(read(fd, buf, sizeof(buf)) > 0);
	close(fd);
	assert_int_equal(sandbox_wait(sb, pid, 10000, &st), 0);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGPIPE);
	still_serving();
}

/* Without a pid 1, orphans and their zombies are reaped by the kernel. */
static void test_orphans(void **state)
{
	struct sandbox_ps_entry *v = NULL;
	struct sandbox_stats s0, s1;
	size_t n;

	assert_int_equal(sandbox_stats(sb, &s0), 0);
	/* an orphan that outlives its parent; a zombie whose parent exits */
	sh("sleep 0.3 & (true &) ; sleep 0.1; exit 0", "", 0);
	usleep(700000);
	assert_int_equal(sandbox_ps(sb, &v, &n), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(v[i].state, 'Z');
	sandbox_ps_free(v, n);
	assert_int_equal(sandbox_stats(sb, &s1), 0);
	assert_int_equal(s1.nprocs, s0.nprocs);
}

/* ---- hostile input on the socket ---- */

static int raw_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ctl_path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Read until EOF (or 5 s): the bytes the Sentry sent back. */
static ssize_t reply_then_eof(int fd, uint8_t *buf, size_t cap)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t len = 0;

	while (poll(&pfd, 1, 5000) > 0) {
		ssize_t n = read(fd, buf + len, cap - len);

		if (n <= 0)
			return (ssize_t)len;
		len += (size_t)n;
	}
	return -1; /* still open */
}

static void frame(int fd, const void *msg, uint32_t len, uint32_t claimed)
{
	uint8_t hdr[4] = { (uint8_t)claimed, (uint8_t)(claimed >> 8), (uint8_t)(claimed >> 16),
			   (uint8_t)(claimed >> 24) };

	assert_int_equal(write(fd, hdr, 4), 4);
	if (len)
		assert_int_equal(write(fd, msg, len), (ssize_t)len);
}

static void test_hostile(void **state)
{
	uint8_t buf[4096];
	int fd;

	/* a huge length: an error frame, then the connection closes */
	fd = raw_connect();
	frame(fd, NULL, 0, 0xffffffffu);
	assert_true(reply_then_eof(fd, buf, sizeof(buf)) > 4);
	close(fd);
	/* truncated: a length, half a message, end of stream */
	fd = raw_connect();
	frame(fd, "\x08\x01", 2, 100);
	shutdown(fd, SHUT_WR);
	assert_true(reply_then_eof(fd, buf, sizeof(buf)) >= 0);
	close(fd);
	/* a frame that is no protobuf: an error reply, connection kept */
	fd = raw_connect();
	frame(fd, "\xff\xff\xff\xff\xff", 5, 5);
	{
		struct pollfd pfd = { fd, POLLIN, 0 };

		assert_int_equal(poll(&pfd, 1, 5000), 1);
		assert_true(read(fd, buf, sizeof(buf)) > 4);
	}
	/* unknown fields are skipped: id 7, field 99 (varint 1), ping {} */
	{
		static const uint8_t ping[] = { 0x08, 0x07, 0x98, 0x06, 0x01, 0x7a, 0x00 };
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;

		frame(fd, ping, sizeof(ping), sizeof(ping));
		assert_int_equal(poll(&pfd, 1, 5000), 1);
		n = read(fd, buf, sizeof(buf));
		assert_true(n > 4);
		/* id 7, no error field, a pong (field 9) */
		assert_int_equal(buf[4], 0x08);
		assert_int_equal(buf[5], 0x07);
		assert_int_equal(buf[6], 0x4a);
	}
	/* an empty request (no kind): an error, connection kept */
	frame(fd, NULL, 0, 0);
	{
		struct pollfd pfd = { fd, POLLIN, 0 };

		assert_int_equal(poll(&pfd, 1, 5000), 1);
		assert_true(read(fd, buf, sizeof(buf)) > 4);
	}
	close(fd);
	/* a Spawn whose stdio names an fd that did not come: EBADF */
	{
		/* spawn { argv: "true", stdio_fds: [0, -1, -1] } */
		static const uint8_t spawn[] = {
			0x08, 0x01, 0x12, 0x1d, 0x0a, 0x04, 't', 'r', 'u', 'e', 0x3a, 0x15,
			0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0xff,
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
		};

		fd = raw_connect();
		frame(fd, spawn, sizeof(spawn), sizeof(spawn));
		{
			struct pollfd pfd = { fd, POLLIN, 0 };
			ssize_t n;

			assert_int_equal(poll(&pfd, 1, 5000), 1);
			n = read(fd, buf, sizeof(buf));
			assert_true(n >= 8);
			/* id 1, error (field 2) = EBADF */
			assert_int_equal(buf[6], 0x10);
			assert_int_equal(buf[7], EBADF);
		}
		close(fd);
	}
	/* many connections dropped at once */
	for (int i = 0; i < 50; i++)
		close(raw_connect());
	still_serving();
}

/* pid 1: its exit is the container's, the sandbox stays up; last, as
 * it kills everything else (as a pid namespace's init does). */
static void test_init(void **state)
{
	const char *argv[] = { "sh", "-c", "exit 7", NULL };
	const char *sleeper[] = { "sleep", "100", NULL };
	struct sandbox_process p = { .argv = argv, .init = true, .paused = true,
				     .stdio = { -1, -1, -1 } };
	struct sandbox_process q = { .argv = sleeper, .stdio = { -1, -1, -1 } };
	struct sandbox_stats s;
	int32_t pid, other;
	int st;

	assert_int_equal(sandbox_spawn(sb, &p, &pid), 0);
	assert_int_equal(pid, 1);
	assert_int_equal(sandbox_spawn(sb, &p, &other), -EEXIST);
	assert_int_equal(sandbox_spawn(sb, &q, &other), 0);
	assert_int_equal(sandbox_stats(sb, &s), 0);
	assert_false(s.init_exited);
	assert_int_equal(sandbox_start(sb, 1), 0);
	assert_int_equal(sandbox_wait(sb, 1, 10000, &st), 0);
	assert_int_equal(st, 7 << 8);
	/* the others died with it */
	assert_int_equal(sandbox_wait(sb, other, 10000, &st), 0);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	assert_int_equal(sandbox_stats(sb, &s), 0);
	assert_true(s.init_exited);
	assert_int_equal(s.init_status, 7 << 8);
	/* still up: waits on pid 1 repeat its status, exec still works */
	assert_int_equal(sandbox_wait(sb, 1, 0, &st), 0);
	assert_int_equal(st, 7 << 8);
	sh("echo after", "after\n", 0);
}

/* A second sandbox, destroyed with processes still running. */
static void test_destroy_busy(void **state)
{
	const char *argv[] = { "sleep", "100", NULL };
	struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 } };
	struct sandbox *b = boot("sbbusy");
	pid_t host;
	int32_t pid;

	for (int i = 0; i < 3; i++)
		assert_int_equal(sandbox_spawn(b, &p, &pid), 0);
	p.paused = true;
	assert_int_equal(sandbox_spawn(b, &p, &pid), 0);
	host = sandbox_host_pid(b);
	assert_true(host > 0);
	/* the search sees them: launcher, ns keeper and Sentry (or one) */
	assert_true(count_procs("sbbusy") >= (getenv("CVISOR_TEST_NO_CONFINE") ? 1 : 3));
	assert_int_equal(sandbox_destroy(b), 0);
	assert_int_equal(kill(host, 0), -1);
	assert_int_equal(count_procs("sbbusy"), 0);
	snprintf(ctl_path, sizeof(ctl_path), "%s/sbmain.sock", dir);
}

/* die_with_caller: a caller that exits without destroying takes the
 * sandbox (Sentry, Gofer, launcher) with it. */
static void test_die_with_caller(void **state)
{
	int pfd[2], n = -1;
	pid_t child;

	assert_int_equal(pipe(pfd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct sandbox_opts o = { .rootfs = rootfs, .control_path = ctl_path,
					  .platform = platform, .hostname = "sbcaller",
					  .log_fd = -1, .cvisor_path = cvisor_bin,
					  .die_with_caller = true };
		struct sandbox *s;
		const char *argv[] = { "sleep", "100", NULL };
		struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 } };
		int32_t pid;
		char ok = 0;

		o.no_confine = getenv("CVISOR_TEST_NO_CONFINE") != NULL;
		snprintf(ctl_path, sizeof(ctl_path), "%s/sbcaller.sock", dir);
		if (sandbox_boot(&o, &s) == 0 && sandbox_spawn(s, &p, &pid) == 0)
			ok = 1;
		(void)!write(pfd[1], &ok, 1);
		_exit(0); /* no destroy */
	}
	close(pfd[1]);
	{
		char ok = 0;

		assert_int_equal(read(pfd[0], &ok, 1), 1);
		assert_int_equal(ok, 1);
	}
	close(pfd[0]);
	assert_int_equal(waitpid(child, NULL, 0), child);
	for (int i = 0; i < 100 && n != 0; i++) {
		usleep(50000);
		n = count_procs("sbcaller");
	}
	assert_int_equal(n, 0);
	{
		char p[200];

		snprintf(p, sizeof(p), "%s/sbcaller.sock", dir);
		unlink(p);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_ppid_cwd_env),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_kill_and_timeout),
		cmocka_unit_test(test_kill_all),
		cmocka_unit_test(test_ps),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_pause_resume),
		cmocka_unit_test(test_paused_spawn),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_attach),
		cmocka_unit_test(test_orphans),
		cmocka_unit_test(test_stdio_epipe),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_destroy_busy),
		cmocka_unit_test(test_die_with_caller),
		cmocka_unit_test(test_init),
	};
	char tmpl[] = "/tmp/cvisor-sbtest-XXXXXX";

	if (argc < 3) {
		fprintf(stderr, "usage: %s CVISOR ROOTFS [systrap|ptrace]\n", argv[0]);
		return 2;
	}
	cvisor_bin = argv[1];
	rootfs = argv[2];
	if (argc > 3 && plat_kind_from_string(argv[3], &platform) < 0)
		return 2;
	if (!mkdtemp(tmpl))
		return 1;
	snprintf(dir, sizeof(dir), "%s", tmpl);
	signal(SIGPIPE, SIG_IGN);
	int r = cmocka_run_group_tests(tests, group_setup, group_teardown);
	rmdir(dir);
	return r;
}
