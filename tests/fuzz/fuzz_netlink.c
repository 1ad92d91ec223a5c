/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NETLINK_ROUTE requests as an application sends them (sentry/net/netlink*.c):
 * the first input byte picks options (NETLINK_CAP_ACK, a small receive
 * buffer), the rest is one sendmsg to the kernel end.  Every answer queued
 * must be well-formed netlink: message lengths within the datagram and
 * NLMSG_ALIGNed, NLMSG_ERROR carrying a whole struct nlmsgerr.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sentry/net/socket.h"
#include "sentry/vfs/file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_datagram(const uint8_t *p, size_t n)
{
	size_t at = 0;

	if (n < NLMSG_HDRLEN)
		abort();
	while (at < n) {
		struct nlmsghdr h;

		if (n - at < NLMSG_HDRLEN)
			abort();
		memcpy(&h, p + at, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > n - at)
			abort();
		if (h.nlmsg_type == NLMSG_ERROR && h.nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
			abort();
		at += NLMSG_ALIGN(h.nlmsg_len);
	}
	if (at != NLMSG_ALIGN(n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[1 << 16];
	struct file *f;
	struct sock *s;
	int one = 1, small = 4096;

	if (size < 1)
		return 0;
	if (sock_create(NULL, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, &f) < 0)
		abort();
	s = sock_of(f);
	if (data[0] & 1)
		s->ops->setsockopt(NULL, s, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (data[0] & 2)
		s->ops->setsockopt(NULL, s, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	(void)s->ops->send(NULL, s, data + 1, size - 1, 0, 1, NULL, NULL);
	for (int i = 0; i < 10000; i++) {
		struct sock_recv_info info;
		ssize_t n;

		memset(&info, 0, sizeof(info));
		n = s->ops->recv(NULL, s, buf, sizeof(buf), 0, 1, &info);
		if (n == -ENOBUFS)
			continue;
		if (n < 0)
			break;
		if (info.truncated)
			abort(); /* answers are far below 64 KiB */
		check_datagram(buf, (size_t)n);
	}
	file_put(f);
	return 0;
}
