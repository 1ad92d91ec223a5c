/* SPDX-License-Identifier: Apache-2.0 */
/* AF_UNIX datagrams by name: sendto/recvfrom between processes with the
 * sender's name, connect (one-way), EPERM to a socket connected elsewhere,
 * ECONNREFUSED once the peer is gone, AF_UNSPEC, the receive queue limit,
 * sendmmsg/recvmmsg. */
#include "common.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#define SUN_OFF offsetof(struct sockaddr_un, sun_path)

static socklen_t path_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, path);
	return (socklen_t)(SUN_OFF + strlen(path) + 1);
}

int main(void)
{
	struct sockaddr_un srv, cli, from;
	socklen_t sl = path_addr(&srv, "srv.dg"), cl = path_addr(&cli, "cli.dg"), fl;
	int s, c, o, n, st;
	char buf[64];
	pid_t pid;

	g_start();
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	t_ok("bind server", bind(s, (struct sockaddr *)&srv, sl));
	pid = fork();
	if (pid == 0) {
		int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

		bind(fd, (struct sockaddr *)&cli, cl);
		sendto(fd, "hello", 5, 0, (struct sockaddr *)&srv, sl);
		if (recv(fd, buf, sizeof(buf), 0) != 5)
			_exit(2);
		_exit(memcmp(buf, "reply", 5) ? 3 : 0);
	}
	fl = sizeof(from);
	t_eq("recvfrom", recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl), 5);
	t_eq("sender name length", fl, cl);
	t_streq("sender name", from.sun_path, "cli.dg");
	t_eq("reply to sender", sendto(s, "reply", 5, 0, (struct sockaddr *)&from, fl), 5);
	waitpid(pid, &st, 0);
	t_eq("client status", WEXITSTATUS(st), 0);
	t_err("client gone", sendto(s, "x", 1, 0, (struct sockaddr *)&cli, cl), ECONNREFUSED);
	unlink("cli.dg");

	/* Unnamed sender: no name comes back. */
	c = socket(AF_UNIX, SOCK_DGRAM, 0);
	sendto(c, "anon", 4, 0, (struct sockaddr *)&srv, sl);
	fl = sizeof(from);
	t_eq("recvfrom unnamed sender", recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from,
						 &fl), 4);
	t_eq("  name length", fl, 0);

	/* connect: one-way; a socket connected elsewhere refuses others. */
	t_ok("connect", connect(c, (struct sockaddr *)&srv, sl));
	t_eq("send to peer", send(c, "p", 1, 0), 1);
	fl = sizeof(from);
	t_ok("getpeername", getpeername(c, (struct sockaddr *)&from, &fl));
	t_streq("  peer", from.sun_path, "srv.dg");
	t_err("server has no peer", getpeername(s, (struct sockaddr *)&from, &fl), ENOTCONN);
	t_eq("recv", recv(s, buf, sizeof(buf), 0), 1);
	o = socket(AF_UNIX, SOCK_DGRAM, 0);
	bind(o, (struct sockaddr *)&cli, cl);
	t_ok("server connects to other", connect(s, (struct sockaddr *)&cli, cl));
	t_err("send to a socket connected elsewhere", send(c, "p", 1, 0), EPERM);
	{
		struct sockaddr_un un = { .sun_family = AF_UNSPEC };

		t_ok("AF_UNSPEC disconnects", connect(s, (struct sockaddr *)&un, sizeof(un)));
		t_err("  then no peer", send(s, "z", 1, 0), ENOTCONN);
	}
	t_eq("accepted again", send(c, "q", 1, 0), 1);
	t_eq("recv", recv(s, buf, sizeof(buf), 0), 1);

	/* The queue of a socket with other senders holds 11 datagrams. */
	for (n = 0; n < 100; n++)
		if (send(c, "m", 1, MSG_DONTWAIT) < 0)
			break;
	t_eq("queued before EAGAIN", n, 11);
	t_err("then EAGAIN", send(c, "m", 1, MSG_DONTWAIT), EAGAIN);
	while (recv(s, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		n--;
	t_eq("all received", n, 0);

	{
		struct mmsghdr mm[3];
		struct iovec iov[3] = { { (char *)"a", 1 }, { (char *)"bb", 2 }, { (char *)"ccc", 3 } };
		char rb[3][8];
		struct iovec riov[3] = { { rb[0], 8 }, { rb[1], 8 }, { rb[2], 8 } };

		memset(mm, 0, sizeof(mm));
		for (int i = 0; i < 3; i++) {
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		t_eq("sendmmsg", sendmmsg(c, mm, 3, 0), 3);
		t_eq("  msg_len", mm[2].msg_len, 3);
		memset(mm, 0, sizeof(mm));
		for (int i = 0; i < 3; i++) {
			mm[i].msg_hdr.msg_iov = &riov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		t_eq("recvmmsg", recvmmsg(s, mm, 3, MSG_DONTWAIT, NULL), 3);
		t_yes("  lengths", mm[0].msg_len == 1 && mm[1].msg_len == 2 && mm[2].msg_len == 3);
		{
			struct timespec ts = { 0, 1 };

			for (int i = 0; i < 3; i++)
				mm[i].msg_hdr.msg_iovlen = 1;
			sendmmsg(c, mm, 2, 0); /* two datagrams of 8 bytes (the riov buffers) */
			t_eq("recvmmsg timeout ends after a datagram",
			     recvmmsg(s, mm, 3, MSG_DONTWAIT, &ts), 1);
			t_yes("  remaining time written back", ts.tv_sec == 0 && ts.tv_nsec == 0);
			ts.tv_nsec = 2000000000L;
			t_err("recvmmsg bad timeout", recvmmsg(s, mm, 3, MSG_DONTWAIT, &ts), EINVAL);
			t_eq("the second is still there", recv(s, rb[0], 8, MSG_DONTWAIT), 8);
		}
		t_eq("recvmmsg WAITFORONE", recvmmsg(s, mm, 3, MSG_WAITFORONE | MSG_DONTWAIT, NULL) < 0
						    ? errno
						    : 0,
		     EAGAIN);
	}

	close(s);
	t_err("send after the peer closed", send(c, "x", 1, 0), ECONNREFUSED);
	t_err("then not connected", send(c, "x", 1, 0), ENOTCONN);
	close(c);
	close(o);
	t_eq("datagram too large", ({
		     int sv[2];
		     static char big[300000];
		     long r;

		     socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
		     r = send(sv[0], big, sizeof(big), 0) < 0 ? errno : 0;
		     close(sv[0]);
		     close(sv[1]);
		     r;
	     }),
	     EMSGSIZE);
	unlink("srv.dg");
	unlink("cli.dg");
	return g_finish();
}
