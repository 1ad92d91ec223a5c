/* SPDX-License-Identifier: Apache-2.0 */
/* The loopback interface as programs find it: getifaddrs() (netlink
 * underneath), if_nametoindex/if_indextoname/if_nameindex and the SIOCGIF*
 * ioctls on AF_UNIX and AF_NETLINK sockets (AF_INET: g_net_if_inet).  The host has more interfaces
 * than the sandbox: only lo's entries are printed. */
#include "common.h"
#include "net_if.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static void show_addr(const char *what, const struct sockaddr *sa)
{
	char buf[INET6_ADDRSTRLEN];

	if (!sa) {
		say("  %s: none\n", what);
		return;
	}
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, sizeof(buf));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "family %d", sa->sa_family);
	say("  %s: %s\n", what, buf);
}

static void ifaddrs_lo(void)
{
	struct ifaddrs *ifa, *p;
	int n4 = 0, n6 = 0, npacket = 0;

	if (t_ok("getifaddrs", getifaddrs(&ifa)) < 0)
		return;
	for (p = ifa; p; p = p->ifa_next) {
		if (strcmp(p->ifa_name, "lo") || !p->ifa_addr)
			continue;
		if (p->ifa_addr->sa_family == AF_PACKET) {
			const struct sockaddr_ll *ll = (const void *)p->ifa_addr;

			npacket++;
			say("lo packet: flags %#x ifindex %d hatype %d halen %d\n", p->ifa_flags,
			    ll->sll_ifindex, ll->sll_hatype, ll->sll_halen);
			t_yes("lo packet has stats", p->ifa_data != NULL);
			continue;
		}
		if (p->ifa_addr->sa_family == AF_INET)
			n4++;
		else if (p->ifa_addr->sa_family == AF_INET6)
			n6++;
		say("lo family %d flags %#x\n", p->ifa_addr->sa_family, p->ifa_flags);
		show_addr("addr", p->ifa_addr);
		show_addr("netmask", p->ifa_netmask);
	}
	t_eq("lo AF_PACKET entries", npacket, 1);
	t_eq("lo AF_INET entries", n4, 1);
	t_eq("lo AF_INET6 entries", n6, 1);
	freeifaddrs(ifa);
}

static void names(void)
{
	char name[IF_NAMESIZE] = "";
	struct if_nameindex *ni, *p;
	int found = 0;

	t_eq("if_nametoindex lo", if_nametoindex("lo"), 1);
	errno = 0;
	t_eq("if_nametoindex nosuch0", if_nametoindex("nosuch0"), 0);
	t_streq("if_nametoindex nosuch0 errno", ename(errno), "ENODEV");
	t_yes("if_indextoname 1", if_indextoname(1, name) != NULL);
	t_streq("name of 1", name, "lo");
	errno = 0;
	t_yes("if_indextoname 99999 fails", if_indextoname(99999, name) == NULL);
	t_streq("if_indextoname 99999 errno", ename(errno), "ENXIO");
	ni = if_nameindex();
	t_yes("if_nameindex", ni != NULL);
	for (p = ni; p && p->if_index; p++)
		if (p->if_index == 1)
			found = !strcmp(p->if_name, "lo");
	t_yes("if_nameindex has 1 lo", found);
	if_freenameindex(ni);
}

static void ifconf(int s)
{
	struct ifreq reqs[64];
	struct ifconf ifc;
	int found = 0;

	memset(&ifc, 0, sizeof(ifc));
	ifc.ifc_buf = NULL;
	t_ok("SIOCGIFCONF size", ioctl(s, SIOCGIFCONF, &ifc));
	t_yes("SIOCGIFCONF size is whole ifreqs", ifc.ifc_len > 0 &&
						 ifc.ifc_len % (int)sizeof(struct ifreq) == 0);
	ifc.ifc_len = sizeof(reqs);
	ifc.ifc_req = reqs;
	t_ok("SIOCGIFCONF", ioctl(s, SIOCGIFCONF, &ifc));
	for (int i = 0; i < ifc.ifc_len / (int)sizeof(struct ifreq); i++) {
		struct sockaddr_in *sin = (void *)&reqs[i].ifr_addr;

		if (strcmp(reqs[i].ifr_name, "lo"))
			continue;
		found++;
		t_eq("ifconf lo family", sin->sin_family, AF_INET);
		t_eq("ifconf lo addr", ntohl(sin->sin_addr.s_addr), 0x7f000001);
	}
	t_eq("ifconf lo entries", found, 1);
	ifc.ifc_len = sizeof(struct ifreq) - 1; /* too small for one */
	t_ok("SIOCGIFCONF short", ioctl(s, SIOCGIFCONF, &ifc));
	t_eq("SIOCGIFCONF short len", ifc.ifc_len, 0);
	t_err("SIOCGIFCONF bad pointer", ioctl(s, SIOCGIFCONF, G_BADPTR), EFAULT);
	ifc.ifc_len = sizeof(reqs);
	ifc.ifc_buf = G_BADPTR;
	t_err("SIOCGIFCONF bad buffer", ioctl(s, SIOCGIFCONF, &ifc), EFAULT);
}

int main(void)
{
	int s;

	g_start();
	ifaddrs_lo();
	names();
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	dev_ioctls("unix", s);
	ifconf(s);
	{
		struct ifreq ifr;

		/* the address ioctls are AF_INET's own */
		t_err("unix SIOCGIFADDR", req(s, SIOCGIFADDR, "lo", &ifr), ENOTTY);
		t_err("unix SIOCGIFNETMASK", req(s, SIOCGIFNETMASK, "lo", &ifr), ENOTTY);
	}
	close(s);
	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (t_ok("netlink socket", s) >= 0) {
		dev_ioctls("netlink", s);
		close(s);
	}
	return g_finish();
}
