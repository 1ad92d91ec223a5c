/* SPDX-License-Identifier: Apache-2.0 */
/* A datagram socketpair whose other end closed: the survivor is not shut
 * down (no EOF, no POLLHUP); data already queued to it can still be read;
 * its first send fails with ECONNREFUSED and disconnects it, the next ones
 * with ENOTCONN. */
#include "common.h"
#include <poll.h>
#include <sys/socket.h>

static int revents(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP };

	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

int main(void)
{
	int sv[2], ev;
	char buf[16];
	long n;

	g_start();
	t_ok("socketpair", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	t_eq("send to the peer", send(sv[1], "hi", 2, 0), 2);
	t_ok("close the peer", close(sv[1]));
	ev = revents(sv[0]);
	t_yes("readable (the queued datagram)", (ev & POLLIN) != 0);
	t_yes("no POLLHUP", !(ev & POLLHUP));
	t_yes("no POLLRDHUP", !(ev & POLLRDHUP));
	t_yes("writable", (ev & POLLOUT) != 0);
	n = recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT);
	t_yes("the queued datagram", n == 2 && !memcmp(buf, "hi", 2));
	t_err("then nothing (no EOF)", recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	ev = revents(sv[0]);
	t_yes("not readable now", !(ev & POLLIN));
	t_err("first send", send(sv[0], "x", 1, MSG_DONTWAIT), ECONNREFUSED);
	t_err("second send", send(sv[0], "x", 1, MSG_DONTWAIT), ENOTCONN);
	t_err("still no EOF", recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	close(sv[0]);

	/* the same without queued data, and a send first */
	t_ok("socketpair 2", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	close(sv[0]);
	t_err("send after the peer closed", send(sv[1], "y", 1, 0), ECONNREFUSED);
	t_err("send again", send(sv[1], "y", 1, 0), ENOTCONN);
	t_err("recv", recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	close(sv[1]);
	return g_finish();
}
