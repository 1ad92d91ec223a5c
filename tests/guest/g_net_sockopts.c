/* SPDX-License-Identifier: Apache-2.0 */
/* Socket options of AF_INET/AF_INET6 sockets: defaults, set/get round
 * trips, doubled buffer sizes, ranges (EINVAL), levels a socket does not
 * have (ENOPROTOOPT), read-only options, timeouts (SO_RCVTIMEO ends a
 * blocked recv with EAGAIN), TCP_INFO's state, SIOCGIF* for lo. */
#include "net_inet.h"
#include <net/if.h>
#include <sys/ioctl.h>

#define SHOW(fd, lvl, name) say("%s: %d\n", #name, geti(fd, lvl, name))

static void defaults(void)
{
	int t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET6, SOCK_DGRAM, 0);
	struct linger lg;
	socklen_t l = sizeof(lg);

	say("-- tcp defaults\n");
	SHOW(t, SOL_SOCKET, SO_TYPE);
	SHOW(t, SOL_SOCKET, SO_DOMAIN);
	SHOW(t, SOL_SOCKET, SO_PROTOCOL);
	SHOW(t, SOL_SOCKET, SO_ERROR);
	SHOW(t, SOL_SOCKET, SO_REUSEADDR);
	SHOW(t, SOL_SOCKET, SO_REUSEPORT);
	SHOW(t, SOL_SOCKET, SO_KEEPALIVE);
	SHOW(t, SOL_SOCKET, SO_BROADCAST);
	SHOW(t, SOL_SOCKET, SO_OOBINLINE);
	SHOW(t, SOL_SOCKET, SO_RCVLOWAT);
	SHOW(t, SOL_SOCKET, SO_SNDLOWAT);
	SHOW(t, SOL_SOCKET, SO_PRIORITY);
	SHOW(t, IPPROTO_TCP, TCP_NODELAY);
	SHOW(t, IPPROTO_TCP, TCP_CORK);
	SHOW(t, IPPROTO_TCP, TCP_KEEPIDLE);
	SHOW(t, IPPROTO_TCP, TCP_KEEPINTVL);
	SHOW(t, IPPROTO_TCP, TCP_KEEPCNT);
	SHOW(t, IPPROTO_TCP, TCP_MAXSEG);
	SHOW(t, IPPROTO_TCP, TCP_USER_TIMEOUT);
	SHOW(t, IPPROTO_IP, IP_TOS);
	SHOW(t, IPPROTO_IP, IP_TTL);
	getsockopt(t, SOL_SOCKET, SO_LINGER, &lg, &l);
	say("SO_LINGER: %d %d (len %d)\n", lg.l_onoff, lg.l_linger, (int)l);
	say("-- udp6 defaults\n");
	SHOW(u, SOL_SOCKET, SO_TYPE);
	SHOW(u, SOL_SOCKET, SO_DOMAIN);
	SHOW(u, SOL_SOCKET, SO_PROTOCOL);
	SHOW(u, SOL_SOCKET, SO_SNDBUF);
	SHOW(u, SOL_SOCKET, SO_RCVBUF);
	SHOW(u, IPPROTO_IPV6, IPV6_V6ONLY);
	SHOW(u, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
	SHOW(u, IPPROTO_IPV6, IPV6_TCLASS);
	close(t);
	close(u);
}

static void round_trips(void)
{
	int t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);
	struct linger lg = { 1, 7 };
	socklen_t l;
	unsigned char c = 0;

	say("-- set/get\n");
	seti(t, SOL_SOCKET, SO_REUSEADDR, 5);
	SHOW(t, SOL_SOCKET, SO_REUSEADDR);
	seti(t, SOL_SOCKET, SO_KEEPALIVE, 1);
	SHOW(t, SOL_SOCKET, SO_KEEPALIVE);
	seti(t, SOL_SOCKET, SO_SNDBUF, 65536);
	SHOW(t, SOL_SOCKET, SO_SNDBUF);
	seti(t, SOL_SOCKET, SO_RCVBUF, 65536);
	SHOW(t, SOL_SOCKET, SO_RCVBUF);
	seti(t, SOL_SOCKET, SO_SNDBUF, 1);
	say("SO_SNDBUF 1 -> minimum: %d\n", geti(t, SOL_SOCKET, SO_SNDBUF));
	seti(t, SOL_SOCKET, SO_RCVBUF, 1);
	say("SO_RCVBUF 1 -> minimum: %d\n", geti(t, SOL_SOCKET, SO_RCVBUF));
	seti(t, SOL_SOCKET, SO_RCVLOWAT, 0);
	SHOW(t, SOL_SOCKET, SO_RCVLOWAT);
	t_ok("SO_LINGER set", setsockopt(t, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	memset(&lg, 0, sizeof(lg));
	l = sizeof(lg);
	getsockopt(t, SOL_SOCKET, SO_LINGER, &lg, &l);
	say("SO_LINGER: %d %d\n", lg.l_onoff, lg.l_linger);
	seti(t, IPPROTO_TCP, TCP_NODELAY, 9);
	SHOW(t, IPPROTO_TCP, TCP_NODELAY);
	seti(t, IPPROTO_TCP, TCP_KEEPIDLE, 30);
	SHOW(t, IPPROTO_TCP, TCP_KEEPIDLE);
	seti(t, IPPROTO_TCP, TCP_KEEPINTVL, 5);
	SHOW(t, IPPROTO_TCP, TCP_KEEPINTVL);
	seti(t, IPPROTO_TCP, TCP_KEEPCNT, 3);
	SHOW(t, IPPROTO_TCP, TCP_KEEPCNT);
	seti(t, IPPROTO_TCP, TCP_CORK, 1);
	SHOW(t, IPPROTO_TCP, TCP_CORK);
	t_err("TCP_KEEPIDLE 0", seti(t, IPPROTO_TCP, TCP_KEEPIDLE, 0), EINVAL);
	t_err("TCP_KEEPCNT 200", seti(t, IPPROTO_TCP, TCP_KEEPCNT, 200), EINVAL);
	t_err("TCP_MAXSEG 10", seti(t, IPPROTO_TCP, TCP_MAXSEG, 10), EINVAL);
	seti(t, IPPROTO_IP, IP_TOS, 0x10);
	SHOW(t, IPPROTO_IP, IP_TOS);
	seti(t, IPPROTO_IP, IP_TTL, 9);
	SHOW(t, IPPROTO_IP, IP_TTL);
	seti(t, IPPROTO_IP, IP_TTL, -1);
	say("IP_TTL -1 -> default: %d\n", geti(t, IPPROTO_IP, IP_TTL));
	t_err("IP_TTL 256", seti(t, IPPROTO_IP, IP_TTL, 256), EINVAL);
	l = 1;
	getsockopt(t, IPPROTO_IP, IP_TTL, &c, &l);
	say("IP_TTL as a byte: %d (len %d)\n", c, (int)l);
	t_err("SO_TYPE is read-only", seti(t, SOL_SOCKET, SO_TYPE, 2), ENOPROTOOPT);
	t_err("short option", setsockopt(t, SOL_SOCKET, SO_KEEPALIVE, &c, 1), EINVAL);
	t_err("IPV6 level on AF_INET", seti(t, IPPROTO_IPV6, IPV6_V6ONLY, 1), ENOPROTOOPT);
	t_err("TCP level on UDP", seti(u, IPPROTO_TCP, TCP_NODELAY, 1), ENOPROTOOPT);
	t_err("unknown SOL_SOCKET option", seti(t, SOL_SOCKET, 12345, 1), ENOPROTOOPT);
	seti(u, SOL_SOCKET, SO_BROADCAST, 1);
	SHOW(u, SOL_SOCKET, SO_BROADCAST);
	close(t);
	close(u);
}

static void timeouts_and_info(void)
{
	int port, lfd = listener(AF_INET, 4, &port), c = connect_to(AF_INET, port);
	int s = accept(lfd, NULL, NULL);
	struct timeval tv = { 0, 100000 };
	struct tcp_info ti;
	socklen_t l = sizeof(tv);
	char buf[4];

	t_ok("SO_RCVTIMEO 100 ms", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	memset(&tv, 0, sizeof(tv));
	getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &l);
	say("SO_RCVTIMEO: %ld.%06ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
	t_err("recv times out", recv(s, buf, sizeof(buf), 0), EAGAIN);
	tv.tv_usec = 2000000;
	t_err("SO_SNDTIMEO bad usec", setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)), EDOM);
	l = sizeof(ti);
	t_ok("TCP_INFO", getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &l));
	t_eq("tcpi_state established", ti.tcpi_state, 1);
	l = sizeof(ti);
	getsockopt(lfd, IPPROTO_TCP, TCP_INFO, &ti, &l);
	t_eq("tcpi_state listen", ti.tcpi_state, 10);
	t_eq("accepted inherits SO_REUSEADDR", geti(s, SOL_SOCKET, SO_REUSEADDR), 1);
	close(c);
	close(s);
	close(lfd);
}

static void interfaces(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	t_ok("SIOCGIFINDEX lo", ioctl(fd, SIOCGIFINDEX, &ifr));
	t_eq("lo index", ifr.ifr_ifindex, 1);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = 1;
	t_ok("SIOCGIFNAME 1", ioctl(fd, SIOCGIFNAME, &ifr));
	t_streq("name", ifr.ifr_name, "lo");
	strcpy(ifr.ifr_name, "lo");
	t_ok("SIOCGIFFLAGS", ioctl(fd, SIOCGIFFLAGS, &ifr));
	t_yes("up and loopback", (ifr.ifr_flags & (IFF_UP | IFF_LOOPBACK)) == (IFF_UP | IFF_LOOPBACK));
	strcpy(ifr.ifr_name, "lo");
	t_ok("SIOCGIFADDR", ioctl(fd, SIOCGIFADDR, &ifr));
	t_streq("lo address", addr_str((struct sockaddr_storage *)&ifr.ifr_addr), "127.0.0.1");
	t_eq("if_nametoindex", if_nametoindex("lo"), 1);
	close(fd);
}

int main(void)
{
	g_start();
	defaults();
	round_trips();
	timeouts_and_info();
	interfaces();
	return g_finish();
}
