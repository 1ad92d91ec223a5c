/* SPDX-License-Identifier: Apache-2.0 */
/* Pipe capacity (64 KiB default), F_GETPIPE_SZ/F_SETPIPE_SZ, nonblocking
 * partial writes and the PIPE_BUF atomicity rule when almost full. */
#include "common.h"
#include <limits.h>

static char big[1 << 20];

static long fill(int fd, size_t chunk)
{
	long total = 0, n;

	while ((n = write(fd, big, chunk)) > 0)
		total += n;
	return total;
}

static void drain(int fd)
{
	while (read(fd, big, sizeof(big)) > 0)
		;
}

int main(void)
{
	int p[2];

	g_start();
	pipe2(p, O_NONBLOCK);
	t_eq("F_GETPIPE_SZ default", fcntl(p[1], F_GETPIPE_SZ), 65536);
	t_eq("fill with 1-byte writes", fill(p[1], 1), 65536);
	t_yes("then EAGAIN", errno == EAGAIN);
	drain(p[0]);
	t_eq("fill with 4096-byte writes", fill(p[1], 4096), 65536);
	drain(p[0]);
	t_eq("one huge write is partial", write(p[1], big, sizeof(big)), 65536);
	t_err("next write", write(p[1], big, 1), EAGAIN);
	drain(p[0]);

	/* atomic writes: <= PIPE_BUF all-or-nothing, larger may be split */
	t_eq("PIPE_BUF", PIPE_BUF, 4096);
	fill(p[1], 4096);
	t_eq("read one page from a full pipe", read(p[0], big, 4096), 4096);
	t_eq("a PIPE_BUF write fits exactly", write(p[1], big, 4096), 4096);
	t_err("full again", write(p[1], big, 1), EAGAIN);
	read(p[0], big, 4096);
	t_eq("a larger write is split: partial", write(p[1], big, 4097), 4096);
	drain(p[0]);
	t_err("nonblocking read of an empty pipe", read(p[0], big, 1), EAGAIN);

	t_eq("F_SETPIPE_SZ 4096", fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
	t_eq("new capacity", fill(p[1], 1), 4096);
	drain(p[0]);
	t_eq("F_SETPIPE_SZ 5000 rounds up to a power of two pages", fcntl(p[1], F_SETPIPE_SZ, 5000), 8192);
	t_eq("F_SETPIPE_SZ 1 rounds up to a page", fcntl(p[1], F_SETPIPE_SZ, 1), 4096);
	fcntl(p[1], F_SETPIPE_SZ, 65536);
	write(p[1], big, 4096);
	write(p[1], big, 4096);
	t_err("shrink below the content", fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY);
	t_eq("content kept", read(p[0], big, sizeof(big)), 8192);
	t_err("F_SETPIPE_SZ on the read end is fine, negative is not",
	      fcntl(p[0], F_SETPIPE_SZ, -1), EINVAL);
	return g_finish();
}
