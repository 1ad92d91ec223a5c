/* SPDX-License-Identifier: Apache-2.0 */
/* Job control around the edges: a sleep survives a stop, an orphaned
 * stopped group gets SIGHUP+SIGCONT, PR_SET_PDEATHSIG, itimers and fork,
 * a stopped group's threads, SIGCONT with a handler. */
#include "common.h"
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static volatile int conts;

static void on_cont(int sig)
{
	(void)sig;
	conts++;
}

static void *spin_thread(void *arg)
{
	volatile unsigned long *n = arg;

	for (;;)
		(*n)++;
	return NULL;
}

int main(void)
{
	int p[2], st;
	pid_t pid, mid;
	char c;

	g_start();
	/* orphans come to us (as to pid 1 in a sandbox), not the host's init */
	t_ok("PR_SET_CHILD_SUBREAPER", prctl(PR_SET_CHILD_SUBREAPER, 1));

	/* a 300 ms nanosleep stopped and continued in the middle still
	 * sleeps to its end and returns 0 (restart_syscall) */
	pipe(p);
	pid = fork();
	if (pid == 0) {
		struct timespec ts = { 0, 300 * 1000 * 1000 };
		double t0 = now();
		int r;

		write(p[1], "r", 1);
		r = nanosleep(&ts, NULL);
		_exit(r == 0 && now() - t0 >= 0.29 ? 0 : 1);
	}
	read(p[0], &c, 1);
	usleep(50000);
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	t_yes("sleeper stopped", WIFSTOPPED(st));
	kill(pid, SIGCONT);
	waitpid(pid, &st, 0);
	t_eq("sleep completed after the stop (0 = yes)", WEXITSTATUS(st), 0);

	/* SIGCONT with a handler: continues and runs the handler */
	pid = fork();
	if (pid == 0) {
		signal(SIGCONT, on_cont);
		write(p[1], "r", 1);
		while (conts == 0)
			pause();
		_exit(conts == 1 ? 0 : 1);
	}
	read(p[0], &c, 1);
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	kill(pid, SIGCONT);
	waitpid(pid, &st, 0);
	t_eq("SIGCONT handler ran once (0 = yes)", WEXITSTATUS(st), 0);

	/* a multi-threaded process stops as a whole */
	pid = fork();
	if (pid == 0) {
		static volatile unsigned long n;
		pthread_t th;

		pthread_create(&th, NULL, spin_thread, (void *)&n);
		write(p[1], "r", 1);
		for (;;)
			pause();
	}
	read(p[0], &c, 1);
	kill(pid, SIGSTOP);
	t_yes("threaded child reported stopped", waitpid(pid, &st, WUNTRACED) == pid &&
							 WIFSTOPPED(st));
	kill(pid, SIGCONT);
	t_yes("and continued", waitpid(pid, &st, WCONTINUED) == pid && WIFCONTINUED(st));
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	t_yes("then killed", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

	/* a process group left orphaned with a stopped member gets SIGHUP
	 * and SIGCONT when its link to the session exits: the middle process
	 * leads a new session, its child is in its own group of that session
	 * and stops; the middle exits and the child comes to us, outside the
	 * session */
	mid = fork();
	if (mid == 0) {
		pid_t kid;

		setsid();
		kid = fork();
		if (kid == 0) {
			setpgid(0, 0);
			kill(getpid(), SIGSTOP);
			_exit(0); /* continued without dying: wrong */
		}
		waitpid(kid, &st, WUNTRACED);
		_exit(WIFSTOPPED(st) ? 0 : 1);
	}
	waitpid(mid, &st, 0);
	t_eq("middle saw its child stop, then exited", WEXITSTATUS(st), 0);
	pid = waitpid(-1, &st, 0);
	t_yes("orphaned stopped child reparented to us", pid > 0);
	t_yes("and killed by SIGHUP", WIFSIGNALED(st) && WTERMSIG(st) == SIGHUP);

	/* PR_SET_PDEATHSIG: the child hears about its parent's exit */
	mid = fork();
	if (mid == 0) {
		pid = fork();
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGUSR1);
			write(p[1], "r", 1);
			for (;;)
				pause();
		}
		read(p[0], &c, 1);
		_exit(0);
	}
	waitpid(mid, &st, 0);
	pid = waitpid(-1, &st, 0);
	t_yes("pdeathsig child killed by SIGUSR1", pid > 0 && WIFSIGNALED(st) &&
							   WTERMSIG(st) == SIGUSR1);

	/* itimers are not inherited by fork; an alarm left pending kills */
	alarm(30);
	pid = fork();
	if (pid == 0) {
		struct itimerval it;

		getitimer(ITIMER_REAL, &it);
		_exit(it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0 ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	t_eq("fork child has no alarm (0 = yes)", WEXITSTATUS(st), 0);
	t_yes("ours is still there", alarm(0) > 25);
	pid = fork();
	if (pid == 0) {
		ualarm(20000, 0);
		for (;;)
			pause();
	}
	waitpid(pid, &st, 0);
	t_yes("default SIGALRM kills", WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM);
	return g_finish();
}
