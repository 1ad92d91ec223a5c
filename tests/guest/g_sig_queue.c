/* SPDX-License-Identifier: Apache-2.0 */
/* rt_sigqueueinfo/rt_tgsigqueueinfo: values and codes, the rule against
 * forging kernel si_codes for other processes, errors; rt signals queue,
 * standard ones coalesce. */
#include "common.h"
#include <sys/wait.h>

static volatile int hits, last_code, last_value, last_pid;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	hits++;
	last_code = si->si_code;
	last_value = si->si_value.sival_int;
	last_pid = si->si_pid;
}

static long qinfo(pid_t pid, int sig, int code, int value)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	return syscall(SYS_rt_sigqueueinfo, pid, sig, &si);
}

static long tgqinfo(pid_t tgid, pid_t tid, int sig, int code, int value)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_value.sival_int = value;
	return syscall(SYS_rt_tgsigqueueinfo, tgid, tid, sig, &si);
}

int main(void)
{
	struct sigaction sa;
	sigset_t set, pend;
	int rt = SIGRTMIN + 2, i, ok, st, p[2];
	siginfo_t si;
	pid_t pid;
	char c;

	g_start();
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(rt, &sa, NULL);

	t_ok("sigqueue to self", sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 7 }));
	t_yes("handler saw SI_QUEUE 7 from us",
	      hits == 1 && last_code == SI_QUEUE && last_value == 7 && last_pid == getpid());
	t_ok("forged SI_USER to self is allowed", qinfo(getpid(), SIGUSR1, SI_USER, 8));
	t_yes("handler saw SI_USER", hits == 2 && last_code == SI_USER);
	t_ok("rt_tgsigqueueinfo to self", tgqinfo(getpid(), gettid(), SIGUSR1, SI_QUEUE, 9));
	t_yes("handler saw value 9", hits == 3 && last_value == 9);
	t_ok("signal 0 probes", qinfo(getpid(), 0, SI_QUEUE, 0));
	t_eq("no handler for signal 0", hits, 3);

	/* standard signals coalesce, rt ones queue */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, rt);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < 3; i++) {
		sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 100 + i });
		sigqueue(getpid(), rt, (union sigval){ .sival_int = 200 + i });
	}
	sigpending(&pend);
	t_yes("both pending", sigismember(&pend, SIGUSR1) && sigismember(&pend, rt));
	hits = 0;
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	t_eq("one SIGUSR1 and three rt deliveries", hits, 4);

	/* another process: kernel codes refused, SI_QUEUE accepted */
	pipe(p);
	pid = fork();
	if (pid == 0) {
		sigset_t w;

		close(p[0]);
		sigprocmask(SIG_BLOCK, &set, NULL);
		write(p[1], "r", 1);
		ok = sigwaitinfo(&set, &si) == rt && si.si_code == SI_QUEUE &&
		     si.si_value.sival_int == 55 && si.si_pid == getppid();
		sigemptyset(&w);
		_exit(ok ? 0 : 1);
	}
	close(p[1]);
	read(p[0], &c, 1);
	t_err("forged SI_USER to another process", qinfo(pid, rt, SI_USER, 1), EPERM);
	t_err("forged SI_KERNEL to another process", qinfo(pid, rt, SI_KERNEL, 1), EPERM);
	t_err("forged SI_TKILL to another process", qinfo(pid, rt, SI_TKILL, 1), EPERM);
	t_err("forged code via tgsigqueueinfo", tgqinfo(pid, pid, rt, 0, 1), EPERM);
	t_ok("SI_QUEUE to the child", qinfo(pid, rt, SI_QUEUE, 55));
	waitpid(pid, &st, 0);
	t_eq("child took it with sigwaitinfo (0 = yes)", WEXITSTATUS(st), 0);

	t_err("no such process", qinfo(pid, SIGUSR1, SI_QUEUE, 0), ESRCH);
	t_err("bad signal", qinfo(getpid(), 65, SI_QUEUE, 0), EINVAL);
	t_err("bad siginfo pointer", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, G_BADPTR),
	      EFAULT);
	t_err("tgsigqueueinfo tid 0", tgqinfo(getpid(), 0, SIGUSR1, SI_QUEUE, 0), EINVAL);
	t_err("tgsigqueueinfo wrong tgid", tgqinfo(pid, gettid(), SIGUSR1, SI_QUEUE, 0), ESRCH);
	return g_finish();
}
