/* SPDX-License-Identifier: Apache-2.0 */
/* clone3: glibc's pthread_create and posix_spawn (which try clone3 first),
 * thread-local storage, and raw clone3 calls (fork-like, errors). */
#include "common.h"
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdint.h>
#include <sys/wait.h>

static __thread int tls_value;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int sum, ready;

static void *worker(void *arg)
{
	int me = (int)(intptr_t)arg;

	tls_value = me * 10;
	pthread_mutex_lock(&mu);
	while (!ready)
		pthread_cond_wait(&cv, &mu);
	sum += tls_value;
	pthread_mutex_unlock(&mu);
	return (void *)(intptr_t)(tls_value + 1);
}

static long clone3_raw(struct clone_args *ca, size_t size)
{
	return syscall(SYS_clone3, ca, size);
}

int main(int argc, char **argv)
{
	pthread_t th[4];
	struct clone_args ca;
	static char child_arg[] = "child";
	char *cargv[] = { argv[0], child_arg, NULL };
	pid_t pid;
	int st;
	void *ret;

	if (argc > 1) {
		say("spawned child runs\n");
		return 7;
	}
	g_start();
	tls_value = 1;
	for (int i = 0; i < 4; i++)
		t_eq("pthread_create", pthread_create(&th[i], NULL, worker, (void *)(intptr_t)(i + 1)), 0);
	pthread_mutex_lock(&mu);
	ready = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], &ret);
		t_eq("thread's TLS value + 1", (long)(intptr_t)ret, (i + 1) * 10 + 1);
	}
	t_eq("sum", sum, 100);
	t_eq("main's TLS untouched", tls_value, 1);

	st = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, cargv, NULL);
	if (st == 0)
		waitpid(pid, &st, 0); /* the child's line comes first, in any case */
	else
		say("posix_spawn: %s\n", ename(st));
	t_yes("spawned child exit 7", WIFEXITED(st) && WEXITSTATUS(st) == 7);

	/* raw clone3: a fork */
	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	pid = (pid_t)clone3_raw(&ca, sizeof(ca));
	if (pid == 0)
		_exit(42);
	t_yes("clone3 fork", pid > 0);
	t_yes("waited", waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 42);
	{
		int ptid = 0;

		ca.flags = CLONE_PARENT_SETTID;
		ca.parent_tid = (uint64_t)(uintptr_t)&ptid;
		pid = (pid_t)clone3_raw(&ca, CLONE_ARGS_SIZE_VER0);
		if (pid == 0)
			_exit(0);
		t_yes("CLONE_PARENT_SETTID", pid > 0 && ptid == pid);
		waitpid(pid, &st, 0);
	}

	memset(&ca, 0, sizeof(ca));
	t_err("size too small", clone3_raw(&ca, 32), EINVAL);
	t_err("size too big", clone3_raw(&ca, 8192), E2BIG);
	ca.flags = SIGCHLD; /* a signal in flags: clone3 wants exit_signal */
	t_err("signal in flags", clone3_raw(&ca, sizeof(ca)), EINVAL);
	ca.flags = 0;
	ca.exit_signal = 100;
	t_err("bad exit_signal", clone3_raw(&ca, sizeof(ca)), EINVAL);
	ca.exit_signal = SIGCHLD;
	ca.stack_size = 4096;
	t_err("stack_size without stack", clone3_raw(&ca, sizeof(ca)), EINVAL);
	ca.stack_size = 0;
	ca.flags = CLONE_THREAD;
	t_err("CLONE_THREAD without CLONE_SIGHAND", clone3_raw(&ca, sizeof(ca)), EINVAL);
	t_err("bad pointer", clone3_raw(G_BADPTR, sizeof(ca)), EFAULT);
	{
		char big[128];

		memset(big, 0, sizeof(big));
		((struct clone_args *)big)->exit_signal = SIGCHLD;
		big[100] = 1;
		t_err("unknown nonzero field", clone3_raw((struct clone_args *)big, sizeof(big)), E2BIG);
	}
	return g_finish();
}
