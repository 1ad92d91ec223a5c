/* SPDX-License-Identifier: Apache-2.0 */
/* A FIFO in /tmp (in-memory file system objects other than directories,
 * regular files and symlinks are not saved): the checkpoint is refused
 * naming it; the process and its files go on. */
#include <fcntl.h>
#include <sys/stat.h>

#include "zdtm.h"

int main(void)
{
	struct stat st;
	int fd;

	zd_init();
	zd_check(mkfifo("/tmp/fifo", 0600) == 0, "mkfifo /tmp/fifo");
	fd = open("/tmp/plain", O_WRONLY | O_CREAT, 0600);
	zd_check(fd >= 0 && write(fd, "p", 1) == 1, "create /tmp/plain");
	close(fd);
	zd_ready();
	zd_wait_go();
	zd_check(stat("/tmp/fifo", &st) == 0 && S_ISFIFO(st.st_mode), "/tmp/fifo lost");
	zd_check(stat("/tmp/plain", &st) == 0 && st.st_size == 1, "/tmp/plain lost");
	return zd_finish();
}
