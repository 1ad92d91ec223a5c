/* SPDX-License-Identifier: Apache-2.0 */
/* A netlink socket is not saved: the checkpoint must fail naming it and
 * the process go on (the socket still answers a route dump). */
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "zdtm.h"

int main(void)
{
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
	} req;
	char buf[8192];
	int s;

	zd_init();
	s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	zd_check(s >= 0, "netlink socket");
	zd_ready();
	zd_wait_go();
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = RTM_GETLINK;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = 1;
	req.g.rtgen_family = AF_UNSPEC;
	zd_check(send(s, &req, sizeof(req), 0) == (ssize_t)sizeof(req), "send");
	zd_check(recv(s, buf, sizeof(buf), 0) > 0, "a reply after the refusal");
	return zd_finish();
}
