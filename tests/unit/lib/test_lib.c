/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/fdutil.h"
#include "lib/macro.h"

static int same_file(int a, int b)
{
	struct stat x, y;

	return fstat(a, &x) == 0 && fstat(b, &y) == 0 && x.st_ino == y.st_ino &&
	       x.st_dev == y.st_dev;
}

static void test_fd_pass(void **state)
{
	int sv[2], p[2], got[4];
	size_t n = 0;
	char buf[8];
	int before;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	before = fd_count_open();
	assert_int_equal(fd_send(sv[0], "hi", 2, p, 2), 2);
	assert_int_equal(fd_recv(sv[1], buf, sizeof(buf), got, 4, &n), 2);
	assert_int_equal(n, 2);
	assert_memory_equal(buf, "hi", 2);
	assert_true(same_file(got[0], p[0]));
	assert_true(same_file(got[1], p[1]));
	assert_true(fcntl(got[0], F_GETFD) & FD_CLOEXEC);
	assert_int_equal(fd_count_open(), before + 2);
	close(got[0]);
	close(got[1]);

	/* More fds than the caller accepts: all closed, -EPROTO, no leak. */
	assert_int_equal(fd_send(sv[0], "x", 1, p, 2), 1);
	assert_int_equal(fd_recv(sv[1], buf, sizeof(buf), got, 1, &n), -EPROTO);
	assert_int_equal(fd_count_open(), before);

	/* Bad arguments. */
	assert_int_equal(fd_send(sv[0], "x", 0, p, 1), -EINVAL);
	assert_int_equal(fd_send(sv[0], "x", 1, p, FD_PASS_MAX + 1), -EINVAL);
	assert_int_equal(fd_send(-1, "x", 1, NULL, 0), -EBADF);

	/* EOF. */
	close(sv[0]);
	assert_int_equal(fd_recv(sv[1], buf, sizeof(buf), got, 4, &n), 0);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

static void test_cleanup(void **state)
{
	int before = fd_count_open();

	(void)state;
	{
		_cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		_cleanup_free_ char *s = strdup("x");

		assert_true(fd >= 0);
		assert_non_null(s);
		assert_int_equal(fd_count_open(), before + 1);
	}
	assert_int_equal(fd_count_open(), before);
	{
		_cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		int kept = TAKE_FD(fd);

		assert_int_equal(fd, -EBADF);
		assert_true(kept >= 0);
		close(kept);
	}
	assert_int_equal(ALIGN_UP(4097ULL, 4096), 8192);
	assert_int_equal(ALIGN_DOWN(4097ULL, 4096), 4096);
	assert_true(IS_ALIGNED(8192ULL, 4096));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_pass),
		cmocka_unit_test(test_cleanup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
