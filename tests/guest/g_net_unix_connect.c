/* SPDX-License-Identifier: Apache-2.0 */
/* AF_UNIX names and connections between processes: bind by path (a socket
 * inode) and abstract name, listen/accept/connect, getsockname/getpeername,
 * SO_PEERCRED, accept4 flags, backlog and non-blocking connect, poll. */
#include "common.h"
#include <poll.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#define SUN_OFF offsetof(struct sockaddr_un, sun_path)

static socklen_t path_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	strcpy(a->sun_path, path);
	return (socklen_t)(SUN_OFF + strlen(path));
}

/* An abstract name unique to this run (never printed). */
static socklen_t abs_addr(struct sockaddr_un *a, const char *tag)
{
	int n;

	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "cvisor-g-%s-%d", tag,
		     (int)getpid());
	return (socklen_t)(SUN_OFF + 1 + (size_t)n);
}

static void by_path(void)
{
	struct sockaddr_un a, b;
	socklen_t al = path_addr(&a, "srv.sock"), bl;
	struct stat st;
	struct ucred cr;
	socklen_t crl = sizeof(cr);
	int l, c, s, v;
	pid_t pid;
	char buf[32];

	l = socket(AF_UNIX, SOCK_STREAM, 0);
	t_ok("bind path", bind(l, (struct sockaddr *)&a, al));
	t_ok("stat socket file", stat("srv.sock", &st));
	t_yes("S_ISSOCK", S_ISSOCK(st.st_mode));
	t_oct("mode (umask 022)", st.st_mode & 07777, 0755);
	bl = sizeof(b);
	t_ok("getsockname", getsockname(l, (struct sockaddr *)&b, &bl));
	t_eq("name length includes NUL", bl, (long)(SUN_OFF + strlen("srv.sock") + 1));
	t_streq("name", b.sun_path, "srv.sock");
	/* Linux creates the node before it looks at the socket's name. */
	t_err("bind again same path", bind(l, (struct sockaddr *)&a, al), EADDRINUSE);
	{
		struct sockaddr_un o;
		socklen_t ol = path_addr(&o, "other.sock");

		t_err("bind again other path", bind(l, (struct sockaddr *)&o, ol), EINVAL);
		t_err("  and no file is left", access("other.sock", F_OK), ENOENT);
	}
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	t_err("connect before listen", connect(c, (struct sockaddr *)&a, al), ECONNREFUSED);
	t_err("second bind same path", bind(c, (struct sockaddr *)&a, al), EADDRINUSE);
	close(c);
	v = -1;
	bl = sizeof(v);
	t_ok("listen", listen(l, 5));
	getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &bl);
	t_eq("SO_ACCEPTCONN", v, 1);
	t_err("connect a listener", connect(l, (struct sockaddr *)&a, al), EINVAL);

	pid = fork();
	if (pid == 0) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		struct ucred pc;
		socklen_t pl = sizeof(pc);

		if (connect(fd, (struct sockaddr *)&a, al) < 0)
			_exit(2);
		getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &pc, &pl);
		if (pc.pid != getppid() || pc.uid != geteuid() || pl != sizeof(pc))
			_exit(3);
		if (write(fd, "ping", 4) != 4)
			_exit(4);
		if (read(fd, buf, sizeof(buf)) != 4 || memcmp(buf, "pong", 4))
			_exit(5);
		_exit(0);
	}
	bl = sizeof(b);
	memset(&b, 0x55, sizeof(b));
	s = accept(l, (struct sockaddr *)&b, &bl);
	t_yes("accept", s >= 0);
	t_eq("peer of accept is unnamed", bl, SUN_OFF);
	t_ok("SO_PEERCRED", getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &crl));
	t_yes("peer pid is the child", cr.pid == pid);
	t_yes("peer uid", cr.uid == geteuid() && cr.gid == getegid());
	bl = sizeof(b);
	getsockname(s, (struct sockaddr *)&b, &bl);
	t_streq("accepted socket's name", b.sun_path, "srv.sock");
	bl = sizeof(b);
	t_ok("getpeername", getpeername(s, (struct sockaddr *)&b, &bl));
	t_eq("peer name length", bl, SUN_OFF);
	t_err("connect a connected socket", connect(s, (struct sockaddr *)&a, al), EISCONN);
	t_eq("read ping", read(s, buf, sizeof(buf)), 4);
	t_eq("write pong", write(s, "pong", 4), 4);
	waitpid(pid, &v, 0);
	t_eq("client status", WEXITSTATUS(v), 0);
	t_eq("EOF once the client exits", read(s, buf, sizeof(buf)), 0);
	close(s);
	close(l);
	t_ok("socket file outlives the socket", stat("srv.sock", &st));
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	t_err("connect after the listener closed", connect(c, (struct sockaddr *)&a, al),
	      ECONNREFUSED);
	t_err("bind to the stale file", bind(c, (struct sockaddr *)&a, al), EADDRINUSE);
	unlink("srv.sock");
	t_err("connect missing path", connect(c, (struct sockaddr *)&a, al), ENOENT);
	close(c);

	l = socket(AF_UNIX, SOCK_DGRAM, 0);
	al = path_addr(&a, "dg.sock");
	bind(l, (struct sockaddr *)&a, al);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	t_err("connect path type mismatch", connect(c, (struct sockaddr *)&a, al), EPROTOTYPE);
	close(c);
	close(l);
	unlink("dg.sock");

	/* A regular file is no socket. */
	close(open("plain", O_CREAT | O_WRONLY, 0644));
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	al = path_addr(&a, "plain");
	t_err("connect to a regular file", connect(c, (struct sockaddr *)&a, al), ECONNREFUSED);
	al = path_addr(&a, "nodir/x.sock");
	t_err("bind in a missing directory", bind(c, (struct sockaddr *)&a, al), ENOENT);
	close(c);
	unlink("plain");
}

static void abstract(void)
{
	struct sockaddr_un a, b;
	socklen_t al = abs_addr(&a, "abs"), bl;
	int l, c, s, d, v;
	pid_t pid;
	char buf[16];

	l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	t_ok("bind abstract", bind(l, (struct sockaddr *)&a, al));
	bl = sizeof(b);
	getsockname(l, (struct sockaddr *)&b, &bl);
	t_yes("abstract name round trip", bl == al && !memcmp(&a, &b, al));
	d = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	t_err("abstract name in use", bind(d, (struct sockaddr *)&a, al), EADDRINUSE);
	close(d);
	t_ok("listen backlog 0", listen(l, 0));
	d = socket(AF_UNIX, SOCK_STREAM, 0);
	/* Abstract names are per type (path names give EPROTOTYPE). */
	t_err("connect type mismatch", connect(d, (struct sockaddr *)&a, al), ECONNREFUSED);
	close(d);
	d = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	t_err("connect name prefix", connect(d, (struct sockaddr *)&a, al - 1), ECONNREFUSED);
	close(d);

	pid = fork();
	if (pid == 0) {
		int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

		if (connect(fd, (struct sockaddr *)&a, al) < 0)
			_exit(2);
		send(fd, "one", 3, 0);
		send(fd, "two", 3, 0);
		_exit(0);
	}
	s = accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	t_yes("accept4", s >= 0);
	t_eq("accept4 CLOEXEC", fcntl(s, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	t_eq("accept4 NONBLOCK", !!(fcntl(s, F_GETFL) & O_NONBLOCK), 1);
	waitpid(pid, &v, 0);
	t_eq("client status", WEXITSTATUS(v), 0);
	t_eq("first record", recv(s, buf, sizeof(buf), 0), 3);
	t_eq("second record", recv(s, buf, sizeof(buf), 0), 3);
	t_eq("then EOF", recv(s, buf, sizeof(buf), 0), 0);
	close(s);

	/* Backlog 0 admits one pending connection; the next would block. */
	c = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);
	t_ok("first pending connect", connect(c, (struct sockaddr *)&a, al));
	d = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0);
	t_err("backlog full, non-blocking", connect(d, (struct sockaddr *)&a, al), EAGAIN);
	/* The listener's backlog is checked before our own state. */
	t_err("connect again, backlog full", connect(c, (struct sockaddr *)&a, al), EAGAIN);
	{
		struct pollfd p = { l, POLLIN, 0 };

		t_eq("listener polls readable", poll(&p, 1, 0), 1);
	}
	send(c, "early", 5, 0);
	s = accept(l, NULL, NULL);
	t_eq("data sent before accept", recv(s, buf, sizeof(buf), 0), 5);
	t_ok("now the second connects", connect(d, (struct sockaddr *)&a, al));
	close(l);
	t_err("pending connection reset with its listener", recv(d, buf, sizeof(buf), 0),
	      ECONNRESET);
	close(c);
	close(d);
	close(s);
	t_ok("name free after close", bind(socket(AF_UNIX, SOCK_STREAM, 0),
					    (struct sockaddr *)&a, al));
}

static void autobind(void)
{
	struct sockaddr_un a;
	socklen_t al = sizeof(a);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);

	t_ok("autobind", bind(s, (struct sockaddr *)&(struct sockaddr_un){ .sun_family = AF_UNIX },
			      sizeof(sa_family_t)));
	getsockname(s, (struct sockaddr *)&a, &al);
	t_eq("autobind length", al, SUN_OFF + 6);
	t_yes("autobind abstract", a.sun_path[0] == 0);
	al = sizeof(a);
	t_err("getpeername unconnected", getpeername(s, (struct sockaddr *)&a, &al), ENOTCONN);
	close(s);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	al = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &al);
	t_eq("unbound name length", al, SUN_OFF);
	t_err("listen unbound", listen(s, 1), EINVAL);
	close(s);
}

static void poll_nonblock(void)
{
	struct sockaddr_un a;
	socklen_t al = abs_addr(&a, "poll");
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0), c, s;
	struct pollfd p[2];
	char buf[8];

	bind(l, (struct sockaddr *)&a, al);
	listen(l, 4);
	t_err("accept nothing pending", accept(l, NULL, NULL), EAGAIN);
	p[0] = (struct pollfd){ l, POLLIN, 0 };
	t_eq("listener not readable", poll(p, 1, 0), 0);
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	p[0] = (struct pollfd){ c, POLLIN | POLLOUT, 0 };
	poll(p, 1, 0);
	t_eq("unconnected stream: OUT|HUP", p[0].revents, POLLOUT | POLLHUP);
	t_ok("connect", connect(c, (struct sockaddr *)&a, al));
	s = accept(l, NULL, NULL);
	p[0] = (struct pollfd){ c, POLLIN | POLLOUT, 0 };
	p[1] = (struct pollfd){ s, POLLIN | POLLOUT, 0 };
	poll(p, 2, 0);
	t_eq("client writable", p[0].revents, POLLOUT);
	t_eq("server writable", p[1].revents, POLLOUT);
	write(c, "x", 1);
	poll(p, 2, 0);
	t_eq("server readable", p[1].revents, POLLIN | POLLOUT);
	read(s, buf, 1);
	shutdown(c, SHUT_WR);
	p[1] = (struct pollfd){ s, POLLIN | POLLOUT | POLLRDHUP, 0 };
	poll(p, 2, 0);
	t_eq("after peer SHUT_WR", p[1].revents, POLLIN | POLLOUT | POLLRDHUP);
	close(c);
	poll(p + 1, 1, 0);
	t_eq("after peer close", p[1].revents, POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
	close(s);
	close(l);
}

int main(void)
{
	g_start();
	by_path();
	abstract();
	autobind();
	poll_nonblock();
	return g_finish();
}
