/* SPDX-License-Identifier: Apache-2.0 */
/* A loopback AF_INET socket in flight (SCM_RIGHTS), open in no fd table
 * any more: saved with its message, received after restore. */
#include <netinet/in.h>

#include "z_unix_common.h"

int main(void)
{
	char c = 0;
	int sv[2], in = socket(AF_INET, SOCK_DGRAM, 0), got = -1, type = 0;
	socklen_t tl = sizeof(type);

	zd_init();
	zd_check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && in >= 0, "socketpair, inet");
	zd_check(zu_send_fds(sv[0], 'f', &in, 1) == 0, "sendmsg");
	close(in);
	zd_ready();
	zd_wait_go();
	zd_check(zu_recv_fds(sv[1], &c, &got, 1) >= 0 && c == 'f', "recvmsg");
	zd_check(got >= 0 && getsockopt(got, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 &&
		     type == SOCK_DGRAM,
		 "the received inet socket");
	return zd_finish();
}
