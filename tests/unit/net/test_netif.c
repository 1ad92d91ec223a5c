/* SPDX-License-Identifier: Apache-2.0 */
/* The interface table (sentry/net/netif.h) and what netlink says of it:
 * lo alone by default; after netif_load_host() (NET_HOST) the host's own
 * interfaces and addresses, checked against the host's if_nameindex() and
 * getifaddrs(), through a NETLINK_ROUTE socket of the Sentry. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "sentry/net/netif.h"
#include "sentry/net/socket.h"
#include "sentry/vfs/file.h"

/* RTM_NEWLINK and RTM_NEWADDR messages of one dump of @type. */
static void dump(int type, int *ret_links, int *ret_addrs)
{
	static uint8_t buf[1 << 16];
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
	} req = { { NLMSG_LENGTH(sizeof(struct rtgenmsg)), (uint16_t)type,
		    NLM_F_REQUEST | NLM_F_DUMP, 1, 0 },
		  { AF_UNSPEC } };
	struct file *f = NULL;
	struct sock *s;
	int done = 0;

	*ret_links = *ret_addrs = 0;
	assert_int_equal(sock_create(NULL, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, &f), 0);
	s = sock_of(f);
	assert_int_equal(s->ops->send(NULL, s, &req, sizeof(req), 0, 1, NULL, NULL),
			 (ssize_t)sizeof(req));
	while (!done) {
		struct sock_recv_info info;
		ssize_t n;
		int len;

		memset(&info, 0, sizeof(info));
		n = s->ops->recv(NULL, s, buf, sizeof(buf), 0, 1, &info);
		assert_true(n > 0);
		assert_false(info.truncated);
		len = (int)n;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (unsigned)len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE)
				done = 1;
			else if (h->nlmsg_type == RTM_NEWLINK)
				++*ret_links;
			else if (h->nlmsg_type == RTM_NEWADDR)
				++*ret_addrs;
			else
				fail_msg("unexpected type %d", h->nlmsg_type);
		}
	}
	file_put(f);
}

static void test_lo(void **state)
{
	int links, addrs;

	(void)state;
	assert_int_equal(netif_count(), 1);
	assert_string_equal(netif_at(0)->name, "lo");
	assert_ptr_equal(netif_by_index(1), netif_at(0));
	assert_ptr_equal(netif_by_name("lo"), netif_at(0));
	assert_null(netif_by_name("eth0"));
	assert_int_equal(netif_addr_count(), 2);
	assert_int_equal(netif_addr_first(1, AF_INET)->prefix, 8);
	assert_int_equal(netif_addr_first(1, AF_INET6)->prefix, 128);
	dump(RTM_GETLINK, &links, &addrs);
	assert_int_equal(links, 1);
	dump(RTM_GETADDR, &links, &addrs);
	assert_int_equal(addrs, 2);
}

static void test_host(void **state)
{
	struct if_nameindex *ni = if_nameindex(), *p;
	struct ifaddrs *ifa = NULL;
	int nhost = 0, nv4 = 0, nv6 = 0, links, addrs;

	(void)state;
	assert_non_null(ni);
	assert_int_equal(getifaddrs(&ifa), 0);
	assert_int_equal(netif_load_host(), 0);
	for (p = ni; p->if_index; p++, nhost++) {
		const struct netif *n = netif_by_index((int)p->if_index);

		assert_non_null(n);
		assert_string_equal(n->name, p->if_name);
		assert_ptr_equal(netif_by_name(p->if_name), n);
	}
	assert_int_equal((int)netif_count(), nhost);
	for (struct ifaddrs *a = ifa; a; a = a->ifa_next) {
		int family = a->ifa_addr ? a->ifa_addr->sa_family : 0;
		const void *want;
		int found = 0;

		if (family != AF_INET && family != AF_INET6)
			continue;
		family == AF_INET ? nv4++ : nv6++;
		if (family == AF_INET)
			want = &((struct sockaddr_in *)a->ifa_addr)->sin_addr;
		else
			want = &((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;
		for (size_t i = 0; i < netif_addr_count(); i++) {
			const struct netaddr *x = netif_addr_at(i);
			size_t len = family == AF_INET ? 4 : 16;

			if (x->family == family && !memcmp(x->addr, want, len))
				found = 1;
		}
		assert_true(found);
	}
	assert_int_equal((int)netif_addr_count(), nv4 + nv6);
	/* IPv4 first, then IPv6 */
	for (size_t i = 0; i + 1 < netif_addr_count(); i++)
		assert_false(netif_addr_at(i)->family == AF_INET6 &&
			     netif_addr_at(i + 1)->family == AF_INET);
	dump(RTM_GETLINK, &links, &addrs);
	assert_int_equal(links, nhost);
	dump(RTM_GETADDR, &links, &addrs);
	assert_int_equal(addrs, nv4 + nv6);
	{
		char *text = NULL;

		assert_int_equal(netif_proc_text("net", "dev", &text), 0);
		for (p = ni; p->if_index; p++) {
			char want[32];

			snprintf(want, sizeof(want), "%6s:", p->if_name);
			assert_non_null(strstr(text, want));
		}
		free(text);
	}
	freeifaddrs(ifa);
	if_freenameindex(ni);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lo), /* first: the table before the snapshot */
		cmocka_unit_test(test_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
