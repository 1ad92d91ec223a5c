/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A booted sandbox driven through runtime/sandbox.h, as the OCI verbs and
 * cvisord will: real `cvisor boot` + Gofer over the busybox rootfs.
 * Usage: test_sandbox CVISOR ROOTFS [systrap|ptrace]
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "tests/integration/runtime/sb_harness.h"

/* test_sandbox_hostile.c */
void test_hostile(void **state);
void test_init(void **state);
void test_destroy_busy(void **state);
void test_die_with_caller(void **state);
void test_boot_bad_rootfs(void **state);
void test_destroy_attached(void **state);
void test_launcher_killed(void **state);
void test_wait_abandoned(void **state);

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

static void test_rlimits_umask(void **state)
{
	const char *argv[] = { "sh", "-c", "ulimit -n; ulimit -s; umask", NULL };
	const struct sandbox_rlimit rl[] = { { RLIMIT_NOFILE, 100, 200 },
					     { RLIMIT_STACK, 4 << 20, 4 << 20 } };
	struct sandbox_process p = { .argv = argv, .rlimits = rl, .nrlimits = 2,
				     .has_umask = true, .umask = 027, .stdio = { -1, -1, -1 } };
	const struct sandbox_rlimit bad[] = { { RLIMIT_NOFILE, 300, 200 } };
	int pfd[2], st;
	int32_t pid;
	char *out;

	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	p.stdio[1] = pfd[1];
	assert_int_equal(sandbox_spawn(sb, &p, &pid), 0);
	close(pfd[1]);
	out = read_all(pfd[0]);
	assert_int_equal(sandbox_wait(sb, pid, 10000, &st), 0);
	assert_string_equal(out, "100\n4096\n0027\n");
	free(out);
	p.stdio[1] = -1;
	p.rlimits = bad;
	p.nrlimits = 1;
	assert_int_equal(sandbox_spawn(sb, &p, &pid), -EINVAL);
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

/* Several clients at once, each on its own connection: spawns, waits, ps
 * and stats interleave in the Sentry. */
#define PAR_CLIENTS 6
#define PAR_ROUNDS 10

static void *par_client(void *arg)
{
	long bad = 0;
	struct sandbox *c = NULL;

	if (sandbox_attach(ctl_path, &c) < 0)
		return (void *)1L;
	for (int i = 0; i < PAR_ROUNDS; i++) {
		char code[16];
		const char *argv[] = { "sh", "-c", code, NULL };
		struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 } };
		struct sandbox_ps_entry *v = NULL;
		struct sandbox_stats st;
		int32_t pid;
		int ws;
		size_t n;

		snprintf(code, sizeof(code), "exit %d", (int)(((long)arg * 7 + i) % 100));
		if (sandbox_spawn(c, &p, &pid) < 0 || sandbox_ps(c, &v, &n) < 0 ||
		    sandbox_stats(c, &st) < 0 || sandbox_wait(c, pid, 20000, &ws) < 0 ||
		    !WIFEXITED(ws) || WEXITSTATUS(ws) != ((long)arg * 7 + i) % 100)
			bad++;
		sandbox_ps_free(v, n);
	}
	sandbox_close(c);
	return (void *)bad;
}

static void test_parallel_clients(void **state)
{
	pthread_t th[PAR_CLIENTS];

	for (long i = 0; i < PAR_CLIENTS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, par_client, (void *)i), 0);
	for (int i = 0; i < PAR_CLIENTS; i++) {
		void *bad;

		assert_int_equal(pthread_join(th[i], &bad), 0);
		assert_int_equal((long)bad, 0);
	}
	still_serving();
}

/* wait(2) for a connection: any of its processes, in exit order. */
static void test_wait_any(void **state)
{
	struct sandbox *c = NULL;
	int32_t pids[3], pid = 0;
	int st, seen = 0;

	assert_int_equal(sandbox_attach(ctl_path, &c), 0);
	assert_int_equal(sandbox_wait_any(c, 0, &pid, &st), -ECHILD);
	for (int i = 0; i < 3; i++) {
		char code[64];
		const char *argv[] = { "sh", "-c", code, NULL };
		struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 } };

		/* the last spawned exits first */
		snprintf(code, sizeof(code), "sleep 0.%d; exit %d", 9 - 3 * i, 10 + i);
		assert_int_equal(sandbox_spawn(c, &p, &pids[i]), 0);
	}
	/* another connection's process is not ours to collect */
	{
		const char *argv[] = { "true", NULL };
		struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 } };
		int32_t other;

		assert_int_equal(sandbox_spawn(sb, &p, &other), 0);
		assert_int_equal(sandbox_wait(sb, other, 10000, &st), 0);
	}
	assert_int_equal(sandbox_wait_any(c, 0, &pid, &st), -ETIMEDOUT);
	for (int i = 2; i >= 0; i--) {
		assert_int_equal(sandbox_wait_any(c, 10000, &pid, &st), 0);
		assert_int_equal(pid, pids[i]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 10 + i);
		seen++;
	}
	assert_int_equal(seen, 3);
	assert_int_equal(sandbox_wait_any(c, 1000, &pid, &st), -ECHILD);
	sandbox_close(c);
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
	/* with the missing directories made (an OCI file bind's target) */
	assert_int_equal(sandbox_file_write(sb, "/run/a/b/f", "p", 1, 0644), -ENOENT);
	assert_int_equal(sandbox_file_write_parents(sb, "/run/a/b/f", "p", 1, 0644), 0);
	sh("cat /run/a/b/f; stat -c %a /run/a/b", "p755\n", 0);
	assert_int_equal(sandbox_file_write_parents(sb, "/run/a/b/f", "q", 1, 0644), 0);
	sh("cat /run/a/b/f", "q", 0);
	assert_int_equal(sandbox_file_write_parents(sb, "/run/../x/f", "p", 1, 0644), -EINVAL);
	assert_int_equal(sandbox_file_write_parents(sb, "/run/./y/f", "p", 1, 0644), -EINVAL);
	sh("ln -s /tmp /run/lnk", "", 0);
	assert_int_equal(sandbox_file_write_parents(sb, "/run/lnk/z/f", "p", 1, 0644), -ENOTDIR);
	sh("test -e /tmp/z && echo escaped || echo contained", "contained\n", 0);
	assert_int_equal(sandbox_file_write_parents(sb, "/etc/passwd/f", "p", 1, 0644), -ENOTDIR);
	assert_int_equal(sandbox_file_write_parents(sb, "relative/f", "p", 1, 0644), -EINVAL);
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

/* Directory bind mounts through sandbox_opts (what the OCI CLI and, later,
 * the pools use): rw writes reach the host, ro ones are EROFS, bad options
 * fail the boot. */
static void test_binds(void **state)
{
	char rw[128], ro[128], p[256], host[64], saved_ctl[sizeof(ctl_path)];
	struct sandbox_bind binds[] = {
		{ .src = rw, .dest = "/vol/rw" },
		{ .src = ro, .dest = "/vol/ro", .ro = true },
	};
	struct sandbox_opts o = { .rootfs = rootfs, .control_path = ctl_path,
				  .platform = platform, .hostname = host, .log_fd = -1,
				  .cvisor_path = cvisor_bin, .die_with_caller = true,
				  .binds = binds, .nbinds = 2 };
	const char *const cat[] = { "sh", "-c", "cat /vol/rw/in /vol/ro/in; grep -c ' 9p ' /proc/mounts",
				    NULL };
	struct sandbox *s = NULL;
	void *buf = NULL;
	size_t len = 0;
	char *out;
	int status;
	FILE *f;

	(void)state;
	o.no_confine = getenv("CVISOR_TEST_NO_CONFINE") != NULL;
	snprintf(host, sizeof(host), "binds-%d", (int)getpid());
	snprintf(rw, sizeof(rw), "%s/bind-rw", dir);
	snprintf(ro, sizeof(ro), "%s/bind-ro", dir);
	assert_int_equal(mkdir(rw, 0755), 0);
	assert_int_equal(mkdir(ro, 0755), 0);
	snprintf(p, sizeof(p), "%s/in", rw);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("rw-in\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/in", ro);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("ro-in\n", f);
	fclose(f);
	memcpy(saved_ctl, ctl_path, sizeof(saved_ctl)); /* sb's, for the later tests */
	snprintf(ctl_path, sizeof(ctl_path), "%s/binds.sock", dir);
	assert_int_equal(sandbox_boot(&o, &s), 0);
	out = run(s, cat, &status);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_string_equal(out, "rw-in\nro-in\n2\n");
	free(out);
	/* the control socket's files go through the same mounts */
	assert_int_equal(sandbox_file_write(s, "/vol/rw/out", "to the host", 11, 0640), 0);
	assert_int_equal(sandbox_file_write(s, "/vol/ro/out", "no", 2, 0640), -EROFS);
	assert_int_equal(sandbox_file_read(s, "/vol/ro/in", 64, &buf, &len), 0);
	assert_int_equal(len, 6);
	free(buf);
	assert_int_equal(sandbox_destroy(s), 0);
	snprintf(p, sizeof(p), "%s/out", rw);
	f = fopen(p, "r");
	assert_non_null(f);
	{
		char line[32] = "";

		assert_non_null(fgets(line, sizeof(line), f));
		assert_string_equal(line, "to the host");
	}
	fclose(f);
	snprintf(p, sizeof(p), "%s/out", ro);
	assert_int_equal(access(p, F_OK), -1);
	/* refused before anything starts */
	binds[0].dest = "relative";
	assert_int_equal(sandbox_boot(&o, &s), -EINVAL);
	binds[0].dest = "/vol/rw";
	binds[0].src = "/nonexistent/dir";
	assert_int_equal(sandbox_boot(&o, &s), -ENOENT);
	memcpy(ctl_path, saved_ctl, sizeof(saved_ctl));
}

/* Files larger than a frame go in chunks; FIFOs and devices are refused
 * without blocking the Sentry. */
static void test_files_big_special(void **state)
{
	size_t len = (10u << 20) + 123, got = 0;
	unsigned char *data = malloc(len);
	void *back = NULL;

	for (size_t i = 0; i < len; i++)
		data[i] = (unsigned char)(i * 7 + (i >> 13));
	assert_int_equal(sandbox_file_write(sb, "/tmp/big", data, len, 0600), 0);
	sh("wc -c < /tmp/big", "10485883\n", 0);
	assert_int_equal(sandbox_file_read(sb, "/tmp/big", len, &back, &got), 0);
	assert_int_equal(got, len);
	assert_memory_equal(back, data, len);
	free(back);
	assert_int_equal(sandbox_file_read(sb, "/tmp/big", len - 1, &back, &got), -EFBIG);
	/* rewriting truncates */
	assert_int_equal(sandbox_file_write(sb, "/tmp/big", "x", 1, 0600), 0);
	assert_int_equal(sandbox_file_read(sb, "/tmp/big", 10, &back, &got), 0);
	assert_int_equal(got, 1);
	free(back);
	assert_int_equal(sandbox_file_write(sb, "/tmp/empty", "", 0, 0600), 0);
	assert_int_equal(sandbox_file_read(sb, "/tmp/empty", 0, &back, &got), 0);
	assert_int_equal(got, 0);
	free(back);
	free(data);
	sh("mkfifo /tmp/ff", "", 0);
	assert_int_equal(sandbox_file_read(sb, "/tmp/ff", 10, &back, &got), -EINVAL);
	assert_int_equal(sandbox_file_write(sb, "/tmp/ff", "x", 1, 0600), -EINVAL);
	assert_int_equal(sandbox_file_read(sb, "/dev/null", 10, &back, &got), -EINVAL);
	assert_int_equal(sandbox_file_read(sb, "/dev/zero", 10, &back, &got), -EINVAL);
	/* procfs as seen by no task at all: an answer, never a crash */
	{
		static const char *const procs[] = { "/proc/meminfo", "/proc/self/status",
						     "/proc/self/maps", "/proc/1/status",
						     "/proc/mounts", "/proc/self/fd/0",
						     "/proc/thread-self/comm", "/proc/uptime" };
		struct sandbox_dirent *d = NULL;
		size_t n = 0;

		for (size_t i = 0; i < sizeof(procs) / sizeof(procs[0]); i++) {
			int r = sandbox_file_read(sb, procs[i], 1 << 20, &back, &got);

			if (r == 0)
				free(back);
			assert_true(r == 0 || r == -ENOENT || r == -EINVAL || r == -ESRCH);
			r = sandbox_file_write(sb, procs[i], "x", 1, 0600);
			assert_true(r < 0);
		}
		assert_int_equal(sandbox_file_list(sb, "/proc", &d, &n), 0);
		sandbox_dirents_free(d, n);
		if (sandbox_file_list(sb, "/proc/self", &d, &n) == 0)
			sandbox_dirents_free(d, n);
		if (sandbox_file_list(sb, "/proc/self/fd", &d, &n) == 0)
			sandbox_dirents_free(d, n);
		still_serving();
	}
	assert_int_equal(sandbox_file_remove(sb, "/tmp/ff"), 0);
	assert_int_equal(sandbox_file_remove(sb, "/tmp/big"), 0);
	assert_int_equal(sandbox_file_remove(sb, "/tmp/empty"), 0);
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
	/* killed before it ever ran: it stops at once (OCI kill of a created
	 * container) */
	argv[0] = "sleep";
	argv[1] = "100";
	p.stdio[1] = -1;
	assert_int_equal(sandbox_spawn(sb, &p, &pid), 0);
	assert_int_equal(sandbox_kill(sb, pid, SIGKILL), 0);
	assert_int_equal(sandbox_wait(sb, pid, 5000, &st), 0);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
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
	assert_false(s1.has_init);
	/* the loop's CPU time is kept after it was collected, and grows */
	assert_true(s1.cpu_user_ns + s1.cpu_sys_ns > s0.cpu_user_ns + s0.cpu_sys_ns);
	assert_true(s1.cpu_user_ns >= s0.cpu_user_ns && s1.cpu_sys_ns >= s0.cpu_sys_ns);
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

/* A writer blocked on a full host pipe nobody reads still dies at once. */
static void test_kill_blocked_writer(void **state)
{
	const char *argv[] = { "yes", NULL };
	struct timespec t0, t1;
	int32_t pid;
	int fd = spawn_out(sb, argv, &pid), st;

	usleep(300000); /* the pipe is full by now */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(sandbox_kill(sb, pid, SIGKILL), 0);
	assert_int_equal(sandbox_wait(sb, pid, 10000, &st), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	assert_true(t1.tv_sec - t0.tv_sec < 3);
	close(fd);
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

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_ppid_cwd_env),
		cmocka_unit_test(test_rlimits_umask),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_parallel_clients),
		cmocka_unit_test(test_wait_any),
		cmocka_unit_test(test_kill_and_timeout),
		cmocka_unit_test(test_kill_all),
		cmocka_unit_test(test_ps),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_files_big_special),
		cmocka_unit_test(test_binds),
		cmocka_unit_test(test_pause_resume),
		cmocka_unit_test(test_paused_spawn),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_attach),
		cmocka_unit_test(test_orphans),
		cmocka_unit_test(test_stdio_epipe),
		cmocka_unit_test(test_kill_blocked_writer),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_wait_abandoned),
		cmocka_unit_test(test_destroy_busy),
		cmocka_unit_test(test_die_with_caller),
		cmocka_unit_test(test_boot_bad_rootfs),
		cmocka_unit_test(test_destroy_attached),
		cmocka_unit_test(test_launcher_killed),
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
