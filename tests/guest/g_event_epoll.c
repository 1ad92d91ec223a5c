/* SPDX-License-Identifier: Apache-2.0 */
/* epoll: level and edge triggered, oneshot, ctl errors, nesting, closing
 * a registered fd, waking on a pipe written by a child, timeouts. */
#include "common.h"
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

static int wait1(int ep, int ms, uint32_t *ev, uint64_t *data)
{
	struct epoll_event e[4];
	int n = epoll_wait(ep, e, 4, ms);

	if (n > 0) {
		*ev = e[0].events;
		*data = e[0].data.u64;
	}
	return n;
}

int main(void)
{
	int ep, p[2], q[2], inner, fd;
	struct epoll_event e = { 0 };
	uint32_t ev = 0;
	uint64_t data = 0;
	char c;

	g_start();
	t_err("epoll_create(0)", epoll_create(0), EINVAL);
	t_err("epoll_create1 bad flag", epoll_create1(1), EINVAL);
	ep = epoll_create1(EPOLL_CLOEXEC);
	t_yes("epoll_create1", ep >= 0);
	t_eq("cloexec", fcntl(ep, F_GETFD), FD_CLOEXEC);
	pipe(p);

	e.events = EPOLLIN;
	e.data.u64 = 42;
	t_ok("ADD read end", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e));
	t_err("ADD twice", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e), EEXIST);
	t_err("MOD absent", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &e), ENOENT);
	t_err("DEL absent", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], &e), ENOENT);
	t_err("ADD itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e), EINVAL);
	t_err("ADD bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 99, &e), EBADF);
	t_err("ctl on a non-epoll fd", epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &e), EINVAL);
	fd = open("/proc/self/exe", O_RDONLY);
	t_err("ADD a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e), EPERM);
	close(fd);
	t_err("bad op", epoll_ctl(ep, 99, p[0], &e), EINVAL);
	t_err("maxevents 0", epoll_wait(ep, &e, 0, 0), EINVAL);
	t_err("wait on a non-epoll fd", epoll_wait(p[0], &e, 1, 0), EINVAL);

	t_eq("nothing ready", wait1(ep, 0, &ev, &data), 0);
	t_eq("timeout 30 ms", wait1(ep, 30, &ev, &data), 0);
	write(p[1], "ab", 2);
	t_eq("level: ready", wait1(ep, 0, &ev, &data), 1);
	t_yes("EPOLLIN with our data", ev == EPOLLIN && data == 42);
	t_eq("level: still ready", wait1(ep, 0, &ev, &data), 1);

	e.events = EPOLLIN | EPOLLET;
	t_ok("MOD to edge triggered", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e));
	t_eq("edge: reported once", wait1(ep, 0, &ev, &data), 1);
	t_eq("edge: not again", wait1(ep, 0, &ev, &data), 0);
	read(p[0], &c, 1);
	write(p[1], "c", 1);
	t_eq("edge: new data reported", wait1(ep, 0, &ev, &data), 1);
	read(p[0], &c, 1);
	read(p[0], &c, 1);

	e.events = EPOLLIN | EPOLLONESHOT;
	t_ok("MOD oneshot", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e));
	write(p[1], "d", 1);
	t_eq("oneshot: once", wait1(ep, 0, &ev, &data), 1);
	t_eq("oneshot: disabled", wait1(ep, 0, &ev, &data), 0);
	t_ok("MOD re-arms", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e));
	t_eq("oneshot: again", wait1(ep, 0, &ev, &data), 1);
	read(p[0], &c, 1);

	e.events = EPOLLIN;
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e);
	if (fork() == 0) {
		usleep(30000);
		write(p[1], "e", 1);
		_exit(0);
	}
	t_eq("woken by a child's write", wait1(ep, 5000, &ev, &data), 1);
	wait(NULL);
	read(p[0], &c, 1);

	/* the write end: EPOLLOUT, then EPOLLERR once the reader is gone */
	pipe(q);
	e.events = EPOLLOUT;
	e.data.u64 = 7;
	epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
	t_ok("ADD write end", epoll_ctl(ep, EPOLL_CTL_ADD, q[1], &e));
	t_eq("writable", wait1(ep, 0, &ev, &data), 1);
	t_yes("EPOLLOUT data 7", ev == EPOLLOUT && data == 7);
	close(q[0]);
	wait1(ep, 0, &ev, &data);
	t_yes("reader closed: EPOLLERR", (ev & EPOLLERR) != 0);
	close(q[1]);
	t_eq("closed fd: registration gone", wait1(ep, 0, &ev, &data), 0);

	/* nesting */
	inner = epoll_create1(0);
	e.events = EPOLLIN;
	epoll_ctl(inner, EPOLL_CTL_ADD, p[0], &e);
	e.data.u64 = 99;
	t_ok("ADD an epoll fd", epoll_ctl(ep, EPOLL_CTL_ADD, inner, &e));
	t_err("a loop", epoll_ctl(inner, EPOLL_CTL_ADD, ep, &e), ELOOP);
	t_eq("inner idle", wait1(ep, 0, &ev, &data), 0);
	write(p[1], "f", 1);
	t_eq("inner ready makes outer ready", wait1(ep, 0, &ev, &data), 1);
	t_yes("data 99", data == 99);
	return g_finish();
}
