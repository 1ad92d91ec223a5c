/* SPDX-License-Identifier: Apache-2.0 */
/* Loopback UDP: sendto/recvfrom with names, message boundaries, MSG_PEEK,
 * MSG_TRUNC (flag and return value), empty datagrams, FIONREAD, connect
 * (default destination, source filter, ECONNREFUSED from a closed port,
 * AF_UNSPEC), EDESTADDRREQ, EMSGSIZE, SO_REUSEADDR, recvmmsg/sendmmsg. */
#include "net_inet.h"
#include <sys/ioctl.h>
#include <sys/uio.h>

static int udp_bound(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = lo4(0);

	bind(fd, (struct sockaddr *)&a, sizeof(a));
	return fd;
}

static void basic(void)
{
	int a = udp_bound(), b = socket(AF_INET, SOCK_DGRAM, 0), n, pa = local_port(a);
	struct sockaddr_in to = lo4(pa);
	struct sockaddr_storage from;
	socklen_t fl;
	char buf[64];
	struct msghdr m;
	struct iovec iov;

	t_yes("bound port in range", port_in_range(pa));
	t_eq("unbound getsockname port", local_port(b), 0);
	t_eq("sendto", sendto(b, "one", 3, 0, (struct sockaddr *)&to, sizeof(to)), 3);
	t_yes("sender autobound", port_in_range(local_port(b)));
	t_eq("sendto two", sendto(b, "second", 6, 0, (struct sockaddr *)&to, sizeof(to)), 6);
	t_eq("sendto empty", sendto(b, "", 0, 0, (struct sockaddr *)&to, sizeof(to)), 0);
	t_yes("readable", (poll1(a, POLLIN, 5000) & POLLIN) != 0);
	ioctl(a, FIONREAD, &n);
	t_eq("FIONREAD = first datagram", n, 3);
	memset(buf, 0, sizeof(buf));
	fl = sizeof(from);
	t_eq("recvfrom MSG_PEEK", recvfrom(a, buf, sizeof(buf), MSG_PEEK, (struct sockaddr *)&from, &fl),
	     3);
	t_eq("from length", fl, sizeof(struct sockaddr_in));
	t_streq("from address", addr_str(&from), "127.0.0.1");
	t_yes("from port = sender's", name_port(&from) == local_port(b));
	memset(buf, 0, sizeof(buf));
	t_eq("recv", recv(a, buf, sizeof(buf), 0), 3);
	t_streq("data", buf, "one");
	/* A short buffer truncates; MSG_TRUNC returns the real length. */
	memset(&m, 0, sizeof(m));
	iov.iov_base = buf;
	iov.iov_len = 2;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	t_eq("recvmsg short, MSG_PEEK", recvmsg(a, &m, MSG_PEEK), 2);
	t_yes("msg_flags MSG_TRUNC", (m.msg_flags & MSG_TRUNC) != 0);
	t_eq("recv MSG_TRUNC returns full length", recv(a, buf, 2, MSG_TRUNC), 6);
	t_eq("empty datagram", recv(a, buf, sizeof(buf), 0), 0);
	t_err("nothing left", recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	t_err("send without destination", send(b, "x", 1, 0), EDESTADDRREQ);
	{
		static char big[70000];

		t_err("sendto 65508 bytes", sendto(b, big, 65508, 0, (struct sockaddr *)&to, sizeof(to)),
		      EMSGSIZE);
		t_eq("sendto 65507 bytes", sendto(b, big, 65507, 0, (struct sockaddr *)&to, sizeof(to)),
		     65507);
		t_eq("recv 65507", recv(a, big, sizeof(big), 0), 65507);
	}
	t_eq("poll fresh udp", poll1(socket(AF_INET, SOCK_DGRAM, 0), POLLIN | POLLOUT, 0), POLLOUT);
	close(a);
	close(b);
}

static void connected(void)
{
	int a = udp_bound(), b = udp_bound(), c = udp_bound(), pa = local_port(a);
	struct sockaddr_in to = lo4(pa), tb = lo4(local_port(b)), un;
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);
	char buf[16];

	t_ok("connect b -> a", connect(b, (struct sockaddr *)&to, sizeof(to)));
	t_ok("getpeername", getpeername(b, (struct sockaddr *)&ss, &l));
	t_yes("peer port", name_port(&ss) == pa);
	t_eq("send on connected", send(b, "hi", 2, 0), 2);
	t_eq("a gets it", recv(a, buf, sizeof(buf), 0), 2);
	/* A connected socket takes datagrams from its peer only. */
	t_ok("connect a -> b", connect(a, (struct sockaddr *)&tb, sizeof(tb)));
	t_eq("c sends to a", sendto(c, "from c", 6, 0, (struct sockaddr *)&to, sizeof(to)), 6);
	t_eq("b sends to a", send(b, "from b", 6, 0), 6);
	memset(buf, 0, sizeof(buf));
	t_eq("a receives", recv(a, buf, sizeof(buf), 0), 6);
	t_streq("only b's", buf, "from b");
	t_err("and nothing else", recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	memset(&un, 0, sizeof(un));
	un.sin_family = AF_UNSPEC;
	t_ok("connect AF_UNSPEC", connect(a, (struct sockaddr *)&un, sizeof(un)));
	t_err("getpeername after", getpeername(a, (struct sockaddr *)&ss, &(socklen_t){ sizeof(ss) }),
	      ENOTCONN);
	t_eq("port 0 binding released by AF_UNSPEC", local_port(a), 0);
	close(a);
	close(b);
	close(c);

	/* A closed port answers with ICMP: the connected sender sees it. */
	a = socket(AF_INET, SOCK_DGRAM, 0);
	to = lo4(dead_port(AF_INET, SOCK_DGRAM));
	t_ok("connect to a closed port", connect(a, (struct sockaddr *)&to, sizeof(to)));
	l = sizeof(ss);
	getsockname(a, (struct sockaddr *)&ss, &l);
	t_streq("source address chosen", addr_str(&ss), "127.0.0.1");
	t_yes("source port in range", port_in_range(name_port(&ss)));
	t_eq("send", send(a, "x", 1, 0), 1);
	t_yes("POLLERR", (poll1(a, POLLIN, 5000) & POLLERR) != 0);
	t_err("recv", recv(a, buf, sizeof(buf), 0), ECONNREFUSED);
	t_err("recv again", recv(a, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	close(a);
}

static void reuse_and_mmsg(void)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0), port;
	struct sockaddr_in sa = lo4(0);
	struct mmsghdr mm[3];
	struct iovec iov[3];
	char bufs[3][8];

	seti(a, SOL_SOCKET, SO_REUSEADDR, 1);
	seti(b, SOL_SOCKET, SO_REUSEADDR, 1);
	bind(a, (struct sockaddr *)&sa, sizeof(sa));
	port = local_port(a);
	sa = lo4(port);
	t_ok("SO_REUSEADDR: second bind", bind(b, (struct sockaddr *)&sa, sizeof(sa)));
	close(b);
	b = socket(AF_INET, SOCK_DGRAM, 0);
	t_err("without it", bind(b, (struct sockaddr *)&sa, sizeof(sa)), EADDRINUSE);
	connect(b, (struct sockaddr *)&sa, sizeof(sa));
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "m%d", i);
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = 2;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	t_eq("sendmmsg", sendmmsg(b, mm, 3, 0), 3);
	memset(bufs, 0, sizeof(bufs));
	for (int i = 0; i < 3; i++)
		iov[i].iov_len = sizeof(bufs[i]);
	poll1(a, POLLIN, 5000);
	t_eq("recvmmsg", recvmmsg(a, mm, 3, MSG_DONTWAIT, NULL), 3);
	t_yes("in order", !strcmp(bufs[0], "m0") && !strcmp(bufs[1], "m1") && !strcmp(bufs[2], "m2"));
	t_eq("lengths", mm[2].msg_len, 2);
	t_ok("shutdown(SHUT_RD) connected", shutdown(b, SHUT_RD));
	t_eq("recv after SHUT_RD", recv(b, bufs[0], 8, 0), 0);
	t_err("shutdown unconnected", shutdown(a, SHUT_WR), ENOTCONN);
	t_err("sendto after that", sendto(a, "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)), EPIPE);
	close(a);
	close(b);
}

/* IP-level control messages: IP_PKTINFO, IP_RECVTTL, IP_RECVTOS; an IP_TTL
 * given with sendmsg. */
static void ancillary(void)
{
	int a = udp_bound(), b = socket(AF_INET, SOCK_DGRAM, 0), ttl = 9;
	struct sockaddr_in to = lo4(local_port(a));
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} out;
	char data[8], ctl[256];
	char anc[] = "anc";
	struct iovec iov = { anc, 3 };
	struct msghdr m;
	struct cmsghdr *c;

	seti(a, IPPROTO_IP, IP_PKTINFO, 1);
	seti(a, IPPROTO_IP, IP_RECVTTL, 1);
	seti(a, IPPROTO_IP, IP_RECVTOS, 1);
	memset(&m, 0, sizeof(m));
	m.msg_name = &to;
	m.msg_namelen = sizeof(to);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = out.buf;
	m.msg_controllen = sizeof(out.buf);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_TTL;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &ttl, sizeof(int));
	t_eq("sendmsg with IP_TTL", sendmsg(b, &m, 0), 3);
	ttl = 0;
	memcpy(CMSG_DATA(c), &ttl, sizeof(int));
	t_err("IP_TTL 0", sendmsg(b, &m, 0), EINVAL);
	poll1(a, POLLIN, 5000);
	memset(&m, 0, sizeof(m));
	iov.iov_base = data;
	iov.iov_len = sizeof(data);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl;
	m.msg_controllen = sizeof(ctl);
	t_eq("recvmsg", recvmsg(a, &m, 0), 3);
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		int v = 0;

		if (c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			say("cmsg IP_PKTINFO ifindex %d dst %s\n", pi.ipi_ifindex,
			    inet_ntoa(pi.ipi_addr));
			continue;
		}
		memcpy(&v, CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0) == 1 ? 1 : sizeof(int));
		say("cmsg level %d type %d len %d value %d\n", c->cmsg_level, c->cmsg_type,
		    (int)c->cmsg_len, v);
	}
	/* A control buffer too small for all: MSG_CTRUNC. */
	t_eq("send again", sendto(b, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)), 1);
	poll1(a, POLLIN, 5000);
	m.msg_controllen = CMSG_SPACE(sizeof(struct in_pktinfo));
	t_eq("recvmsg short control", recvmsg(a, &m, 0), 1);
	t_yes("MSG_CTRUNC", (m.msg_flags & MSG_CTRUNC) != 0);
	t_eq("controllen", m.msg_controllen, CMSG_SPACE(sizeof(struct in_pktinfo)));
	close(a);
	close(b);
}

int main(void)
{
	g_start();
	signal(SIGPIPE, SIG_IGN);
	basic();
	connected();
	reuse_and_mmsg();
	ancillary();
	return g_finish();
}
