/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sandbox's interface table (only lo) and the /proc/net and
 * /proc/sys/net files generated from it.
 */
#include "netif.h"

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inet_proc.h"
#include "lib/macro.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* linux/if.h, not in glibc's net/if.h */
#endif

static const struct netif lo_if[] = {
	{
		.index = 1,
		.name = "lo",
		.flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP,
		.mtu = 65536,
		.txqlen = 1000,
		.type = ARPHRD_LOOPBACK,
		.hwlen = 6,
	},
};

static const struct netaddr lo_addrs[] = {
	{ .index = 1, .family = AF_INET, .addr = { 127, 0, 0, 1 }, .prefix = 8,
	  .scope = RT_SCOPE_HOST, .label = "lo" },
	{ .index = 1, .family = AF_INET6, .addr = { [15] = 1 }, .prefix = 128,
	  .scope = RT_SCOPE_HOST, .label = "lo" },
};

/* The table: lo's, or the host's snapshot (never freed), set before the
 * first task runs and constant after. */
static const struct netif *netifs = lo_if;
static size_t n_netifs = ARRAY_SIZE(lo_if);
static const struct netaddr *netaddrs = lo_addrs;
static size_t n_netaddrs = ARRAY_SIZE(lo_addrs);
/* NET_HOST: the host's /proc/net/route at the snapshot (NULL: none). */
static char *host_route;

size_t netif_count(void)
{
	return n_netifs;
}

const struct netif *netif_at(size_t i)
{
	return i < n_netifs ? &netifs[i] : NULL;
}

size_t netif_addr_count(void)
{
	return n_netaddrs;
}

const struct netaddr *netif_addr_at(size_t i)
{
	return i < n_netaddrs ? &netaddrs[i] : NULL;
}

const struct netif *netif_by_index(int index)
{
	for (size_t i = 0; i < n_netifs; i++)
		if (netifs[i].index == index)
			return &netifs[i];
	return NULL;
}

const struct netif *netif_by_name(const char *name)
{
	for (size_t i = 0; i < n_netifs; i++)
		if (!strncmp(netifs[i].name, name, IFNAMSIZ - 1))
			return &netifs[i];
	return NULL;
}

const struct netaddr *netif_addr_first(int index, int family)
{
	for (size_t i = 0; i < n_netaddrs; i++)
		if (netaddrs[i].index == index && netaddrs[i].family == family)
			return &netaddrs[i];
	return NULL;
}

/* ---- NET_HOST: the host's interfaces ---- */

static int scope_of(int family, const uint8_t *a)
{
	if (family == AF_INET)
		return a[0] == 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
	if (!memcmp(a, lo_addrs[1].addr, 16))
		return RT_SCOPE_HOST;
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80 ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
}

static int prefix_of(const struct sockaddr *mask, int family)
{
	const uint8_t *m;
	int n = 0, len;

	if (!mask)
		return family == AF_INET ? 32 : 128;
	m = family == AF_INET ? (const uint8_t *)&((const struct sockaddr_in *)mask)->sin_addr
			      : (const uint8_t *)&((const struct sockaddr_in6 *)mask)->sin6_addr;
	len = family == AF_INET ? 4 : 16;
	for (int i = 0; i < len; i++)
		n += __builtin_popcount(m[i]);
	return n;
}

static int by_index(const void *a, const void *b)
{
	const struct netif *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* IPv4 before IPv6, each by interface index (Linux's dump order). */
static int addr_order(const void *a, const void *b)
{
	const struct netaddr *x = a, *y = b;

	if (x->family != y->family)
		return x->family == AF_INET ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/* A host text file (before the Sentry confines itself), or NULL. */
static char *read_host_file(const char *path)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || !buf) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	while (len < cap && (n = read(fd, buf + len, cap - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = 0;
	return buf;
}

int netif_load_host(void)
{
	struct ifaddrs *ifa = NULL;
	struct netif *ifs = NULL;
	struct netaddr *as = NULL;
	size_t ni = 0, na = 0, cap = 0;
	int fd, r = 0;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (struct ifaddrs *p = ifa; p; p = p->ifa_next)
		cap++;
	ifs = calloc(cap + 1, sizeof(*ifs));
	as = calloc(cap + 1, sizeof(*as));
	if (!ifs || !as) {
		r = -ENOMEM;
		goto out;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* links: the AF_PACKET entries */
	for (struct ifaddrs *p = ifa; p; p = p->ifa_next) {
		const struct sockaddr_ll *ll = (const void *)p->ifa_addr;
		struct netif *n = &ifs[ni];
		struct ifreq ifr;

		if (!ll || ll->sll_family != AF_PACKET || strlen(p->ifa_name) >= IFNAMSIZ)
			continue;
		n->index = ll->sll_ifindex;
		snprintf(n->name, sizeof(n->name), "%s", p->ifa_name);
		n->flags = p->ifa_flags;
		n->type = ll->sll_hatype;
		n->hwlen = MIN((int)ll->sll_halen, (int)sizeof(ll->sll_addr));
		memcpy(n->hwaddr, ll->sll_addr, (size_t)n->hwlen);
		if (p->ifa_broadaddr && p->ifa_broadaddr->sa_family == AF_PACKET)
			memcpy(n->hwbrd, ((const struct sockaddr_ll *)p->ifa_broadaddr)->sll_addr,
			       (size_t)n->hwlen);
		n->mtu = 1500;
		n->txqlen = 1000;
		memset(&ifr, 0, sizeof(ifr));
		memcpy(ifr.ifr_name, n->name, sizeof(n->name));
		if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0)
			n->mtu = (unsigned)ifr.ifr_mtu;
		if (fd >= 0 && ioctl(fd, SIOCGIFTXQLEN, &ifr) == 0)
			n->txqlen = (unsigned)ifr.ifr_qlen;
		ni++;
	}
	if (fd >= 0)
		close(fd);
	qsort(ifs, ni, sizeof(*ifs), by_index);
	/* addresses of those links */
	for (struct ifaddrs *p = ifa; p; p = p->ifa_next) {
		struct netaddr *a = &as[na];
		const struct netif *n = NULL;
		int family = p->ifa_addr ? p->ifa_addr->sa_family : AF_UNSPEC;
		char name[IFNAMSIZ], *colon;

		if (family != AF_INET && family != AF_INET6)
			continue;
		snprintf(name, sizeof(name), "%s", p->ifa_name); /* v4 labels: eth0:1 */
		colon = strchr(name, ':');
		if (colon)
			*colon = 0;
		for (size_t i = 0; i < ni && !n; i++)
			if (!strcmp(ifs[i].name, name))
				n = &ifs[i];
		if (!n)
			continue;
		a->index = n->index;
		a->family = family;
		if (family == AF_INET) {
			memcpy(a->addr, &((const struct sockaddr_in *)p->ifa_addr)->sin_addr, 4);
			if ((p->ifa_flags & IFF_BROADCAST) && p->ifa_broadaddr) {
				const struct sockaddr_in *b = (const void *)p->ifa_broadaddr;

				memcpy(a->brd, &b->sin_addr, 4);
				a->has_brd = 1;
			}
		} else {
			memcpy(a->addr, &((const struct sockaddr_in6 *)p->ifa_addr)->sin6_addr, 16);
		}
		a->prefix = prefix_of(p->ifa_netmask, family);
		a->scope = scope_of(family, a->addr);
		snprintf(a->label, sizeof(a->label), "%s", p->ifa_name);
		na++;
	}
	qsort(as, na, sizeof(*as), addr_order);
	if (ni == 0) {
		r = -ENODEV; /* keep lo's */
		goto out;
	}
	netifs = ifs;
	n_netifs = ni;
	netaddrs = as;
	n_netaddrs = na;
	ifs = NULL;
	as = NULL;
	host_route = read_host_file("/proc/net/route");
out:
	free(ifs);
	free(as);
	freeifaddrs(ifa);
	return r;
}

/* ---- /proc/net, /proc/sys/net ---- */

#define PK_FILE 1
#define PK_DIR 2

struct proc_ent {
	const char *dir, *name;
	int kind;
};

/* Listed in readdir order (Linux's order within each directory). */
static const struct proc_ent proc_ents[] = {
	{ "net", "dev", PK_FILE },	   { "net", "if_inet6", PK_FILE },
	{ "net", "route", PK_FILE },
	{ "net", "tcp", PK_FILE },	   { "net", "tcp6", PK_FILE },
	{ "net", "udp", PK_FILE },	   { "net", "udp6", PK_FILE },
	{ "sys/net", "core", PK_DIR },	   { "sys/net", "ipv4", PK_DIR },
	{ "sys/net/core", "somaxconn", PK_FILE },
	{ "sys/net/ipv4", "ip_local_port_range", PK_FILE },
};

int netif_proc_lookup(const char *dir, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(proc_ents); i++)
		if (!strcmp(proc_ents[i].dir, dir) && !strcmp(proc_ents[i].name, name))
			return proc_ents[i].kind;
	return 0;
}

int netif_proc_entry(const char *dir, size_t i, const char **ret_name, int *ret_kind)
{
	for (size_t j = 0; j < ARRAY_SIZE(proc_ents); j++) {
		if (strcmp(proc_ents[j].dir, dir))
			continue;
		if (i-- > 0)
			continue;
		*ret_name = proc_ents[j].name;
		*ret_kind = proc_ents[j].kind;
		return 0;
	}
	return -ENOENT;
}

/* /proc/net/dev: Linux's dev_seq_show layout, every counter zero. */
static char *gen_dev(void)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	if (!f)
		return NULL;
	fputs("Inter-|   Receive                                                |  Transmit\n"
	      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets "
	      "errs drop fifo colls carrier compressed\n",
	      f);
	for (size_t i = 0; i < n_netifs; i++)
		fprintf(f,
			"%6s:%8u %7u %4u %4u %4u %5u %10u %9u %8u %7u %4u %4u %4u %5u %7u %10u\n",
			netifs[i].name, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* /proc/net/if_inet6: address, index, prefix, scope (IPV6_ADDR_LOOPBACK,
 * _LINKLOCAL or global), flags (IFA_F_PERMANENT), name. */
static char *gen_if_inet6(void)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	if (!f)
		return NULL;
	for (size_t i = 0; i < n_netaddrs; i++) {
		const struct netaddr *a = &netaddrs[i];
		const struct netif *n = netif_by_index(a->index);
		unsigned scope = a->scope == RT_SCOPE_HOST   ? 0x10
				 : a->scope == RT_SCOPE_LINK ? 0x20
							     : 0;

		if (a->family != AF_INET6 || !n)
			continue;
		for (int j = 0; j < 16; j++)
			fprintf(f, "%02x", a->addr[j]);
		fprintf(f, " %02x %02x %02x %02x %8s\n", a->index, a->prefix, scope, 0x80, n->name);
	}
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* /proc/net/{tcp,udp}[6]: the header as Linux pads it, then the
 * loopback stack's sockets (inet_proc.c). */
static char *gen_sockets(int tcp, int v6)
{
	static const char tcp_hdr[] = "  sl  local_address rem_address   st tx_queue rx_queue tr "
				      "tm->when retrnsmt   uid  timeout inode";
	static const char udp_hdr[] = "   sl  local_address rem_address   st tx_queue rx_queue tr "
				      "tm->when retrnsmt   uid  timeout inode ref pointer drops";
	static const char tcp6_hdr[] = "  sl  local_address                         remote_address "
				       "                       st tx_queue rx_queue tr tm->when "
				       "retrnsmt   uid  timeout inode";
	static const char udp6_hdr[] = "  sl  local_address                         remote_address "
				       "                       st tx_queue rx_queue tr tm->when "
				       "retrnsmt   uid  timeout inode ref pointer drops";
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	if (!f)
		return NULL;
	if (v6)
		fprintf(f, "%s\n", tcp ? tcp6_hdr : udp6_hdr);
	else
		fprintf(f, "%-*s\n", tcp ? 149 : 127, tcp ? tcp_hdr : udp_hdr);
	inet_proc_sockets(f, tcp, v6);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* /proc/net/route: the host's in NET_HOST, else the header alone (lo's
 * routes are in the local table, which this file does not show). */
static char *gen_route(void)
{
	char *s = NULL;

	if (host_route)
		return strdup(host_route);
	if (asprintf(&s, "%-127s\n",
		     "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\t"
		     "Window\tIRTT") < 0)
		return NULL;
	return s;
}

int netif_proc_text(const char *dir, const char *name, char **ret)
{
	char *s = NULL;

	if (netif_proc_lookup(dir, name) != PK_FILE)
		return -ENOENT;
	if (!strcmp(name, "dev"))
		s = gen_dev();
	else if (!strcmp(name, "if_inet6"))
		s = gen_if_inet6();
	else if (!strcmp(name, "route"))
		s = gen_route();
	else if (!strncmp(name, "tcp", 3) || !strncmp(name, "udp", 3))
		s = gen_sockets(name[0] == 't', name[3] == '6');
	else if (!strcmp(name, "somaxconn"))
		s = strdup("4096\n");
	else if (!strcmp(name, "ip_local_port_range"))
		s = strdup("32768\t60999\n");
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}
