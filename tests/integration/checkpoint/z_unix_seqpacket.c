/* SPDX-License-Identifier: Apache-2.0 */
/* AF_UNIX SOCK_SEQPACKET: a socketpair with records queued both ways
 * (boundaries, MSG_TRUNC) and one side shut down for writing; a listener
 * on an abstract name with an accepted connection and a pending one; a
 * thread blocked in recv(); a child process blocked in recv() on a pair
 * shared with its parent. */
#include <sys/wait.h>

#include "z_unix_common.h"

int main(void)
{
	int p[2], l, c1, c2, a1, a2, q[2], k[2], st = -1;
	pid_t child;
	struct zu_blocked blk;
	char buf[2048], rec[1500];
	struct msghdr m;
	struct iovec iov;
	ssize_t n;

	zd_init();
	memset(rec, 'r', sizeof(rec));
	zd_check(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, p) == 0, "socketpair");
	zd_check(send(p[0], "a", 1, 0) == 1 && send(p[0], rec, sizeof(rec), 0) == sizeof(rec) &&
		 send(p[0], "ccc", 3, 0) == 3, "records a, r*1500, ccc");
	zd_check(send(p[1], "up", 2, 0) == 2, "record up");
	zd_check(shutdown(p[0], SHUT_WR) == 0, "shutdown");
	l = zu_socket(SOCK_SEQPACKET, "@zq-listen", 4);
	c1 = zu_connect(SOCK_SEQPACKET, "@zq-listen");
	a1 = accept(l, NULL, NULL);
	zd_check(a1 >= 0 && send(c1, "to-a1", 5, 0) == 5 && send(a1, "to-c1", 5, 0) == 5,
		 "accepted pair");
	c2 = zu_connect(SOCK_SEQPACKET, "@zq-listen");
	zd_check(send(c2, "pending", 7, 0) == 7, "pending connection's record");
	zd_check(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, q) == 0, "socketpair q");
	zu_block(&blk, q[1], 0);
	zd_check(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, k) == 0, "socketpair k");
	child = fork();
	if (child == 0) {
		n = recv(k[1], buf, sizeof(buf), 0);
		_exit(n == 5 && !memcmp(buf, "child", 5) && send(k[1], "ok", 2, 0) == 2 ? 0 : 1);
	}
	zd_ready();
	zd_wait_go();

	zd_check(recv(p[1], buf, sizeof(buf), 0) == 1 && buf[0] == 'a', "record a");
	memset(&m, 0, sizeof(m));
	iov.iov_base = buf;
	iov.iov_len = 100;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	n = recvmsg(p[1], &m, 0);
	zd_check(n == 100 && (m.msg_flags & MSG_TRUNC), "record r truncated: %zd flags %x", n,
		 m.msg_flags);
	zd_check(recv(p[1], buf, sizeof(buf), 0) == 3 && !memcmp(buf, "ccc", 3), "record ccc");
	zd_check(recv(p[1], buf, sizeof(buf), 0) == 0, "end after shutdown");
	zd_check(recv(p[0], buf, sizeof(buf), 0) == 2 && !memcmp(buf, "up", 2), "record up");
	zd_check(send(p[0], "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE, "EPIPE after shutdown");
	zd_check(recv(a1, buf, sizeof(buf), 0) == 5 && !memcmp(buf, "to-a1", 5), "to-a1");
	zd_check(recv(c1, buf, sizeof(buf), 0) == 5 && !memcmp(buf, "to-c1", 5), "to-c1");
	a2 = accept(l, NULL, NULL);
	zd_check(a2 >= 0 && recv(a2, buf, sizeof(buf), 0) == 7 && !memcmp(buf, "pending", 7),
		 "the pending connection");
	zd_check(send(a2, "re", 2, 0) == 2 && recv(c2, buf, sizeof(buf), 0) == 2, "reply");
	zd_check(send(q[0], "wake", 4, 0) == 4, "send wake");
	pthread_join(blk.th, NULL);
	zd_check(blk.n == 4 && !strcmp(blk.buf, "wake"), "blocked recv: %zd errno %d", blk.n,
		 blk.err);
	zd_check(send(k[0], "child", 5, 0) == 5, "send child");
	zd_check(recv(k[0], buf, sizeof(buf), 0) == 2, "the child's reply");
	zd_check(waitpid(child, &st, 0) == child && st == 0, "child status 0x%x", st);
	return zd_finish();
}
