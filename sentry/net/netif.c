/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sandbox's interface table (only lo) and the /proc/net and
 * /proc/sys/net files generated from it.
 */
#include "netif.h"

#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inet_proc.h"
#include "lib/macro.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* linux/if.h, not in glibc's net/if.h */
#endif

static const struct netif netifs[] = {
	{
		.index = 1,
		.name = "lo",
		.flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP,
		.mtu = 65536,
		.txqlen = 1000,
		.type = ARPHRD_LOOPBACK,
		.addr4 = { 127, 0, 0, 1 },
		.prefix4 = 8,
		.addr6 = { [15] = 1 },
		.prefix6 = 128,
	},
};

size_t netif_count(void)
{
	return ARRAY_SIZE(netifs);
}

const struct netif *netif_at(size_t i)
{
	return i < ARRAY_SIZE(netifs) ? &netifs[i] : NULL;
}

const struct netif *netif_by_index(int index)
{
	for (size_t i = 0; i < ARRAY_SIZE(netifs); i++)
		if (netifs[i].index == index)
			return &netifs[i];
	return NULL;
}

const struct netif *netif_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(netifs); i++)
		if (!strncmp(netifs[i].name, name, IFNAMSIZ - 1))
			return &netifs[i];
	return NULL;
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
	for (size_t i = 0; i < ARRAY_SIZE(netifs); i++)
		fprintf(f,
			"%6s:%8u %7u %4u %4u %4u %5u %10u %9u %8u %7u %4u %4u %4u %5u %7u %10u\n",
			netifs[i].name, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* /proc/net/if_inet6: address, index, prefix, scope (IPV6_ADDR_LOOPBACK),
 * flags (IFA_F_PERMANENT), name. */
static char *gen_if_inet6(void)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	if (!f)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(netifs); i++) {
		for (int j = 0; j < 16; j++)
			fprintf(f, "%02x", netifs[i].addr6[j]);
		fprintf(f, " %02x %02x %02x %02x %8s\n", netifs[i].index, netifs[i].prefix6, 0x10,
			0x80, netifs[i].name);
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

int netif_proc_text(const char *dir, const char *name, char **ret)
{
	char *s = NULL;

	if (netif_proc_lookup(dir, name) != PK_FILE)
		return -ENOENT;
	if (!strcmp(name, "dev"))
		s = gen_dev();
	else if (!strcmp(name, "if_inet6"))
		s = gen_if_inet6();
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
