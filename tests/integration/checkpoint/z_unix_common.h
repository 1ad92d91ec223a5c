/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers of the AF_UNIX checkpoint tests (z_unix_*.c). */
#ifndef CVISOR_TESTS_CKPT_Z_UNIX_COMMON_H
#define CVISOR_TESTS_CKPT_Z_UNIX_COMMON_H

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "zdtm.h"

/* A name: a path, or (leading '@') an abstract name. */
static __attribute__((unused)) socklen_t zu_addr(struct sockaddr_un *a, const char *name)
{
	size_t n = strlen(name);

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path, name, n);
	if (name[0] == '@') {
		a->sun_path[0] = 0;
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	}
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

static __attribute__((unused)) int zu_socket(int type, const char *name, int backlog)
{
	struct sockaddr_un a;
	socklen_t len = zu_addr(&a, name);
	int s = socket(AF_UNIX, type, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&a, len) < 0 ||
	    (backlog >= 0 && listen(s, backlog) < 0)) {
		zd_say("FAIL: socket/bind/listen %s: %s\n", name, strerror(errno));
		zd_failures++;
	}
	return s;
}

static __attribute__((unused)) int zu_connect(int type, const char *name)
{
	struct sockaddr_un a;
	socklen_t len = zu_addr(&a, name);
	int s = socket(AF_UNIX, type, 0);

	if (s < 0 || connect(s, (struct sockaddr *)&a, len) < 0) {
		zd_say("FAIL: connect %s: %s\n", name, strerror(errno));
		zd_failures++;
	}
	return s;
}

/* Read exactly @len bytes of a stream (0 on success). */
static __attribute__((unused)) int zu_read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static __attribute__((unused)) int zu_getint(int s, int name)
{
	int v = -1;
	socklen_t l = sizeof(v);

	return getsockopt(s, SOL_SOCKET, name, &v, &l) == 0 ? v : -1;
}

/* A thread blocked in recv() (or accept() when @accept is 1, connect() to
 * @name when 2) on @fd across the checkpoint: what it got. */
struct zu_blocked {
	pthread_t th;
	int fd, accept, err;
	const char *name;
	ssize_t n;
	char buf[64];
};

static void *zu_blocked_main(void *arg)
{
	struct zu_blocked *b = arg;

	if (b->accept == 2) {
		struct sockaddr_un a;
		socklen_t len = zu_addr(&a, b->name);

		b->n = connect(b->fd, (struct sockaddr *)&a, len);
	} else if (b->accept) {
		b->n = accept(b->fd, NULL, NULL);
	} else {
		b->n = recv(b->fd, b->buf, sizeof(b->buf) - 1, 0);
		if (b->n > 0)
			b->buf[b->n] = 0;
	}
	b->err = b->n < 0 ? errno : 0;
	return NULL;
}

static __attribute__((unused)) void zu_block_to(struct zu_blocked *b, int fd, int accept,
						const char *name)
{
	memset(b, 0, sizeof(*b));
	b->fd = fd;
	b->accept = accept;
	b->name = name;
	b->n = -2;
	pthread_create(&b->th, NULL, zu_blocked_main, b);
	usleep(100000); /* into the call (not required: a later one restarts too) */
}

static __attribute__((unused)) void zu_block(struct zu_blocked *b, int fd, int accept)
{
	zu_block_to(b, fd, accept, NULL);
}

#define ZU_MAX_FDS 8

/* Send the byte @c with the @n (<= ZU_MAX_FDS) descriptors @fds
 * (SCM_RIGHTS): 0, or -1 if sendmsg did not send the byte. */
static __attribute__((unused)) int zu_send_fds(int sock, char c, const int *fds, int n)
{
	char ctl[CMSG_SPACE(ZU_MAX_FDS * sizeof(int))] = {0};
	struct iovec iov = {&c, 1};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl,
			   .msg_controllen = CMSG_SPACE((size_t)n * sizeof(int))};
	struct cmsghdr *h = CMSG_FIRSTHDR(&m);

	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
	memcpy(CMSG_DATA(h), fds, (size_t)n * sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -1;
}

/* Receive one byte into *@c and the descriptors of its SCM_RIGHTS message
 * (up to @max into @fds): how many it carried (0 without one), or -1 if
 * recvmsg did not return one byte. */
static __attribute__((unused)) int zu_recv_fds(int sock, char *c, int *fds, int max)
{
	char ctl[CMSG_SPACE(ZU_MAX_FDS * sizeof(int))] = {0};
	struct iovec iov = {c, 1};
	struct msghdr m = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	struct cmsghdr *h;
	int n;

	if (recvmsg(sock, &m, 0) != 1)
		return -1;
	h = CMSG_FIRSTHDR(&m);
	if (!h || h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
		return 0;
	n = (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
	memcpy(fds, CMSG_DATA(h), (size_t)(n < max ? n : max) * sizeof(int));
	return n;
}

#endif
