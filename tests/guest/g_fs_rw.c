/* SPDX-License-Identifier: Apache-2.0 */
/* read/write/lseek/pread/pwrite/readv/writev on a regular file. */
#include "common.h"
#include <limits.h>
#include <sys/uio.h>

int main(void)
{
	char buf[64];
	struct iovec iov[3];
	struct stat st;
	int fd, ro, wo;

	g_start();
	fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	t_eq("write 10", write(fd, "0123456789", 10), 10);
	t_eq("offset after write", lseek(fd, 0, SEEK_CUR), 10);
	t_eq("read at EOF", read(fd, buf, 10), 0);
	t_eq("SEEK_SET 2", lseek(fd, 2, SEEK_SET), 2);
	t_eq("read 3", read(fd, buf, 3), 3);
	t_yes("got 234", memcmp(buf, "234", 3) == 0);
	t_eq("SEEK_CUR -1", lseek(fd, -1, SEEK_CUR), 4);
	t_eq("SEEK_END -2", lseek(fd, -2, SEEK_END), 8);
	t_eq("short read at the end", read(fd, buf, 64), 2);
	t_err("SEEK to negative", lseek(fd, -100, SEEK_CUR), EINVAL);
	t_err("bad whence", lseek(fd, 0, 42), EINVAL);
	t_eq("offset unchanged after errors", lseek(fd, 0, SEEK_CUR), 10);

	/* hole: seek past the end and write */
	lseek(fd, 20, SEEK_SET);
	write(fd, "X", 1);
	fstat(fd, &st);
	t_eq("size with hole", st.st_size, 21);
	pread(fd, buf, 11, 10);
	t_yes("hole reads zeros", buf[0] == 0 && buf[9] == 0 && buf[10] == 'X');

	/* pread/pwrite leave the offset alone */
	lseek(fd, 5, SEEK_SET);
	t_eq("pwrite", pwrite(fd, "ab", 2, 0), 2);
	t_eq("pread", pread(fd, buf, 4, 0), 4);
	t_yes("pread data", memcmp(buf, "ab23", 4) == 0);
	t_eq("offset still 5", lseek(fd, 0, SEEK_CUR), 5);
	t_err("pread negative offset", pread(fd, buf, 1, -1), EINVAL);
	t_eq("pread past EOF", pread(fd, buf, 4, 1000), 0);

	/* vectors */
	lseek(fd, 0, SEEK_SET);
	char aa[] = "AA", bbb[] = "BBB";
	iov[0] = (struct iovec){ aa, 2 };
	iov[1] = (struct iovec){ NULL, 0 };
	iov[2] = (struct iovec){ bbb, 3 };
	t_eq("writev 2+0+3", writev(fd, iov, 3), 5);
	char x[2], y[4];
	iov[0] = (struct iovec){ x, 2 };
	iov[1] = (struct iovec){ y, 4 };
	lseek(fd, 0, SEEK_SET);
	t_eq("readv 2+4", readv(fd, iov, 2), 6);
	t_yes("readv scatter", memcmp(x, "AA", 2) == 0 && memcmp(y, "BBB5", 4) == 0);
	t_eq("preadv at 8", preadv(fd, iov, 1, 8), 2);
	t_err("iovcnt > IOV_MAX", syscall(SYS_readv, fd, iov, IOV_MAX + 1), EINVAL);
	t_err("negative iovcnt", syscall(SYS_readv, fd, iov, -1), EINVAL);
	t_eq("iovcnt 0", readv(fd, iov, 0), 0);
	t_eq("zero-length write", write(fd, buf, 0), 0);

	ro = open("f", O_RDONLY);
	wo = open("f", O_WRONLY);
	t_err("write on O_RDONLY", write(ro, "x", 1), EBADF);
	t_err("read on O_WRONLY", read(wo, buf, 1), EBADF);
	t_err("pwrite on O_RDONLY", pwrite(ro, "x", 1, 0), EBADF);
	t_err("read closed fd", read(99, buf, 1), EBADF);
	t_err("read directory", read(open(".", O_RDONLY), buf, 1), EISDIR);
	t_err("lseek closed fd", lseek(99, 0, SEEK_SET), EBADF);
	t_eq("lseek beyond EOF is fine", lseek(ro, 1 << 20, SEEK_SET), 1 << 20);
	return g_finish();
}
