/* SPDX-License-Identifier: Apache-2.0 */
/* signalfd: blocked signals read as records (pid, uid, code, value),
 * SIGCHLD status, poll and epoll readiness, mask updates, errors. */
#include "common.h"
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

int main(void)
{
	struct signalfd_siginfo si[4];
	struct pollfd p;
	sigset_t set;
	union sigval v = { .sival_int = 77 };
	int fd, ep, n;
	pid_t child;

	g_start();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	t_err("bad flags", signalfd(-1, &set, 0x1), EINVAL);
	t_err("bad size (raw)", syscall(SYS_signalfd4, -1, &set, 4, 0), EINVAL);
	t_err("not a signalfd", signalfd(0, &set, 0), EINVAL);
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	t_yes("signalfd", fd >= 0);
	t_eq("cloexec", fcntl(fd, F_GETFD), FD_CLOEXEC);
	t_err("nothing pending", read(fd, si, sizeof(si)), EAGAIN);
	t_err("short buffer", read(fd, si, 8), EINVAL);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	t_eq("poll: not ready", poll(&p, 1, 0), 0);

	kill(getpid(), SIGUSR1);
	sigqueue(getpid(), SIGUSR2, v);
	t_eq("poll: ready", poll(&p, 1, 0), 1);
	n = (int)read(fd, si, sizeof(si));
	t_eq("two records", n, 2 * (int)sizeof(si[0]));
	t_yes("USR1 first, from us, SI_USER",
	      si[0].ssi_signo == SIGUSR1 && si[0].ssi_pid == (uint32_t)getpid() &&
		      si[0].ssi_code == SI_USER && si[0].ssi_uid == getuid());
	t_yes("USR2 queued with its value",
	      si[1].ssi_signo == SIGUSR2 && si[1].ssi_code == SI_QUEUE && si[1].ssi_int == 77);
	t_err("consumed", read(fd, si, sizeof(si)), EAGAIN);

	/* a child's exit, through epoll */
	ep = epoll_create1(0);
	struct epoll_event e = { .events = EPOLLIN };
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
	child = fork();
	if (child == 0)
		_exit(9);
	t_eq("epoll wakes for SIGCHLD", epoll_wait(ep, &e, 1, 5000), 1);
	read(fd, si, sizeof(si));
	t_yes("SIGCHLD from the child, CLD_EXITED 9",
	      si[0].ssi_signo == SIGCHLD && si[0].ssi_pid == (uint32_t)child &&
		      si[0].ssi_code == CLD_EXITED && si[0].ssi_status == 9);
	waitpid(child, NULL, 0);

	/* the mask can be replaced; a blocking read waits */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	t_eq("update the mask", signalfd(fd, &set, 0), fd);
	kill(getpid(), SIGUSR2);
	t_err("USR2 no longer read", read(fd, si, sizeof(si)), EAGAIN);
	fcntl(fd, F_SETFL, 0);
	child = fork();
	if (child == 0) {
		usleep(20000);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	t_eq("blocking read woken", (int)read(fd, si, sizeof(si)), (int)sizeof(si[0]));
	t_yes("USR1 from the child", si[0].ssi_signo == SIGUSR1 && si[0].ssi_pid == (uint32_t)child);
	waitpid(child, NULL, 0);
	return g_finish();
}
