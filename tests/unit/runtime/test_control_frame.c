/* SPDX-License-Identifier: Apache-2.0 */
/* The control socket's frames (runtime/control/frame.c): round trips with
 * fds over a real socketpair, and every way a frame can be wrong. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "runtime/control/frame.h"

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

static void test_roundtrip_fds(void **state)
{
	CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT, *got = NULL;
	Cvisor__Control__Spawn s = CVISOR__CONTROL__SPAWN__INIT;
	char a0[] = "echo", a1[] = "hi";
	char *argv[] = { a0, a1 };
	int32_t idx[3] = { -1, 0, 1 };
	int sv[2], fds[2], rfds[CTL_FRAME_MAX_FDS], p[2];
	size_t nfds = 0, len = 0;
	void *buf = NULL;
	struct stat a, b;

	pair(sv);
	assert_int_equal(pipe(p), 0);
	fds[0] = p[1];
	fds[1] = p[0];
	s.argv = argv;
	s.n_argv = 2;
	s.stdio_fds = idx;
	s.n_stdio_fds = 3;
	q.id = 42;
	q.req_case = CVISOR__CONTROL__CONTROL_REQUEST__REQ_SPAWN;
	q.spawn = &s;
	assert_int_equal(ctl_send_request(sv[0], &q, fds, 2), 0);
	assert_int_equal(ctl_frame_recv(sv[1], &buf, &len, rfds, &nfds), 1);
	assert_int_equal(nfds, 2);
	assert_int_equal(fstat(rfds[0], &a), 0);
	assert_int_equal(fstat(p[1], &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(fcntl(rfds[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	got = cvisor__control__control_request__unpack(NULL, len, buf);
	assert_non_null(got);
	assert_int_equal(ctl_request_check(got, nfds), 0);
	assert_int_equal(got->id, 42);
	assert_string_equal(got->spawn->argv[1], "hi");
	/* the same request with fewer fds than it names */
	assert_int_equal(ctl_request_check(got, 1), -EBADF);
	ctl_request_free(got);
	free(buf);
	for (int i = 0; i < 2; i++)
		close(rfds[i]);
	close(p[0]);
	close(p[1]);
	/* end of stream before a frame: 0 */
	close(sv[0]);
	assert_int_equal(ctl_frame_recv(sv[1], &buf, &len, rfds, &nfds), 0);
	close(sv[1]);
}

static void test_bad_frames(void **state)
{
	uint8_t big[4] = { 0xff, 0xff, 0xff, 0xff }, trunc[6] = { 10, 0, 0, 0, 1, 2 };
	uint8_t limit[4] = { 0x01, 0x00, 0x00, 0x01 }; /* 16 MiB + 1 */
	int sv[2], rfds[CTL_FRAME_MAX_FDS];
	size_t nfds, len;
	void *buf;

	pair(sv);
	assert_int_equal(write(sv[0], big, 4), 4);
	assert_int_equal(ctl_frame_recv(sv[1], &buf, &len, rfds, &nfds), -EMSGSIZE);
	assert_int_equal(write(sv[0], limit, 4), 4);
	assert_int_equal(ctl_frame_recv(sv[1], &buf, &len, rfds, &nfds), -EMSGSIZE);
	close(sv[0]);
	close(sv[1]);
	pair(sv);
	assert_int_equal(write(sv[0], trunc, 6), 6);
	close(sv[0]);
	assert_int_equal(ctl_frame_recv(sv[1], &buf, &len, rfds, &nfds), -EPROTO);
	close(sv[1]);
	pair(sv);
	assert_int_equal(write(sv[0], trunc, 2), 2); /* half a header */
	close(sv[0]);
	assert_int_equal(ctl_frame_recv(sv[1], &buf, &len, rfds, &nfds), -EPROTO);
	close(sv[1]);
	/* too large to send */
	pair(sv);
	assert_int_equal(ctl_frame_send(sv[0], "", CTL_FRAME_MAX + 1, NULL, 0), -EMSGSIZE);
	close(sv[0]);
	close(sv[1]);
}

/* More fds than a frame may carry: refused, and none of them leaks. */
static void test_too_many_fds(void **state)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 8)];
		struct cmsghdr align;
	} cm;
	uint8_t msg[4] = { 0, 0, 0, 0 };
	struct iovec iov = { msg, 4 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
			     .msg_controllen = CMSG_SPACE(sizeof(int) * 8) };
	struct cmsghdr *c;
	int sv[2], fds[8], rfds[CTL_FRAME_MAX_FDS], before;
	size_t nfds, len;
	void *buf;

	pair(sv);
	for (int i = 0; i < 8; i++)
		fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	memset(&cm, 0, sizeof(cm));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * 8);
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	assert_int_equal(sendmsg(sv[0], &mh, 0), 4);
	for (int i = 0; i < 8; i++)
		close(fds[i]);
	before = count_fds();
	assert_int_equal(ctl_frame_recv(sv[1], &buf, &len, rfds, &nfds), -EBADMSG);
	assert_int_equal(count_fds(), before);
	close(sv[0]);
	close(sv[1]);
}

static void frame_of(const uint8_t *msg, size_t len, uint8_t *out)
{
	out[0] = (uint8_t)len;
	out[1] = (uint8_t)(len >> 8);
	out[2] = out[3] = 0;
	memcpy(out + 4, msg, len);
}

static void test_parse(void **state)
{
	static const uint8_t ping[] = { 0x08, 0x07, 0x7a, 0x00 };
	static const uint8_t unknown[] = { 0x08, 0x07, 0x98, 0x06, 0x01, 0x7a, 0x00 };
	static const uint8_t none[] = { 0x08, 0x07 };
	static const uint8_t garbage[] = { 0xff, 0xff, 0xff };
	/* file_read { path: "rel" } */
	static const uint8_t relpath[] = { 0x42, 0x05, 0x0a, 0x03, 'r', 'e', 'l' };
	/* spawn { argv: "x", stdio_fds: [0, 0, -1 ...] } (short: 2 entries) */
	static const uint8_t shortstdio[] = { 0x12, 0x07, 0x0a, 0x01, 'x', 0x3a, 0x02, 0x00, 0x00 };
	/* spawn with no argv */
	static const uint8_t noargv[] = { 0x12, 0x05, 0x3a, 0x03, 0x00, 0x00, 0x00 };
	/* spawn { argv: "x", stdio_fds: [0, 0, 1] }: one fd for two slots */
	static const uint8_t dup[] = { 0x12, 0x08, 0x0a, 0x01, 'x', 0x3a, 0x03, 0x00, 0x00, 0x01 };
	uint8_t f[64];
	CtlRequest *q = NULL;

	frame_of(ping, sizeof(ping), f);
	assert_int_equal(ctl_request_parse(f, sizeof(ping) + 4, 0, &q), 0);
	assert_int_equal(q->req_case, CVISOR__CONTROL__CONTROL_REQUEST__REQ_PING);
	ctl_request_free(q);
	frame_of(unknown, sizeof(unknown), f);
	assert_int_equal(ctl_request_parse(f, sizeof(unknown) + 4, 0, &q), 0);
	ctl_request_free(q);
	/* the length must match the buffer */
	assert_int_equal(ctl_request_parse(f, sizeof(unknown) + 3, 0, &q), -EPROTO);
	assert_int_equal(ctl_request_parse(f, 3, 0, &q), -EPROTO);
	frame_of(none, sizeof(none), f);
	assert_int_equal(ctl_request_parse(f, sizeof(none) + 4, 0, &q), -EOPNOTSUPP);
	frame_of(garbage, sizeof(garbage), f);
	assert_int_equal(ctl_request_parse(f, sizeof(garbage) + 4, 0, &q), -EBADMSG);
	frame_of(relpath, sizeof(relpath), f);
	assert_int_equal(ctl_request_parse(f, sizeof(relpath) + 4, 0, &q), -EINVAL);
	frame_of(shortstdio, sizeof(shortstdio), f);
	assert_int_equal(ctl_request_parse(f, sizeof(shortstdio) + 4, 3, &q), -EINVAL);
	frame_of(noargv, sizeof(noargv), f);
	assert_int_equal(ctl_request_parse(f, sizeof(noargv) + 4, 3, &q), -EINVAL);
	frame_of(dup, sizeof(dup), f);
	assert_int_equal(ctl_request_parse(f, sizeof(dup) + 4, 3, &q), -EBADF);
	f[0] = 0xff;
	f[1] = f[2] = f[3] = 0xff;
	assert_int_equal(ctl_request_parse(f, 8, 0, &q), -EMSGSIZE);
}

static void test_response(void **state)
{
	CtlResponse p = CVISOR__CONTROL__CONTROL_RESPONSE__INIT, *got;
	Cvisor__Control__WaitReply w = CVISOR__CONTROL__WAIT_REPLY__INIT;
	int sv[2], rfds[CTL_FRAME_MAX_FDS];
	size_t nfds, len;
	void *buf;

	pair(sv);
	p.id = 9;
	w.status = 0x0300;
	p.reply_case = CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_WAIT;
	p.wait = &w;
	assert_int_equal(ctl_send_response(sv[0], &p), 0);
	assert_int_equal(ctl_frame_recv(sv[1], &buf, &len, rfds, &nfds), 1);
	assert_int_equal(nfds, 0);
	got = cvisor__control__control_response__unpack(NULL, len, buf);
	assert_non_null(got);
	assert_int_equal(got->id, 9);
	assert_int_equal(got->wait->status, 0x0300);
	cvisor__control__control_response__free_unpacked(got, NULL);
	free(buf);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_fds), cmocka_unit_test(test_bad_frames),
		cmocka_unit_test(test_too_many_fds),  cmocka_unit_test(test_parse),
		cmocka_unit_test(test_response),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
