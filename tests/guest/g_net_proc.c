/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/net and /proc/sys/net: the socket tables' headers and lines for
 * this program's own sockets (found by inode: the host has others), lo in
 * /proc/net/dev and /proc/net/if_inet6, and the sysctls programs read. */
#include "common.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>

static char text[1 << 20];

static int slurp(const char *path)
{
	int fd = open(path, O_RDONLY), n = 0, r;

	if (fd < 0)
		return -1;
	while ((r = (int)read(fd, text + n, sizeof(text) - 1 - (size_t)n)) > 0)
		n += r;
	close(fd);
	text[n] = 0;
	return n;
}

static void header(const char *path)
{
	char *nl;

	if (slurp(path) < 0) {
		t_ok(path, -1);
		return;
	}
	nl = strchr(text, '\n');
	if (nl)
		*nl = 0;
	say("%s header (%zu): [%s]\n", path, strlen(text), text);
}

struct entry {
	char local[40], remote[40];
	unsigned lport, rport, state, tx, rx, uid;
	unsigned long ino;
	size_t linelen;
};

/* The line of @path whose inode is @ino. */
static int find(const char *path, unsigned long ino, struct entry *e)
{
	char *line, *save = NULL;

	if (slurp(path) < 0)
		return -1;
	line = strtok_r(text, "\n", &save); /* the header */
	while ((line = strtok_r(NULL, "\n", &save))) {
		unsigned sl, tr, when, retr, timeout;
		unsigned long long tm;

		memset(e, 0, sizeof(*e));
		if (sscanf(line, " %u: %39[0-9A-F]:%x %39[0-9A-F]:%x %x %x:%x %x:%llx %x %u %u %lu", &sl,
			   e->local, &e->lport, e->remote, &e->rport, &e->state, &e->tx, &e->rx, &tr,
			   &tm, &retr, &e->uid, &timeout, &e->ino) != 14)
			continue;
		(void)when;
		if (e->ino == ino) {
			e->linelen = strlen(line);
			return 0;
		}
	}
	return -1;
}

static unsigned long ino_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

static unsigned port_of(int fd)
{
	struct sockaddr_in6 a;
	socklen_t l = sizeof(a);

	getsockname(fd, (struct sockaddr *)&a, &l);
	return ntohs(a.sin6_port); /* same offset in sockaddr_in */
}

static void show(const char *what, const char *path, int fd, unsigned want_lport,
		 unsigned want_rport)
{
	struct entry e;

	if (find(path, ino_of(fd), &e) < 0) {
		t_yes(what, 0);
		return;
	}
	say("%s: local %s remote %s state %02X tx %u rx %u\n", what, e.local, e.remote, e.state,
	    e.tx, e.rx);
	t_yes("  local port", e.lport == want_lport);
	t_yes("  remote port", e.rport == want_rport);
	t_yes("  uid", e.uid == geteuid());
	if (!strstr(path, "6"))
		t_eq("  line length", (long)e.linelen, strstr(path, "tcp") ? 149 : 127);
}

static void sockets(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), s;
	int u = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
	int l6 = socket(AF_INET6, SOCK_STREAM, 0);
	unsigned lp, cp;
	struct pollfd p;

	bind(l, (struct sockaddr *)&a, sizeof(a));
	listen(l, 5);
	lp = port_of(l);
	show("listener", "/proc/net/tcp", l, lp, 0);
	a.sin_port = htons((uint16_t)lp);
	t_ok("connect", connect(c, (struct sockaddr *)&a, sizeof(a)));
	cp = port_of(c);
	p = (struct pollfd){ .fd = l, .events = POLLIN };
	poll(&p, 1, 10000);
	show("listener with one pending", "/proc/net/tcp", l, lp, 0);
	s = accept(l, NULL, NULL);
	t_eq("write", write(c, "hello", 5), 5);
	p = (struct pollfd){ .fd = s, .events = POLLIN };
	poll(&p, 1, 10000);
	show("client", "/proc/net/tcp", c, cp, lp);
	show("server side, 5 bytes unread", "/proc/net/tcp", s, lp, cp);
	a.sin_port = 0;
	bind(u, (struct sockaddr *)&a, sizeof(a));
	show("udp bound", "/proc/net/udp", u, port_of(u), 0);
	a.sin_port = htons((uint16_t)port_of(u));
	connect(u2, (struct sockaddr *)&a, sizeof(a));
	show("udp connected", "/proc/net/udp", u2, port_of(u2), port_of(u));
	bind(l6, (struct sockaddr *)&a6, sizeof(a6));
	listen(l6, 1);
	show("tcp6 listener", "/proc/net/tcp6", l6, port_of(l6), 0);
	{
		struct entry e;

		t_yes("no v4 socket in tcp6", find("/proc/net/tcp6", ino_of(l), &e) < 0);
		t_yes("no v6 socket in tcp", find("/proc/net/tcp", ino_of(l6), &e) < 0);
	}
	{
		unsigned long lino = ino_of(l);
		struct entry e;

		close(s);
		close(c);
		close(l);
		t_yes("closed listener gone", find("/proc/net/tcp", lino, &e) < 0);
	}
	close(u);
	close(u2);
	close(l6);
}

static void files(void)
{
	char *lo;

	header("/proc/net/tcp");
	header("/proc/net/udp");
	header("/proc/net/tcp6");
	header("/proc/net/udp6");
	header("/proc/net/dev");
	header("/proc/net/route");
	header("/proc/self/net/tcp");
	header("/proc/thread-self/net/dev");
	if (slurp("/proc/net/dev") > 0) {
		char *nl = strchr(strchr(text, '\n') + 1, '\n');

		*nl = 0;
		say("dev second line: [%s]\n", strchr(text, '\n') + 1);
		slurp("/proc/net/dev");
		t_yes("dev has lo", strstr(text, "\n    lo: ") != NULL);
	}
	slurp("/proc/net/if_inet6");
	lo = strstr(text, "00000000000000000000000000000001 01 80 10 80       lo\n");
	t_yes("if_inet6 has ::1 on lo", lo != NULL);
	if (slurp("/proc/sys/net/core/somaxconn") > 0)
		say("somaxconn: %s", text);
	if (slurp("/proc/sys/net/ipv4/ip_local_port_range") > 0)
		say("ip_local_port_range: %s", text);
}

int main(void)
{
	g_start();
	files();
	sockets();
	return g_finish();
}
