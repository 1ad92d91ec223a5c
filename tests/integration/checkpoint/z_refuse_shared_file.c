/* SPDX-License-Identifier: Apache-2.0 */
/* A writable MAP_SHARED map of a file (here in /tmp) is not saved yet: the
 * checkpoint is refused naming the mapping, and the process goes on with
 * its map intact. */
#include <fcntl.h>
#include <sys/mman.h>

#include "zdtm.h"

int main(void)
{
	int fd = open("/tmp/shared.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
	char *m;

	zd_init();
	if (fd < 0 || ftruncate(fd, 8192) < 0)
		return 1;
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return 1;
	memcpy(m, "mapped", 6);
	zd_ready();
	zd_wait_go();
	{
		char buf[8] = "";

		zd_check(pread(fd, buf, 6, 0) == 6 && !memcmp(buf, "mapped", 6), "the file");
	}
	zd_check(!memcmp(m, "mapped", 6), "the map");
	return zd_finish();
}
