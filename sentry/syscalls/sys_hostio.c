/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interim standard I/O: fds 0, 1, 2 are the host fds handed to the sandbox.
 * Replaced by the VFS fd table and the hostfd file system (issue 4); until
 * then every other fd is EBADF.
 */
#include <errno.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/macro.h"
#include "sentry/kernel/task.h"
#include "syscall_handlers.h"

#define IO_CHUNK 65536
#define IOV_MAX_LINUX 1024

static int64_t host_write(struct task *t, int fd, uint64_t addr, uint64_t len)
{
	static __thread char buf[IO_CHUNK];
	uint64_t done = 0;

	if (fd != 1 && fd != 2)
		return -EBADF;
	if ((int64_t)len < 0)
		return -EINVAL;
	while (done < len) {
		size_t n = MIN((uint64_t)IO_CHUNK, len - done);
		ssize_t got = task_copy_in(t, addr + done, buf, n);
		ssize_t w;

		if (got < 0)
			return done ? (int64_t)done : -EFAULT;
		w = write(fd, buf, (size_t)got);
		if (w < 0)
			return done ? (int64_t)done : (errno == EPIPE ? -EPIPE : -EIO);
		done += (uint64_t)w;
		if (w < got || (size_t)got < n)
			break;
	}
	return (int64_t)done;
}

int64_t sys_write(struct task *t, const uint64_t a[6])
{
	return host_write(t, (int)a[0], a[1], a[2]);
}

int64_t sys_writev(struct task *t, const uint64_t a[6])
{
	struct iovec iov[64];
	uint64_t cnt = a[2];
	int64_t total = 0;

	if (a[0] != 1 && a[0] != 2)
		return -EBADF;
	if (cnt > IOV_MAX_LINUX)
		return -EINVAL;
	for (uint64_t i = 0; i < cnt; i += 64) {
		size_t n = MIN((uint64_t)64, cnt - i);

		if (task_copy_in(t, a[1] + i * sizeof(struct iovec), iov, n * sizeof(*iov)) !=
		    (ssize_t)(n * sizeof(*iov)))
			return total ? total : -EFAULT;
		for (size_t j = 0; j < n; j++) {
			int64_t r;

			if (iov[j].iov_len == 0)
				continue;
			r = host_write(t, (int)a[0], (uint64_t)iov[j].iov_base, iov[j].iov_len);
			if (r < 0)
				return total ? total : r;
			total += r;
			if ((size_t)r < iov[j].iov_len)
				return total;
		}
	}
	return total;
}

int64_t sys_read(struct task *t, const uint64_t a[6])
{
	char buf[IO_CHUNK];
	ssize_t n;

	if (a[0] != 0)
		return -EBADF;
	n = read(0, buf, MIN((uint64_t)sizeof(buf), a[2]));
	if (n < 0)
		return -EIO;
	if (n > 0 && task_copy_out(t, a[1], buf, (size_t)n) != n)
		return -EFAULT;
	return n;
}
