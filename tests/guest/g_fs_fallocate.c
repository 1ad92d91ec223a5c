/* SPDX-License-Identifier: Apache-2.0 */
/* fallocate: sizes, KEEP_SIZE, punched holes read as zeros; fadvise, readahead. */
#include "common.h"
#include <fcntl.h>
#include <linux/falloc.h>

static void size_is(const char *label, int fd, long want)
{
	struct stat st;

	fstat(fd, &st);
	t_eq(label, (long)st.st_size, want);
}

int main(void)
{
	char buf[8192], zero[4096];
	int fd, p[2], ok = 1;

	g_start();
	memset(zero, 0, sizeof(zero));
	fd = open("f", O_CREAT | O_RDWR, 0644);
	t_yes("open", fd >= 0);
	t_ok("allocate 10000", fallocate(fd, 0, 0, 10000));
	size_is("size grew", fd, 10000);
	t_eq("reads zeros", pread(fd, buf, 100, 5000), 100);
	t_yes("all zero", memcmp(buf, zero, 100) == 0);
	t_ok("allocate inside", fallocate(fd, 0, 100, 100));
	size_is("size unchanged", fd, 10000);
	t_ok("keep size past the end", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 50000));
	size_is("size kept", fd, 10000);
	memset(buf, 'x', sizeof(buf));
	t_eq("fill", pwrite(fd, buf, 8192, 0), 8192);
	t_ok("punch hole", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1000, 3000));
	size_is("punch keeps the size", fd, 10000);
	t_eq("read back", pread(fd, buf, 8192, 0), 8192);
	for (int i = 0; i < 8192; i++)
		if (buf[i] != ((i >= 1000 && i < 4000) ? 0 : 'x'))
			ok = 0;
	t_yes("hole zeros, rest intact", ok);
	t_ok("punch past the end", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 9000, 5000));
	size_is("still 10000", fd, 10000);
	t_err("punch without keep size", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 10), EOPNOTSUPP);
	t_err("zero length", fallocate(fd, 0, 0, 0), EINVAL);
	t_err("negative offset", fallocate(fd, 0, -1, 10), EINVAL);
	t_err("unknown mode", fallocate(fd, 0x4000, 0, 10), EOPNOTSUPP);
	t_err("too large", fallocate(fd, 0, 0x7fffffffffffffffL, 10), EFBIG);
	close(fd);
	fd = open("f", O_RDONLY);
	t_err("read-only fd", fallocate(fd, 0, 0, 10), EBADF);
	t_ok("fadvise", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL));
	t_eq("fadvise bad advice", posix_fadvise(fd, 0, 0, 99), EINVAL);
	t_ok("readahead", readahead(fd, 0, 4096));
	close(fd);
	t_ok("mkdir", mkdir("d", 0755));
	fd = open("d", O_RDONLY);
	t_err("readahead of a directory", readahead(fd, 0, 10), EINVAL);
	close(fd);
	t_ok("pipe", pipe(p));
	t_err("pipe", fallocate(p[1], 0, 0, 10), ESPIPE);
	t_eq("fadvise on a pipe", posix_fadvise(p[0], 0, 0, POSIX_FADV_NORMAL), ESPIPE);
	t_eq("fadvise bad fd", posix_fadvise(99, 0, 0, POSIX_FADV_NORMAL), EBADF);
	return g_finish();
}
