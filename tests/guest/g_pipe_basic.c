/* SPDX-License-Identifier: Apache-2.0 */
/* pipe/pipe2: data flow, EOF, flags, FIONREAD, wrong-end errors. */
#include "common.h"
#include <sys/ioctl.h>
#include <sys/stat.h>

int main(void)
{
	int p[2], q[2], n;
	char buf[32];
	struct stat st;

	g_start();
	t_ok("pipe", pipe(p));
	t_yes("lowest fds 3 and 4", p[0] == 3 && p[1] == 4);
	fstat(p[0], &st);
	t_yes("S_ISFIFO", S_ISFIFO(st.st_mode));
	t_eq("write 5", write(p[1], "hello", 5), 5);
	t_ok("FIONREAD", ioctl(p[0], FIONREAD, &n));
	t_eq("FIONREAD count", n, 5);
	t_eq("partial read", read(p[0], buf, 2), 2);
	t_eq("rest", read(p[0], buf, sizeof(buf)), 3);
	t_yes("bytes in order", memcmp(buf, "llo", 3) == 0);

	t_err("read from the write end", read(p[1], buf, 1), EBADF);
	t_err("write to the read end", write(p[0], "x", 1), EBADF);
	t_err("lseek on a pipe", lseek(p[0], 0, SEEK_SET), ESPIPE);
	t_err("pread on a pipe", pread(p[0], buf, 1, 0), ESPIPE);
	t_err("pwrite on a pipe", pwrite(p[1], "x", 1, 0), ESPIPE);

	write(p[1], "xy", 2);
	close(p[1]);
	t_eq("data still readable after writer closed", read(p[0], buf, sizeof(buf)), 2);
	t_eq("then EOF", read(p[0], buf, sizeof(buf)), 0);
	t_eq("EOF again", read(p[0], buf, sizeof(buf)), 0);
	close(p[0]);

	t_ok("pipe2 O_CLOEXEC|O_NONBLOCK", pipe2(q, O_CLOEXEC | O_NONBLOCK));
	t_yes("both ends cloexec", fcntl(q[0], F_GETFD) == FD_CLOEXEC && fcntl(q[1], F_GETFD) == FD_CLOEXEC);
	t_yes("both ends nonblocking", (fcntl(q[0], F_GETFL) & O_NONBLOCK) && (fcntl(q[1], F_GETFL) & O_NONBLOCK));
	t_err("empty nonblocking read", read(q[0], buf, 1), EAGAIN);
	t_err("pipe2 bad flag", pipe2(p, O_APPEND), EINVAL);
	t_err("pipe bad pointer", syscall(SYS_pipe2, G_BADPTR, 0), EFAULT);

	/* O_DIRECT: packet mode, each write is one read */
	t_ok("pipe2 O_DIRECT", pipe2(p, O_DIRECT));
	write(p[1], "one", 3);
	write(p[1], "three", 5);
	t_eq("packet 1", read(p[0], buf, sizeof(buf)), 3);
	t_eq("packet 2", read(p[0], buf, sizeof(buf)), 5);

	/* zero-length reads and writes */
	t_eq("zero-length write", write(q[1], buf, 0), 0);
	t_eq("zero-length read on empty pipe", read(q[0], buf, 0), 0);
	/* stat the write end and the read end: same pipe */
	struct stat a, b;
	fstat(q[0], &a);
	fstat(q[1], &b);
	t_yes("both ends share an inode", a.st_ino == b.st_ino);
	t_eq("st_size of a pipe", a.st_size, 0);
	return g_finish();
}
