/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device SIOCGIF* ioctls on lo, the same on a socket of any family
 * (Linux's dev_ioctl): shared by g_net_if_lo (AF_UNIX, AF_INET6...) and
 * g_net_if_inet (AF_INET, which adds the address ones).
 */
#ifndef CVISOR_TESTS_GUEST_NET_IF_H
#define CVISOR_TESTS_GUEST_NET_IF_H

#include "common.h"
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>

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

#endif
