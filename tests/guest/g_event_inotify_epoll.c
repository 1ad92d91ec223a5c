/* SPDX-License-Identifier: Apache-2.0 */
/* inotify with poll and epoll: readiness when events are queued, a
 * blocking read woken by another process, blocking inotify fds. */
#include "common.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/wait.h>

int main(void)
{
	char buf[4096] __attribute__((aligned(8)));
	struct epoll_event ev, out[4];
	struct inotify_event *e = (struct inotify_event *)buf;
	struct pollfd p;
	int in, ep, st;
	ssize_t n;

	g_start();
	mkdir("w", 0755);
	in = inotify_init();
	t_yes("inotify_init", in >= 0);
	t_eq("blocking", fcntl(in, F_GETFL) & O_NONBLOCK, 0);
	t_eq("watch", inotify_add_watch(in, "w", IN_CREATE | IN_DELETE), 1);
	ep = epoll_create1(0);
	ev.events = EPOLLIN;
	ev.data.u32 = 7;
	t_ok("epoll_ctl add", epoll_ctl(ep, EPOLL_CTL_ADD, in, &ev));
	t_eq("nothing ready", epoll_wait(ep, out, 4, 0), 0);
	p = (struct pollfd){ .fd = in, .events = POLLIN };
	t_eq("poll: not ready", poll(&p, 1, 0), 0);

	close(open("w/f", O_CREAT | O_WRONLY, 0644));
	t_eq("epoll: ready", epoll_wait(ep, out, 4, 1000), 1);
	t_eq("data", (long)out[0].data.u32, 7);
	t_yes("EPOLLIN", out[0].events == EPOLLIN);
	t_eq("poll: ready", poll(&p, 1, 0), 1);
	n = read(in, buf, sizeof(buf));
	t_eq("one event", n, (long)(sizeof(*e) + e->len));
	t_yes("IN_CREATE f", e->mask == IN_CREATE && strcmp(e->name, "f") == 0);
	t_eq("drained", epoll_wait(ep, out, 4, 0), 0);

	/* a child makes the event while the parent waits in epoll */
	if (fork() == 0) {
		usleep(30000);
		unlink("w/f");
		_exit(0);
	}
	t_eq("epoll woken by the child", epoll_wait(ep, out, 4, 5000), 1);
	wait(&st);
	n = read(in, buf, sizeof(buf));
	t_yes("IN_DELETE f", n > 0 && e->mask == IN_DELETE && strcmp(e->name, "f") == 0);

	/* a blocking read */
	if (fork() == 0) {
		usleep(30000);
		mkdir("w/sub", 0755);
		_exit(0);
	}
	n = read(in, buf, sizeof(buf));
	wait(&st);
	t_yes("blocking read: IN_CREATE|IN_ISDIR sub",
	      n > 0 && e->mask == (IN_CREATE | IN_ISDIR) && strcmp(e->name, "sub") == 0);

	/* edge-triggered: one report per new event */
	ev.events = EPOLLIN | EPOLLET;
	t_ok("epoll_ctl mod ET", epoll_ctl(ep, EPOLL_CTL_MOD, in, &ev));
	rmdir("w/sub");
	t_eq("ET ready", epoll_wait(ep, out, 4, 1000), 1);
	t_eq("ET not again", epoll_wait(ep, out, 4, 0), 0);
	read(in, buf, sizeof(buf));
	close(ep);
	close(in);
	return g_finish();
}
