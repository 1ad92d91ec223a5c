/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/self/stat, /proc/<pid>/stat, status and comm: fields checked
 * against the syscalls; prctl(PR_SET_NAME) reflected. */
#include "common.h"
#include <sys/prctl.h>
#include <sys/wait.h>

struct pstat {
	char comm[64];
	char state;
	long pid, ppid, pgrp, session, threads;
};

static int parse(const char *path, struct pstat *ps)
{
	char buf[2048], *open_p, *close_p;
	long skip;

	if (g_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	open_p = strchr(buf, '(');
	close_p = strrchr(buf, ')');
	if (!open_p || !close_p)
		return -1;
	ps->pid = atol(buf);
	snprintf(ps->comm, sizeof(ps->comm), "%.*s", (int)(close_p - open_p - 1), open_p + 1);
	/* state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
	 * cmajflt utime stime cutime cstime priority nice num_threads */
	if (sscanf(close_p + 2, "%c %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld",
		   &ps->state, &ps->ppid, &ps->pgrp, &ps->session, &skip, &skip, &skip, &skip,
		   &skip, &skip, &skip, &skip, &skip, &skip, &skip, &skip, &skip, &ps->threads) != 18)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct pstat ps;
	char path[64], buf[4096], *p;
	pid_t pid;
	int pfd[2], ready[2];

	(void)argc;
	g_start();
	t_ok("parse /proc/self/stat", parse("/proc/self/stat", &ps));
	t_yes("pid field == getpid", ps.pid == getpid());
	t_yes("ppid == getppid", ps.ppid == getppid());
	t_yes("pgrp == getpgrp", ps.pgrp == getpgrp());
	t_yes("session == getsid", ps.session == getsid(0));
	t_eq("num_threads", ps.threads, 1);
	t_yes("state R (we are reading it)", ps.state == 'R');
	p = strrchr(argv[0], '/');
	snprintf(path, sizeof(path), "%.15s", p ? p + 1 : argv[0]);
	t_yes("comm is the first 15 bytes of the program name", strcmp(ps.comm, path) == 0);

	t_ok("PR_SET_NAME", prctl(PR_SET_NAME, "renamed) x", 0, 0, 0));
	parse("/proc/self/stat", &ps);
	t_streq("comm with a paren, parsed from the last ')'", ps.comm, "renamed) x");
	g_read_file("/proc/self/comm", buf, sizeof(buf));
	t_yes("/proc/self/comm is the name and a newline", strcmp(buf, "renamed) x\n") == 0);
	prctl(PR_SET_NAME, "a-very-long-thread-name", 0, 0, 0);
	g_read_file("/proc/self/comm", buf, sizeof(buf));
	t_yes("truncated to 15 in /proc/self/comm", strcmp(buf, "a-very-long-thr\n") == 0);
	prctl(PR_GET_NAME, buf, 0, 0, 0);
	t_streq("PR_GET_NAME", buf, "a-very-long-thr");

	g_read_file("/proc/self/status", buf, sizeof(buf));
	t_yes("status Name:", strstr(buf, "Name:\ta-very-long-thr\n") != NULL);
	snprintf(path, sizeof(path), "\nPid:\t%d\n", (int)getpid());
	t_yes("status Pid:", strstr(buf, path) != NULL);
	snprintf(path, sizeof(path), "\nPPid:\t%d\n", (int)getppid());
	t_yes("status PPid:", strstr(buf, path) != NULL);
	t_yes("status Threads: 1", strstr(buf, "\nThreads:\t1\n") != NULL);
	t_yes("status State: R", strstr(buf, "\nState:\tR (running)\n") != NULL);

	/* a child seen from outside: sleeping, then stopped */
	pipe(pfd);
	pipe(ready);
	pid = fork();
	if (pid == 0) {
		char c;
		prctl(PR_SET_NAME, "kid", 0, 0, 0);
		write(ready[1], "r", 1);
		read(pfd[0], &c, 1);
		_exit(0);
	}
	read(ready[0], buf, 1);
	usleep(20000);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	t_ok("parse child's stat", parse(path, &ps));
	say("child comm %s state %c ppid is us %s\n", ps.comm, ps.state, ps.ppid == getpid() ? "yes" : "no");
	kill(pid, SIGSTOP);
	waitpid(pid, NULL, WUNTRACED);
	parse(path, &ps);
	say("stopped child state %c\n", ps.state);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	t_err("reaped child's stat", open(path, O_RDONLY), ENOENT);
	return g_finish();
}
