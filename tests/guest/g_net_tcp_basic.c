/* SPDX-License-Identifier: Apache-2.0 */
/* Loopback TCP: bind/listen/connect/accept4, names, echo, MSG_PEEK and
 * MSG_WAITALL, FIONREAD, half-close, a 4 MiB transfer between processes,
 * close with unread data (ECONNRESET), writes after the peer closed
 * (EPIPE, SIGPIPE). */
#include "net_inet.h"
#include <sys/ioctl.h>
#include <sys/wait.h>

static void names_and_echo(void)
{
	struct sockaddr_storage ss, ps;
	socklen_t l;
	int port, lfd, c, s, n, flags;
	char buf[64];

	lfd = listener(AF_INET, 16, &port);
	t_yes("listener", lfd >= 0);
	t_yes("listen port in range", port_in_range(port));
	t_eq("SO_ACCEPTCONN", geti(lfd, SOL_SOCKET, SO_ACCEPTCONN), 1);
	l = sizeof(ss);
	t_ok("getsockname listener", getsockname(lfd, (struct sockaddr *)&ss, &l));
	t_eq("name length", l, sizeof(struct sockaddr_in));
	t_streq("listener address", addr_str(&ss), "127.0.0.1");

	c = connect_to(AF_INET, port);
	t_yes("connect", c >= 0);
	t_eq("client SO_ACCEPTCONN", geti(c, SOL_SOCKET, SO_ACCEPTCONN), 0);
	l = sizeof(ss);
	t_ok("getsockname client", getsockname(c, (struct sockaddr *)&ss, &l));
	t_streq("client address", addr_str(&ss), "127.0.0.1");
	t_yes("client port in range", port_in_range(name_port(&ss)));
	l = sizeof(ps);
	t_ok("getpeername client", getpeername(c, (struct sockaddr *)&ps, &l));
	t_yes("peer is the listener's port", name_port(&ps) == port);

	l = sizeof(ps);
	s = accept4(lfd, (struct sockaddr *)&ps, &l, SOCK_CLOEXEC | SOCK_NONBLOCK);
	t_yes("accept4", s >= 0);
	t_eq("accepted name length", l, sizeof(struct sockaddr_in));
	t_yes("accepted peer = client's name",
	      name_port(&ps) == name_port(&ss) && !strcmp(addr_str(&ps), "127.0.0.1"));
	flags = fcntl(s, F_GETFL);
	t_yes("accept4 O_NONBLOCK", (flags & O_NONBLOCK) != 0);
	t_yes("accept4 FD_CLOEXEC", (fcntl(s, F_GETFD) & FD_CLOEXEC) != 0);
	t_yes("listener still blocking", !(fcntl(lfd, F_GETFL) & O_NONBLOCK));
	l = sizeof(ss);
	getsockname(s, (struct sockaddr *)&ss, &l);
	t_yes("accepted socket's port is the listener's", name_port(&ss) == port);
	t_eq("accepted SO_TYPE", geti(s, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
	t_eq("accepted SO_ACCEPTCONN", geti(s, SOL_SOCKET, SO_ACCEPTCONN), 0);

	t_err("recv nothing yet (nonblocking)", recv(s, buf, sizeof(buf), 0), EAGAIN);
	t_eq("send hello", send(c, "hello", 5, 0), 5);
	t_eq("send world", write(c, " world", 6), 6);
	t_yes("server readable", (poll1(s, POLLIN, 5000) & POLLIN) != 0);
	ioctl(s, FIONREAD, &n);
	t_eq("FIONREAD", n, 11);
	memset(buf, 0, sizeof(buf));
	t_eq("MSG_PEEK 5", recv(s, buf, 5, MSG_PEEK), 5);
	t_streq("peeked", buf, "hello");
	memset(buf, 0, sizeof(buf));
	t_eq("MSG_WAITALL 11", recv(s, buf, 11, MSG_WAITALL), 11);
	t_streq("got", buf, "hello world");
	t_eq("echo back", send(s, buf, 11, 0), 11);
	memset(buf, 0, sizeof(buf));
	t_eq("client reads echo", read_full(c, buf, 11), 11);
	t_streq("echo", buf, "hello world");
	ioctl(c, TIOCOUTQ, &n);
	t_eq("SIOCOUTQ after delivery", n, 0);

	/* Half-close: the server sees EOF, can still send. */
	t_ok("shutdown(SHUT_WR)", shutdown(c, SHUT_WR));
	t_yes("server sees RDHUP", (poll1(s, POLLIN | POLLRDHUP, 5000) & POLLRDHUP) != 0);
	t_eq("server reads EOF", recv(s, buf, sizeof(buf), 0), 0);
	t_eq("server reads EOF again", recv(s, buf, sizeof(buf), 0), 0);
	t_err("client send after SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	t_eq("server sends after client's SHUT_WR", send(s, "bye", 3, 0), 3);
	memset(buf, 0, sizeof(buf));
	t_eq("client reads bye", read_full(c, buf, 3), 3);
	t_streq("bye", buf, "bye");
	close(s);
	t_eq("client reads EOF", recv(c, buf, sizeof(buf), 0), 0);
	close(c);
	close(lfd);
}

static void bulk(void)
{
	enum { TOTAL = 4 << 20 };
	int port, lfd = listener(AF_INET, 4, &port), s, st;
	unsigned long sum = 0, want = 0;
	static unsigned char buf[65536];
	long got = 0;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		int c = connect_to(AF_INET, port);
		long sent = 0;

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (unsigned char)(i * 7 + 3);
		while (sent < TOTAL) {
			long w = write_full(c, buf, sizeof(buf));

			if (w <= 0)
				_exit(1);
			sent += w;
		}
		close(c);
		_exit(0);
	}
	s = accept(lfd, NULL, NULL);
	t_yes("bulk accept", s >= 0);
	for (;;) {
		ssize_t r = read(s, buf, sizeof(buf));

		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r; i++)
			sum += buf[i];
		got += r;
	}
	for (long i = 0; i < TOTAL; i++)
		want += (unsigned char)((i % 65536) * 7 + 3);
	t_eq("bulk bytes", got, TOTAL);
	t_yes("bulk checksum", sum == want);
	waitpid(pid, &st, 0);
	t_yes("writer exited 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(s);
	close(lfd);
}

static volatile sig_atomic_t pipes;

static void on_pipe(int sig)
{
	(void)sig;
	pipes++;
}

static void resets(void)
{
	int port, lfd = listener(AF_INET, 4, &port), c, s;
	char buf[16];

	/* Closing with unread data resets the connection. */
	c = connect_to(AF_INET, port);
	s = accept(lfd, NULL, NULL);
	t_eq("send unread", send(c, "unread", 6, 0), 6);
	t_yes("server has it", (poll1(s, POLLIN, 5000) & POLLIN) != 0);
	close(s);
	t_yes("client sees POLLHUP|POLLERR",
	      (poll1(c, POLLIN, 5000) & (POLLHUP | POLLERR)) == (POLLHUP | POLLERR));
	t_err("recv after reset", recv(c, buf, sizeof(buf), 0), ECONNRESET);
	t_eq("recv after reset again", recv(c, buf, sizeof(buf), 0), 0);
	t_err("getpeername after reset", getpeername(c, (struct sockaddr *)buf, &(socklen_t){ 16 }),
	      ENOTCONN);
	t_err("send after reset", send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
	close(c);

	/* A clean close: EOF; the first write after it draws a reset and the
	 * next fails with EPIPE and SIGPIPE. */
	signal(SIGPIPE, on_pipe);
	c = connect_to(AF_INET, port);
	s = accept(lfd, NULL, NULL);
	close(s);
	t_yes("client sees RDHUP", (poll1(c, POLLRDHUP, 5000) & POLLRDHUP) != 0);
	t_eq("recv EOF", recv(c, buf, sizeof(buf), 0), 0);
	t_eq("first write after peer close", write(c, "abc", 3), 3);
	t_err("second write", write(c, "abc", 3), EPIPE);
	t_eq("SIGPIPE raised", pipes, 1);
	t_err("send MSG_NOSIGNAL", send(c, "abc", 3, MSG_NOSIGNAL), EPIPE);
	t_eq("no SIGPIPE with MSG_NOSIGNAL", pipes, 1);
	t_eq("recv still EOF", recv(c, buf, sizeof(buf), 0), 0);
	signal(SIGPIPE, SIG_DFL);
	close(c);

	/* SO_LINGER {1, 0}: close resets even without unread data. */
	c = connect_to(AF_INET, port);
	s = accept(lfd, NULL, NULL);
	{
		struct linger lg = { 1, 0 };

		t_ok("SO_LINGER {1,0}", setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	}
	close(s);
	t_yes("client sees the reset", (poll1(c, POLLIN, 5000) & POLLERR) != 0);
	t_eq("SO_ERROR", geti(c, SOL_SOCKET, SO_ERROR), ECONNRESET);
	t_eq("SO_ERROR cleared", geti(c, SOL_SOCKET, SO_ERROR), 0);
	close(c);
	close(lfd);
}

int main(void)
{
	g_start();
	names_and_echo();
	bulk();
	resets();
	return g_finish();
}
