/* SPDX-License-Identifier: Apache-2.0 */
/* AF_UNIX ancillary data: SCM_RIGHTS (a pipe end passed to another
 * process, MSG_CTRUNC, MSG_CMSG_CLOEXEC, MSG_PEEK, bad fds) and
 * SCM_CREDENTIALS with SO_PASSCRED. */
#include "common.h"
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>

static int send_fds(int s, const int *fds, int n, const char *data)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 8)];
	struct iovec iov = { (void *)data, strlen(data) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	memset(cbuf, 0, sizeof(cbuf));
	m.msg_control = cbuf;
	m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
	return (int)sendmsg(s, &m, 0);
}

/* Receive with a control buffer of @clen bytes; the fds found go to
 * @fds (up to 8), their count is returned in *@nfds. */
static long recv_fds(int s, char *buf, size_t len, size_t clen, int flags, int *fds, int *nfds,
		     int *msg_flags)
{
	char cbuf[256];
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	long r;

	memset(cbuf, 0, sizeof(cbuf));
	m.msg_control = clen ? cbuf : NULL;
	m.msg_controllen = clen;
	r = recvmsg(s, &m, flags);
	*nfds = 0;
	*msg_flags = m.msg_flags;
	if (r < 0)
		return r;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));

			for (int i = 0; i < n && *nfds < 8; i++)
				memcpy(&fds[(*nfds)++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
		}
	return r;
}

static int open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 64; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

static void pass_pipe(void)
{
	int sv[2], p[2], st;
	pid_t pid;
	char buf[32];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	pid = fork();
	if (pid == 0) {
		int fds[8], n, fl;

		close(sv[0]);
		close(p[0]);
		close(p[1]);
		if (recv_fds(sv[1], buf, sizeof(buf), 256, 0, fds, &n, &fl) != 4 || n != 1)
			_exit(2);
		if (write(fds[0], "via scm", 7) != 7)
			_exit(3);
		_exit(0);
	}
	close(sv[1]);
	t_eq("sendmsg SCM_RIGHTS", send_fds(sv[0], &p[1], 1, "pipe"), 4);
	close(p[1]);
	waitpid(pid, &st, 0);
	t_eq("child wrote through the passed fd", WEXITSTATUS(st), 0);
	memset(buf, 0, sizeof(buf));
	t_eq("read pipe", read(p[0], buf, sizeof(buf)), 7);
	t_streq("data", buf, "via scm");
	t_eq("EOF: every write end closed", read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
	close(sv[0]);
}

static void truncation(void)
{
	int sv[2], p[2], fds[8], n, fl, before;
	char buf[32];

	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	pipe(p);
	before = open_fds();
	{
		int three[3] = { p[0], p[1], p[0] };

		t_eq("send three fds", send_fds(sv[0], three, 3, "x"), 1);
	}
	t_eq("recv with room for one", recv_fds(sv[1], buf, sizeof(buf), CMSG_LEN(sizeof(int)), 0,
					       fds, &n, &fl), 1);
	t_eq("fds received", n, 1);
	t_yes("MSG_CTRUNC", (fl & MSG_CTRUNC) != 0);
	t_eq("one new fd", open_fds(), before + 1);
	close(fds[0]);

	send_fds(sv[0], p, 2, "y");
	t_eq("recv without control buffer", recv_fds(sv[1], buf, sizeof(buf), 0, 0, fds, &n, &fl),
	     1);
	t_yes("MSG_CTRUNC", (fl & MSG_CTRUNC) != 0);
	t_eq("no new fds", open_fds(), before);

	send_fds(sv[0], p, 2, "z");
	t_eq("peek", recv_fds(sv[1], buf, sizeof(buf), 256, MSG_PEEK, fds, &n, &fl), 1);
	t_eq("peek installs fds", n, 2);
	close(fds[0]);
	close(fds[1]);
	t_eq("recv CMSG_CLOEXEC", recv_fds(sv[1], buf, sizeof(buf), 256, MSG_CMSG_CLOEXEC, fds, &n,
					   &fl), 1);
	t_eq("  two fds", n, 2);
	t_yes("  no MSG_CTRUNC", (fl & MSG_CTRUNC) == 0);
	t_eq("  FD_CLOEXEC", fcntl(fds[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	t_yes("  same pipe", write(fds[1], "k", 1) == 1 && read(p[0], buf, 1) == 1);
	close(fds[0]);
	close(fds[1]);

	{
		int bad = 999;

		t_err("SCM_RIGHTS bad fd", send_fds(sv[0], &bad, 1, "b"), EBADF);
	}
	{
		char cbuf[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { (char *)"c", 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);

		memset(cbuf, 0, sizeof(cbuf));
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = sizeof(cbuf) + 8;
		t_err("cmsg_len past the buffer", sendmsg(sv[0], &m, 0), EINVAL);
		c->cmsg_len = CMSG_LEN(sizeof(int));
		c->cmsg_type = 77;
		t_err("unknown SOL_SOCKET cmsg", sendmsg(sv[0], &m, 0), EINVAL);
	}
	t_err("nothing queued by the failures", recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);
	t_eq("fd count back", open_fds(), before);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void creds(void)
{
	int sv[2], on = 1, v = 0;
	socklen_t l = sizeof(v);
	char buf[32], cbuf[256];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	struct ucred uc;
	pid_t pid;
	int st;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	send(sv[0], "a", 1, 0);
	t_eq("without SO_PASSCRED", recvmsg(sv[1], &m, 0), 1);
	t_eq("  no control data", m.msg_controllen, 0);
	t_ok("SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &l);
	t_eq("  reads back", v, 1);
	pid = fork();
	if (pid == 0) {
		send(sv[0], "from child", 10, 0);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	send(sv[0], "from parent", 11, 0);
	m.msg_controllen = sizeof(cbuf);
	t_eq("first sender only", recvmsg(sv[1], &m, 0), 10);
	c = CMSG_FIRSTHDR(&m);
	t_yes("SCM_CREDENTIALS", c && c->cmsg_level == SOL_SOCKET &&
				       c->cmsg_type == SCM_CREDENTIALS &&
				       c->cmsg_len == CMSG_LEN(sizeof(uc)));
	memcpy(&uc, CMSG_DATA(c), sizeof(uc));
	t_yes("  child's pid", uc.pid == pid);
	t_yes("  uid/gid", uc.uid == getuid() && uc.gid == getgid());
	m.msg_controllen = sizeof(cbuf);
	t_eq("second sender", recvmsg(sv[1], &m, 0), 11);
	c = CMSG_FIRSTHDR(&m);
	memcpy(&uc, CMSG_DATA(c), sizeof(uc));
	t_yes("  own pid", uc.pid == getpid());

	/* Explicit credentials, as the sender's own. */
	{
		char sb[CMSG_SPACE(sizeof(struct ucred))];
		struct iovec si = { (char *)"e", 1 };
		struct msghdr sm = { .msg_iov = &si, .msg_iovlen = 1, .msg_control = sb,
				     .msg_controllen = sizeof(sb) };
		struct cmsghdr *h = CMSG_FIRSTHDR(&sm);
		struct ucred mine = { getpid(), getuid(), getgid() };

		memset(sb, 0, sizeof(sb));
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_CREDENTIALS;
		h->cmsg_len = CMSG_LEN(sizeof(mine));
		memcpy(CMSG_DATA(h), &mine, sizeof(mine));
		t_eq("send SCM_CREDENTIALS", sendmsg(sv[0], &sm, 0), 1);
		h->cmsg_len = CMSG_LEN(sizeof(mine) - 1);
		t_err("short SCM_CREDENTIALS", sendmsg(sv[0], &sm, 0), EINVAL);
	}
	m.msg_controllen = sizeof(cbuf);
	t_eq("recv", recvmsg(sv[1], &m, 0), 1);
	c = CMSG_FIRSTHDR(&m);
	t_yes("  credentials", c && c->cmsg_type == SCM_CREDENTIALS);
	m.msg_controllen = 4;
	send(sv[0], "t", 1, 0);
	t_eq("tiny control buffer", recvmsg(sv[1], &m, 0), 1);
	t_yes("  MSG_CTRUNC", (m.msg_flags & MSG_CTRUNC) != 0);
	close(sv[0]);
	close(sv[1]);
}

/* Sockets that only reach each other through queued SCM_RIGHTS messages
 * are garbage: the collector (run when a unix socket is released) drops
 * their queues, and with them a pipe end sent along. */
static void collect_cycle(void)
{
	int sv[2], p[2], c;
	struct pollfd pf;
	char buf[4];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	{
		int two[2] = { sv[0], p[1] };

		send_fds(sv[0], two, 2, "a"); /* sv[0] in sv[1]'s queue */
	}
	send_fds(sv[1], &sv[1], 1, "b"); /* sv[1] in sv[0]'s queue */
	close(sv[0]);
	close(sv[1]);
	close(p[1]);
	c = socket(AF_UNIX, SOCK_DGRAM, 0);
	close(c); /* a release: the collector runs (asynchronously on Linux) */
	pf.fd = p[0];
	pf.events = POLLIN;
	t_eq("pipe readable once the cycle is collected", poll(&pf, 1, 5000), 1);
	t_eq("EOF: the write end in flight is gone", read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
}

int main(void)
{
	g_start();
	pass_pipe();
	truncation();
	creds();
	collect_cycle();
	return g_finish();
}
