/* SPDX-License-Identifier: Apache-2.0 */
/* NETLINK_ROUTE as `ip` and glibc use it: bind and autobind, RTM_GETLINK
 * and RTM_GETADDR dumps parsed for lo (the host has more interfaces: only
 * lo's messages are printed), a single RTM_GETLINK by index and by name,
 * MSG_PEEK / MSG_TRUNC, recvmsg names.  Message sizes differ from Linux's
 * (fewer attributes): only facts about them are printed. */
#include "common.h"
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/uio.h>

static int nl_open(void)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (s < 0) {
		t_ok("socket", -1);
		exit(1);
	}
	return s;
}

static void request(int s, int type, int flags, uint32_t seq, int family, int index,
		    const char *name)
{
	struct {
		struct nlmsghdr h;
		struct ifinfomsg ifi;
		char attrs[64];
	} req;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	size_t len = NLMSG_LENGTH(sizeof(req.ifi));

	memset(&req, 0, sizeof(req));
	req.h.nlmsg_type = (uint16_t)type;
	req.h.nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	req.h.nlmsg_seq = seq;
	req.ifi.ifi_family = (unsigned char)family;
	req.ifi.ifi_index = index;
	if (name) {
		struct rtattr *a = (struct rtattr *)((char *)&req + NLMSG_ALIGN(len));

		a->rta_type = IFLA_IFNAME;
		a->rta_len = (unsigned short)RTA_LENGTH(strlen(name) + 1);
		memcpy(RTA_DATA(a), name, strlen(name) + 1);
		len = NLMSG_ALIGN(len) + RTA_ALIGN(a->rta_len);
	}
	req.h.nlmsg_len = (uint32_t)len;
	if (sendto(s, &req, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) != (ssize_t)len)
		t_ok("sendto", -1);
}

static void show_link(const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = (int)IFLA_PAYLOAD(h);

	say("link: type %d index %d flags %#x\n", ifi->ifi_type, ifi->ifi_index, ifi->ifi_flags);
	for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		const unsigned char *d = RTA_DATA(a);

		switch (a->rta_type) {
		case IFLA_IFNAME:
			say("  IFLA_IFNAME %s\n", (const char *)d);
			break;
		case IFLA_MTU:
			say("  IFLA_MTU %u\n", *(const uint32_t *)d);
			break;
		case IFLA_TXQLEN:
			say("  IFLA_TXQLEN %u\n", *(const uint32_t *)d);
			break;
		case IFLA_OPERSTATE:
			say("  IFLA_OPERSTATE %u\n", *d);
			break;
		case IFLA_QDISC:
			say("  IFLA_QDISC %s\n", (const char *)d);
			break;
		case IFLA_ADDRESS:
		case IFLA_BROADCAST:
			say("  %s len %d %02x:%02x:%02x:%02x:%02x:%02x\n",
			    a->rta_type == IFLA_ADDRESS ? "IFLA_ADDRESS" : "IFLA_BROADCAST",
			    (int)RTA_PAYLOAD(a), d[0], d[1], d[2], d[3], d[4], d[5]);
			break;
		case IFLA_STATS:
			say("  IFLA_STATS len %d\n", (int)RTA_PAYLOAD(a));
			break;
		case IFLA_STATS64:
			say("  IFLA_STATS64 len %d\n", (int)RTA_PAYLOAD(a));
			break;
		}
	}
}

static void show_addr(const struct nlmsghdr *h)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = (int)IFA_PAYLOAD(h);
	char buf[INET6_ADDRSTRLEN];

	say("addr: family %d prefix %d scope %d index %d flags %#x\n", ifa->ifa_family,
	    ifa->ifa_prefixlen, ifa->ifa_scope, ifa->ifa_index, ifa->ifa_flags & IFA_F_PERMANENT);
	for (const struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		switch (a->rta_type) {
		case IFA_ADDRESS:
		case IFA_LOCAL:
			inet_ntop(ifa->ifa_family, RTA_DATA(a), buf, sizeof(buf));
			say("  %s %s\n", a->rta_type == IFA_ADDRESS ? "IFA_ADDRESS" : "IFA_LOCAL",
			    buf);
			break;
		case IFA_LABEL:
			say("  IFA_LABEL %s\n", (const char *)RTA_DATA(a));
			break;
		case IFA_CACHEINFO: {
			const struct ifa_cacheinfo *ci = RTA_DATA(a);

			say("  IFA_CACHEINFO valid %#x preferred %#x\n", ci->ifa_valid,
			    ci->ifa_prefered);
			break;
		}
		}
	}
}

/* Read a dump to NLMSG_DONE, printing lo's messages. */
static void read_dump(int s, uint32_t seq, uint32_t portid)
{
	static char buf[65536];
	int done = 0, bad = 0, datagrams = 0;

	while (!done) {
		struct sockaddr_nl from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from),
				    .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(s, &m, 0);
		int len = (int)n;

		if (n <= 0) {
			t_ok("recvmsg", -1);
			return;
		}
		datagrams++;
		if (m.msg_namelen != sizeof(from) || from.nl_family != AF_NETLINK ||
		    from.nl_pid != 0 || (m.msg_flags & MSG_TRUNC))
			bad++;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (unsigned)len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq || h->nlmsg_pid != portid ||
			    !(h->nlmsg_flags & NLM_F_MULTI))
				bad++;
			if (h->nlmsg_type == NLMSG_DONE) {
				t_eq("NLMSG_DONE status", *(int *)NLMSG_DATA(h), 0);
				t_eq("NLMSG_DONE len", h->nlmsg_len, NLMSG_LENGTH(sizeof(int)));
				done = 1;
				break;
			}
			if (h->nlmsg_type == RTM_NEWLINK &&
			    ((struct ifinfomsg *)NLMSG_DATA(h))->ifi_index == 1)
				show_link(h);
			else if (h->nlmsg_type == RTM_NEWADDR &&
				 ((struct ifaddrmsg *)NLMSG_DATA(h))->ifa_index == 1)
				show_addr(h);
			else if (h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_NEWADDR)
				bad++;
		}
	}
	t_eq("dump headers and names as expected", bad, 0);
	t_yes("dump in datagrams", datagrams >= 1);
}

static void dumps(void)
{
	int s = nl_open();
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	socklen_t l = sizeof(a);
	uint32_t portid;

	t_ok("getsockname unbound", getsockname(s, (struct sockaddr *)&a, &l));
	t_eq("unbound nl_pid", a.nl_pid, 0);
	memset(&a, 0, sizeof(a));
	a.nl_family = AF_NETLINK;
	t_ok("bind nl_pid 0", bind(s, (struct sockaddr *)&a, sizeof(a)));
	l = sizeof(a);
	t_ok("getsockname", getsockname(s, (struct sockaddr *)&a, &l));
	t_eq("getsockname len", l, sizeof(a));
	t_eq("family", a.nl_family, AF_NETLINK);
	t_yes("autobind took the pid", a.nl_pid == (uint32_t)getpid());
	portid = a.nl_pid;
	t_ok("bind again, same id", bind(s, (struct sockaddr *)&a, sizeof(a)));
	a.nl_pid = portid + 1;
	t_err("bind again, other id", bind(s, (struct sockaddr *)&a, sizeof(a)), EINVAL);

	say("-- RTM_GETLINK dump\n");
	request(s, RTM_GETLINK, NLM_F_DUMP, 7, AF_UNSPEC, 0, NULL);
	read_dump(s, 7, portid);
	say("-- RTM_GETADDR dump\n");
	request(s, RTM_GETADDR, NLM_F_DUMP, 8, AF_UNSPEC, 0, NULL);
	read_dump(s, 8, portid);
	say("-- RTM_GETADDR dump AF_INET\n");
	request(s, RTM_GETADDR, NLM_F_DUMP, 9, AF_INET, 0, NULL);
	read_dump(s, 9, portid);
	say("-- RTM_GETADDR dump AF_INET6\n");
	request(s, RTM_GETADDR, NLM_F_DUMP, 10, AF_INET6, 0, NULL);
	read_dump(s, 10, portid);
	say("-- RTM_GETLINK dump with NLM_F_ACK (no ack for a dump)\n");
	request(s, RTM_GETLINK, NLM_F_DUMP | NLM_F_ACK, 11, AF_UNSPEC, 0, NULL);
	read_dump(s, 11, portid);
	{
		char c;

		t_err("nothing after NLMSG_DONE", recv(s, &c, 1, MSG_DONTWAIT), EAGAIN);
	}
	close(s);
}

static void single(void)
{
	static char buf[65536];
	int s = nl_open();
	ssize_t peek, n;
	struct nlmsghdr *h = (void *)buf;
	struct iovec iov;
	struct msghdr m;

	say("-- RTM_GETLINK index 1\n");
	request(s, RTM_GETLINK, 0, 20, AF_UNSPEC, 1, NULL);
	peek = recv(s, NULL, 0, MSG_PEEK | MSG_TRUNC);
	t_yes("MSG_PEEK|MSG_TRUNC gives the length", peek > (ssize_t)NLMSG_HDRLEN);
	n = recv(s, buf, sizeof(buf), MSG_PEEK);
	t_yes("MSG_PEEK reads it", n == peek);
	memset(&m, 0, sizeof(m));
	iov = (struct iovec){ buf, 16 };
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	n = recvmsg(s, &m, 0);
	t_eq("short recvmsg", n, 16);
	t_yes("MSG_TRUNC flag", !!(m.msg_flags & MSG_TRUNC));
	t_eq("type", h->nlmsg_type, RTM_NEWLINK);
	t_eq("seq", h->nlmsg_seq, 20);
	t_eq("flags (not multi)", h->nlmsg_flags, 0);
	t_yes("nlmsg_len is the full length", h->nlmsg_len == (uint32_t)peek);
	t_err("the rest was dropped", recv(s, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);

	say("-- RTM_GETLINK by name lo, with NLM_F_ACK\n");
	request(s, RTM_GETLINK, NLM_F_ACK, 21, AF_UNSPEC, 0, "lo");
	n = recv(s, buf, sizeof(buf), 0);
	t_yes("reply", n > 0 && h->nlmsg_type == RTM_NEWLINK);
	if (n > 0 && h->nlmsg_type == RTM_NEWLINK)
		show_link(h);
	n = recv(s, buf, sizeof(buf), 0);
	t_eq("then an ack", h->nlmsg_type, NLMSG_ERROR);
	t_eq("ack error", ((struct nlmsgerr *)NLMSG_DATA(h))->error, 0);
	t_eq("ack len", n, NLMSG_LENGTH(sizeof(struct nlmsgerr)));

	say("-- RTM_GETLINK by name nosuch0 / index 99999\n");
	request(s, RTM_GETLINK, 0, 22, AF_UNSPEC, 0, "nosuch0");
	n = recv(s, buf, sizeof(buf), 0);
	t_eq("NLMSG_ERROR", h->nlmsg_type, NLMSG_ERROR);
	t_streq("error", ename(-((struct nlmsgerr *)NLMSG_DATA(h))->error), "ENODEV");
	request(s, RTM_GETLINK, 0, 23, AF_UNSPEC, 99999, NULL);
	n = recv(s, buf, sizeof(buf), 0);
	t_streq("error", ename(-((struct nlmsgerr *)NLMSG_DATA(h))->error), "ENODEV");

	say("-- read(2) and write(2)\n");
	{
		struct {
			struct nlmsghdr h;
			struct ifinfomsg ifi;
		} req = { { NLMSG_LENGTH(sizeof(struct ifinfomsg)), RTM_GETLINK,
			    NLM_F_REQUEST, 24, 0 },
			  { .ifi_index = 1 } };

		t_eq("write", write(s, &req, sizeof(req)), sizeof(req));
		n = read(s, buf, sizeof(buf));
		t_yes("read the reply", n > 0 && h->nlmsg_type == RTM_NEWLINK && h->nlmsg_seq == 24);
	}
	close(s);
}

int main(void)
{
	g_start();
	dumps();
	single();
	return g_finish();
}
