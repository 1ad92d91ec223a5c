/* SPDX-License-Identifier: Apache-2.0 */
/* test_sandbox, part 2: hostile frames on the socket, pid 1, teardown. */
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

void test_hostile(void **state);
void test_init(void **state);
void test_destroy_busy(void **state);
void test_die_with_caller(void **state);

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

void test_hostile(void **state)
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
void test_init(void **state)
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
void test_destroy_busy(void **state)
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
void test_die_with_caller(void **state)
{
	int pfd[2], n = -1;
	char host[64];
	pid_t child;

	snprintf(host, sizeof(host), "sbcaller-%d", (int)getpid()); /* see count_procs */

	assert_int_equal(pipe(pfd), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct sandbox_opts o = { .rootfs = rootfs, .control_path = ctl_path,
					  .platform = platform, .hostname = host,
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

