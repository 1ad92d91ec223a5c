/* SPDX-License-Identifier: Apache-2.0 */
/* A socket node in /tmp left by a bound AF_UNIX socket, the socket itself
 * closed: the node is saved (FsEntry SOCKET) and comes back after restore;
 * the process and its other files go on. */
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "zdtm.h"

int main(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "/tmp/sock" };
	struct stat st;
	int fd, s;

	zd_init();
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	zd_check(s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0, "bind /tmp/sock");
	close(s);
	zd_check(stat("/tmp/sock", &st) == 0 && S_ISSOCK(st.st_mode), "no socket node");
	fd = open("/tmp/plain", O_WRONLY | O_CREAT, 0600);
	zd_check(fd >= 0 && write(fd, "p", 1) == 1, "create /tmp/plain");
	close(fd);
	zd_ready();
	zd_wait_go();
	zd_check(stat("/tmp/sock", &st) == 0 && S_ISSOCK(st.st_mode), "/tmp/sock lost");
	zd_check(stat("/tmp/plain", &st) == 0 && st.st_size == 1, "/tmp/plain lost");
	return zd_finish();
}
