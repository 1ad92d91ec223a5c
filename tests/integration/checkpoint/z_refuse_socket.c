/* SPDX-License-Identifier: Apache-2.0 */
/* A socket is not saved yet: the checkpoint must fail naming it, and the
 * process must go on unaffected (the driver runs it in "refuse" mode). */
#include <sys/socket.h>

#include "zdtm.h"

int main(void)
{
	int sv[2];

	zd_init();
	zd_check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	zd_check(write(sv[0], "x", 1) == 1, "write");
	zd_ready();
	zd_wait_go();
	char c = 0;
	zd_check(read(sv[1], &c, 1) == 1 && c == 'x', "socket data lost");
	return zd_finish();
}
