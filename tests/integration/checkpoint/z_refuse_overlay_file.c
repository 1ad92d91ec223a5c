/* SPDX-License-Identifier: Apache-2.0 */
/* A file written into the root overlay (its memory upper layer is not saved
 * yet): the checkpoint is refused rather
 * than losing it; the process goes on. */
#include <fcntl.h>

#include "zdtm.h"

int main(void)
{
	int fd;
	char c = 0;

	zd_init();
	fd = open("/work/kept", O_RDWR | O_CREAT | O_TRUNC, 0600);
	zd_check(fd >= 0 && write(fd, "k", 1) == 1, "create /work/kept");
	close(fd);
	zd_ready();
	zd_wait_go();
	fd = open("/work/kept", O_RDONLY);
	zd_check(fd >= 0 && read(fd, &c, 1) == 1 && c == 'k', "/work/kept lost");
	return zd_finish();
}
