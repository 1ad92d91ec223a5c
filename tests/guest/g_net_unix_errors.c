/* SPDX-License-Identifier: Apache-2.0 */
/* AF_UNIX error cases: socket(2) arguments, non-sockets, bad addresses and
 * pointers, operations in the wrong state, socket options. */
#include "common.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

#define SUN_OFF offsetof(struct sockaddr_un, sun_path)

static void creation(void)
{
	int sv[2], s;

	t_err("family -1", socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);
	t_err("family 4096", socket(4096, SOCK_STREAM, 0), EAFNOSUPPORT);
	t_err("type 15", socket(AF_UNIX, 15, 0), EINVAL);
	t_err("unknown type flag", socket(AF_UNIX, SOCK_STREAM | 0x100, 0), EINVAL);
	t_err("protocol 2", socket(AF_UNIX, SOCK_STREAM, 2), EPROTONOSUPPORT);
	t_err("SOCK_RDM", socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
	t_err("SOCK_PACKET", socket(AF_UNIX, SOCK_PACKET, 0), ESOCKTNOSUPPORT);
	s = socket(AF_UNIX, SOCK_RAW, 0);
	{
		int v = 0;
		socklen_t l = sizeof(v);

		getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l);
		t_eq("SOCK_RAW is a datagram socket", v, SOCK_DGRAM);
	}
	close(s);
	s = socket(AF_UNIX, SOCK_STREAM, PF_UNIX);
	t_yes("protocol PF_UNIX", s >= 0);
	close(s);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	t_eq("SOCK_CLOEXEC", fcntl(s, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	t_eq("SOCK_NONBLOCK", !!(fcntl(s, F_GETFL) & O_NONBLOCK), 1);
	t_eq("O_RDWR", fcntl(s, F_GETFL) & O_ACCMODE, O_RDWR);
	close(s);
	t_err("socketpair bad pointer", socketpair(AF_UNIX, SOCK_STREAM, 0, G_BADPTR), EFAULT);
	t_err("socketpair type", socketpair(AF_UNIX, 15, 0, sv), EINVAL);
	t_eq("no fds leaked", fcntl(3, F_GETFD), -1);
}

static void not_sockets(void)
{
	int p[2];
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	socklen_t l = sizeof(a);
	char c;

	pipe(p);
	t_err("bind on a pipe", bind(p[0], (struct sockaddr *)&a, sizeof(a)), ENOTSOCK);
	t_err("listen on a pipe", listen(p[0], 1), ENOTSOCK);
	t_err("accept on a pipe", accept(p[0], NULL, NULL), ENOTSOCK);
	t_err("connect on a pipe", connect(p[0], (struct sockaddr *)&a, sizeof(a)), ENOTSOCK);
	t_err("getsockname on a pipe", getsockname(p[0], (struct sockaddr *)&a, &l), ENOTSOCK);
	t_err("send on a pipe", send(p[1], "x", 1, 0), ENOTSOCK);
	t_err("recv on a pipe", recv(p[0], &c, 1, MSG_DONTWAIT), ENOTSOCK);
	t_err("shutdown on a pipe", shutdown(p[0], SHUT_RD), ENOTSOCK);
	t_err("setsockopt on a pipe", setsockopt(p[0], SOL_SOCKET, SO_REUSEADDR, &l, 4), ENOTSOCK);
	t_err("bind on a closed fd", bind(99, (struct sockaddr *)&a, sizeof(a)), EBADF);
	t_err("send on a closed fd", send(99, "x", 1, 0), EBADF);
	close(p[0]);
	close(p[1]);
}

static void addresses(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0), d = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct sockaddr_storage big;
	socklen_t l;
	int negative = -1;

	strcpy(a.sun_path, "x.sock");
	t_err("bind bad pointer", bind(s, G_BADPTR, sizeof(a)), EFAULT);
	t_err("bind length 1", bind(s, (struct sockaddr *)&a, 1), EINVAL);
	t_err("bind length > sockaddr_un", bind(s, (struct sockaddr *)&a, sizeof(a) + 1), EINVAL);
	t_err("bind length > sockaddr_storage", bind(s, (struct sockaddr *)&big, sizeof(big) + 1),
	      EINVAL);
	a.sun_family = AF_INET;
	t_err("bind AF_INET name", bind(s, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	t_err("connect AF_INET name", connect(s, (struct sockaddr *)&a, sizeof(a)), EINVAL);
	a.sun_family = AF_UNIX;
	t_err("connect length 2", connect(s, (struct sockaddr *)&a, SUN_OFF), EINVAL);
	t_err("connect bad pointer", connect(s, G_BADPTR, sizeof(a)), EFAULT);
	l = sizeof(a);
	t_err("getsockname bad name", getsockname(s, G_BADPTR, &l), EFAULT);
	t_err("getsockname bad length", getsockname(s, (struct sockaddr *)&a, G_BADPTR), EFAULT);
	t_err("getsockname negative length",
	      getsockname(s, (struct sockaddr *)&a, (socklen_t *)&negative), EINVAL);
	l = 1;
	memset(&a, 0x7f, sizeof(a));
	t_ok("getsockname short buffer", getsockname(s, (struct sockaddr *)&a, &l));
	t_eq("  full length reported", l, SUN_OFF);
	t_eq("  one byte written", ((unsigned char *)&a)[1], 0x7f);
	t_err("getpeername unconnected", getpeername(s, (struct sockaddr *)&a, &l), ENOTCONN);
	t_err("send unconnected stream", send(s, "x", 1, MSG_NOSIGNAL), ENOTCONN);
	t_err("recv unconnected stream", recv(s, &l, 1, MSG_DONTWAIT), EINVAL);
	a.sun_family = AF_UNIX;
	strcpy(a.sun_path, "y.sock");
	t_err("sendto on unconnected stream", sendto(s, "x", 1, MSG_NOSIGNAL,
						     (struct sockaddr *)&a, sizeof(a)), EOPNOTSUPP);
	t_err("send unconnected dgram", send(d, "x", 1, 0), ENOTCONN);
	t_err("sendto missing path", sendto(d, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)), ENOENT);
	t_err("sendto bad name", sendto(d, "x", 1, 0, G_BADPTR, sizeof(a)), EFAULT);
	/* the data is copied before the peer is looked up */
	t_err("send bad buffer", send(d, G_BADPTR, 1, 0), EFAULT);
	t_err("listen dgram", listen(d, 1), EOPNOTSUPP);
	t_err("accept dgram", accept(d, NULL, NULL), EOPNOTSUPP);
	t_err("accept not listening", accept(s, NULL, NULL), EINVAL);
	t_err("accept4 bad flags", accept4(s, NULL, NULL, 0x4), EINVAL);
	t_ok("shutdown unconnected", shutdown(s, SHUT_RDWR));
	close(s);
	close(d);
}

static void options(void)
{
	int sv[2], v = 0;
	socklen_t l = sizeof(v);
	struct timeval tv;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	t_err("unknown option", getsockopt(sv[0], SOL_SOCKET, 9999, &v, &l), ENOPROTOOPT);
	t_err("other level", getsockopt(sv[0], 0 /* SOL_IP */, 1, &v, &l), EOPNOTSUPP);
	t_err("set other level", setsockopt(sv[0], 0 /* SOL_IP */, 1, &v, sizeof(v)), EOPNOTSUPP);
	t_err("set short value", setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &v, 2), EINVAL);
	t_err("set bad pointer", setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, G_BADPTR, 4), EFAULT);
	t_err("get bad length pointer", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, G_BADPTR),
	      EFAULT);
	l = 2;
	v = 0;
	t_ok("get short length", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &l));
	t_eq("  length", l, 2);
	l = sizeof(v);
	v = 1;
	t_ok("SO_REUSEADDR", setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)));
	v = 0;
	getsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &v, &l);
	t_eq("  reads back", v, 1);
	tv.tv_sec = 0;
	tv.tv_usec = 20000;
	t_ok("SO_RCVTIMEO", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	t_err("recv times out", recv(sv[0], &v, 1, 0), EAGAIN);
	tv.tv_usec = 2000000;
	t_err("SO_RCVTIMEO bad usec", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)),
	      EDOM);
	v = 0;
	getsockopt(sv[0], SOL_SOCKET, SO_RCVLOWAT, &v, &l);
	t_eq("SO_RCVLOWAT default", v, 1);
	v = 3;
	t_ok("set SO_PRIORITY", setsockopt(sv[0], SOL_SOCKET, SO_PRIORITY, &v, sizeof(v)));
	v = 0;
	getsockopt(sv[0], SOL_SOCKET, SO_PRIORITY, &v, &l);
	t_eq("  reads back", v, 3);
	{
		struct linger lg = { 5, 7 }, got = { 0, 0 };
		socklen_t gl = sizeof(got);

		t_ok("set SO_LINGER", setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
		getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &got, &gl);
		t_yes("  reads back", got.l_onoff == 1 && got.l_linger == 7 && gl == sizeof(got));
		t_err("SO_LINGER short", setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, 4), EINVAL);
	}
	{
		struct ucred c;
		socklen_t cl = sizeof(c);
		int u = socket(AF_UNIX, SOCK_STREAM, 0);

		getsockopt(u, SOL_SOCKET, SO_PEERCRED, &c, &cl);
		t_yes("SO_PEERCRED unconnected", c.pid == 0 && c.uid == (uid_t)-1 &&
							 c.gid == (gid_t)-1);
		close(u);
	}
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	g_start();
	creation();
	not_sockets();
	addresses();
	options();
	return g_finish();
}
