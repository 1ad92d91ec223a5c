/* SPDX-License-Identifier: Apache-2.0 */
/* Loopback TCP errors: ECONNREFUSED (blocking and non-blocking),
 * EADDRINUSE and SO_REUSEADDR/SO_REUSEPORT, EINVAL/EISCONN/ENOTCONN/EPIPE
 * cases, address checks, non-blocking connect (EINPROGRESS, POLLOUT,
 * SO_ERROR), a full backlog, poll of fresh sockets. */
#include "net_inet.h"
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

static int bind4(int fd, int port)
{
	struct sockaddr_in a = lo4(port);

	return bind(fd, (struct sockaddr *)&a, sizeof(a));
}

static void refused(void)
{
	int port = dead_port(AF_INET, SOCK_STREAM), c;
	struct sockaddr_in a = lo4(port);
	short ev;

	c = socket(AF_INET, SOCK_STREAM, 0);
	t_err("connect to a closed port", connect(c, (struct sockaddr *)&a, sizeof(a)),
	      ECONNREFUSED);
	t_eq("SO_ERROR after refused connect", geti(c, SOL_SOCKET, SO_ERROR), 0);
	t_err("connect again", connect(c, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED);
	close(c);

	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	t_err("non-blocking connect to a closed port", connect(c, (struct sockaddr *)&a, sizeof(a)),
	      EINPROGRESS);
	ev = poll1(c, POLLOUT, 5000);
	t_yes("poll: POLLOUT|POLLERR|POLLHUP",
	      (ev & (POLLOUT | POLLERR | POLLHUP)) == (POLLOUT | POLLERR | POLLHUP));
	t_eq("SO_ERROR", geti(c, SOL_SOCKET, SO_ERROR), ECONNREFUSED);
	t_eq("SO_ERROR cleared", geti(c, SOL_SOCKET, SO_ERROR), 0);
	close(c);

	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	connect(c, (struct sockaddr *)&a, sizeof(a));
	poll1(c, POLLOUT, 5000);
	t_err("second connect reports the refusal", connect(c, (struct sockaddr *)&a, sizeof(a)),
	      ECONNREFUSED);
	close(c);
}

static void nonblocking_connect(void)
{
	int port, lfd = listener(AF_INET, 8, &port), c, s;
	struct sockaddr_in a = lo4(port);
	short ev;

	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	t_err("non-blocking connect", connect(c, (struct sockaddr *)&a, sizeof(a)), EINPROGRESS);
	ev = poll1(c, POLLOUT, 5000);
	t_yes("writable", (ev & POLLOUT) != 0);
	t_yes("no error or hangup", !(ev & (POLLERR | POLLHUP)));
	t_eq("SO_ERROR", geti(c, SOL_SOCKET, SO_ERROR), 0);
	t_ok("connect again completes", connect(c, (struct sockaddr *)&a, sizeof(a)));
	t_err("connect once more", connect(c, (struct sockaddr *)&a, sizeof(a)), EISCONN);
	s = accept(lfd, NULL, NULL);
	t_yes("accepted", s >= 0);
	t_eq("data flows", send(c, "ok", 2, 0), 2);
	close(s);
	close(c);
	close(lfd);
}

static void backlog(void)
{
	int port, lfd = listener(AF_INET, 0, &port), c1, c2, s;
	struct sockaddr_in a = lo4(port);

	/* Backlog 0 holds one connection; the next waits for room. */
	c1 = connect_to(AF_INET, port);
	t_yes("first connect", c1 >= 0);
	t_yes("listener readable", (poll1(lfd, POLLIN, 5000) & POLLIN) != 0);
	c2 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	t_err("second connect (queue full)", connect(c2, (struct sockaddr *)&a, sizeof(a)),
	      EINPROGRESS);
	t_yes("not writable while the queue is full", !(poll1(c2, POLLOUT, 100) & POLLOUT));
	s = accept(lfd, NULL, NULL);
	t_yes("accept first", s >= 0);
	close(s);
	t_yes("second completes once there is room", (poll1(c2, POLLOUT, 10000) & POLLOUT) != 0);
	t_eq("SO_ERROR", geti(c2, SOL_SOCKET, SO_ERROR), 0);
	/* Full again: a blocking connect with SO_SNDTIMEO gives up with
	 * EINPROGRESS; one without waits until the listener accepts. */
	{
		struct timeval tv = { 0, 100000 };
		int c3 = socket(AF_INET, SOCK_STREAM, 0), st;
		pid_t pid;

		setsockopt(c3, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		t_err("blocking connect with SO_SNDTIMEO, queue full",
		      connect(c3, (struct sockaddr *)&a, sizeof(a)), EINPROGRESS);
		close(c3);
		pid = fork();
		if (pid == 0) {
			int c4 = socket(AF_INET, SOCK_STREAM, 0);

			_exit(connect(c4, (struct sockaddr *)&a, sizeof(a)) == 0 ? 0 : 1);
		}
		usleep(100000);
		close(accept(lfd, NULL, NULL)); /* the second, making room */
		s = accept(lfd, NULL, NULL);
		t_yes("the waiting connect is accepted", s >= 0);
		close(s);
		waitpid(pid, &st, 0);
		t_yes("and returned 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	close(c1);
	close(c2);
	close(lfd);
}

static void addresses(void)
{
	int a = socket(AF_INET, SOCK_STREAM, 0), b = socket(AF_INET, SOCK_STREAM, 0), port;
	struct sockaddr_in sin = lo4(0);
	struct sockaddr_in6 sin6 = lo6(0);

	t_err("bind short length", bind(a, (struct sockaddr *)&sin, sizeof(sin) - 1), EINVAL);
	t_err("bind AF_INET6 name on AF_INET", bind(a, (struct sockaddr *)&sin6, sizeof(sin6)),
	      EAFNOSUPPORT);
	sin.sin_addr.s_addr = inet_addr("192.0.2.1");
	t_err("bind a foreign address", bind(a, (struct sockaddr *)&sin, sizeof(sin)),
	      EADDRNOTAVAIL);
	sin.sin_addr.s_addr = inet_addr("127.0.0.5");
	t_ok("bind 127.0.0.5 (all of 127/8 is local)", bind(a, (struct sockaddr *)&sin, sizeof(sin)));
	t_err("bind twice", bind4(a, 0), EINVAL);
	port = local_port(a);
	sin.sin_port = htons((unsigned short)port);
	t_err("same address and port", bind(b, (struct sockaddr *)&sin, sizeof(sin)), EADDRINUSE);
	t_ok("same port on 127.0.0.1", bind4(b, port));
	close(a);
	close(b);

	/* SO_REUSEADDR: both must set it and none may listen. */
	a = socket(AF_INET, SOCK_STREAM, 0);
	b = socket(AF_INET, SOCK_STREAM, 0);
	seti(a, SOL_SOCKET, SO_REUSEADDR, 1);
	seti(b, SOL_SOCKET, SO_REUSEADDR, 1);
	bind4(a, 0);
	port = local_port(a);
	t_ok("SO_REUSEADDR both, none listening", bind4(b, port));
	t_ok("first listens", listen(a, 1));
	t_err("second listens", listen(b, 1), EADDRINUSE);
	close(b);
	b = socket(AF_INET, SOCK_STREAM, 0);
	seti(b, SOL_SOCKET, SO_REUSEADDR, 1);
	t_err("SO_REUSEADDR against a listener", bind4(b, port), EADDRINUSE);
	close(a);
	close(b);

	/* SO_REUSEPORT: both listen. */
	a = socket(AF_INET, SOCK_STREAM, 0);
	b = socket(AF_INET, SOCK_STREAM, 0);
	seti(a, SOL_SOCKET, SO_REUSEPORT, 1);
	seti(b, SOL_SOCKET, SO_REUSEPORT, 1);
	bind4(a, 0);
	port = local_port(a);
	t_ok("SO_REUSEPORT both", bind4(b, port));
	t_ok("listen a", listen(a, 1));
	t_ok("listen b", listen(b, 1));
	close(a);
	close(b);
	a = socket(AF_INET, SOCK_STREAM, 0);
	bind4(a, 0);
	port = local_port(a);
	b = socket(AF_INET, SOCK_STREAM, 0);
	seti(b, SOL_SOCKET, SO_REUSEPORT, 1);
	t_err("SO_REUSEPORT on one only", bind4(b, port), EADDRINUSE);
	close(a);
	close(b);
}

static void states(void)
{
	int port, lfd = listener(AF_INET, 4, &port), c, s, u;
	struct sockaddr_in a = lo4(port);
	char buf[8];
	short ev;

	u = socket(AF_INET, SOCK_STREAM, 0);
	ev = poll1(u, POLLIN | POLLOUT, 0);
	t_yes("fresh socket: POLLOUT|POLLHUP", ev == (POLLOUT | POLLHUP));
	t_err("recv unconnected", recv(u, buf, sizeof(buf), 0), ENOTCONN);
	t_err("send unconnected", send(u, "x", 1, MSG_NOSIGNAL), EPIPE);
	t_err("getpeername unconnected", getpeername(u, (struct sockaddr *)buf, &(socklen_t){ 8 }),
	      ENOTCONN);
	t_err("shutdown unconnected", shutdown(u, SHUT_RDWR), ENOTCONN);
	t_err("accept unlistened", accept(u, NULL, NULL), EINVAL);
	t_err("shutdown bad how", shutdown(u, 7), EINVAL);
	t_ok("listen without bind (autobind)", listen(u, 1));
	t_yes("autobound port in range", port_in_range(local_port(u)));
	close(u);

	t_err("connect on a listener", connect(lfd, (struct sockaddr *)&a, sizeof(a)), EISCONN);
	t_err("recv on a listener", recv(lfd, buf, sizeof(buf), 0), ENOTCONN);
	t_eq("listener poll idle", poll1(lfd, POLLIN | POLLOUT, 0), 0);
	fcntl(lfd, F_SETFL, O_NONBLOCK);
	t_err("accept nothing pending", accept(lfd, NULL, NULL), EAGAIN);
	c = connect_to(AF_INET, port);
	t_err("connect a connected socket", connect(c, (struct sockaddr *)&a, sizeof(a)), EISCONN);
	t_err("listen on a connected socket", listen(c, 1), EINVAL);
	t_err("bind a connected socket", bind4(c, 0), EINVAL);
	s = accept(lfd, NULL, NULL);
	t_ok("shutdown(SHUT_RD)", shutdown(s, SHUT_RD));
	t_eq("recv after SHUT_RD", recv(s, buf, sizeof(buf), MSG_DONTWAIT), 0);
	t_ok("shutdown(SHUT_RDWR)", shutdown(c, SHUT_RDWR));
	ev = poll1(c, POLLIN | POLLOUT, 0);
	t_yes("after SHUT_RDWR: POLLIN|POLLOUT|POLLHUP",
	      (ev & (POLLIN | POLLOUT | POLLHUP)) == (POLLIN | POLLOUT | POLLHUP));
	close(c);
	close(s);
	t_ok("shutdown listener (SHUT_RD) stops it", shutdown(lfd, SHUT_RD));
	t_err("accept after that", accept(lfd, NULL, NULL), EINVAL);
	c = socket(AF_INET, SOCK_STREAM, 0);
	t_err("connect to it", connect(c, (struct sockaddr *)&a, sizeof(a)), ECONNREFUSED);
	close(c);
	close(lfd);

	t_err("socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP),
	      EPROTONOSUPPORT);
	t_err("socket(AF_INET, SOCK_SEQPACKET, 0)", socket(AF_INET, SOCK_SEQPACKET, 0),
	      ESOCKTNOSUPPORT);
}

/* EMFILE in accept leaves the connection queued. */
static void emfile(void)
{
	int port, lfd = listener(AF_INET, 4, &port), c = connect_to(AF_INET, port), s;
	struct rlimit old, low;

	getrlimit(RLIMIT_NOFILE, &old);
	low = old;
	low.rlim_cur = (rlim_t)c + 1; /* no descriptor above c is allowed */
	t_ok("lower RLIMIT_NOFILE", setrlimit(RLIMIT_NOFILE, &low));
	t_err("accept at the limit", accept(lfd, NULL, NULL), EMFILE);
	setrlimit(RLIMIT_NOFILE, &old);
	s = accept(lfd, NULL, NULL);
	t_yes("the connection is still there", s >= 0);
	t_eq("and works", send(c, "k", 1, 0), 1);
	close(s);
	close(c);
	close(lfd);
}

int main(void)
{
	g_start();
	signal(SIGPIPE, SIG_IGN);
	refused();
	nonblocking_connect();
	backlog();
	addresses();
	states();
	emfile();
	return g_finish();
}
