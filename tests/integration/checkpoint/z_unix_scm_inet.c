/* SPDX-License-Identifier: Apache-2.0 */
/* A loopback AF_INET socket in flight (SCM_RIGHTS), open in no fd table
 * any more: saved with its message, received after restore. */
#include <netinet/in.h>

#include "z_unix_common.h"

int main(void)
{
	char ctl[CMSG_SPACE(sizeof(int))], c = 'f';
	struct iovec iov = { &c, 1 };
	struct msghdr m = { 0 };
	struct cmsghdr *h;
	int sv[2], in = socket(AF_INET, SOCK_DGRAM, 0), got = -1, type = 0;
	socklen_t tl = sizeof(type);

	zd_init();
	zd_check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && in >= 0, "socketpair, inet");
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl;
	m.msg_controllen = sizeof(ctl);
	h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &in, sizeof(int));
	zd_check(sendmsg(sv[0], &m, 0) == 1, "sendmsg");
	close(in);
	zd_ready();
	zd_wait_go();
	memset(ctl, 0, sizeof(ctl));
	m.msg_controllen = sizeof(ctl);
	zd_check(recvmsg(sv[1], &m, 0) == 1 && c == 'f', "recvmsg");
	h = CMSG_FIRSTHDR(&m);
	if (h && h->cmsg_type == SCM_RIGHTS)
		memcpy(&got, CMSG_DATA(h), sizeof(int));
	zd_check(got >= 0 && getsockopt(got, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 &&
			 type == SOCK_DGRAM,
		 "the received inet socket");
	return zd_finish();
}
