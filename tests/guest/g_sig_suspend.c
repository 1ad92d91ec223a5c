/* SPDX-License-Identifier: Apache-2.0 */
/* sigsuspend and pause: wait for a signal with a temporary mask. */
#include "common.h"
#include <sys/wait.h>

static volatile sig_atomic_t got;
static volatile int mask_in_handler_has_usr2;

static void on_sig(int sig)
{
	sigset_t cur;

	got = sig;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	mask_in_handler_has_usr2 = sigismember(&cur, SIGUSR2);
}

int main(void)
{
	sigset_t block, wait_mask, after;
	pid_t parent = getpid(), pid;
	long rc;

	g_start();
	signal(SIGUSR1, on_sig);
	signal(SIGUSR2, on_sig);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);

	/* the child sends USR2 (kept blocked by the wait mask) then USR1 */
	pid = fork();
	if (pid == 0) {
		kill(parent, SIGUSR2);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	sigfillset(&wait_mask);
	sigdelset(&wait_mask, SIGUSR1);
	rc = sigsuspend(&wait_mask);
	t_err("sigsuspend returns", rc, EINTR);
	t_yes("woken by SIGUSR1", got == SIGUSR1);
	t_eq("SIGUSR2 blocked in the handler (suspend mask)", mask_in_handler_has_usr2, 1);
	sigprocmask(SIG_SETMASK, NULL, &after);
	t_yes("original mask restored", sigismember(&after, SIGUSR1) && sigismember(&after, SIGUSR2) &&
						 sigismember(&after, SIGTERM));
	/* USR2 still pending, take it now */
	got = 0;
	sigemptyset(&wait_mask);
	rc = sigsuspend(&wait_mask);
	t_err("second sigsuspend", rc, EINTR);
	t_yes("pending SIGUSR2 delivered at once", got == SIGUSR2);

	/* pause() with a signal from a child */
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	got = 0;
	pid = fork();
	if (pid == 0) {
		usleep(10000);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	rc = pause();
	t_err("pause returns", rc, EINTR);
	t_yes("pause woken by SIGUSR1", got == SIGUSR1);
	waitpid(pid, NULL, 0);

	/* an ignored signal does not wake sigsuspend; a terminating one kills */
	pid = fork();
	if (pid == 0) {
		sigset_t none;
		signal(SIGURG, SIG_IGN);
		sigemptyset(&none);
		sigsuspend(&none);
		_exit(0);
	}
	usleep(10000);
	kill(pid, SIGURG);
	usleep(10000);
	kill(pid, SIGTERM);
	int st;
	waitpid(pid, &st, 0);
	t_yes("ignored SIGURG did not wake it, SIGTERM killed it",
	      WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	t_err("rt_sigsuspend bad size", syscall(SYS_rt_sigsuspend, &wait_mask, 4), EINVAL);
	t_err("rt_sigsuspend bad mask pointer", syscall(SYS_rt_sigsuspend, G_BADPTR, 8), EFAULT);
	return g_finish();
}
