/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NETLINK_ROUTE, the kernel end: RTM_GETLINK and RTM_GETADDR (dumps and
 * single requests) answered from the interface table (netif.h), empty
 * dumps for the other tables a program may list (routes, neighbours,
 * rules, qdiscs), EPERM for changes, EOPNOTSUPP for the rest -- the
 * checks and their order follow Linux's netlink_rcv_skb and
 * rtnetlink_rcv_msg, since every byte comes from the application.
 */
#include "netlink.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/macro.h"
#include "netif.h"
#include "sentry/kernel/task.h"

/* A growing message buffer. */
struct nlbuf {
	uint8_t *p;
	size_t len, cap;
	int oom;
};

static void *nb_reserve(struct nlbuf *b, size_t n)
{
	size_t need = b->len + NLMSG_ALIGN(n);
	void *at;

	if (b->oom)
		return NULL;
	if (need > b->cap) {
		size_t cap = MAX(need, b->cap * 2 + 256);
		uint8_t *np = realloc(b->p, cap);

		if (!np) {
			b->oom = 1;
			return NULL;
		}
		b->p = np;
		b->cap = cap;
	}
	at = b->p + b->len;
	memset(at, 0, NLMSG_ALIGN(n));
	b->len = need;
	return at;
}

/* Start a message: returns its offset in @b. */
static size_t msg_begin(struct nlbuf *b, uint16_t type, uint16_t flags, uint32_t seq,
			uint32_t pid, size_t hdrlen)
{
	size_t off = b->len;
	struct nlmsghdr *h = nb_reserve(b, NLMSG_HDRLEN + hdrlen);

	if (h) {
		h->nlmsg_type = type;
		h->nlmsg_flags = flags;
		h->nlmsg_seq = seq;
		h->nlmsg_pid = pid;
	}
	return off;
}

static void *msg_data(struct nlbuf *b, size_t off)
{
	return b->oom ? NULL : b->p + off + NLMSG_HDRLEN;
}

static void msg_end(struct nlbuf *b, size_t off)
{
	if (!b->oom)
		((struct nlmsghdr *)(b->p + off))->nlmsg_len = (uint32_t)(b->len - off);
}

static void attr(struct nlbuf *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = nb_reserve(b, NLA_HDRLEN + len);

	if (!a)
		return;
	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
}

static void attr_u32(struct nlbuf *b, uint16_t type, uint32_t v)
{
	attr(b, type, &v, sizeof(v));
}

static void attr_u8(struct nlbuf *b, uint16_t type, uint8_t v)
{
	attr(b, type, &v, sizeof(v));
}

static void attr_str(struct nlbuf *b, uint16_t type, const char *s)
{
	attr(b, type, s, strlen(s) + 1);
}

/* RTM_NEWLINK for @n, the attributes in rtnl_fill_ifinfo's order. */
static void fill_link(struct nlbuf *b, const struct netif *n, uint16_t flags, uint32_t seq,
		      uint32_t pid)
{
	size_t off = msg_begin(b, RTM_NEWLINK, flags, seq, pid, sizeof(struct ifinfomsg));
	struct ifinfomsg *ifi = msg_data(b, off);
	struct rtnl_link_ifmap map;
	struct rtnl_link_stats64 st64;
	struct rtnl_link_stats st;

	if (!ifi)
		return;
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_type = n->type;
	ifi->ifi_index = n->index;
	ifi->ifi_flags = n->flags;
	ifi->ifi_change = 0;
	attr_str(b, IFLA_IFNAME, n->name);
	attr_u32(b, IFLA_TXQLEN, n->txqlen);
	/* IF_OPER_UNKNOWN for lo (as Linux reports it), else UP or DOWN */
	attr_u8(b, IFLA_OPERSTATE,
		(n->flags & IFF_LOOPBACK) ? 0 : (n->flags & IFF_RUNNING) ? 6 : 2);
	attr_u8(b, IFLA_LINKMODE, 0);
	attr_u32(b, IFLA_MTU, n->mtu);
	attr_u32(b, IFLA_MIN_MTU, 0);
	attr_u32(b, IFLA_MAX_MTU, 0);
	attr_u32(b, IFLA_GROUP, 0);
	attr_u32(b, IFLA_PROMISCUITY, 0);
	attr_u32(b, IFLA_ALLMULTI, 0);
	attr_u32(b, IFLA_NUM_TX_QUEUES, 1);
	attr_u32(b, IFLA_GSO_MAX_SEGS, 65535);
	attr_u32(b, IFLA_GSO_MAX_SIZE, 65536);
	attr_u32(b, IFLA_GRO_MAX_SIZE, 65536);
	attr_u32(b, IFLA_NUM_RX_QUEUES, 1);
	attr_u8(b, IFLA_CARRIER, 1);
	attr_u32(b, IFLA_CARRIER_CHANGES, 0);
	attr_u32(b, IFLA_CARRIER_UP_COUNT, 0);
	attr_u32(b, IFLA_CARRIER_DOWN_COUNT, 0);
	attr_u8(b, IFLA_PROTO_DOWN, 0);
	if (n->hwlen > 0) {
		attr(b, IFLA_ADDRESS, n->hwaddr, (size_t)n->hwlen);
		attr(b, IFLA_BROADCAST, n->hwbrd, (size_t)n->hwlen); /* all zero for lo */
	}
	memset(&st64, 0, sizeof(st64));
	attr(b, IFLA_STATS64, &st64, sizeof(st64));
	memset(&st, 0, sizeof(st));
	attr(b, IFLA_STATS, &st, sizeof(st));
	attr_str(b, IFLA_QDISC, "noqueue");
	memset(&map, 0, sizeof(map));
	attr(b, IFLA_MAP, &map, sizeof(map));
	msg_end(b, off);
}

static void fill_cacheinfo(struct nlbuf *b)
{
	struct ifa_cacheinfo ci = { .ifa_prefered = 0xffffffffu, .ifa_valid = 0xffffffffu };

	attr(b, IFA_CACHEINFO, &ci, sizeof(ci));
}

/* RTM_NEWADDR for @a (inet_fill_ifaddr / inet6_fill_ifaddr). */
static void fill_addr(struct nlbuf *b, const struct netaddr *a, uint16_t flags, uint32_t seq,
		      uint32_t pid)
{
	size_t off = msg_begin(b, RTM_NEWADDR, flags, seq, pid, sizeof(struct ifaddrmsg));
	struct ifaddrmsg *ifa = msg_data(b, off);

	if (!ifa)
		return;
	ifa->ifa_family = (uint8_t)a->family;
	ifa->ifa_prefixlen = (uint8_t)a->prefix;
	ifa->ifa_flags = IFA_F_PERMANENT;
	ifa->ifa_scope = (uint8_t)a->scope;
	ifa->ifa_index = (uint32_t)a->index;
	if (a->family == AF_INET) {
		attr(b, IFA_ADDRESS, a->addr, 4);
		attr(b, IFA_LOCAL, a->addr, 4);
		if (a->has_brd)
			attr(b, IFA_BROADCAST, a->brd, 4);
		attr_str(b, IFA_LABEL, a->label);
		attr_u32(b, IFA_FLAGS, IFA_F_PERMANENT);
		fill_cacheinfo(b);
	} else {
		attr(b, IFA_ADDRESS, a->addr, 16);
		fill_cacheinfo(b);
		attr_u32(b, IFA_FLAGS, IFA_F_PERMANENT);
	}
	msg_end(b, off);
}

/* Queue the messages in @b as datagrams of at most NL_DUMP_SIZE bytes,
 * whole messages each (netlink_dump's skbs). */
static void queue_dump(struct nlsock *s, struct nlbuf *b)
{
	size_t start = 0, at = 0;

	while (at < b->len) {
		const struct nlmsghdr *h = (const void *)(b->p + at);
		size_t ml = NLMSG_ALIGN(h->nlmsg_len);

		if (at > start && at + ml - start > NL_DUMP_SIZE) {
			if (netlink_queue_locked(s, b->p + start, at - start) < 0)
				return;
			start = at;
		}
		at += ml;
	}
	if (at > start)
		(void)netlink_queue_locked(s, b->p + start, at - start);
}

/* netlink_ack: NLMSG_ERROR with @err (0: an ack) and the request's header,
 * plus its payload for an error unless NETLINK_CAP_ACK. */
static void ack(struct nlsock *s, const struct nlmsghdr *req, int err)
{
	struct nlbuf b = { 0 };
	size_t payload = 0, off;
	struct nlmsgerr *e;
	uint16_t flags = 0;

	if (err && !netlink_cap_ack_locked(s))
		payload = req->nlmsg_len - NLMSG_HDRLEN;
	else
		flags |= NLM_F_CAPPED; /* an ack never carries the payload */
	off = msg_begin(&b, NLMSG_ERROR, flags, req->nlmsg_seq, netlink_portid_locked(s),
			sizeof(*e) + payload);
	e = msg_data(&b, off);
	if (e) {
		e->error = err;
		memcpy(&e->msg, req, NLMSG_HDRLEN + payload);
		msg_end(&b, off);
		(void)netlink_queue_locked(s, b.p, b.len);
	}
	free(b.p);
}

/* A dump of @type for @family: the messages, NLMSG_DONE after them. */
static void dump(struct nlsock *s, const struct nlmsghdr *h, int family)
{
	struct nlbuf b = { 0 };
	uint32_t pid = netlink_portid_locked(s);
	size_t off;

	if (h->nlmsg_type == RTM_GETLINK)
		for (size_t i = 0; i < netif_count(); i++)
			fill_link(&b, netif_at(i), NLM_F_MULTI, h->nlmsg_seq, pid);
	/* rtnl_dump_all for AF_UNSPEC (and unknown families): every IPv4
	 * address, then every IPv6 one (the table's order) */
	for (size_t i = 0; h->nlmsg_type == RTM_GETADDR && i < netif_addr_count(); i++) {
		const struct netaddr *a = netif_addr_at(i);

		if ((family == AF_INET && a->family != AF_INET) ||
		    (family == AF_INET6 && a->family != AF_INET6))
			continue;
		fill_addr(&b, a, NLM_F_MULTI, h->nlmsg_seq, pid);
	}
	off = msg_begin(&b, NLMSG_DONE, NLM_F_MULTI, h->nlmsg_seq, pid, sizeof(int));
	msg_end(&b, off);
	if (!b.oom)
		queue_dump(s, &b);
	free(b.p);
}

/* rtnl_getlink: by index, else by IFLA_IFNAME. */
static int getlink(struct nlsock *s, const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi;
	const struct netif *n = NULL;
	size_t at, len;
	struct nlbuf b = { 0 };

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return -EINVAL;
	ifi = NLMSG_DATA(h);
	if (ifi->ifi_index > 0) {
		n = netif_by_index(ifi->ifi_index);
	} else {
		int named = 0;

		at = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(*ifi)));
		len = h->nlmsg_len;
		while (at + NLA_HDRLEN <= len) {
			const struct nlattr *a = (const void *)((const uint8_t *)h + at);

			if (a->nla_len < NLA_HDRLEN || a->nla_len > len - at)
				return -EINVAL;
			if ((a->nla_type & NLA_TYPE_MASK) == IFLA_IFNAME) {
				char name[IFNAMSIZ] = { 0 };
				size_t l = MIN((size_t)a->nla_len - NLA_HDRLEN,
					       (size_t)IFNAMSIZ - 1);

				memcpy(name, (const uint8_t *)a + NLA_HDRLEN, l);
				if (a->nla_len - NLA_HDRLEN >= IFNAMSIZ &&
				    memchr((const uint8_t *)a + NLA_HDRLEN, 0, IFNAMSIZ) == NULL)
					return -EINVAL;
				n = netif_by_name(name);
				named = 1;
			}
			at += NLA_ALIGN(a->nla_len);
		}
		if (!named)
			return -EINVAL;
	}
	if (!n)
		return -ENODEV;
	fill_link(&b, n, 0, h->nlmsg_seq, netlink_portid_locked(s));
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	(void)netlink_queue_locked(s, b.p, b.len);
	free(b.p);
	return 0;
}

/* The other GET kinds a program may dump: an empty table. */
static int empty_dump_type(int type)
{
	switch (type) {
	case RTM_GETROUTE:
	case RTM_GETNEIGH:
	case RTM_GETRULE:
	case RTM_GETQDISC:
	case RTM_GETTCLASS:
	case RTM_GETTFILTER:
	case RTM_GETNETCONF:
	case RTM_GETNEXTHOP:
		return 1;
	default:
		return 0;
	}
}

/* rtnetlink_rcv_msg: 0 handled (ack if asked), 1 a dump started (no ack),
 * or a negative errno for NLMSG_ERROR. */
static int rcv_msg(struct nlsock *s, const struct nlmsghdr *h)
{
	int type = h->nlmsg_type, family;

	if (type > RTM_MAX)
		return -EOPNOTSUPP;
	/* All the messages must have at least 1 byte length */
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtgenmsg)))
		return 0;
	family = ((const struct rtgenmsg *)NLMSG_DATA(h))->rtgen_family;
	/* not a GET: Linux wants CAP_NET_ADMIN; the sandbox's interfaces are
	 * fixed, so it is refused to everyone */
	if (((type - RTM_BASE) & 3) != 2)
		return -EPERM;
	if (h->nlmsg_flags & NLM_F_DUMP) {
		if (type == RTM_GETLINK || type == RTM_GETADDR || empty_dump_type(type)) {
			dump(s, h, family);
			return 1;
		}
		return -EOPNOTSUPP;
	}
	if (type == RTM_GETLINK)
		return getlink(s, h);
	return -EOPNOTSUPP;
}

void netlink_route_input_locked(struct task *t, struct nlsock *s, const uint8_t *buf, size_t len)
{
	(void)t;
	/* netlink_rcv_skb: a short or overlong header ends the batch quietly */
	while (len >= NLMSG_HDRLEN) {
		struct nlmsghdr hdr;
		const struct nlmsghdr *h;
		_cleanup_free_ void *copy = NULL;
		size_t ml;
		int err = 0;

		memcpy(&hdr, buf, sizeof(hdr));
		if (hdr.nlmsg_len < NLMSG_HDRLEN || len < hdr.nlmsg_len)
			return;
		/* an aligned private copy: the application's bytes may sit at
		 * any offset of the send buffer */
		copy = malloc(hdr.nlmsg_len);
		if (!copy)
			return;
		memcpy(copy, buf, hdr.nlmsg_len);
		h = copy;
		if ((hdr.nlmsg_flags & NLM_F_REQUEST) && hdr.nlmsg_type >= NLMSG_MIN_TYPE) {
			err = rcv_msg(s, h);
			if (err == 1)
				goto skip; /* a dump: no ack */
		}
		if ((hdr.nlmsg_flags & NLM_F_ACK) || err)
			ack(s, h, err);
skip:
		ml = NLMSG_ALIGN(hdr.nlmsg_len);
		if (ml > len)
			ml = len;
		buf += ml;
		len -= ml;
	}
}
