/* SPDX-License-Identifier: Apache-2.0 */
/* vfork suspends the parent and shares memory; clone with various exit
 * signals, CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID-free process clones. */
#include "common.h"
#include <sched.h>
#include <sys/wait.h>

static volatile int shared_word;
static char stack[65536] __attribute__((aligned(16)));

static volatile sig_atomic_t got_usr1;

static void on_usr1(int sig)
{
	got_usr1 = sig == SIGUSR1;
}

static int clone_fn(void *arg)
{
	shared_word = *(int *)arg;
	return 12;
}

int main(void)
{
	pid_t pid, ptid = 0;
	int st, arg = 55;

	g_start();
	shared_word = 0;
	pid = vfork();
	if (pid == 0) {
		shared_word = 1; /* visible to the parent: same memory */
		_exit(6);
	}
	t_eq("vfork: parent sees child's write", shared_word, 1);
	waitpid(pid, &st, 0);
	t_eq("vfork child status", WEXITSTATUS(st), 6);

	/* vfork + exec of a missing file: the parent resumes */
	pid = vfork();
	if (pid == 0) {
		execl("./does-not-exist", "x", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	t_eq("vfork+failed exec status", WEXITSTATUS(st), 127);

	/* process-like clone with SIGCHLD: memory is copied */
	shared_word = 0;
	pid = clone(clone_fn, stack + sizeof(stack), SIGCHLD, &arg);
	t_yes("clone(SIGCHLD)", pid > 0);
	waitpid(pid, &st, 0);
	t_eq("clone child status", WEXITSTATUS(st), 12);
	t_eq("copied memory unchanged in parent", shared_word, 0);

	/* CLONE_VM: memory shared; exit signal 0 needs __WCLONE */
	pid = clone(clone_fn, stack + sizeof(stack), CLONE_VM | CLONE_PARENT_SETTID, &arg,
		    &ptid);
	t_yes("CLONE_PARENT_SETTID stored the tid", ptid == pid);
	t_err("plain waitpid ignores exit-signal-0 child", waitpid(pid, &st, 0), ECHILD);
	t_yes("__WCLONE waits for it", waitpid(pid, &st, __WCLONE) == pid);
	t_eq("status", WEXITSTATUS(st), 12);
	t_eq("CLONE_VM child wrote our memory", shared_word, 55);

	/* __WALL sees both kinds; the SIGUSR1 exit signal reaches our handler */
	signal(SIGUSR1, on_usr1);
	shared_word = 0;
	pid = clone(clone_fn, stack + sizeof(stack), CLONE_VM | SIGUSR1, &arg);
	t_yes("__WALL waits for SIGUSR1-exit child", waitpid(pid, &st, __WALL) == pid);
	t_eq("exit signal SIGUSR1 delivered to parent", got_usr1, 1);

	t_err("clone CLONE_SIGHAND without CLONE_VM",
	      clone(clone_fn, stack + sizeof(stack), CLONE_SIGHAND | SIGCHLD, &arg), EINVAL);
	t_err("clone CLONE_THREAD without CLONE_SIGHAND",
	      clone(clone_fn, stack + sizeof(stack), CLONE_VM | CLONE_THREAD, &arg), EINVAL);
	return g_finish();
}
