/* SPDX-License-Identifier: Apache-2.0 */
/* RLIMIT_NOFILE bounds every way of getting a descriptor: EMFILE. */
#include "common.h"
#include <poll.h>
#include <sys/resource.h>

int main(void)
{
	struct rlimit rl = { 16, 16 }, got;
	int fd, n = 0, p[2];

	g_start();
	getrlimit(RLIMIT_NOFILE, &got);
	t_yes("hard limit >= 16 to start with", got.rlim_max >= 16);
	t_ok("setrlimit NOFILE 16", setrlimit(RLIMIT_NOFILE, &rl));
	while ((fd = open("/dev/null", O_RDONLY)) >= 0)
		n++;
	t_eq("opens that fit (3..15)", n, 13);
	t_yes("then EMFILE", errno == EMFILE);
	t_err("dup at the limit", dup(0), EMFILE);
	t_err("pipe at the limit", pipe(p), EMFILE);
	t_err("F_DUPFD at the limit", fcntl(0, F_DUPFD, 0), EMFILE);
	t_err("dup2 to 16 (== limit)", dup2(0, 16), EBADF);
	t_err("F_DUPFD asking for >= limit", fcntl(0, F_DUPFD, 16), EINVAL);
	t_ok("dup2 to 15 (replaces)", dup2(0, 15));

	close(15);
	t_err("pipe needs two free slots", pipe(p), EMFILE);
	t_eq("but one open works", open("/dev/null", O_RDONLY), 15);
	close(14);
	close(15);
	t_ok("pipe with two slots", pipe(p));
	t_yes("pipe got 14 and 15", p[0] == 14 && p[1] == 15);

	/* lowering below open fds is allowed; new ones then fail */
	rl.rlim_cur = 8;
	t_ok("lower soft limit below open fds", setrlimit(RLIMIT_NOFILE, &rl));
	t_yes("fd 12 still works", fcntl(12, F_GETFD) == 0);
	close(5);
	t_eq("a free slot below the new limit is used", open("/dev/null", O_RDONLY), 5);
	t_err("the next free (16) is above it", open("/dev/null", O_RDONLY), EMFILE);

	/* poll with nfds above the limit */
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	t_err("poll nfds > RLIMIT_NOFILE", syscall(SYS_poll, &pfd, 100000, 0), EINVAL);

	rl.rlim_cur = 32;
	t_err("soft above hard", setrlimit(RLIMIT_NOFILE, &rl), EINVAL);
	return g_finish();
}
