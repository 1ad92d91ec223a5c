/* SPDX-License-Identifier: Apache-2.0 */
/* AF_UNIX SOCK_DGRAM: a socket bound in /tmp with datagrams queued from a
 * sender with an abstract name and from an unnamed one (boundaries,
 * sender names, SCM_CREDENTIALS under SO_PASSCRED), a connected pair with
 * datagrams both ways (MSG_TRUNC), a thread blocked in recv() with
 * SO_RCVTIMEO; after restore both names take new datagrams. */
#include <sys/stat.h>

#include "z_unix_common.h"

/* One datagram from @s: its length, bytes in @buf, sender in @from. */
static ssize_t recv_one(int s, char *buf, size_t cap, struct sockaddr_un *from,
			socklen_t *fromlen, struct ucred *cred)
{
	char ctl[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { buf, cap };
	struct msghdr m = { from, sizeof(*from), &iov, 1, ctl, sizeof(ctl), 0 };
	ssize_t n;

	memset(from, 0, sizeof(*from));
	n = recvmsg(s, &m, MSG_DONTWAIT);
	*fromlen = m.msg_namelen;
	if (cred) {
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);

		memset(cred, 0, sizeof(*cred));
		if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
			memcpy(cred, CMSG_DATA(c), sizeof(*cred));
	}
	return n;
}

int main(void)
{
	struct sockaddr_un to, from;
	socklen_t tolen, fromlen;
	int srv, named, anon, pr[2], gone[2], on = 1;
	struct zu_blocked blk;
	struct ucred cr;
	struct stat st;
	char buf[256], big[1000];
	ssize_t n;

	zd_init();
	unlink("/tmp/zd.sock");
	srv = zu_socket(SOCK_DGRAM, "/tmp/zd.sock", -1);
	zd_check(setsockopt(srv, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == 0, "passcred");
	named = zu_socket(SOCK_DGRAM, "@zd-named", -1);
	anon = socket(AF_UNIX, SOCK_DGRAM, 0);
	tolen = zu_addr(&to, "/tmp/zd.sock");
	zd_check(sendto(named, "one", 3, 0, (struct sockaddr *)&to, tolen) == 3, "send one");
	zd_check(sendto(anon, "two22", 5, 0, (struct sockaddr *)&to, tolen) == 5, "send two");
	zd_check(sendto(named, "three", 5, 0, (struct sockaddr *)&to, tolen) == 5, "send three");
	zd_check(socketpair(AF_UNIX, SOCK_DGRAM, 0, pr) == 0, "socketpair");
	memset(big, 'b', sizeof(big));
	zd_check(send(pr[0], "x", 1, 0) == 1 && send(pr[0], big, sizeof(big), 0) == sizeof(big) &&
		 send(pr[0], "yz", 2, 0) == 2 && send(pr[1], "back", 4, 0) == 4, "pair sends");
	/* the blocked recv has a timeout: restarted, not cut short by EINTR */
	{
		struct timeval tv = { 120, 0 };

		zd_check(setsockopt(named, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0,
			 "rcvtimeo");
	}
	/* a datagram pair one side of which was closed, a datagram left */
	zd_check(socketpair(AF_UNIX, SOCK_DGRAM, 0, gone) == 0, "socketpair gone");
	zd_check(send(gone[0], "left", 4, 0) == 4, "send left");
	close(gone[0]);
	zu_block(&blk, named, 0);
	zd_ready();
	zd_wait_go();

	n = recv_one(srv, buf, sizeof(buf), &from, &fromlen, &cr);
	zd_check(n == 3 && !memcmp(buf, "one", 3), "one: %zd", n);
	zd_check(fromlen == offsetof(struct sockaddr_un, sun_path) + 9 && from.sun_path[0] == 0 &&
		 !memcmp(from.sun_path + 1, "zd-named", 8), "one's sender name (len %u)",
		 (unsigned)fromlen);
	zd_check(cr.pid == getpid() && cr.uid == getuid(), "one's credentials pid %d", cr.pid);
	n = recv_one(srv, buf, sizeof(buf), &from, &fromlen, NULL);
	zd_check(n == 5 && !memcmp(buf, "two22", 5), "two: %zd", n);
	zd_check(fromlen == 0, "two's sender is unnamed (len %u)",
		 (unsigned)fromlen);
	n = recv_one(srv, buf, sizeof(buf), &from, &fromlen, NULL);
	zd_check(n == 5 && !memcmp(buf, "three", 5), "three: %zd", n);
	n = recv_one(srv, buf, sizeof(buf), &from, &fromlen, NULL);
	zd_check(n < 0 && errno == EAGAIN, "no fourth datagram");
	/* the pair: boundaries and truncation */
	zd_check(recv(pr[1], buf, sizeof(buf), MSG_DONTWAIT) == 1 && buf[0] == 'x', "x");
	n = recv(pr[1], buf, 10, MSG_DONTWAIT | MSG_TRUNC);
	zd_check(n == (ssize_t)sizeof(big), "MSG_TRUNC gives the full length: %zd", n);
	zd_check(recv(pr[1], buf, sizeof(buf), MSG_DONTWAIT) == 2 && !memcmp(buf, "yz", 2), "yz");
	zd_check(recv(pr[0], buf, sizeof(buf), MSG_DONTWAIT) == 4 && !memcmp(buf, "back", 4),
		 "back");
	zd_check(send(pr[1], "again", 5, 0) == 5 && recv(pr[0], buf, sizeof(buf), 0) == 5,
		 "the pair after restore");
	zd_check(recv(gone[1], buf, sizeof(buf), MSG_DONTWAIT) == 4, "the datagram left");
	/* Linux: ECONNREFUSED, then ENOTCONN; the Sentry says EPIPE (its
	 * dgram socketpair shuts the survivor down): only the failure here */
	zd_check(send(gone[1], "x", 1, 0) < 0, "send to a closed peer");
	/* both names take new datagrams: the path (its node restored) and
	 * the abstract one (the blocked thread gets it) */
	zd_check(stat("/tmp/zd.sock", &st) == 0 && S_ISSOCK(st.st_mode), "the socket node");
	zd_check(sendto(anon, "four", 4, 0, (struct sockaddr *)&to, tolen) == 4, "send four: %s",
		 strerror(errno));
	n = recv(srv, buf, sizeof(buf), 0);
	zd_check(n == 4 && !memcmp(buf, "four", 4), "four: %zd", n);
	tolen = zu_addr(&to, "@zd-named");
	zd_check(sendto(anon, "wake", 4, 0, (struct sockaddr *)&to, tolen) == 4, "send wake: %s",
		 strerror(errno));
	pthread_join(blk.th, NULL);
	zd_check(blk.n == 4 && !strcmp(blk.buf, "wake"), "blocked recv: %zd errno %d", blk.n,
		 blk.err);
	return zd_finish();
}
