/* SPDX-License-Identifier: Apache-2.0 */
/* waitid: siginfo contents, WNOWAIT, P_PGID, P_ALL, errors. */
#include "common.h"
#include <sys/wait.h>

static const char *code(int c)
{
	switch (c) {
	case CLD_EXITED: return "CLD_EXITED";
	case CLD_KILLED: return "CLD_KILLED";
	case CLD_DUMPED: return "CLD_DUMPED";
	case CLD_STOPPED: return "CLD_STOPPED";
	case CLD_CONTINUED: return "CLD_CONTINUED";
	default: return "?";
	}
}

int main(void)
{
	siginfo_t si;
	pid_t pid, p2;

	g_start();
	pid = fork();
	if (pid == 0)
		_exit(7);
	memset(&si, 0, sizeof(si));
	t_ok("waitid WEXITED|WNOWAIT", waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	say("si_signo %s si_code %s si_status %d pid matches %s uid matches %s\n",
	    signame(si.si_signo), code(si.si_code), si.si_status,
	    si.si_pid == pid ? "yes" : "no", si.si_uid == getuid() ? "yes" : "no");
	memset(&si, 0, sizeof(si));
	t_ok("waitid again after WNOWAIT", waitid(P_PID, pid, &si, WEXITED));
	t_yes("same child again", si.si_pid == pid && si.si_status == 7);
	t_err("now it is gone", waitid(P_PID, pid, &si, WEXITED), ECHILD);

	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	kill(pid, SIGUSR2);
	waitid(P_PID, pid, &si, WEXITED);
	say("killed: code %s status %s\n", code(si.si_code), signame(si.si_status));

	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, SIGSTOP);
	waitid(P_PID, pid, &si, WSTOPPED);
	say("stopped: code %s status %s\n", code(si.si_code), signame(si.si_status));
	kill(pid, SIGCONT);
	waitid(P_PID, pid, &si, WCONTINUED);
	say("continued: code %s status %s\n", code(si.si_code), signame(si.si_status));
	memset(&si, 0, sizeof(si));
	t_ok("WNOHANG with nothing to report", waitid(P_PID, pid, &si, WEXITED | WNOHANG));
	t_yes("si_pid zero when nothing reported", si.si_pid == 0);
	kill(pid, SIGKILL);
	waitid(P_ALL, 0, &si, WEXITED);
	t_yes("P_ALL reaps it", si.si_pid == pid && si.si_code == CLD_KILLED);

	/* P_PGID: child in its own group */
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		_exit(4);
	}
	setpgid(pid, pid);
	p2 = fork();
	if (p2 == 0)
		_exit(5);
	memset(&si, 0, sizeof(si));
	t_ok("waitid P_PGID", waitid(P_PGID, pid, &si, WEXITED));
	t_yes("P_PGID picked the group member", si.si_pid == pid && si.si_status == 4);
	waitid(P_PID, p2, &si, WEXITED);

	t_err("no WEXITED/WSTOPPED/WCONTINUED", waitid(P_ALL, 0, &si, WNOHANG), EINVAL);
	t_err("bad idtype", waitid((idtype_t)42, 0, &si, WEXITED), EINVAL);
	t_err("no children", waitid(P_ALL, 0, &si, WEXITED), ECHILD);
	return g_finish();
}
