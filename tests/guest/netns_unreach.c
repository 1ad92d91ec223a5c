/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Connects to addresses off loopback: ENETUNREACH (TCP, UDP, IPv4, IPv6).
 * Never run on the host's network: netns_unreach.sh runs it (natively and
 * in the sandbox) inside a new network namespace holding only lo, and the
 * program itself refuses to start if it sees any interface but lo.
 * 192.0.2.1 and 2001:db8::1 are documentation addresses (RFC 5737/3849).
 */
#include "net_inet.h"

static int only_lo(void)
{
	char line[256];
	FILE *f = fopen("/proc/net/dev", "r");
	int others = 0;

	if (!f)
		return 1; /* the sandbox's /proc: no host interfaces at all */
	while (fgets(line, sizeof(line), f))
		if (strchr(line, ':') && !strstr(line, "lo:"))
			others++;
	fclose(f);
	return others == 0;
}

int main(void)
{
	struct sockaddr_in a4 = lo4(80);
	struct sockaddr_in6 a6 = lo6(80);
	int fd;

	g_start();
	if (!only_lo()) {
		say("refusing to run: an interface other than lo is present\n");
		return 2;
	}
	a4.sin_addr.s_addr = inet_addr("192.0.2.1");
	inet_pton(AF_INET6, "2001:db8::1", &a6.sin6_addr);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	t_err("tcp connect 192.0.2.1", connect(fd, (struct sockaddr *)&a4, sizeof(a4)), ENETUNREACH);
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	t_err("non-blocking tcp connect 192.0.2.1", connect(fd, (struct sockaddr *)&a4, sizeof(a4)),
	      ENETUNREACH);
	close(fd);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	t_err("udp connect 192.0.2.1", connect(fd, (struct sockaddr *)&a4, sizeof(a4)), ENETUNREACH);
	t_err("udp sendto 192.0.2.1", sendto(fd, "x", 1, 0, (struct sockaddr *)&a4, sizeof(a4)),
	      ENETUNREACH);
	close(fd);
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	t_err("tcp connect 2001:db8::1", connect(fd, (struct sockaddr *)&a6, sizeof(a6)), ENETUNREACH);
	close(fd);
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	t_err("udp sendto 2001:db8::1", sendto(fd, "x", 1, 0, (struct sockaddr *)&a6, sizeof(a6)),
	      ENETUNREACH);
	close(fd);
	/* Loopback still works. */
	{
		int port, l = listener(AF_INET, 1, &port), c = connect_to(AF_INET, port);

		t_yes("loopback connect", l >= 0 && c >= 0);
	}
	return g_finish();
}
