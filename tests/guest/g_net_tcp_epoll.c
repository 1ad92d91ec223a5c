/* SPDX-License-Identifier: Apache-2.0 */
/* Loopback TCP under epoll: a non-blocking echo server in one process
 * serving 64 clients of another, edge-triggered, with EPOLLRDHUP; then
 * select() on a connected pair. */
#include "net_inet.h"
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/wait.h>

enum { NCLIENTS = 64, ROUNDS = 4 };

static int client_proc(int port)
{
	int fds[NCLIENTS], ep = epoll_create1(0), pending = NCLIENTS * ROUNDS;
	int round[NCLIENTS] = { 0 };
	struct epoll_event ev, out[16];
	char buf[64], want[64];

	for (int i = 0; i < NCLIENTS; i++) {
		struct sockaddr_in a = lo4(port);
		int r;

		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		r = connect(fds[i], (struct sockaddr *)&a, sizeof(a));
		if (r < 0 && errno != EINPROGRESS)
			return 1;
		ev.events = EPOLLOUT | EPOLLIN;
		ev.data.u32 = (uint32_t)i;
		epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
	}
	while (pending > 0) {
		int n = epoll_wait(ep, out, 16, 10000);

		if (n <= 0)
			return 2;
		for (int k = 0; k < n; k++) {
			int i = (int)out[k].data.u32;

			if (out[k].events & EPOLLERR)
				return 3;
			if (out[k].events & EPOLLOUT) {
				/* connected: send the first message, then wait for echoes */
				int len = snprintf(buf, sizeof(buf), "client %d round %d", i, round[i]);

				if (send(fds[i], buf, (size_t)len, 0) != len)
					return 4;
				ev.events = EPOLLIN;
				ev.data.u32 = (uint32_t)i;
				epoll_ctl(ep, EPOLL_CTL_MOD, fds[i], &ev);
			} else if (out[k].events & EPOLLIN) {
				int len = snprintf(want, sizeof(want), "client %d round %d", i,
						   round[i]);
				long r = read_full(fds[i], buf, (size_t)len);

				if (r != len || memcmp(buf, want, (size_t)len))
					return 5;
				pending--;
				if (++round[i] < ROUNDS) {
					len = snprintf(buf, sizeof(buf), "client %d round %d", i,
						       round[i]);
					if (send(fds[i], buf, (size_t)len, 0) != len)
						return 6;
				} else {
					epoll_ctl(ep, EPOLL_CTL_DEL, fds[i], NULL);
					close(fds[i]);
				}
			}
		}
	}
	return 0;
}

static void server(void)
{
	int port, lfd = listener(AF_INET, 128, &port), ep = epoll_create1(EPOLL_CLOEXEC);
	int accepted = 0, closed = 0, st, rdhup = 0;
	long echoed = 0;
	struct epoll_event ev, out[32];
	pid_t pid;

	fcntl(lfd, F_SETFL, O_NONBLOCK);
	ev.events = EPOLLIN;
	ev.data.fd = lfd;
	t_ok("epoll_ctl listener", epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev));
	pid = fork();
	if (pid == 0)
		_exit(client_proc(port));
	while (closed < NCLIENTS) {
		int n = epoll_wait(ep, out, 32, 10000);

		if (n <= 0) {
			say("epoll_wait timed out\n");
			g_failures++;
			break;
		}
		for (int k = 0; k < n; k++) {
			int fd = out[k].data.fd;

			if (fd == lfd) {
				int s;

				while ((s = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
					ev.data.fd = s;
					epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
					accepted++;
				}
				continue;
			}
			/* Edge-triggered: drain everything. */
			for (;;) {
				char buf[256];
				ssize_t r = recv(fd, buf, sizeof(buf), 0);

				if (r > 0) {
					if (send(fd, buf, (size_t)r, 0) != r)
						g_failures++;
					echoed += r;
					continue;
				}
				if (r == 0) {
					if (out[k].events & EPOLLRDHUP)
						rdhup++;
					epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
					close(fd);
					closed++;
				}
				break;
			}
		}
	}
	waitpid(pid, &st, 0);
	t_eq("clients exit status", WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st), 0);
	t_eq("accepted", accepted, NCLIENTS);
	t_eq("closed", closed, NCLIENTS);
	t_yes("EPOLLRDHUP seen on close", rdhup > 0);
	t_yes("echoed bytes", echoed > NCLIENTS * ROUNDS * 15);
	close(ep);
	close(lfd);
}

static void with_select(void)
{
	int port, lfd = listener(AF_INET, 4, &port), c = connect_to(AF_INET, port);
	int s = accept(lfd, NULL, NULL);
	struct timeval tv = { 0, 0 };
	fd_set r, w;

	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(s, &r);
	FD_SET(c, &w);
	t_eq("select: client writable, server not readable", select(FD_SETSIZE, &r, &w, NULL, &tv),
	     1);
	t_yes("it is the client", FD_ISSET(c, &w) && !FD_ISSET(s, &r));
	send(c, "x", 1, 0);
	FD_ZERO(&r);
	FD_SET(s, &r);
	tv.tv_sec = 5;
	t_eq("select: server readable", select(FD_SETSIZE, &r, NULL, NULL, &tv), 1);
	close(c);
	close(s);
	close(lfd);
}

int main(void)
{
	g_start();
	server();
	with_select();
	return g_finish();
}
