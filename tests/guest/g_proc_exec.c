/* SPDX-License-Identifier: Apache-2.0 */
/* execve: argv/envp passing, fd inheritance, error cases. */
#include "common.h"
#include <sys/wait.h>

static char *const no_env[] = { NULL };

static int child_mode(int argc, char **argv, char **envp)
{
	int i, n = 0;

	say("child argc %d\n", argc);
	for (i = 1; i < argc; i++)
		say("child argv[%d] \"%s\"\n", i, argv[i]);
	for (i = 0; envp[i]; i++)
		if (strncmp(envp[i], "GT_", 3) == 0)
			say("child env %s\n", envp[i]), n++;
	say("child env count %d\n", n);
	say("fd 5 (no cloexec) open: %s\n", fcntl(5, F_GETFD) >= 0 ? "yes" : "no");
	say("fd 6 (cloexec) open: %s\n", fcntl(6, F_GETFD) >= 0 ? "yes" : "no");
	sigset_t mask;
	sigprocmask(SIG_SETMASK, NULL, &mask);
	say("signal mask kept: %s\n", sigismember(&mask, SIGUSR1) == 1 ? "yes" : "no");
	return 5;
}

int main(int argc, char **argv, char **envp)
{
	char *cargv[] = { (char *)"renamed", (char *)"child", (char *)"two words", (char *)"", NULL };
	char *cenv[] = { (char *)"GT_A=1", (char *)"GT_B=", (char *)"GT_C=x=y", NULL };
	char *args1[] = { (char *)"x", NULL };
	sigset_t m;
	pid_t pid;
	int st;

	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return child_mode(argc, argv, envp);
	g_start();
	g_write_file("notexec", "data\n");
	g_write_file("garbage", "\x01\x02\x03 not an elf\n");
	chmod("garbage", 0755);
	mkdir("dir", 0755);

	pid = fork();
	if (pid == 0) {
		dup2(1, 5);
		dup3(1, 6, O_CLOEXEC);
		sigemptyset(&m);
		sigaddset(&m, SIGUSR1);
		sigprocmask(SIG_BLOCK, &m, NULL);
		execve("/proc/self/exe", cargv, cenv);
		say("exec failed %s\n", ename(errno));
		_exit(99);
	}
	waitpid(pid, &st, 0);
	t_eq("exit status of exec'd image", WEXITSTATUS(st), 5);

	t_err("exec missing file", execve("nope", args1, no_env), ENOENT);
	t_err("exec without x bit", execve("notexec", args1, no_env), EACCES);
	t_err("exec garbage with x bit", execve("garbage", args1, no_env), ENOEXEC);
	t_err("exec a directory", execve("dir", args1, no_env), EACCES);
	t_err("exec through a file", execve("notexec/x", args1, no_env), ENOTDIR);
	t_err("exec empty path", execve("", args1, no_env), ENOENT);
	t_err("exec bad path pointer", syscall(SYS_execve, G_BADPTR, args1, no_env), EFAULT);
	t_err("exec bad argv pointer", syscall(SYS_execve, "/proc/self/exe", G_BADPTR, no_env), EFAULT);
	say("still running after failed execs: yes\n");
	return g_finish();
}
