/* SPDX-License-Identifier: Apache-2.0 */
/* AF_INET6 on loopback: TCP and UDP on ::1, names (sockaddr_in6),
 * v4-mapped ::ffff:127.0.0.1 on dual-stack sockets, IPV6_V6ONLY, port
 * sharing between the families, address checks.  Only ::1 and
 * ::ffff:127.0.0.1 are used (no wildcard binds: the native run is on the
 * host's real network). */
#include "net_inet.h"

static void tcp6(void)
{
	int port = -1, lfd = listener(AF_INET6, 4, &port), c, s;
	struct sockaddr_storage ss, ps;
	socklen_t l = sizeof(ss);
	char buf[8];

	t_yes("listener on ::1", lfd >= 0);
	t_yes("port in range", port_in_range(port));
	getsockname(lfd, (struct sockaddr *)&ss, &l);
	t_eq("name length", l, sizeof(struct sockaddr_in6));
	t_streq("address", addr_str(&ss), "::1");
	c = connect_to(AF_INET6, port);
	t_yes("connect [::1]", c >= 0);
	l = sizeof(ps);
	s = accept(lfd, (struct sockaddr *)&ps, &l);
	t_yes("accept", s >= 0);
	t_streq("peer address", addr_str(&ps), "::1");
	t_yes("peer port = client's", name_port(&ps) == local_port(c));
	t_eq("SO_DOMAIN", geti(s, SOL_SOCKET, SO_DOMAIN), AF_INET6);
	t_eq("send", send(c, "v6", 2, 0), 2);
	t_eq("recv", recv(s, buf, sizeof(buf), 0), 2);
	close(c);
	close(s);

	/* An AF_INET client cannot reach a listener on ::1. */
	c = socket(AF_INET, SOCK_STREAM, 0);
	{
		struct sockaddr_in a = lo4(port);

		t_err("AF_INET to a ::1-only port", connect(c, (struct sockaddr *)&a, sizeof(a)),
		      ECONNREFUSED);
	}
	close(c);
	close(lfd);
}

static void mapped(void)
{
	int l6 = socket(AF_INET6, SOCK_STREAM, 0), port, c, s, u;
	struct sockaddr_in6 m = lo6mapped(0);
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);

	t_eq("IPV6_V6ONLY default", geti(l6, IPPROTO_IPV6, IPV6_V6ONLY), 0);
	t_ok("bind ::ffff:127.0.0.1", bind(l6, (struct sockaddr *)&m, sizeof(m)));
	t_ok("listen", listen(l6, 4));
	port = local_port(l6);
	getsockname(l6, (struct sockaddr *)&ss, &l);
	t_streq("its name", addr_str(&ss), "::ffff:127.0.0.1");
	t_err("IPV6_V6ONLY after bind", seti(l6, IPPROTO_IPV6, IPV6_V6ONLY, 1), EINVAL);

	/* An IPv4 client reaches it; names show v4-mapped on the v6 side. */
	c = connect_to(AF_INET, port);
	t_yes("AF_INET client connects", c >= 0);
	l = sizeof(ss);
	s = accept(l6, (struct sockaddr *)&ss, &l);
	t_yes("accepted", s >= 0);
	t_eq("peer name length", l, sizeof(struct sockaddr_in6));
	t_streq("peer", addr_str(&ss), "::ffff:127.0.0.1");
	l = sizeof(ss);
	getsockname(s, (struct sockaddr *)&ss, &l);
	t_streq("accepted socket's name", addr_str(&ss), "::ffff:127.0.0.1");
	l = sizeof(ss);
	getpeername(c, (struct sockaddr *)&ss, &l);
	t_streq("client sees 127.0.0.1", addr_str(&ss), "127.0.0.1");
	close(s);
	close(c);

	/* A dual-stack client connects to v4-mapped. */
	c = socket(AF_INET6, SOCK_STREAM, 0);
	m = lo6mapped(port);
	t_ok("AF_INET6 client to ::ffff:127.0.0.1", connect(c, (struct sockaddr *)&m, sizeof(m)));
	l = sizeof(ss);
	getsockname(c, (struct sockaddr *)&ss, &l);
	t_streq("its source", addr_str(&ss), "::ffff:127.0.0.1");
	s = accept(l6, NULL, NULL);
	close(s);
	close(c);

	/* The v4 port is taken by the v4-mapped binding. */
	u = socket(AF_INET, SOCK_STREAM, 0);
	{
		struct sockaddr_in a = lo4(port);

		t_err("AF_INET bind of the same port", bind(u, (struct sockaddr *)&a, sizeof(a)),
		      EADDRINUSE);
	}
	close(u);
	u = socket(AF_INET6, SOCK_STREAM, 0);
	{
		struct sockaddr_in6 a = lo6(port);

		t_ok("::1 with the same port is another address", bind(u, (struct sockaddr *)&a, sizeof(a)));
	}
	close(u);
	close(l6);

	/* IPV6_V6ONLY: no v4-mapped names, no v4 destinations. */
	u = socket(AF_INET6, SOCK_STREAM, 0);
	t_ok("set IPV6_V6ONLY", seti(u, IPPROTO_IPV6, IPV6_V6ONLY, 1));
	t_eq("get IPV6_V6ONLY", geti(u, IPPROTO_IPV6, IPV6_V6ONLY), 1);
	m = lo6mapped(0);
	t_err("V6ONLY bind ::ffff:127.0.0.1", bind(u, (struct sockaddr *)&m, sizeof(m)), EINVAL);
	close(u);
}

static void udp6(void)
{
	int a = socket(AF_INET6, SOCK_DGRAM, 0), b = socket(AF_INET6, SOCK_DGRAM, 0), v4;
	struct sockaddr_in6 sa = lo6(0), m;
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	char buf[16];

	bind(a, (struct sockaddr *)&sa, sizeof(sa));
	sa = lo6(local_port(a));
	t_eq("sendto [::1]", sendto(b, "six", 3, 0, (struct sockaddr *)&sa, sizeof(sa)), 3);
	poll1(a, POLLIN, 5000);
	t_eq("recvfrom", recvfrom(a, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 3);
	t_eq("from length", fl, sizeof(struct sockaddr_in6));
	t_streq("from", addr_str(&from), "::1");
	close(a);

	/* A v4 socket to a dual-stack one bound v4-mapped. */
	a = socket(AF_INET6, SOCK_DGRAM, 0);
	m = lo6mapped(0);
	bind(a, (struct sockaddr *)&m, sizeof(m));
	v4 = socket(AF_INET, SOCK_DGRAM, 0);
	{
		struct sockaddr_in t4 = lo4(local_port(a));

		t_eq("AF_INET sendto", sendto(v4, "four", 4, 0, (struct sockaddr *)&t4, sizeof(t4)), 4);
	}
	poll1(a, POLLIN, 5000);
	fl = sizeof(from);
	t_eq("v6 socket receives", recvfrom(a, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 4);
	t_streq("from (v4-mapped)", addr_str(&from), "::ffff:127.0.0.1");
	t_yes("from port = v4 sender's", name_port(&from) == local_port(v4));
	close(a);
	close(b);
	close(v4);
}

int main(void)
{
	g_start();
	tcp6();
	mapped();
	udp6();
	return g_finish();
}
