/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sandbox's network interfaces as the application sees them: in
 * NET_NONE one loopback device, `lo` (ifindex 1, 127.0.0.1/8 and ::1/128),
 * whatever the host has; in NET_HOST a snapshot of the host's, taken at
 * boot (netif_load_host).  Netlink (netlink.c), the SIOCGIF* ioctls
 * (ifioctl.c) and /proc/net (netif.c) describe it from here, so they
 * always agree.
 *
 * The sandbox never changes the table (set operations are EPERM, as for a
 * container without CAP_NET_ADMIN).
 */
#ifndef CVISOR_SENTRY_NET_NETIF_H
#define CVISOR_SENTRY_NET_NETIF_H

#include <stddef.h>
#include <stdint.h>

#define NETIF_NAME_MAX 16 /* IFNAMSIZ */
#define NETIF_HW_MAX 32   /* MAX_ADDR_LEN */

struct netif {
	int index;
	char name[NETIF_NAME_MAX];
	unsigned flags;      /* IFF_* including IFF_RUNNING | IFF_LOWER_UP */
	unsigned mtu;
	unsigned txqlen;
	unsigned short type; /* ARPHRD_* */
	int hwlen;
	uint8_t hwaddr[NETIF_HW_MAX], hwbrd[NETIF_HW_MAX];
};

/* One address of an interface. */
struct netaddr {
	int index;           /* its interface */
	int family;          /* AF_INET / AF_INET6 */
	uint8_t addr[16];    /* network order; IPv4 in the first 4 bytes */
	uint8_t brd[4];      /* IPv4 broadcast when @has_brd */
	int has_brd;
	int prefix;
	int scope;           /* RT_SCOPE_* */
	char label[NETIF_NAME_MAX];
};

/* Interfaces and addresses in index order (IPv4 addresses before IPv6):
 * the count and the @i-th (0-based), NULL past the end. */
size_t netif_count(void);
const struct netif *netif_at(size_t i);
size_t netif_addr_count(void);
const struct netaddr *netif_addr_at(size_t i);
/* By index / by name (at most IFNAMSIZ-1 significant bytes); NULL: none. */
const struct netif *netif_by_index(int index);
const struct netif *netif_by_name(const char *name);
/* The first address of @family on interface @index, or NULL. */
const struct netaddr *netif_addr_first(int index, int family);

/* NET_HOST: replace the table by a snapshot of the host's interfaces and
 * addresses (getifaddrs and SIOCGIFMTU/SIOCGIFTXQLEN on a host socket, in
 * the Sentry's network namespace, before it confines itself), as gVisor's
 * hostinet does at boot.  On failure the table stays lo's.  Called once,
 * before the first task runs (the table is read without a lock). */
int netif_load_host(void);

/* Files under /proc/net and /proc/sys/net (procfs): does @dir (a path
 * below /proc: "net", "sys/net", "sys/net/core", "sys/net/ipv4") exist,
 * and is @name in it a file or directory?  Returns 0 none, 1 a file, 2 a
 * directory. */
int netif_proc_lookup(const char *dir, const char *name);
/* The names in @dir, in order: the @i-th in *@ret_name and its kind
 * (1 file, 2 directory); -ENOENT past the end. */
int netif_proc_entry(const char *dir, size_t i, const char **ret_name, int *ret_kind);
/* The text of the file @dir/@name: a malloc'd string in *@ret. */
int netif_proc_text(const char *dir, const char *name, char **ret);

#endif
