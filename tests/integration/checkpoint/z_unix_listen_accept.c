/* SPDX-License-Identifier: Apache-2.0 */
/* AF_UNIX listeners: one on a path in /tmp with two connections not yet
 * accepted (data already sent on them), one on an abstract name with one;
 * a thread blocked in accept() on a third, bound by a relative path in the
 * root overlay (/work), whose connection is made only after restore, by
 * its absolute path; a thread blocked in connect() on a full backlog. */
#include <sys/stat.h>

#include "z_unix_common.h"

int main(void)
{
	int l1, l2, l3, l4, c1, c2, c3, c4, a, cn;
	struct zu_blocked blk, blk_conn;
	struct sockaddr_un sa;
	socklen_t len;
	struct stat st;
	char buf[64];

	zd_init();
	unlink("/tmp/zl1.sock");
	zd_check(chdir("/work") == 0, "chdir");
	unlink("zl3.sock");
	l1 = zu_socket(SOCK_STREAM, "/tmp/zl1.sock", 8);
	l2 = zu_socket(SOCK_STREAM, "@zl2", 8);
	l3 = zu_socket(SOCK_STREAM, "zl3.sock", 8);
	c1 = zu_connect(SOCK_STREAM, "/tmp/zl1.sock");
	c2 = zu_connect(SOCK_STREAM, "/tmp/zl1.sock");
	c3 = zu_connect(SOCK_STREAM, "@zl2");
	zd_check(write(c1, "first", 5) == 5 && write(c2, "second", 6) == 6 &&
		 write(c3, "third", 5) == 5, "writes before accept");
	zu_block(&blk, l3, 1);
	/* backlog 0: a second connection waits in connect() */
	l4 = zu_socket(SOCK_STREAM, "@zl4", 0);
	c4 = zu_connect(SOCK_STREAM, "@zl4");
	zu_block_to(&blk_conn, socket(AF_UNIX, SOCK_STREAM, 0), 2, "@zl4");
	zd_ready();
	zd_wait_go();

	/* the backlog, in order, with its data */
	a = accept(l1, NULL, NULL);
	zd_check(a >= 0 && read(a, buf, sizeof(buf)) == 5 && !memcmp(buf, "first", 5),
		 "first connection");
	zd_check(write(a, "ack1", 4) == 4 && read(c1, buf, sizeof(buf)) == 4, "ack1");
	len = sizeof(sa);
	zd_check(getsockname(a, (struct sockaddr *)&sa, &len) == 0 &&
		 !strcmp(sa.sun_path, "/tmp/zl1.sock"), "accepted socket's name");
	close(a);
	a = accept(l1, NULL, NULL);
	zd_check(a >= 0 && read(a, buf, sizeof(buf)) == 6 && !memcmp(buf, "second", 6),
		 "second connection");
	close(a);
	a = accept(l2, NULL, NULL);
	zd_check(a >= 0 && read(a, buf, sizeof(buf)) == 5 && !memcmp(buf, "third", 5),
		 "third connection (abstract)");
	zd_check(write(a, "ack3", 4) == 4 && read(c3, buf, sizeof(buf)) == 4, "ack3");
	close(a);
	/* new connections by name after restore */
	cn = zu_connect(SOCK_STREAM, "@zl2");
	a = accept(l2, NULL, NULL);
	zd_check(a >= 0 && write(cn, "n", 1) == 1 && read(a, buf, 1) == 1, "new abstract");
	zd_check(stat("/work/zl3.sock", &st) == 0 && S_ISSOCK(st.st_mode), "the socket node");
	len = sizeof(sa);
	zd_check(getsockname(l3, (struct sockaddr *)&sa, &len) == 0 &&
		 !strcmp(sa.sun_path, "zl3.sock"), "the relative name");
	cn = zu_connect(SOCK_STREAM, "/work/zl3.sock");
	pthread_join(blk.th, NULL);
	zd_check(blk.n >= 0, "blocked accept: errno %d", blk.err);
	zd_check(blk.n >= 0 && write(cn, "hi", 2) == 2 && read((int)blk.n, buf, 2) == 2,
		 "the connection the blocked accept took");
	/* the connect() blocked on the full backlog completes once the
	 * queued connection is accepted */
	a = accept(l4, NULL, NULL);
	zd_check(a >= 0, "accept l4");
	pthread_join(blk_conn.th, NULL);
	zd_check(blk_conn.n == 0, "blocked connect: errno %d", blk_conn.err);
	a = accept(l4, NULL, NULL);
	zd_check(a >= 0 && write(blk_conn.fd, "c", 1) == 1 && read(a, buf, 1) == 1,
		 "the connection made by the restarted connect");
	(void)c4;
	return zd_finish();
}
