/* SPDX-License-Identifier: Apache-2.0 */
/* AF_UNIX socketpair: stream (no boundaries), dgram and seqpacket (one
 * message per recv, MSG_TRUNC), MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL between
 * processes, read/write/readv/writev, FIONREAD, fstat, socket options. */
#include "common.h"
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>

static void types(void)
{
	static const struct { int type; const char *name; } ty[] = {
		{ SOCK_STREAM, "stream" }, { SOCK_DGRAM, "dgram" }, { SOCK_SEQPACKET, "seqpacket" },
	};

	for (unsigned i = 0; i < 3; i++) {
		int sv[2], v = -1;
		socklen_t l = sizeof(v);
		struct stat st;
		char label[64];

		snprintf(label, sizeof(label), "%s socketpair", ty[i].name);
		t_ok(label, socketpair(AF_UNIX, ty[i].type, 0, sv));
		getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &l);
		t_eq("  SO_TYPE", v, ty[i].type);
		t_eq("  optlen", l, sizeof(int));
		getsockopt(sv[0], SOL_SOCKET, SO_DOMAIN, &v, &l);
		t_eq("  SO_DOMAIN", v, AF_UNIX);
		getsockopt(sv[0], SOL_SOCKET, SO_PROTOCOL, &v, &l);
		t_eq("  SO_PROTOCOL", v, 0);
		getsockopt(sv[0], SOL_SOCKET, SO_ACCEPTCONN, &v, &l);
		t_eq("  SO_ACCEPTCONN", v, 0);
		getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &v, &l);
		t_eq("  SO_ERROR", v, 0);
		t_ok("  fstat", fstat(sv[0], &st));
		t_yes("  S_ISSOCK", S_ISSOCK(st.st_mode));
		t_oct("  perm", st.st_mode & 07777, 0777);
		close(sv[0]);
		close(sv[1]);
	}
}

static void stream(void)
{
	char buf[64];
	int sv[2], n;
	struct iovec iov[3];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "abc", 3);
	write(sv[0], "defg", 4);
	n = 0;
	ioctl(sv[1], FIONREAD, &n);
	t_eq("stream FIONREAD", n, 7);
	memset(buf, 0, sizeof(buf));
	t_eq("stream peek", recv(sv[1], buf, 5, MSG_PEEK), 5);
	t_streq("stream peek data", buf, "abcde");
	memset(buf, 0, sizeof(buf));
	t_eq("stream read merges writes", read(sv[1], buf, sizeof(buf)), 7);
	t_streq("stream data", buf, "abcdefg");
	t_err("stream empty DONTWAIT", recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);
	iov[0] = (struct iovec){ (char *)"xy", 2 };
	iov[1] = (struct iovec){ (char *)"", 0 };
	iov[2] = (struct iovec){ (char *)"z!", 2 };
	t_eq("writev", writev(sv[1], iov, 3), 4);
	memset(buf, 0, sizeof(buf));
	iov[0] = (struct iovec){ buf, 1 };
	iov[1] = (struct iovec){ buf + 10, 2 };
	t_eq("readv", readv(sv[0], iov, 2), 3);
	t_yes("readv data", buf[0] == 'x' && buf[10] == 'y' && buf[11] == 'z');
	t_eq("rest", read(sv[0], buf, sizeof(buf)), 1);
	t_eq("send 0 bytes", send(sv[0], buf, 0, 0), 0);
	{
		int lowat = 4;

		/* A stream read waits for SO_RCVLOWAT bytes (non-blocking: takes less). */
		setsockopt(sv[1], SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat));
		write(sv[0], "ab", 2);
		t_eq("SO_RCVLOWAT, non-blocking short read", recv(sv[1], buf, 8, MSG_DONTWAIT), 2);
		write(sv[0], "cd", 2);
		if (fork() == 0) {
			usleep(50 * 1000);
			write(sv[0], "ef", 2);
			_exit(0);
		}
		t_eq("SO_RCVLOWAT, blocking read waits for 4", recv(sv[1], buf, 8, 0), 4);
		wait(NULL);
	}
	close(sv[0]);
	close(sv[1]);
}

static void waitall(void)
{
	int sv[2], st;
	char buf[3000];
	pid_t pid;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		for (int i = 0; i < 30; i++) {
			memset(buf, 'a' + i % 26, 100);
			write(sv[1], buf, 100);
			usleep(1000);
		}
		_exit(0);
	}
	close(sv[1]);
	t_eq("WAITALL gets all", recv(sv[0], buf, sizeof(buf), MSG_WAITALL), 3000);
	t_yes("WAITALL order", buf[0] == 'a' && buf[2999] == 'a' + 29 % 26);
	t_eq("EOF after writer exits", read(sv[0], buf, 1), 0);
	waitpid(pid, &st, 0);
	close(sv[0]);
}

static void boundaries(int type, const char *name)
{
	char buf[64], label[64];
	int sv[2], n;

	socketpair(AF_UNIX, type, 0, sv);
	send(sv[0], "hello", 5, 0);
	send(sv[0], "world!", 6, 0);
	send(sv[0], "", 0, 0);
	n = 0;
	ioctl(sv[1], FIONREAD, &n);
	/* dgram: the next message; seqpacket: everything queued (Linux) */
	snprintf(label, sizeof(label), "%s FIONREAD", name);
	t_eq(label, n, type == SOCK_DGRAM ? 5 : 11);
	snprintf(label, sizeof(label), "%s recv one message", name);
	t_eq(label, recv(sv[1], buf, sizeof(buf), 0), 5);
	snprintf(label, sizeof(label), "%s peek", name);
	t_eq(label, recv(sv[1], buf, 2, MSG_PEEK), 2);
	{
		struct iovec iov = { buf, 3 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };

		snprintf(label, sizeof(label), "%s short recvmsg", name);
		t_eq(label, recvmsg(sv[1], &m, 0), 3);
		snprintf(label, sizeof(label), "%s MSG_TRUNC flag", name);
		t_yes(label, (m.msg_flags & MSG_TRUNC) != 0);
	}
	snprintf(label, sizeof(label), "%s write of 0 bytes", name);
	t_eq(label, write(sv[0], "", 0), 0);
	snprintf(label, sizeof(label), "%s empty message", name);
	t_eq(label, recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), 0);
	snprintf(label, sizeof(label), "%s write queued an empty message too", name);
	t_eq(label, recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), 0);
	snprintf(label, sizeof(label), "%s then empty queue", name);
	t_err(label, recv(sv[1], buf, sizeof(buf), MSG_DONTWAIT), EAGAIN);
	send(sv[1], "0123456789", 10, 0);
	snprintf(label, sizeof(label), "%s recv MSG_TRUNC returns full length", name);
	t_eq(label, recv(sv[0], buf, 4, MSG_TRUNC), 10);
	close(sv[0]);
	close(sv[1]);
}

static void shutdowns(void)
{
	int sv[2], e;
	char buf[8];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "q", 1);
	t_ok("shutdown WR", shutdown(sv[0], SHUT_WR));
	t_eq("peer reads data", read(sv[1], buf, 8), 1);
	t_eq("then EOF", read(sv[1], buf, 8), 0);
	signal(SIGPIPE, SIG_IGN);
	t_err("write after SHUT_WR", write(sv[0], "x", 1), EPIPE);
	t_eq("other direction still works", write(sv[1], "yz", 2), 2);
	t_eq("read it", read(sv[0], buf, 8), 2);
	t_ok("shutdown RD", shutdown(sv[0], SHUT_RD));
	t_eq("read after SHUT_RD", read(sv[0], buf, 8), 0);
	t_err("peer write after SHUT_RD", write(sv[1], "x", 1), EPIPE);
	t_err("shutdown bad how", shutdown(sv[0], 7), EINVAL);
	close(sv[0]);
	close(sv[1]);

	/* EPIPE with SIGPIPE once the peer is gone, none with MSG_NOSIGNAL. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[1]);
	t_err("send MSG_NOSIGNAL to closed peer", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	{
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			signal(SIGPIPE, SIG_DFL);
			write(sv[0], "x", 1);
			_exit(0);
		}
		waitpid(pid, &st, 0);
		t_yes("write to closed peer kills with SIGPIPE",
		      WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);
	}
	t_eq("read after peer closed", read(sv[0], buf, 8), 0);
	close(sv[0]);

	/* Closing with unread data resets the peer. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "unread", 6);
	close(sv[1]);
	e = read(sv[0], buf, 8);
	t_err("read after peer closed with unread data", e, ECONNRESET);
	t_eq("then EOF", read(sv[0], buf, 8), 0);
	close(sv[0]);

	socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
	close(sv[1]);
	t_eq("seqpacket recv after peer closed", recv(sv[0], buf, 8, 0), 0);
	t_err("seqpacket send after peer closed", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
	close(sv[0]);
}

static void buffers(void)
{
	int sv[2], v, total = 0, n;
	socklen_t l = sizeof(v);
	static char big[65536];

	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
	getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &l);
	t_eq("default SO_SNDBUF", v, 212992);
	getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, &l);
	t_eq("default SO_RCVBUF", v, 212992);
	v = 8192;
	t_ok("set SO_SNDBUF", setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &l);
	t_eq("SO_SNDBUF doubled", v, 16384);
	v = 1;
	t_ok("set SO_SNDBUF tiny", setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &l);
	t_eq("SO_SNDBUF minimum", v, 4608);
	v = 212992;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	while ((n = (int)write(sv[0], big, sizeof(big))) > 0)
		total += n;
	t_err("nonblocking stream fills", n, EAGAIN);
	t_yes("buffered something", total > 65536);
	while ((n = (int)read(sv[1], big, sizeof(big))) > 0)
		total -= n;
	t_eq("read back all", total, 0);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	g_start();
	types();
	stream();
	waitall();
	boundaries(SOCK_DGRAM, "dgram");
	boundaries(SOCK_SEQPACKET, "seqpacket");
	shutdowns();
	buffers();
	return g_finish();
}
