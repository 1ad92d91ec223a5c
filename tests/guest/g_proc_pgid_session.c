/* SPDX-License-Identifier: Apache-2.0 */
/* Process groups and sessions: setpgid, getpgid, setsid, getsid, errors. */
#include "common.h"
#include <sys/wait.h>

/* parent -> children "go" (EOF when the parent closes it), and a
 * separate children -> parent "ready" pipe: one pipe for both ways would
 * let a child read its own message */
static int sync_pipe[2], ready_pipe[2];

static void wait_parent(void)
{
	char c;

	close(sync_pipe[1]);
	read(sync_pipe[0], &c, 1);
}

int main(int argc, char **argv)
{
	pid_t pid, pid2, me;
	int st;
	char c;

	if (argc > 1 && strcmp(argv[1], "--read-stdin") == 0) {
		while (read(0, &c, 1) > 0)
			;
		return 0;
	}
	g_start();
	me = getpid();
	t_yes("getpgid(0) == getpgrp()", getpgid(0) == getpgrp());
	t_yes("getsid(0) == getsid(self)", getsid(0) == getsid(me));
	t_err("getpgid of no such pid", getpgid(0x7ffffff0), ESRCH);
	t_err("getsid of no such pid", getsid(0x7ffffff0), ESRCH);
	t_err("setpgid of no such pid", setpgid(0x7ffffff0, 0), ESRCH);
	t_err("setpgid negative pgid", setpgid(0, -1), EINVAL);

	/* child becomes a group leader; the parent may also set it */
	pipe(sync_pipe);
	pid = fork();
	if (pid == 0) {
		wait_parent();
		int ok = getpgid(0) == getpid();
		_exit(ok ? 0 : 1);
	}
	t_ok("parent setpgid(child, child)", setpgid(pid, pid));
	t_yes("getpgid(child) == child", getpgid(pid) == pid);
	/* second child joins the first one's group */
	pid2 = fork();
	if (pid2 == 0) {
		wait_parent();
		_exit(getpgid(0) == pid ? 0 : 1);
	}
	t_ok("join existing group", setpgid(pid2, pid));
	t_err("join a group that does not exist", setpgid(pid2, 0x7ffffff0), EPERM);
	close(sync_pipe[1]);
	waitpid(pid, &st, 0);
	t_yes("child saw itself as group leader", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	waitpid(pid2, &st, 0);
	t_yes("second child saw the group", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(sync_pipe[0]);

	/* setsid in a child that is not a group leader */
	pipe(sync_pipe);
	pipe(ready_pipe);
	pid = fork();
	if (pid == 0) {
		pid_t sid = setsid();
		int ok = sid == getpid() && getsid(0) == getpid() && getpgid(0) == getpid();
		int again = setsid() == -1 && errno == EPERM;
		int leader_pgid = setpgid(0, 0) == -1 && errno == EPERM;
		write(ready_pipe[1], "x", 1);
		wait_parent();
		_exit((ok ? 0 : 1) | (again ? 0 : 2) | (leader_pgid ? 0 : 4));
	}
	read(ready_pipe[0], &c, 1);
	t_yes("getsid(child) after its setsid", getsid(pid) == pid);
	t_err("move child across sessions", setpgid(pid, getpgrp()), EPERM);
	close(sync_pipe[1]);
	waitpid(pid, &st, 0);
	t_eq("child: setsid ok, 2nd setsid EPERM, setpgid leader EPERM", WEXITSTATUS(st), 0);
	close(sync_pipe[0]);

	/* a group leader cannot setsid */
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		_exit(setsid() == -1 && errno == EPERM ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	t_eq("group leader setsid -> EPERM", WEXITSTATUS(st), 0);

	/* setpgid on a child that has exec'd is EACCES */
	{
		int in[2], cx[2];

		pipe(in);
		pipe2(cx, O_CLOEXEC);
		pid = fork();
		if (pid == 0) {
			dup2(in[0], 0);
			close(in[1]);
			execl("/proc/self/exe", "reader", "--read-stdin", (char *)NULL);
			_exit(1);
		}
		close(in[0]);
		close(cx[1]);
		t_eq("exec done (cloexec pipe EOF)", read(cx[0], &c, 1), 0);
		t_err("setpgid after child exec", setpgid(pid, pid), EACCES);
		close(in[1]);
		waitpid(pid, &st, 0);
		t_eq("exec'd child status", WEXITSTATUS(st), 0);
	}
	return g_finish();
}
