/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SIOCGIF* ioctls of sockets over the sandbox's interface table.  The
 * application's struct ifreq / struct ifconf are untrusted: names are cut
 * at IFNAMSIZ-1, lengths clamped, every copy checked.
 */
#include "ifioctl.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "lib/macro.h"
#include "netif.h"
#include "sentry/kernel/task.h"

/* dev_ioctl's set commands: all need CAP_NET_ADMIN, checked first. */
static int is_dev_set(unsigned cmd)
{
	switch (cmd) {
	case SIOCSIFFLAGS:
	case SIOCSIFMETRIC:
	case SIOCSIFMTU:
	case SIOCSIFHWADDR:
	case SIOCSIFSLAVE:
	case SIOCSIFMAP:
	case SIOCSIFHWBROADCAST:
	case SIOCSIFTXQLEN:
	case SIOCSIFNAME:
	case SIOCADDMULTI:
	case SIOCDELMULTI:
	case SIOCSIFPFLAGS:
	case SIOCSIFLINK:
	case SIOCSIFENCAP:
		return 1;
	default:
		return 0;
	}
}

static int ifreq_in(struct task *t, uint64_t arg, struct ifreq *ifr)
{
	if (task_copy_in(t, arg, ifr, sizeof(*ifr)) != (ssize_t)sizeof(*ifr))
		return -EFAULT;
	ifr->ifr_name[IFNAMSIZ - 1] = 0;
	return 0;
}

static int ifreq_out(struct task *t, uint64_t arg, const struct ifreq *ifr)
{
	return task_copy_out(t, arg, ifr, sizeof(*ifr)) == (ssize_t)sizeof(*ifr) ? 0 : -EFAULT;
}

/* The device named in @ifr, an alias suffix (":N") ignored as Linux's
 * dev_ioctl does. */
static const struct netif *dev_of(const struct ifreq *ifr)
{
	char name[IFNAMSIZ];
	char *colon;

	memcpy(name, ifr->ifr_name, IFNAMSIZ);
	colon = strchr(name, ':');
	if (colon)
		*colon = 0;
	return netif_by_name(name);
}

/* SIOCGIFCONF: one struct ifreq per IPv4 address (named by its label); a NULL buffer asks for
 * the length needed; entries that do not fit whole are left out. */
static int64_t if_conf(struct task *t, uint64_t arg)
{
	struct ifconf ifc;
	int done = 0;

	if (task_copy_in(t, arg, &ifc, sizeof(ifc)) != (ssize_t)sizeof(ifc))
		return -EFAULT;
	for (size_t i = 0; i < netif_addr_count(); i++) {
		const struct netaddr *a = netif_addr_at(i);
		struct ifreq ifr;
		struct sockaddr_in sin;

		if (a->family != AF_INET)
			continue;
		if (!ifc.ifc_buf) {
			done += (int)sizeof(ifr);
			continue;
		}
		if (ifc.ifc_len < 0 || (size_t)(ifc.ifc_len - done) < sizeof(ifr))
			break;
		memset(&ifr, 0, sizeof(ifr));
		memset(&sin, 0, sizeof(sin));
		memcpy(ifr.ifr_name, a->label, IFNAMSIZ); /* NUL-terminated */
		sin.sin_family = AF_INET;
		memcpy(&sin.sin_addr, a->addr, 4);
		memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
		if (task_copy_out(t, (uint64_t)ifc.ifc_buf + (uint64_t)done, &ifr, sizeof(ifr)) !=
		    (ssize_t)sizeof(ifr))
			return -EFAULT;
		done += (int)sizeof(ifr);
	}
	ifc.ifc_len = done;
	return task_copy_out(t, arg, &ifc, sizeof(ifc)) == (ssize_t)sizeof(ifc) ? 0 : -EFAULT;
}

int64_t if_ioctl(struct task *t, unsigned cmd, uint64_t arg)
{
	const struct netif *n;
	struct ifreq ifr;
	int r;

	if (cmd == SIOCGIFCONF)
		return if_conf(t, arg);
	switch (cmd) {
	case SIOCGIFNAME:
	case SIOCGIFFLAGS:
	case SIOCGIFMETRIC:
	case SIOCGIFMTU:
	case SIOCGIFHWADDR:
	case SIOCGIFINDEX:
	case SIOCGIFTXQLEN:
	case SIOCGIFMAP:
		break;
	default:
		if (!is_dev_set(cmd))
			return -ENOTTY;
		if ((r = ifreq_in(t, arg, &ifr)) < 0)
			return r;
		return -EPERM;
	}
	if ((r = ifreq_in(t, arg, &ifr)) < 0)
		return r;
	if (cmd == SIOCGIFNAME) {
		n = netif_by_index(ifr.ifr_ifindex);
		if (!n)
			return -ENODEV;
		memset(ifr.ifr_name, 0, IFNAMSIZ);
		memcpy(ifr.ifr_name, n->name, IFNAMSIZ); /* NUL-terminated */
		return ifreq_out(t, arg, &ifr);
	}
	n = dev_of(&ifr);
	if (!n)
		return -ENODEV;
	switch (cmd) {
	case SIOCGIFFLAGS: /* a short: IFF_LOWER_UP and above do not fit */
		ifr.ifr_flags = (short)(n->flags & 0xffff);
		break;
	case SIOCGIFMETRIC:
		ifr.ifr_metric = 0;
		break;
	case SIOCGIFMTU:
		ifr.ifr_mtu = (int)n->mtu;
		break;
	case SIOCGIFHWADDR:
		memset(&ifr.ifr_hwaddr, 0, sizeof(ifr.ifr_hwaddr));
		ifr.ifr_hwaddr.sa_family = n->type;
		memcpy(ifr.ifr_hwaddr.sa_data, n->hwaddr,
		       MIN((size_t)n->hwlen, sizeof(ifr.ifr_hwaddr.sa_data)));
		break;
	case SIOCGIFINDEX:
		ifr.ifr_ifindex = n->index;
		break;
	case SIOCGIFTXQLEN:
		ifr.ifr_qlen = (int)n->txqlen;
		break;
	case SIOCGIFMAP:
		memset(&ifr.ifr_map, 0, sizeof(ifr.ifr_map));
		break;
	}
	return ifreq_out(t, arg, &ifr);
}

int64_t if_inet_ioctl(struct task *t, unsigned cmd, uint64_t arg)
{
	const struct netaddr *a = NULL;
	const struct netif *n;
	struct sockaddr_in sin;
	struct ifreq ifr;
	int r;

	switch (cmd) {
	case SIOCGIFADDR:
	case SIOCGIFBRDADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFDSTADDR:
		break;
	case SIOCSIFADDR:
	case SIOCSIFBRDADDR:
	case SIOCSIFNETMASK:
	case SIOCSIFDSTADDR:
	case SIOCDIFADDR:
		if ((r = ifreq_in(t, arg, &ifr)) < 0)
			return r;
		return -EPERM;
	case SIOCADDRT:
	case SIOCDELRT:
		return -EPERM;
	default:
		return if_ioctl(t, cmd, arg);
	}
	if ((r = ifreq_in(t, arg, &ifr)) < 0)
		return r;
	n = dev_of(&ifr);
	if (!n)
		return -ENODEV;
	/* the address labelled with the whole name (eth0:1 is an alias) */
	for (size_t i = 0; i < netif_addr_count() && !a; i++) {
		const struct netaddr *x = netif_addr_at(i);

		if (x->family == AF_INET && x->index == n->index &&
		    !strncmp(x->label, ifr.ifr_name, IFNAMSIZ - 1))
			a = x;
	}
	if (!a)
		return -EADDRNOTAVAIL;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	switch (cmd) {
	case SIOCGIFADDR:
	case SIOCGIFDSTADDR: /* not point-to-point: the local address */
		memcpy(&sin.sin_addr, a->addr, 4);
		break;
	case SIOCGIFNETMASK:
		sin.sin_addr.s_addr = htonl(a->prefix ? ~0u << (32 - a->prefix) : 0);
		break;
	case SIOCGIFBRDADDR: /* 0.0.0.0 without one (lo) */
		if (a->has_brd)
			memcpy(&sin.sin_addr, a->brd, 4);
		break;
	}
	memcpy(&ifr.ifr_addr, &sin, sizeof(sin));
	return ifreq_out(t, arg, &ifr);
}
