/* SPDX-License-Identifier: Apache-2.0 */
/* truncate/ftruncate: grow with zeros, shrink, offsets, errors. */
#include "common.h"

static long size_of(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

int main(void)
{
	char buf[16];
	int fd, ro, pfd[2];

	g_start();
	fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "abcdefgh", 8);
	t_ok("ftruncate to 4", ftruncate(fd, 4));
	t_eq("size", size_of("f"), 4);
	t_eq("offset unchanged (8)", lseek(fd, 0, SEEK_CUR), 8);
	write(fd, "Z", 1);
	t_eq("write at old offset leaves a hole", size_of("f"), 9);
	pread(fd, buf, 9, 0);
	t_yes("hole is zeros", memcmp(buf, "abcd\0\0\0\0Z", 9) == 0);

	t_ok("truncate by name to 100000", truncate("f", 100000));
	t_eq("size", size_of("f"), 100000);
	t_eq("tail reads zero", pread(fd, buf, 4, 99996), 4);
	t_yes("zeros", memcmp(buf, "\0\0\0\0", 4) == 0);
	t_ok("truncate to 0", truncate("f", 0));
	t_eq("read at 0 gives EOF", pread(fd, buf, 4, 0), 0);
	t_ok("ftruncate same size", ftruncate(fd, 0));

	t_err("negative length", ftruncate(fd, -1), EINVAL);
	t_err("truncate negative", truncate("f", -5), EINVAL);
	ro = open("f", O_RDONLY);
	t_err("ftruncate on O_RDONLY", ftruncate(ro, 10), EINVAL);
	mkdir("d", 0755);
	t_err("truncate a directory", truncate("d", 0), EISDIR);
	t_err("truncate missing", truncate("missing", 0), ENOENT);
	t_err("ftruncate bad fd", ftruncate(99, 0), EBADF);
	pipe(pfd);
	t_err("ftruncate a pipe", ftruncate(pfd[1], 0), EINVAL);
	symlink("f", "ln");
	t_ok("truncate follows symlinks", truncate("ln", 3));
	t_eq("target size", size_of("f"), 3);
	int ap = open("f", O_WRONLY | O_APPEND);
	t_ok("ftruncate on O_APPEND fd", ftruncate(ap, 1));
	t_eq("size", size_of("f"), 1);

	/* O_TRUNC on open of a file with content, and O_TRUNC|O_RDONLY */
	pwrite(fd, "12345", 5, 0);
	close(open("f", O_RDONLY | O_TRUNC));
	t_eq("O_RDONLY|O_TRUNC truncates too (Linux)", size_of("f"), 0);
	return g_finish();
}
