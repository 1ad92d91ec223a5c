/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sandbox's network interfaces as the application sees them: one
 * loopback device, `lo` (ifindex 1, 127.0.0.1/8 and ::1/128), whatever the
 * host has.  Netlink (netlink.c), the SIOCGIF* ioctls (ifioctl.c) and
 * /proc/net (netif.c) describe it from here, so they always agree.
 *
 * The table is constant: nothing in the sandbox may change it (set
 * operations are EPERM, as for a container without CAP_NET_ADMIN).
 */
#ifndef CVISOR_SENTRY_NET_NETIF_H
#define CVISOR_SENTRY_NET_NETIF_H

#include <stddef.h>
#include <stdint.h>

struct netif {
	int index;
	const char *name;
	unsigned flags;     /* IFF_* including IFF_RUNNING | IFF_LOWER_UP */
	unsigned mtu;
	unsigned txqlen;
	unsigned short type; /* ARPHRD_* */
	uint8_t hwaddr[6];
	uint8_t addr4[4];    /* network order */
	int prefix4;
	uint8_t addr6[16];
	int prefix6;
};

/* Number of interfaces and the @i-th (0-based) in index order. */
size_t netif_count(void);
const struct netif *netif_at(size_t i);
/* By index / by name (at most IFNAMSIZ-1 significant bytes); NULL: none. */
const struct netif *netif_by_index(int index);
const struct netif *netif_by_name(const char *name);

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
