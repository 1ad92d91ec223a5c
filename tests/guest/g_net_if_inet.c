/* SPDX-License-Identifier: Apache-2.0 */
/* The SIOCGIF* ioctls on an AF_INET socket: the device ones (as on any
 * socket, g_net_if_lo) and the address ones that only AF_INET answers. */
#include "common.h"
#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static long req(int s, unsigned long cmd, const char *name, struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", name);
	return ioctl(s, cmd, ifr);
}

static void dev_ioctls(const char *fam, int s)
{
	struct ifreq ifr;
	char label[96];

#define L(x) (snprintf(label, sizeof(label), "%s %s", fam, x), label)
	if (req(s, SIOCGIFINDEX, "lo", &ifr) == 0)
		t_eq(L("SIOCGIFINDEX lo"), ifr.ifr_ifindex, 1);
	else
		t_ok(L("SIOCGIFINDEX lo"), -1);
	t_err(L("SIOCGIFINDEX nosuch0"), req(s, SIOCGIFINDEX, "nosuch0", &ifr), ENODEV);
	if (req(s, SIOCGIFFLAGS, "lo", &ifr) == 0)
		t_eq(L("SIOCGIFFLAGS lo"), (unsigned short)ifr.ifr_flags,
		     IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	else
		t_ok(L("SIOCGIFFLAGS lo"), -1);
	if (req(s, SIOCGIFFLAGS, "lo:0", &ifr) == 0)
		t_eq(L("SIOCGIFFLAGS lo:0 (alias)"), (unsigned short)ifr.ifr_flags,
		     IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
	else
		t_ok(L("SIOCGIFFLAGS lo:0"), -1);
	t_err(L("SIOCGIFFLAGS nosuch0"), req(s, SIOCGIFFLAGS, "nosuch0", &ifr), ENODEV);
	if (req(s, SIOCGIFMTU, "lo", &ifr) == 0)
		t_eq(L("SIOCGIFMTU lo"), ifr.ifr_mtu, 65536);
	else
		t_ok(L("SIOCGIFMTU lo"), -1);
	if (req(s, SIOCGIFHWADDR, "lo", &ifr) == 0) {
		static const char zero[6];

		t_eq(L("SIOCGIFHWADDR family"), ifr.ifr_hwaddr.sa_family, ARPHRD_LOOPBACK);
		t_yes(L("SIOCGIFHWADDR zero"), !memcmp(ifr.ifr_hwaddr.sa_data, zero, 6));
	} else {
		t_ok(L("SIOCGIFHWADDR lo"), -1);
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_ifindex = 1;
	if (ioctl(s, SIOCGIFNAME, &ifr) == 0)
		t_streq(L("SIOCGIFNAME 1"), ifr.ifr_name, "lo");
	else
		t_ok(L("SIOCGIFNAME 1"), -1);
	ifr.ifr_ifindex = 99999;
	t_err(L("SIOCGIFNAME 99999"), ioctl(s, SIOCGIFNAME, &ifr), ENODEV);
	/* a name filling ifr_name without a NUL: cut at IFNAMSIZ-1 */
	memset(&ifr, 'x', sizeof(ifr.ifr_name));
	t_err(L("SIOCGIFINDEX unterminated"), ioctl(s, SIOCGIFINDEX, &ifr), ENODEV);
	t_err(L("SIOCGIFINDEX bad pointer"), ioctl(s, SIOCGIFINDEX, G_BADPTR), EFAULT);
	t_err(L("SIOCGIFFLAGS bad pointer"), ioctl(s, SIOCGIFFLAGS, G_BADPTR), EFAULT);
	t_err(L("TCGETS"), ioctl(s, 0x5401, &ifr), ENOTTY);
#undef L
}

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
