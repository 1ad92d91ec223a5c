/* SPDX-License-Identifier: Apache-2.0 */
/* eventfd: counter and semaphore modes, blocking, limits, poll, errors. */
#include "common.h"
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

int main(void)
{
	uint64_t v;
	int e, s;
	struct pollfd p;

	g_start();
	e = eventfd(3, EFD_CLOEXEC | EFD_NONBLOCK);
	t_yes("eventfd", e >= 3);
	t_eq("cloexec", fcntl(e, F_GETFD), FD_CLOEXEC);
	t_yes("nonblock", (fcntl(e, F_GETFL) & O_NONBLOCK) != 0);
	t_eq("read 8 bytes", read(e, &v, 8), 8);
	t_eq("initial value", (long)v, 3);
	t_err("empty: EAGAIN", read(e, &v, 8), EAGAIN);
	t_err("short buffer", read(e, &v, 4), EINVAL);
	v = 5;
	t_eq("write 5", write(e, &v, 8), 8);
	v = 7;
	t_eq("write 7", write(e, &v, 8), 8);
	t_eq("sum read", (read(e, &v, 8), (long)v), 12);
	v = UINT64_MAX;
	t_err("write UINT64_MAX", write(e, &v, 8), EINVAL);
	v = UINT64_MAX - 1;
	t_eq("write the maximum", write(e, &v, 8), 8);
	v = 1;
	t_err("overflow would block", write(e, &v, 8), EAGAIN);
	p = (struct pollfd){ .fd = e, .events = POLLIN | POLLOUT };
	t_eq("poll full", poll(&p, 1, 0), 1);
	t_yes("readable, not writable", p.revents == POLLIN);
	read(e, &v, 8);
	p.revents = 0;
	poll(&p, 1, 0);
	t_yes("empty: writable only", p.revents == POLLOUT);
	close(e);

	s = eventfd(2, EFD_SEMAPHORE);
	t_eq("semaphore read 1", (read(s, &v, 8), (long)v), 1);
	t_eq("semaphore read 2", (read(s, &v, 8), (long)v), 1);
	if (fork() == 0) {
		uint64_t one = 1;

		usleep(20000);
		write(s, &one, 8);
		_exit(0);
	}
	t_eq("blocking read woken by the child", (read(s, &v, 8), (long)v), 1);
	wait(NULL);
	close(s);

	t_err("bad flags", eventfd(0, 0x1234), EINVAL);
	t_err("eventfd2 bad flags (raw)", syscall(SYS_eventfd2, 0, 2), EINVAL);
	return g_finish();
}
