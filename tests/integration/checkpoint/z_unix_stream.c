/* SPDX-License-Identifier: Apache-2.0 */
/* AF_UNIX SOCK_STREAM: socketpairs with data queued both ways (a write of
 * 100,000 bytes partly read), shutdown(SHUT_WR), options (O_NONBLOCK,
 * SO_SNDBUF, SO_RCVBUF, SO_RCVTIMEO, SO_SNDTIMEO, SO_PASSCRED), a pair made
 * by connect/accept on a name in /tmp (names, SO_PEERCRED, a new
 * connection after restore), and a thread blocked in recv() across the
 * checkpoint. */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "z_unix_common.h"

#define BIG 100000

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 % 251);
}

int main(void)
{
	static unsigned char big[BIG], got[BIG];
	struct timeval tv = { 7, 500000 }, tv2;
	struct sockaddr_un a;
	struct ucred cr;
	socklen_t len;
	int p[2], q[2], r[2], d[2], lst, cli, acc, sndbuf, rcvbuf, n;
	struct zu_blocked blk;
	struct stat st;
	char buf[64];

	zd_init();
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < BIG; i++)
		big[i] = pattern(i);
	zd_check(socketpair(AF_UNIX, SOCK_STREAM, 0, p) == 0, "socketpair p");
	zd_check(socketpair(AF_UNIX, SOCK_STREAM, 0, q) == 0, "socketpair q");
	zd_check(socketpair(AF_UNIX, SOCK_STREAM, 0, r) == 0, "socketpair r");
	zd_check(write(p[0], big, BIG) == BIG, "write big");
	zd_check(write(p[1], "hello", 5) == 5, "write hello");
	zd_check(zu_read_full(p[1], got, 10) == 0 && !memcmp(got, big, 10), "first 10 bytes");
	zd_check(write(q[0], "bye", 3) == 3, "write bye");
	zd_check(shutdown(q[0], SHUT_WR) == 0, "shutdown");
	zd_check(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0, "O_NONBLOCK");
	sndbuf = 65536;
	zd_check(setsockopt(p[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) == 0, "sndbuf");
	sndbuf = zu_getint(p[0], SO_SNDBUF);
	rcvbuf = 20000;
	zd_check(setsockopt(p[1], SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) == 0, "rcvbuf");
	rcvbuf = zu_getint(p[1], SO_RCVBUF);
	zd_check(setsockopt(p[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0, "sndtimeo");
	zd_check(setsockopt(p[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, "rcvtimeo");
	n = 1;
	zd_check(setsockopt(q[1], SOL_SOCKET, SO_PASSCRED, &n, sizeof(n)) == 0, "passcred");
	/* connect/accept on a path name */
	unlink("/tmp/zs.sock");
	lst = zu_socket(SOCK_STREAM, "/tmp/zs.sock", 4);
	cli = zu_connect(SOCK_STREAM, "/tmp/zs.sock");
	acc = accept(lst, NULL, NULL);
	zd_check(acc >= 0, "accept: %s", strerror(errno));
	zd_check(write(cli, "c2a", 3) == 3 && write(acc, "a2c!", 4) == 4, "write c2a/a2c");
	/* data from a peer that closed since: read, then end of file */
	zd_check(socketpair(AF_UNIX, SOCK_STREAM, 0, d) == 0, "socketpair d");
	zd_check(write(d[0], "last words", 10) == 10, "last words");
	close(d[0]);
	/* a node a closed socket left behind */
	unlink("/tmp/zs-left.sock");
	close(zu_socket(SOCK_STREAM, "/tmp/zs-left.sock", 1));
	zu_block(&blk, r[1], 0);
	zd_ready();
	zd_wait_go();

	/* p: the rest of the big write, in order; "hello" the other way */
	zd_check(zu_read_full(p[1], got + 10, BIG - 10) == 0 && !memcmp(got, big, BIG),
		 "big data after restore");
	zd_check(read(p[1], buf, 1) < 0 && errno == EAGAIN, "p[1] empty and nonblocking (%s)",
		 strerror(errno));
	zd_check(read(p[0], buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5), "hello");
	zd_check(fcntl(p[1], F_GETFL) & O_NONBLOCK, "O_NONBLOCK kept");
	zd_check(zu_getint(p[0], SO_SNDBUF) == sndbuf, "SO_SNDBUF %d, want %d",
		 zu_getint(p[0], SO_SNDBUF), sndbuf);
	zd_check(zu_getint(p[1], SO_RCVBUF) == rcvbuf, "SO_RCVBUF %d, want %d",
		 zu_getint(p[1], SO_RCVBUF), rcvbuf);
	len = sizeof(tv2);
	zd_check(getsockopt(p[1], SOL_SOCKET, SO_RCVTIMEO, &tv2, &len) == 0 && tv2.tv_sec == 7 &&
		 tv2.tv_usec == 500000, "SO_RCVTIMEO kept");
	len = sizeof(tv2);
	zd_check(getsockopt(p[0], SOL_SOCKET, SO_SNDTIMEO, &tv2, &len) == 0 && tv2.tv_sec == 7 &&
		 tv2.tv_usec == 500000, "SO_SNDTIMEO kept");
	zd_check(zu_getint(lst, SO_ACCEPTCONN) == 1 && zu_getint(acc, SO_ACCEPTCONN) == 0,
		 "SO_ACCEPTCONN");
	zd_check(zu_getint(p[0], SO_TYPE) == SOCK_STREAM, "SO_TYPE");
	zd_check(zu_getint(q[1], SO_PASSCRED) == 1, "SO_PASSCRED kept");
	/* q: data then end of file; q[0] cannot send any more */
	zd_check(read(q[1], buf, sizeof(buf)) == 3 && !memcmp(buf, "bye", 3), "bye");
	zd_check(read(q[1], buf, sizeof(buf)) == 0, "EOF after shutdown");
	zd_check(send(q[0], "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE, "EPIPE after shutdown");
	zd_check(write(q[1], "back", 4) == 4 && read(q[0], buf, sizeof(buf)) == 4,
		 "the other direction stays open");
	zd_check(read(d[1], buf, sizeof(buf)) == 10 && !memcmp(buf, "last words", 10),
		 "data of a closed peer");
	zd_check(read(d[1], buf, sizeof(buf)) == 0, "then EOF");
	zd_check(send(d[1], "x", 1, MSG_NOSIGNAL) < 0 && errno == EPIPE, "EPIPE to a closed peer");
	/* the thread blocked in recv gets what is sent now */
	zd_check(write(r[0], "after", 5) == 5, "write after");
	pthread_join(blk.th, NULL);
	zd_check(blk.n == 5 && !strcmp(blk.buf, "after"), "blocked recv: %zd errno %d",
		 blk.n, blk.err);
	/* the accepted pair and the names */
	zd_check(read(acc, buf, sizeof(buf)) == 3 && !memcmp(buf, "c2a", 3), "c2a");
	zd_check(read(cli, buf, sizeof(buf)) == 4 && !memcmp(buf, "a2c!", 4), "a2c");
	len = sizeof(a);
	zd_check(getsockname(acc, (struct sockaddr *)&a, &len) == 0 &&
		 !strcmp(a.sun_path, "/tmp/zs.sock"), "getsockname(accepted)");
	len = sizeof(a);
	zd_check(getpeername(cli, (struct sockaddr *)&a, &len) == 0 &&
		 !strcmp(a.sun_path, "/tmp/zs.sock"), "getpeername(client)");
	len = sizeof(cr);
	zd_check(getsockopt(cli, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0 && cr.pid == getpid(),
		 "SO_PEERCRED pid %d", cr.pid);
	zd_check(stat("/tmp/zs.sock", &st) == 0 && S_ISSOCK(st.st_mode), "the socket node");
	zd_check(stat("/tmp/zs-left.sock", &st) == 0 && S_ISSOCK(st.st_mode), "the node left");
	len = zu_addr(&a, "/tmp/zs-left.sock");
	n = socket(AF_UNIX, SOCK_STREAM, 0);
	zd_check(connect(n, (struct sockaddr *)&a, len) < 0 && errno == ECONNREFUSED,
		 "connect to the node left: %s", strerror(errno));
	close(cli);
	zd_check(read(acc, buf, sizeof(buf)) == 0, "EOF once the client closed");
	/* the listener still takes connections by its path */
	cli = zu_connect(SOCK_STREAM, "/tmp/zs.sock");
	acc = accept(lst, NULL, NULL);
	zd_check(acc >= 0 && write(cli, "new", 3) == 3 && read(acc, buf, sizeof(buf)) == 3,
		 "a new connection after restore");
	return zd_finish();
}
