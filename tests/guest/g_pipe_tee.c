/* SPDX-License-Identifier: Apache-2.0 */
/* tee(2): duplicate pipe data without consuming it; errors; nonblocking. */
#include "common.h"
#include <fcntl.h>
#include <sys/wait.h>

int main(void)
{
	int a[2], b[2], c[2];
	char buf[64];
	int fd;

	g_start();
	t_ok("pipe a", pipe(a));
	t_ok("pipe b", pipe(b));
	t_eq("write a", write(a[1], "hello, tee", 10), 10);
	t_eq("tee a->b", tee(a[0], b[1], 100, 0), 10);
	memset(buf, 0, sizeof(buf));
	t_eq("b has the bytes", read(b[0], buf, sizeof(buf)), 10);
	t_streq("b content", buf, "hello, tee");
	memset(buf, 0, sizeof(buf));
	t_eq("a still has them", read(a[0], buf, 5), 5);
	t_streq("a first part", buf, "hello");
	t_eq("tee the rest, limited", tee(a[0], b[1], 3, 0), 3);
	memset(buf, 0, sizeof(buf));
	t_eq("b gets 3", read(b[0], buf, sizeof(buf)), 3);
	t_streq("b part", buf, ", t");
	memset(buf, 0, sizeof(buf));
	t_eq("a rest", read(a[0], buf, sizeof(buf)), 5);
	t_streq("a rest content", buf, ", tee");

	t_err("empty, nonblock", tee(a[0], b[1], 10, SPLICE_F_NONBLOCK), EAGAIN);
	t_eq("zero length", tee(a[0], b[1], 0, 0), 0);
	t_err("same pipe", tee(a[0], a[1], 10, 0), EINVAL);
	t_err("wrong direction", tee(a[1], b[0], 10, 0), EBADF);
	t_err("bad fd", tee(99, b[1], 10, 0), EBADF);
	t_err("bad flags", tee(a[0], b[1], 10, 0x100), EINVAL);
	fd = open("f", O_CREAT | O_RDWR, 0644);
	t_err("a file is not a pipe", tee(fd, b[1], 10, 0), EINVAL);
	close(fd);

	/* blocking: the child writes later */
	t_ok("pipe c", pipe(c));
	if (fork() == 0) {
		usleep(30000);
		write(a[1], "late", 4);
		_exit(0);
	}
	t_eq("blocking tee", tee(a[0], c[1], 64, 0), 4);
	wait(NULL);
	memset(buf, 0, sizeof(buf));
	t_eq("c read", read(c[0], buf, sizeof(buf)), 4);
	t_streq("c content", buf, "late");
	close(a[1]);
	memset(buf, 0, sizeof(buf));
	t_eq("a still holds late", read(a[0], buf, sizeof(buf)), 4);
	t_eq("EOF: tee returns 0", tee(a[0], b[1], 10, 0), 0);
	return g_finish();
}
