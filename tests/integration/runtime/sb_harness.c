/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers of test_sandbox (sb_harness.h). */
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

#include "tests/integration/runtime/sb_harness.h"

const char *cvisor_bin, *rootfs;
enum plat_kind platform = PLAT_SYSTRAP;
char dir[64], ctl_path[100];
struct sandbox *sb;

/* ---- helpers ---- */

/* Spawn @argv with stdout+stderr on a pipe; returns the read end. */
int spawn_out(struct sandbox *s, const char *const *argv, int32_t *pid)
{
	int pfd[2];
	struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 } };

	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	p.stdio[1] = p.stdio[2] = pfd[1];
	assert_int_equal(sandbox_spawn(s, &p, pid), 0);
	close(pfd[1]);
	return pfd[0];
}

char *read_all(int fd)
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
char *run(struct sandbox *s, const char *const *argv, int *status)
{
	int32_t pid;
	int fd = spawn_out(s, argv, &pid);
	char *out = read_all(fd);

	assert_int_equal(sandbox_wait(s, pid, 20000, status), 0);
	return out;
}

void sh(const char *script, const char *expect, int code)
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
int count_procs(const char *needle)
{
	char path[64], buf[4096], full[128];
	int n = 0;

	/* names carry the test's pid: parallel runs do not see each other */
	snprintf(full, sizeof(full), "%s-%d ", needle, (int)getpid());

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
		if (pid != getpid() && strstr(buf, full)) {
			n++;
			if (getenv("SB_DEBUG")) {
				char st[512] = "";

				snprintf(path, sizeof(path), "/proc/%d/stat", pid);
				f = fopen(path, "r");
				if (f) {
					(void)!fgets(st, sizeof(st), f);
					fclose(f);
				}
				fprintf(stderr, "left: %s\n", st);
			}
		}
	}
	return n;
}

struct sandbox *boot(const char *name)
{
	char host[64];
	struct sandbox_opts o = { .rootfs = rootfs, .control_path = ctl_path,
				  .platform = platform, .hostname = host, .log_fd = -1,
				  .cvisor_path = cvisor_bin, .die_with_caller = true };
	struct sandbox *s = NULL;

	/* sanitizer builds: the confined Sentry cannot run their runtime */
	o.no_confine = getenv("CVISOR_TEST_NO_CONFINE") != NULL;

	snprintf(host, sizeof(host), "%s-%d", name, (int)getpid()); /* see count_procs */
	o.hostname = host;
	snprintf(ctl_path, sizeof(ctl_path), "%s/%s.sock", dir, name);
	assert_int_equal(sandbox_boot(&o, &s), 0);
	return s;
}

/* Bytes readable on @fd within @ms (drained). */
size_t drain(int fd, int ms)
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

void still_serving(void)
{
	struct sandbox_stats s;

	assert_int_equal(sandbox_stats(sb, &s), 0);
	sh("echo ok", "ok\n", 0);
}

