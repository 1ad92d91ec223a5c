/* SPDX-License-Identifier: Apache-2.0 */
/* An epoll instance in flight (SCM_RIGHTS), open in no fd table any more,
 * watching an eventfd that is ready: after restore the message carries it
 * and it still reports the eventfd. */
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "z_unix_common.h"

int main(void)
{
	char c = 0;
	int sv[2], ep = epoll_create1(0), efd = eventfd(1, 0), got = -1;
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1234};

	zd_init();
	zd_check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && ep >= 0 && efd >= 0,
		 "socketpair, epoll, eventfd");
	zd_check(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == 0, "epoll_ctl");
	zd_check(zu_send_fds(sv[0], 'f', &ep, 1) == 0, "sendmsg");
	close(ep);
	zd_ready();
	zd_wait_go();
	zd_check(zu_recv_fds(sv[1], &c, &got, 1) >= 0 && c == 'f', "recvmsg");
	memset(&ev, 0, sizeof(ev));
	zd_check(got >= 0 && epoll_wait(got, &ev, 1, 0) == 1 && ev.events == EPOLLIN &&
		     ev.data.u64 == 0x1234,
		 "the received epoll reports the eventfd");
	return zd_finish();
}
