/* SPDX-License-Identifier: Apache-2.0 */
/* close_range: ranges, CLOSE_RANGE_CLOEXEC, CLOSE_RANGE_UNSHARE, errors. */
#include "common.h"
#include <linux/close_range.h>

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

static void open_upto(int last)
{
	int fd;

	while ((fd = open("/dev/null", O_RDONLY)) < last && fd >= 0)
		;
}

int main(void)
{
	g_start();
	open_upto(12);
	t_yes("3..12 open", is_open(3) && is_open(12));
	t_ok("close_range 5..8", syscall(SYS_close_range, 5u, 8u, 0u));
	t_yes("4 open, 5..8 closed, 9 open",
	      is_open(4) && !is_open(5) && !is_open(8) && is_open(9));
	t_eq("lowest free is 5 again", open("/dev/null", O_RDONLY), 5);
	t_ok("first == last", syscall(SYS_close_range, 9u, 9u, 0u));
	t_yes("9 closed, 10 open", !is_open(9) && is_open(10));
	t_ok("range of closed fds", syscall(SYS_close_range, 100u, 200u, 0u));
	t_err("first > last", syscall(SYS_close_range, 8u, 7u, 0u), EINVAL);
	t_err("unknown flag", syscall(SYS_close_range, 3u, 4u, 0x80u), EINVAL);

	t_ok("CLOSE_RANGE_CLOEXEC 10..~0", syscall(SYS_close_range, 10u, ~0u, CLOSE_RANGE_CLOEXEC));
	t_yes("10..12 still open", is_open(10) && is_open(12));
	t_yes("with FD_CLOEXEC", fcntl(10, F_GETFD) == FD_CLOEXEC && fcntl(12, F_GETFD) == FD_CLOEXEC);
	t_eq("4 without", fcntl(4, F_GETFD), 0);

	t_ok("CLOSE_RANGE_UNSHARE", syscall(SYS_close_range, 11u, 11u, CLOSE_RANGE_UNSHARE));
	t_yes("11 closed", !is_open(11));
	t_ok("close everything from 3", syscall(SYS_close_range, 3u, ~0u, 0u));
	t_yes("3 and 12 closed", !is_open(3) && !is_open(12));
	t_yes("stdio untouched", is_open(0) && is_open(1) && is_open(2));
	t_eq("next open is 3", open("/dev/null", O_RDONLY), 3);

	/* close() of each kind */
	int p[2];
	pipe(p);
	t_ok("close pipe end", close(p[0]));
	t_err("close it again", close(p[0]), EBADF);
	t_err("close a huge number", close(1 << 30), EBADF);
	return g_finish();
}
