/* SPDX-License-Identifier: Apache-2.0 */
/* Files in flight (SCM_RIGHTS sent, not yet received) across the
 * checkpoint: a regular file at an offset, the read end of a pipe with
 * data, one end of a socketpair and an eventfd — each closed by the sender,
 * so the message holds the only reference — plus stdout (also still
 * open at fd 1).  After restore they are received and work. */
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

#include "z_unix_common.h"

#define NF 5

int main(void)
{
	char c = 0, buf[16];
	int sv[2], pp[2], sp[2], fds[NF], got[NF], n;
	struct stat st1, st2;
	uint64_t ev = 0;

	zd_init();
	zd_check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair sv");
	zd_check(pipe(pp) == 0 && write(pp[1], "piped", 5) == 5, "pipe");
	zd_check(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) == 0, "socketpair sp");
	fds[0] = open("/data.txt", O_RDONLY);
	zd_check(fds[0] >= 0 && lseek(fds[0], 5, SEEK_SET) == 5, "open, lseek");
	fds[1] = pp[0];
	fds[2] = sp[1];
	fds[3] = eventfd(7, 0);
	fds[4] = 1;
	zd_check(send(sp[0], "rec", 3, 0) == 3, "a record for the socket in flight");
	zd_check(zu_send_fds(sv[0], 'm', fds, NF) == 0, "sendmsg: %s", strerror(errno));
	for (int i = 0; i < NF - 1; i++)
		close(fds[i]);
	zd_ready();
	zd_wait_go();

	n = zu_recv_fds(sv[1], &c, got, NF);
	zd_check(n >= 0 && c == 'm', "recvmsg");
	zd_check(n == NF, "SCM_RIGHTS with %d descriptors", NF);
	if (n != NF)
		return zd_finish();
	zd_check(read(got[0], buf, 3) == 3 && !memcmp(buf, "567", 3), "the file at its offset");
	close(pp[1]);
	zd_check(read(got[1], buf, sizeof(buf)) == 5 && !memcmp(buf, "piped", 5), "the pipe");
	zd_check(recv(got[2], buf, sizeof(buf), 0) == 3 && !memcmp(buf, "rec", 3),
		 "the socket's record");
	zd_check(send(got[2], "back", 4, 0) == 4 && recv(sp[0], buf, sizeof(buf), 0) == 4,
		 "the socket's peer");
	zd_check(read(got[3], &ev, sizeof(ev)) == sizeof(ev) && ev == 7, "the eventfd: %llu",
		 (unsigned long long)ev);
	zd_check(fstat(got[4], &st1) == 0 && fstat(1, &st2) == 0 && st1.st_ino == st2.st_ino,
		 "stdout");
	return zd_finish();
}
