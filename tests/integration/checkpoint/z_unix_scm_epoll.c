/* SPDX-License-Identifier: Apache-2.0 */
/* An epoll instance in flight (SCM_RIGHTS), open in no fd table any more,
 * watching an eventfd that is ready: after restore the message carries it
 * and it still reports the eventfd. */
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "z_unix_common.h"

int main(void)
{
	char ctl[CMSG_SPACE(sizeof(int))], c = 'f';
	struct iovec iov = { &c, 1 };
	struct msghdr m = { 0 };
	struct cmsghdr *h;
	int sv[2], ep = epoll_create1(0), efd = eventfd(1, 0), got = -1;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1234 };

	zd_init();
	zd_check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && ep >= 0 && efd >= 0,
		 "socketpair, epoll, eventfd");
	zd_check(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == 0, "epoll_ctl");
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl;
	m.msg_controllen = sizeof(ctl);
	h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(h), &ep, sizeof(int));
	zd_check(sendmsg(sv[0], &m, 0) == 1, "sendmsg");
	close(ep);
	zd_ready();
	zd_wait_go();
	memset(ctl, 0, sizeof(ctl));
	m.msg_controllen = sizeof(ctl);
	zd_check(recvmsg(sv[1], &m, 0) == 1 && c == 'f', "recvmsg");
	h = CMSG_FIRSTHDR(&m);
	if (h && h->cmsg_type == SCM_RIGHTS)
		memcpy(&got, CMSG_DATA(h), sizeof(int));
	memset(&ev, 0, sizeof(ev));
	zd_check(got >= 0 && epoll_wait(got, &ev, 1, 0) == 1 && ev.events == EPOLLIN &&
			 ev.data.u64 == 0x1234,
		 "the received epoll reports the eventfd");
	return zd_finish();
}
