/* SPDX-License-Identifier: Apache-2.0 */
/* posix_fadvise (fadvise64): accepted hints and Linux's errors. */
#include "common.h"

int main(void)
{
	int fd, p[2];

	g_start();
	g_write_file("f", "some data\n");
	fd = open("f", O_RDONLY);
	t_eq("WILLNEED on a file", posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED), 0);
	t_eq("DONTNEED on a range", posix_fadvise(fd, 2, 4, POSIX_FADV_DONTNEED), 0);
	t_eq("NOREUSE", posix_fadvise(fd, 0, 0, POSIX_FADV_NOREUSE), 0);
	t_eq("bad advice", posix_fadvise(fd, 0, 0, 99), EINVAL);
	t_eq("negative length", posix_fadvise(fd, 0, -1, POSIX_FADV_NORMAL), EINVAL);
	close(fd);
	t_eq("closed fd", posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL), EBADF);
	t_eq("fd -1", posix_fadvise(-1, 0, 0, POSIX_FADV_NORMAL), EBADF);
	fd = open(".", O_RDONLY | O_DIRECTORY);
	t_eq("a directory", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL), 0);
	close(fd);
	fd = open("f", O_PATH);
	t_eq("O_PATH", posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL), EBADF);
	close(fd);
	t_ok("pipe", pipe(p));
	t_eq("on a pipe", posix_fadvise(p[0], 0, 0, POSIX_FADV_NORMAL), ESPIPE);
	t_eq("pipe, bad advice", posix_fadvise(p[1], 0, 0, 99), ESPIPE);
	fd = open("/dev/null", O_RDONLY);
	t_eq("/dev/null", posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM), 0);
	return g_finish();
}
