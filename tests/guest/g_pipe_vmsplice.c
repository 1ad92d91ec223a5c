/* SPDX-License-Identifier: Apache-2.0 */
/* vmsplice(2): user memory into a pipe and out of it. */
#include "common.h"
#include <fcntl.h>
#include <sys/uio.h>

int main(void)
{
	int p[2];
	char one[] = "abc", two[] = "defgh", buf[32], x[4], y[16];
	struct iovec iov[2] = { { one, 3 }, { two, 5 } };
	struct iovec out[2] = { { x, 4 }, { y, 16 } };
	int fd;

	g_start();
	t_ok("pipe", pipe(p));
	t_eq("vmsplice in", vmsplice(p[1], iov, 2, 0), 8);
	memset(buf, 0, sizeof(buf));
	t_eq("read", read(p[0], buf, sizeof(buf)), 8);
	t_streq("content", buf, "abcdefgh");
	t_eq("vmsplice gift", vmsplice(p[1], iov, 1, SPLICE_F_GIFT), 3);
	t_eq("write more", write(p[1], "123456", 6), 6);
	memset(x, 0, sizeof(x));
	memset(y, 0, sizeof(y));
	t_eq("vmsplice out of the read end", vmsplice(p[0], out, 2, 0), 9);
	t_yes("first iovec", memcmp(x, "abc1", 4) == 0);
	t_streq("second iovec", y, "23456");
	t_err("empty, nonblock", vmsplice(p[0], out, 2, SPLICE_F_NONBLOCK), EAGAIN);
	t_eq("zero iovecs", vmsplice(p[1], iov, 0, 0), 0);
	t_err("bad flags", vmsplice(p[1], iov, 1, 0x100), EINVAL);
	t_err("bad fd", vmsplice(99, iov, 1, 0), EBADF);
	t_err("too many iovecs", vmsplice(p[1], iov, 5000, 0), EINVAL);
	fd = open("f", O_CREAT | O_RDWR, 0644);
	t_err("a file", vmsplice(fd, iov, 1, 0), EBADF);
	close(fd);
	t_err("bad iovec pointer", syscall(SYS_vmsplice, p[1], G_BADPTR, 1, 0), EFAULT);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	t_err("no reader", vmsplice(p[1], iov, 1, 0), EPIPE);
	return g_finish();
}
