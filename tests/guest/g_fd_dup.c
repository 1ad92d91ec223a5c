/* SPDX-License-Identifier: Apache-2.0 */
/* dup/dup2/dup3: lowest free number, shared file description, errors. */
#include "common.h"

int main(void)
{
	char buf[8] = "";
	int fd, d1, d2, other;

	g_start();
	fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	t_eq("first open is fd 3", fd, 3);
	write(fd, "abcdef", 6);
	d1 = dup(fd);
	t_eq("dup gives the lowest free (4)", d1, 4);
	lseek(fd, 1, SEEK_SET);
	t_eq("offset shared with the dup", lseek(d1, 0, SEEK_CUR), 1);
	read(d1, buf, 2);
	t_eq("and moved by reads on it", lseek(fd, 0, SEEK_CUR), 3);
	fcntl(fd, F_SETFL, O_APPEND);
	t_yes("status flags shared", (fcntl(d1, F_GETFL) & O_APPEND) != 0);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	t_eq("fd flags (cloexec) not shared", fcntl(d1, F_GETFD), 0);

	close(3);
	t_eq("dup fills the hole at 3", dup(d1), 3);

	other = open("g", O_RDWR | O_CREAT | O_TRUNC, 0644);
	t_eq("dup2 onto an open fd", dup2(d1, other), other);
	write(other, "Z", 1);
	struct stat sa, sb;
	fstat(other, &sa);
	stat("g", &sb);
	t_yes("the old file of that fd was closed (g stays empty)", sb.st_size == 0 && sa.st_size == 7);
	t_eq("dup2 to itself returns it", dup2(d1, d1), d1);
	t_err("dup2 to itself with a bad fd", dup2(99, 99), EBADF);
	t_err("dup3 to itself", dup3(d1, d1, 0), EINVAL);
	d2 = dup3(d1, 20, O_CLOEXEC);
	t_eq("dup3 to 20", d2, 20);
	t_eq("dup3 O_CLOEXEC", fcntl(20, F_GETFD), FD_CLOEXEC);
	t_err("dup3 bad flag", dup3(d1, 21, O_NONBLOCK), EINVAL);
	t_eq("dup2 to a high number", dup2(d1, 1000), 1000);
	t_err("dup bad fd", dup(99), EBADF);
	t_err("dup negative", dup(-1), EBADF);
	t_err("dup2 bad oldfd", dup2(99, 5), EBADF);
	t_err("dup2 to negative", dup2(d1, -1), EBADF);
	t_err("dup2 beyond RLIMIT_NOFILE", dup2(d1, 1 << 30), EBADF);

	/* closing one copy keeps the description alive */
	close(4);
	close(3);
	t_eq("still usable through fd 20", pwrite(20, "Q", 1, 0), 1);
	t_err("closed fd is gone", write(4, "x", 1), EBADF);
	t_err("close twice", close(4), EBADF);
	t_err("close -1", close(-1), EBADF);
	t_eq("next open reuses 3", open("f", O_RDONLY), 3);
	return g_finish();
}
