/* SPDX-License-Identifier: Apache-2.0 */
/* The SIOCGIF* ioctls on an AF_INET socket: the device ones (as on any
 * socket, g_net_if_lo) and the address ones that only AF_INET answers. */
#include "common.h"
#include "net_if.h"
#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static void inet_ioctls(int s)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (void *)&ifr.ifr_addr;

	if (t_ok("inet SIOCGIFADDR lo", req(s, SIOCGIFADDR, "lo", &ifr)) == 0) {
		t_eq("addr family", sin->sin_family, AF_INET);
		t_eq("addr", ntohl(sin->sin_addr.s_addr), 0x7f000001);
	}
	if (t_ok("inet SIOCGIFNETMASK lo", req(s, SIOCGIFNETMASK, "lo", &ifr)) == 0)
		t_eq("netmask", ntohl(sin->sin_addr.s_addr), 0xff000000);
	if (t_ok("inet SIOCGIFBRDADDR lo", req(s, SIOCGIFBRDADDR, "lo", &ifr)) == 0)
		t_eq("broadcast", ntohl(sin->sin_addr.s_addr), 0);
	t_err("inet SIOCGIFADDR nosuch0", req(s, SIOCGIFADDR, "nosuch0", &ifr), ENODEV);
	t_err("inet SIOCGIFADDR lo:7", req(s, SIOCGIFADDR, "lo:7", &ifr), EADDRNOTAVAIL);
}

int main(void)
{
	int s;

	g_start();
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (t_ok("inet socket", s) >= 0) {
		dev_ioctls("inet", s);
		inet_ioctls(s);
		close(s);
	}
	s = socket(AF_INET6, SOCK_DGRAM, 0);
	if (t_ok("inet6 socket", s) >= 0) {
		struct ifreq ifr;

		dev_ioctls("inet6", s);
		t_err("inet6 SIOCGIFADDR", req(s, SIOCGIFADDR, "lo", &ifr), ENOTTY);
		close(s);
	}
	return g_finish();
}
