/* SPDX-License-Identifier: Apache-2.0 */
/* NETLINK_ROUTE against hostile input: socket(2) arguments, bad addresses,
 * short and overlong headers, misaligned batches, non-requests, unknown
 * types, short payloads; errors come back as Linux sends them (NLMSG_ERROR
 * echoing the request, NETLINK_CAP_ACK, NLM_F_CAPPED).  Only requests
 * that read state are sent: natively the test may run as root. */
#include "common.h"
#include <netinet/in.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>

static char buf[65536];

static int nl_open(void)
{
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
		t_ok("socket+bind", -1);
		exit(1);
	}
	return s;
}

static void creation(void)
{
	int sv[2], s;

	t_err("SOCK_STREAM", socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE), ESOCKTNOSUPPORT);
	t_err("SOCK_SEQPACKET", socket(AF_NETLINK, SOCK_SEQPACKET, NETLINK_ROUTE),
	      ESOCKTNOSUPPORT);
	t_err("protocol -1", socket(AF_NETLINK, SOCK_RAW, -1), EPROTONOSUPPORT);
	t_err("protocol 32", socket(AF_NETLINK, SOCK_RAW, 32), EPROTONOSUPPORT);
	t_err("socketpair", socketpair(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, sv), EOPNOTSUPP);
	s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK, NETLINK_ROUTE);
	t_yes("SOCK_DGRAM", s >= 0);
	{
		int v = -1;
		socklen_t l = sizeof(v);

		t_ok("SO_TYPE", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l));
		t_eq("type", v, SOCK_DGRAM);
		l = sizeof(v);
		t_ok("SO_PROTOCOL", getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &l));
		t_eq("protocol", v, NETLINK_ROUTE);
		l = sizeof(v);
		t_ok("SO_DOMAIN", getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &l));
		t_eq("domain", v, AF_NETLINK);
		l = sizeof(v);
		t_ok("NETLINK_CAP_ACK", getsockopt(s, SOL_NETLINK, NETLINK_CAP_ACK, &v, &l));
		t_eq("cap ack default", v, 0);
		t_err("SOL_NETLINK 999", getsockopt(s, SOL_NETLINK, 999, &v, &l), ENOPROTOOPT);
		t_err("SOL_IP on netlink", getsockopt(s, SOL_IP, 1, &v, &l), ENOPROTOOPT);
	}
	{
		char c;

		t_err("empty queue, non-blocking", recv(s, &c, 1, 0), EAGAIN);
	}
	{
		struct timeval tv = { 0, 100000 }, got = { 9, 9 };
		socklen_t l = sizeof(got);
		int b = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
		char c;

		t_ok("SO_RCVTIMEO", setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
		t_ok("get SO_RCVTIMEO", getsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &got, &l));
		t_yes("SO_RCVTIMEO kept", got.tv_sec == 0 && got.tv_usec == 100000);
		t_err("SO_RCVTIMEO short", setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, 4), EINVAL);
		tv.tv_usec = 2000000;
		t_err("SO_RCVTIMEO usec", setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
		      EDOM);
		t_err("blocking recv times out", recv(b, &c, 1, 0), EAGAIN);
		close(b);
	}
	t_err("listen", listen(s, 1), EOPNOTSUPP);
	t_err("accept", accept(s, NULL, NULL), EOPNOTSUPP);
	close(s);
}

static void addresses(void)
{
	int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	struct sockaddr_nl in = { .nl_family = AF_INET };
	socklen_t l;

	t_err("bind short", bind(s, (struct sockaddr *)&a, 4), EINVAL);
	t_err("bind AF_INET", bind(s, (struct sockaddr *)&in, sizeof(in)), EINVAL);
	t_err("bind bad pointer", bind(s, G_BADPTR, sizeof(a)), EFAULT);
	t_err("connect short", connect(s, (struct sockaddr *)&a, 1), EINVAL);
	t_err("sendto short name", sendto(s, buf, 16, 0, (struct sockaddr *)&a, 8), EINVAL);
	l = sizeof(a);
	t_err("getsockname bad pointer", getsockname(s, G_BADPTR, &l), EFAULT);
	t_ok("connect to the kernel", connect(s, (struct sockaddr *)&a, sizeof(a)));
	l = sizeof(a);
	t_ok("getpeername", getpeername(s, (struct sockaddr *)&a, &l));
	t_eq("peer pid", a.nl_pid, 0);
	l = sizeof(a);
	t_ok("getsockname", getsockname(s, (struct sockaddr *)&a, &l));
	t_yes("connect autobinds", a.nl_pid == (uint32_t)getpid());
	{
		int s2 = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);

		t_err("bind a taken id", bind(s2, (struct sockaddr *)&a, sizeof(a)), EADDRINUSE);
		a.nl_pid = 0;
		t_ok("autobind the second", bind(s2, (struct sockaddr *)&a, sizeof(a)));
		l = sizeof(a);
		getsockname(s2, (struct sockaddr *)&a, &l);
		t_yes("second gets a negative id", (int32_t)a.nl_pid < 0);
		close(s2);
	}
	close(s);
}

/* Send @len bytes of @msg and print what comes back (up to @max
 * datagrams, non-blocking). */
static void exchange(int s, const char *label, const void *msg, size_t len)
{
	ssize_t n = send(s, msg, len, 0);

	if (n < 0)
		say("%s: send %s\n", label, ename(errno));
	else
		say("%s: send %zd\n", label, n);
	for (;;) {
		int left;

		n = recv(s, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			say("  recv %s\n", ename(errno));
			return;
		}
		left = (int)n;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (unsigned)left);
		     h = NLMSG_NEXT(h, left)) {
			say("  type %d flags %#x seq %u", h->nlmsg_type, h->nlmsg_flags,
			    h->nlmsg_seq);
			if (h->nlmsg_type != RTM_NEWLINK) /* Linux has more attributes */
				say(" len %u", h->nlmsg_len);
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				say(" error %s echo type %d seq %u len %u", e->error ? ename(-e->error) : "0",
				    e->msg.nlmsg_type, e->msg.nlmsg_seq, e->msg.nlmsg_len);
			} else if (h->nlmsg_type == RTM_NEWLINK) {
				say(" (link)");
			}
			say("\n");
		}
	}
}

struct msg {
	struct nlmsghdr h;
	unsigned char data[64];
};

static struct msg mk(int type, int flags, uint32_t seq, size_t payload)
{
	struct msg m;

	memset(&m, 0, sizeof(m));
	m.h.nlmsg_len = (uint32_t)NLMSG_LENGTH(payload);
	m.h.nlmsg_type = (uint16_t)type;
	m.h.nlmsg_flags = (uint16_t)flags;
	m.h.nlmsg_seq = seq;
	return m;
}

static void malformed(void)
{
	int s = nl_open();
	struct msg m;
	unsigned char two[64];

	exchange(s, "8 bytes", buf, 8);
	m = mk(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 1, 0);
	m.h.nlmsg_len = 8;
	exchange(s, "nlmsg_len 8", &m, 16);
	m.h.nlmsg_len = 100;
	exchange(s, "nlmsg_len past the end", &m, 20);
	m = mk(RTM_GETLINK, NLM_F_ACK, 2, sizeof(struct ifinfomsg));
	exchange(s, "not a request, ACK", &m, m.h.nlmsg_len);
	m = mk(RTM_GETLINK, 0, 3, sizeof(struct ifinfomsg));
	exchange(s, "not a request", &m, m.h.nlmsg_len);
	m = mk(NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 4, 0);
	exchange(s, "NLMSG_NOOP with ACK", &m, m.h.nlmsg_len);
	m = mk(NLMSG_DONE, NLM_F_REQUEST, 5, 4);
	exchange(s, "NLMSG_DONE request", &m, m.h.nlmsg_len);
	m = mk(0x1000, NLM_F_REQUEST, 6, 8);
	memset(m.data, 0xab, 8);
	exchange(s, "unknown type 0x1000", &m, m.h.nlmsg_len);
	m = mk(0xffff, NLM_F_REQUEST | NLM_F_ACK, 7, 0);
	exchange(s, "unknown type 0xffff, ACK", &m, m.h.nlmsg_len);
	m = mk(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 8, 0);
	exchange(s, "RTM_GETLINK no payload, ACK", &m, m.h.nlmsg_len);
	m = mk(RTM_GETLINK, NLM_F_REQUEST, 9, 1);
	exchange(s, "RTM_GETLINK 1-byte payload", &m, m.h.nlmsg_len);
	m = mk(RTM_GETLINK, NLM_F_REQUEST, 10, sizeof(struct ifinfomsg));
	exchange(s, "RTM_GETLINK no index, no name", &m, m.h.nlmsg_len);
	m = mk(RTM_GETLINK, NLM_F_REQUEST, 11, sizeof(struct ifinfomsg));
	((struct ifinfomsg *)m.data)->ifi_index = 1;
	exchange(s, "RTM_GETLINK index 1", &m, m.h.nlmsg_len);
	/* an attribute whose length runs past the message */
	m = mk(RTM_GETLINK, NLM_F_REQUEST, 12, sizeof(struct ifinfomsg) + 8);
	{
		struct rtattr *a = (void *)(m.data + sizeof(struct ifinfomsg));

		a->rta_type = IFLA_IFNAME;
		a->rta_len = 60;
	}
	exchange(s, "RTM_GETLINK attribute overrun", &m, m.h.nlmsg_len);

	/* two messages in one send: the first 17 bytes long, the second at
	 * the next 4-byte boundary */
	memset(two, 0, sizeof(two));
	m = mk(NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 20, 1);
	memcpy(two, &m, 17);
	m = mk(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, 21, sizeof(struct ifinfomsg));
	((struct ifinfomsg *)m.data)->ifi_index = 1;
	memcpy(two + 20, &m, m.h.nlmsg_len);
	exchange(s, "batch of two, misaligned length", two, 20 + m.h.nlmsg_len);
	/* a batch whose second header is cut short */
	exchange(s, "batch with a cut second header", two, 20 + 10);

	{
		int one = 1;

		t_ok("NETLINK_CAP_ACK on",
		     setsockopt(s, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)));
	}
	m = mk(0x1000, NLM_F_REQUEST, 30, 8);
	exchange(s, "unknown type, capped", &m, m.h.nlmsg_len);
	m = mk(NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 31, 8);
	exchange(s, "ack, capped", &m, m.h.nlmsg_len);

	t_err("send bad pointer", send(s, G_BADPTR, 32, 0), EFAULT);
	m = mk(RTM_GETLINK, NLM_F_REQUEST, 40, sizeof(struct ifinfomsg));
	((struct ifinfomsg *)m.data)->ifi_index = 1;
	send(s, &m, m.h.nlmsg_len, 0);
	t_err("recv bad pointer", recv(s, G_BADPTR, 4096, 0), EFAULT);
	t_err("MSG_OOB", send(s, &m, m.h.nlmsg_len, MSG_OOB), EOPNOTSUPP);
	{
		struct sockaddr_nl other = { .nl_family = AF_NETLINK, .nl_pid = 0x7ffffff0 };
		long r = sendto(s, &m, m.h.nlmsg_len, 0, (struct sockaddr *)&other, sizeof(other));

		/* EPERM without CAP_NET_ADMIN, ECONNREFUSED with it */
		t_yes("send to a missing port refused",
		      r == -1 && (errno == ECONNREFUSED || errno == EPERM));
	}
	close(s);
}

int main(void)
{
	g_start();
	creation();
	addresses();
	malformed();
	return g_finish();
}
