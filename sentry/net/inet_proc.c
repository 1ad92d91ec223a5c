/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /proc/net/{tcp,udp,tcp6,udp6}: the loopback stack's sockets that hold a
 * port (listening, connected, bound), in Linux's layout (tcp4_seq_show,
 * udp4_format_sock and their IPv6 twins).  AF_INET sockets go to the v4
 * files, AF_INET6 ones (v4-mapped included) to the v6 files, as Linux.
 * Timers, retransmits and kernel pointers are zeros.
 */
#include "inet_proc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inet.h"

static void put_addr4(FILE *f, const struct in6_addr *a)
{
	uint32_t v;

	memcpy(&v, &a->s6_addr[12], 4); /* network order, printed raw as Linux */
	fprintf(f, "%08X", v);
}

static void put_addr6(FILE *f, const struct in6_addr *a)
{
	for (int i = 0; i < 4; i++) {
		uint32_t v;

		memcpy(&v, &a->s6_addr[4 * i], 4);
		fprintf(f, "%08X", v);
	}
}

/* The local address as the socket shows it: a v4 wildcard is 0.0.0.0 and
 * a v6 one ::, a v4-mapped address stays mapped in the v6 files. */
static struct in6_addr local_of(const struct isock *s)
{
	struct in6_addr a = s->laddr;

	if ((s->lany4 || s->lany6) && s->sk.family == AF_INET6)
		memset(&a, 0, sizeof(a));
	return a;
}

static void sock_line(FILE *f, const struct isock *s, int n, int tcp, int v6)
{
	static const struct in6_addr any = IN6ADDR_ANY_INIT;
	struct in6_addr la = local_of(s), ra = s->rset ? s->raddr : any;
	unsigned rx = 0, tx = 0;
	int state;
	char *line = NULL;
	size_t len = 0;
	FILE *l = open_memstream(&line, &len);

	if (!l)
		return;
	if (tcp) {
		state = tcp_state(s);
		rx = s->state == IS_LISTEN ? (unsigned)s->nacc : (unsigned)s->rlen;
	} else {
		state = s->rset ? 1 : 7; /* TCP_ESTABLISHED / TCP_CLOSE */
		rx = (unsigned)s->dq_bytes;
	}
	fprintf(l, tcp ? "%4d: " : "%5d: ", n);
	(v6 ? put_addr6 : put_addr4)(l, &la);
	fprintf(l, ":%04X ", s->lport);
	(v6 ? put_addr6 : put_addr4)(l, &ra);
	fprintf(l, ":%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu %d %016lx",
		s->rset ? s->rport : 0, state, tx, rx, 0, 0UL, 0, s->uid, 0, (unsigned long)s->sk.ino, s->refs, 0UL);
	if (tcp)
		fprintf(l, " %lu %lu %u %u %d", 0UL, 0UL, 0u, 10u, -1);
	else
		fprintf(l, " %u", 0u);
	if (fclose(l) != 0) {
		free(line);
		return;
	}
	if (!v6) /* seq_pad: the v4 files pad every line as their header */
		fprintf(f, "%-*s\n", tcp ? 149 : 127, line);
	else
		fprintf(f, "%s\n", line);
	free(line);
}

void inet_proc_sockets(FILE *f, int tcp, int v6)
{
	int n = 0;

	pthread_mutex_lock(&inet_lock);
	for (struct isock *s = is_bound_list(tcp ? IPPROTO_TCP : IPPROTO_UDP); s;
	     s = s->bound_next) {
		if (s->dead || (s->sk.family == AF_INET6) != !!v6)
			continue;
		sock_line(f, s, tcp ? n : (int)(s->lport & 127), tcp, v6);
		n++;
	}
	pthread_mutex_unlock(&inet_lock);
}
