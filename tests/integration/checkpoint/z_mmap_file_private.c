/* SPDX-License-Identifier: Apache-2.0 */
/* Private file mappings: /data.txt (root file system) mapped MAP_PRIVATE
 * read-write with one page dirtied and the others only read, the same file
 * mapped read-only at an offset, and a /tmp file (memory file system)
 * mapped privately and dirtied.  After the restore the clean pages show the
 * file, the dirty ones the private changes, the tail of the last page is
 * zero, and writes stay private (the files are unchanged). */
#include <fcntl.h>
#include <sys/mman.h>

#include "zdtm.h"

static int is_digits(const char *p, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (char)('0' + (off + i) % 10))
			return 0;
	return 1;
}

int main(void)
{
	char *rw, *ro, *tm, buf[16];
	int fd, tfd;
	long sum = 0;

	zd_init();
	fd = open("/data.txt", O_RDONLY);
	rw = mmap(NULL, 12288, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ro = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 4096);
	close(fd);
	tfd = open("/tmp/map.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
	for (int i = 0; i < 2048; i++)
		(void)!write(tfd, "tmpf", 4);
	tm = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, tfd, 0);
	if (rw == MAP_FAILED || ro == MAP_FAILED || tm == MAP_FAILED)
		return zd_say("FAIL: mmap\n"), 1;
	memcpy(rw + 5000, "PRIVATE", 7);
	for (int i = 0; i < 12288; i += 4096)
		sum += rw[i];
	memcpy(tm + 4096, "dirty", 5);
	(void)sum;
	zd_ready();
	zd_wait_go();

	zd_check(is_digits(rw, 0, 4096), "clean page 0 of the private map");
	zd_check(!memcmp(rw + 5000, "PRIVATE", 7) && is_digits(rw + 4096, 4096, 904) &&
			 is_digits(rw + 5007, 5007, 8192 - 5007),
		 "dirty page 1 of the private map");
	zd_check(is_digits(rw + 8192, 8192, 10000 - 8192), "clean page 2 of the private map");
	{
		int z = 1;

		for (int i = 10000; i < 12288; i++)
			z &= rw[i] == 0;
		zd_check(z, "the tail past the end of the file is not zero");
	}
	zd_check(is_digits(ro, 4096, 8192 - 4096 + 1808), "read-only map at offset 4096");
	zd_check(!memcmp(tm, "tmpf", 4) && !memcmp(tm + 4096, "dirty", 5) &&
			 tm[4101] == 'm' && !memcmp(tm + 8188, "tmpf", 4),
		 "the private map of the /tmp file");
	/* writes stay private */
	rw[0] = 'W';
	tm[0] = 'W';
	fd = open("/data.txt", O_RDONLY);
	zd_check(pread(fd, buf, 8, 5000) == 8 && is_digits(buf, 5000, 8), "/data.txt changed");
	zd_check(pread(fd, buf, 1, 0) == 1 && buf[0] == '0', "a private write reached the file");
	zd_check(pread(tfd, buf, 8, 4096) == 8 && !memcmp(buf, "tmpftmpf", 8),
		 "/tmp/map.txt changed");
	zd_check(pread(tfd, buf, 1, 0) == 1 && buf[0] == 't', "a private write reached /tmp/map.txt");
	return zd_finish();
}
