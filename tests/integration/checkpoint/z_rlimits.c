/* SPDX-License-Identifier: Apache-2.0 */
/* Resource limits: all sixteen with distinct values in the main process and
 * other ones in a child (per process); after the restore getrlimit gives
 * them back and the enforced ones still bite (RLIMIT_NOFILE: EMFILE and
 * dup2 EBADF past it; RLIMIT_FSIZE: EFBIG). */
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "zdtm.h"

static const struct rlimit want[RLIM_NLIMITS] = {
	[RLIMIT_CPU] = { 1000, 2000 },
	[RLIMIT_FSIZE] = { 100000, 200000 },
	[RLIMIT_DATA] = { 1UL << 40, 1UL << 41 },
	[RLIMIT_STACK] = { 16 << 20, 32 << 20 },
	[RLIMIT_CORE] = { 12345, 23456 },
	[RLIMIT_RSS] = { 1UL << 30, 1UL << 31 },
	[RLIMIT_NPROC] = { 5000, 6000 },
	[RLIMIT_NOFILE] = { 40, 300 },
	[RLIMIT_MEMLOCK] = { 196608, 262144 },
	[RLIMIT_AS] = { 1UL << 45, RLIM_INFINITY },
	[RLIMIT_LOCKS] = { 777, 888 },
	[RLIMIT_SIGPENDING] = { 555, 666 },
	[RLIMIT_MSGQUEUE] = { 819201, 819202 },
	[RLIMIT_NICE] = { 3, 20 },
	[RLIMIT_RTPRIO] = { 1, 5 },
	[RLIMIT_RTTIME] = { 1000000, 2000000 },
};

static int check_all(const struct rlimit *w)
{
	int bad = 0;

	for (int i = 0; i < RLIM_NLIMITS; i++) {
		struct rlimit g;

		if (getrlimit(i, &g) < 0 || g.rlim_cur != w[i].rlim_cur || g.rlim_max != w[i].rlim_max) {
			zd_say("FAIL: rlimit %d is %llu/%llu\n", i, (unsigned long long)g.rlim_cur,
			       (unsigned long long)g.rlim_max);
			bad = 1;
		}
	}
	return bad;
}

int main(void)
{
	struct rlimit child_want[RLIM_NLIMITS];
	int go[2], rdy[2], fds[64], n = 0, fd, st = -1;
	char ch;
	pid_t c;

	zd_init();
	signal(SIGXFSZ, SIG_IGN);
	if (pipe(go) < 0 || pipe(rdy) < 0)
		return 1;
	for (int i = 0; i < RLIM_NLIMITS; i++)
		if (setrlimit(i, &want[i]) < 0)
			return zd_say("FAIL: setrlimit %d: %s\n", i, strerror(errno)), 1;
	memcpy(child_want, want, sizeof(want));
	child_want[RLIMIT_NOFILE] = (struct rlimit){ 20, 30 };
	child_want[RLIMIT_CORE] = (struct rlimit){ 0, 0 };
	c = fork();
	if (c == 0) {
		setrlimit(RLIMIT_NOFILE, &child_want[RLIMIT_NOFILE]);
		setrlimit(RLIMIT_CORE, &child_want[RLIMIT_CORE]);
		(void)!write(rdy[1], "r", 1);
		(void)!read(go[0], &ch, 1);
		_exit(check_all(child_want) ? 1 : dup2(0, 25) >= 0 ? 2 : 0);
	}
	close(rdy[1]);
	if (read(rdy[0], &ch, 1) != 1)
		return 1;
	zd_ready();
	zd_wait_go();

	zd_check(check_all(want) == 0, "the main process's limits");
	errno = 0;
	zd_check(dup2(0, 45) < 0 && errno == EBADF, "dup2 past RLIMIT_NOFILE: %s", strerror(errno));
	while (n < 64 && (fd = open("/dev/null", O_RDONLY)) >= 0)
		fds[n++] = fd;
	zd_check(n < 64 && errno == EMFILE && fds[n - 1] == 39, "RLIMIT_NOFILE not enforced (%d, %s)",
		 n, strerror(errno));
	while (n > 0)
		close(fds[--n]);
	fd = open("/work/big", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	zd_check(fd >= 0 && lseek(fd, 100000, SEEK_SET) == 100000 && write(fd, "x", 1) < 0 &&
			 errno == EFBIG,
		 "RLIMIT_FSIZE not enforced: %s", strerror(errno));
	zd_check(write(go[1], "g", 1) == 1, "write");
	zd_check(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "child's limits: status 0x%x", st);
	return zd_finish();
}
