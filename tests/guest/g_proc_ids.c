/* SPDX-License-Identifier: Apache-2.0 */
/* pid, tid, ppid relations across fork and exec (values never printed). */
#include "common.h"
#include <sys/wait.h>

int main(int argc, char **argv)
{
	pid_t me, pid;
	int st, pfd[2];
	long got[3];

	if (argc == 3 && strcmp(argv[1], "--report") == 0) {
		/* after exec: same pid as before, same parent */
		return (getpid() == (pid_t)atol(argv[2]) ? 0 : 1) |
		       (syscall(SYS_gettid) == getpid() ? 0 : 2);
	}
	g_start();
	me = getpid();
	t_yes("pid > 0", me > 0);
	t_yes("gettid == getpid in the main thread", syscall(SYS_gettid) == me);
	t_yes("ppid > 0 or 0 for the first process", getppid() >= 0);
	t_yes("getpid stable", getpid() == me);

	pipe(pfd);
	pid = fork();
	if (pid == 0) {
		got[0] = getpid();
		got[1] = getppid();
		got[2] = syscall(SYS_gettid);
		write(pfd[1], got, sizeof(got));
		_exit(0);
	}
	read(pfd[0], got, sizeof(got));
	waitpid(pid, &st, 0);
	t_yes("fork returned the child's pid", got[0] == pid);
	t_yes("child's ppid is us", got[1] == me);
	t_yes("child's tid == its pid", got[2] == pid);
	t_yes("child pid differs from ours", pid != me);

	/* exec keeps the pid */
	pid = fork();
	if (pid == 0) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%d", (int)getpid());
		execl("/proc/self/exe", "ids", "--report", buf, (char *)NULL);
		_exit(99);
	}
	waitpid(pid, &st, 0);
	t_eq("exec keeps pid and tid (0 = yes)", WEXITSTATUS(st), 0);

	/* pids are not reused immediately: two consecutive children differ */
	pid_t a = fork();
	if (a == 0)
		_exit(0);
	waitpid(a, NULL, 0);
	pid_t b = fork();
	if (b == 0)
		_exit(0);
	waitpid(b, NULL, 0);
	t_yes("consecutive children get distinct pids", a != b);
	return g_finish();
}
