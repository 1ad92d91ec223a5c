/* SPDX-License-Identifier: Apache-2.0 */
/* The AF_UNIX socket layer of sentry/net/ without an application: data and
 * message boundaries, files carried by SCM_RIGHTS (and dropped with their
 * queue), shutdown, readiness, names and connections, options.  Run under
 * ASan/UBSan in CI: every path that frees a socket or a queue is used. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "sentry/fs/pipe.h"
#include "sentry/kernel/task.h"
#include "sentry/net/unix.h"
#include "sentry/net/unix_impl.h"
#include "sentry/vfs/file.h"

static struct thread_group tg = { .tgid = 7 };
static struct task task = { .tg = &tg, .creds = { .euid = 1000, .egid = 100 } };

static const struct sock_cred cred = { 7, 1000, 100 };

static void pair(int type, struct file **a, struct file **b)
{
	assert_int_equal(unix_socketpair(type, O_NONBLOCK, cred, a, b), 0);
}

static void test_stream(void **state)
{
	struct file *a, *b;
	char buf[16];

	(void)state;
	pair(SOCK_STREAM, &a, &b);
	assert_int_equal(unix_send(NULL, unix_sock(a), "abc", 3, 0, 1, NULL, NULL), 3);
	assert_int_equal(unix_send(NULL, unix_sock(a), "de", 2, 0, 1, NULL, NULL), 2);
	assert_int_equal(unix_recv(NULL, unix_sock(b), buf, 4, MSG_PEEK, 1, NULL), 4);
	assert_int_equal(unix_recv(NULL, unix_sock(b), buf, sizeof(buf), 0, 1, NULL), 5);
	assert_memory_equal(buf, "abcde", 5);
	assert_int_equal(unix_recv(NULL, unix_sock(b), buf, 1, 0, 1, NULL), -EAGAIN);
	assert_int_equal(b->ops->poll(b) & (POLLIN | POLLOUT), POLLOUT);
	assert_int_equal(unix_shutdown(unix_sock(a), SHUT_WR), 0);
	assert_true(b->ops->poll(b) & POLLRDHUP);
	assert_int_equal(unix_recv(NULL, unix_sock(b), buf, 1, 0, 1, NULL), 0);
	assert_int_equal(unix_send(NULL, unix_sock(a), "x", 1, 0, 1, NULL, NULL), -EPIPE);
	/* Unread data and the peer's close: ECONNRESET once, then EOF. */
	assert_int_equal(unix_send(NULL, unix_sock(b), "zz", 2, 0, 1, NULL, NULL), 2);
	file_put(a);
	assert_int_equal(unix_send(NULL, unix_sock(b), "x", 1, 0, 1, NULL, NULL), -EPIPE);
	assert_true(b->ops->poll(b) & POLLHUP);
	file_put(b);
}

static void test_dgram(void **state)
{
	struct file *a, *b;
	struct unix_recv_info info;
	char buf[16];

	(void)state;
	pair(SOCK_SEQPACKET, &a, &b);
	assert_int_equal(unix_send(NULL, unix_sock(a), "hello", 5, 0, 1, NULL, NULL), 5);
	assert_int_equal(unix_send(NULL, unix_sock(a), "xy", 2, 0, 1, NULL, NULL), 2);
	assert_int_equal(unix_recv(NULL, unix_sock(b), buf, 3, 0, 1, &info), 3);
	assert_true(info.truncated);
	assert_int_equal(info.full_len, 5);
	assert_int_equal(unix_recv(NULL, unix_sock(b), buf, 1, MSG_TRUNC, 1, &info), 2);
	assert_int_equal(unix_recv(NULL, unix_sock(b), buf, 8, 0, 1, &info), -EAGAIN);
	/* Queued messages are freed with the socket. */
	assert_int_equal(unix_send(NULL, unix_sock(a), "left", 4, 0, 1, NULL, NULL), 4);
	file_put(b);
	assert_int_equal(unix_send(NULL, unix_sock(a), "x", 1, 0, 1, NULL, NULL), -EPIPE);
	file_put(a);
}

static void test_rights(void **state)
{
	struct file *a, *b, *r, *w;
	struct unix_recv_info info;
	struct sock_ctl ctl = { 0 };
	char buf[4];

	(void)state;
	pair(SOCK_STREAM, &a, &b);
	assert_int_equal(pipe_create(O_NONBLOCK, &r, &w), 0);
	ctl.files = malloc(sizeof(*ctl.files)); /* owned by the chunk once sent */
	ctl.files[0] = file_get(w);
	ctl.nfiles = 1;
	assert_int_equal(unix_send(NULL, unix_sock(a), "f", 1, 0, 1, NULL, &ctl), 1);
	assert_int_equal(ctl.nfiles, 0); /* taken over */
	file_put(w);
	/* The write end lives in the queue: no EOF yet. */
	assert_int_equal(r->ops->read(r, NULL, buf, 1, NULL), -EAGAIN);
	assert_int_equal(unix_recv(NULL, unix_sock(b), buf, 4, MSG_PEEK, 1, &info), 1);
	assert_int_equal(info.ctl.nfiles, 1);
	sock_ctl_release(&info.ctl);
	assert_int_equal(unix_recv(NULL, unix_sock(b), buf, 4, 0, 1, &info), 1);
	assert_int_equal(info.ctl.nfiles, 1);
	assert_ptr_equal(info.ctl.files[0]->priv, r->priv);
	sock_ctl_release(&info.ctl);
	assert_int_equal(r->ops->read(r, NULL, buf, 1, NULL), 0);
	file_put(r);

	/* A file still queued when the receiver goes is released. */
	assert_int_equal(pipe_create(O_NONBLOCK, &r, &w), 0);
	ctl.files = malloc(sizeof(*ctl.files));
	ctl.files[0] = w;
	ctl.nfiles = 1;
	assert_int_equal(unix_send(NULL, unix_sock(a), "g", 1, 0, 1, NULL, &ctl), 1);
	file_put(b);
	assert_int_equal(r->ops->read(r, NULL, buf, 1, NULL), 0);
	file_put(r);
	file_put(a);
}

/* Sockets that still have a file (the collector's list). */
static int live_sockets(void)
{
	int n = 0;

	pthread_mutex_lock(&unix_lock);
	for (struct usock *s = us_all; s; s = s->all_next)
		n++;
	pthread_mutex_unlock(&unix_lock);
	return n;
}

/* Two sockets sent to each other and closed are collected. */
static void test_gc(void **state)
{
	struct file *a, *b, *c;
	struct sock_ctl ctl = { 0 };
	int before = live_sockets();

	(void)state;
	pair(SOCK_STREAM, &a, &b);
	ctl.files = malloc(sizeof(*ctl.files));
	ctl.files[0] = file_get(a);
	ctl.nfiles = 1;
	assert_int_equal(unix_send(NULL, unix_sock(a), "a", 1, 0, 1, NULL, &ctl), 1);
	ctl.files = malloc(sizeof(*ctl.files));
	ctl.files[0] = file_get(b);
	ctl.nfiles = 1;
	assert_int_equal(unix_send(NULL, unix_sock(b), "b", 1, 0, 1, NULL, &ctl), 1);
	file_put(a);
	file_put(b);
	/* Only the queues hold them now; any release runs the collector (the
	 * leak checker of the sanitizer build sees what it misses). */
	assert_int_equal(live_sockets(), before + 2);
	assert_int_equal(unix_socket(SOCK_DGRAM, 0, &c), 0);
	file_put(c);
	assert_int_equal(live_sockets(), before);

	/* A socket in flight that its fd still holds is left alone. */
	pair(SOCK_STREAM, &a, &b);
	ctl.files = malloc(sizeof(*ctl.files));
	ctl.files[0] = file_get(a);
	ctl.nfiles = 1;
	assert_int_equal(unix_send(NULL, unix_sock(a), "a", 1, 0, 1, NULL, &ctl), 1);
	assert_int_equal(unix_socket(SOCK_DGRAM, 0, &c), 0);
	file_put(c);
	{
		struct unix_recv_info info;
		char buf[2];

		assert_int_equal(unix_recv(NULL, unix_sock(b), buf, 2, 0, 1, &info), 1);
		assert_int_equal(info.ctl.nfiles, 1);
		assert_ptr_equal(info.ctl.files[0], a);
		sock_ctl_release(&info.ctl);
	}
	file_put(a);
	file_put(b);
}

static void test_names(void **state)
{
	struct file *l, *c, *c2, *s;
	struct unix_addr addr = { .len = 8 }, got, peer;
	struct sock_cred pc;
	socklen_t len = sizeof(pc);
	char buf[8];

	(void)state;
	addr.sa.sun_family = AF_UNIX;
	memcpy(addr.sa.sun_path, "\0unit1", 6);
	assert_int_equal(unix_socket(SOCK_STREAM, 0, &l), 0);
	assert_int_equal(unix_socket(SOCK_STREAM, 0, &c), 0);
	assert_int_equal(unix_socket(SOCK_STREAM, 0, &c2), 0);
	assert_int_equal(unix_listen(&task, unix_sock(l), 1), -EINVAL);
	assert_int_equal(unix_bind(&task, unix_sock(l), &addr), 0);
	assert_int_equal(unix_bind(&task, unix_sock(c), &addr), -EADDRINUSE);
	assert_int_equal(unix_connect(&task, unix_sock(c), &addr, 1), -ECONNREFUSED);
	assert_int_equal(unix_listen(&task, unix_sock(l), 0), 0);
	assert_int_equal(unix_connect(&task, unix_sock(c), &addr, 1), 0);
	assert_int_equal(unix_connect(&task, unix_sock(c2), &addr, 1), -EAGAIN);
	assert_int_equal(unix_getname(unix_sock(c), 1, &got), 0);
	assert_int_equal(got.len, 8);
	assert_int_equal(unix_getsockopt(unix_sock(c), SOL_SOCKET, SO_PEERCRED, &pc, &len), 0);
	assert_int_equal(pc.pid, 7);
	assert_int_equal(unix_send(NULL, unix_sock(c), "hi", 2, 0, 1, NULL, NULL), 2);
	assert_int_equal(unix_accept(&task, unix_sock(l), 0, 1, &s, &peer), 0);
	assert_int_equal(peer.len, offsetof(struct sockaddr_un, sun_path));
	assert_int_equal(unix_recv(NULL, unix_sock(s), buf, 8, 0, 1, NULL), 2);
	assert_int_equal(unix_accept(&task, unix_sock(l), 0, 1, &s, &peer) == -EAGAIN, 1);
	/* A pending connection dropped with its listener resets the client. */
	assert_int_equal(unix_connect(&task, unix_sock(c2), &addr, 1), 0);
	file_put(l);
	assert_int_equal(unix_recv(NULL, unix_sock(c2), buf, 8, 0, 1, NULL), -ECONNRESET);
	assert_int_equal(unix_recv(NULL, unix_sock(c2), buf, 8, 0, 1, NULL), 0);
	file_put(c2);
	file_put(s);
	file_put(c);
	/* The name is free again. */
	assert_int_equal(unix_socket(SOCK_STREAM, 0, &l), 0);
	assert_int_equal(unix_bind(&task, unix_sock(l), &addr), 0);
	file_put(l);
}

static void test_options(void **state)
{
	struct file *a, *b;
	int v = 0;
	socklen_t len = sizeof(v);

	(void)state;
	pair(SOCK_DGRAM, &a, &b);
	assert_int_equal(unix_getsockopt(unix_sock(a), SOL_SOCKET, SO_TYPE, &v, &len), 0);
	assert_int_equal(v, SOCK_DGRAM);
	v = 1;
	assert_int_equal(unix_setsockopt(unix_sock(a), SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)), 0);
	assert_int_equal(unix_getsockopt(unix_sock(a), SOL_SOCKET, SO_SNDBUF, &v, &len), 0);
	assert_int_equal(v, UNIX_BUF_MIN);
	assert_int_equal(unix_send(NULL, unix_sock(a), "", 5000, 0, 1, NULL, NULL), -EMSGSIZE);
	assert_int_equal(unix_getsockopt(unix_sock(a), SOL_SOCKET, 12345, &v, &len), -ENOPROTOOPT);
	assert_int_equal(unix_setsockopt(unix_sock(a), 0, SO_TYPE, &v, sizeof(v)), -EOPNOTSUPP);
	file_put(a);
	file_put(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream),  cmocka_unit_test(test_dgram),
		cmocka_unit_test(test_rights),  cmocka_unit_test(test_names),
		cmocka_unit_test(test_options), cmocka_unit_test(test_gc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
