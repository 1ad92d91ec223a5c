/* SPDX-License-Identifier: Apache-2.0 */
/* A file with two names in the root overlay (hard links are not saved: two
 * copies would not be one file): the checkpoint is refused; the process
 * goes on. */
#include <fcntl.h>
#include <sys/stat.h>

#include "zdtm.h"

int main(void)
{
	struct stat a, b;
	int fd;

	zd_init();
	fd = open("/work/one", O_WRONLY | O_CREAT, 0600);
	zd_check(fd >= 0 && write(fd, "1", 1) == 1, "create /work/one");
	close(fd);
	zd_check(link("/work/one", "/work/two") == 0, "link");
	zd_ready();
	zd_wait_go();
	zd_check(stat("/work/one", &a) == 0 && stat("/work/two", &b) == 0 && a.st_ino == b.st_ino &&
			 a.st_nlink == 2,
		 "the links are gone");
	return zd_finish();
}
