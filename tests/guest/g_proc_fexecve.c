/* SPDX-License-Identifier: Apache-2.0 */
/* execveat: AT_EMPTY_PATH (fexecve), a name relative to a directory fd, errors. */
#include "common.h"
#include <sys/wait.h>

static char *const no_env[] = {NULL};

/* Runs @argv through execveat(dirfd, path, ..., flags) in a child; returns
 * the child's exit status, or 100 + errno when the exec failed. */
static int run(int dirfd, const char *path, int flags, char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		syscall(SYS_execveat, dirfd, path, argv, no_env, flags);
		_exit(100 + errno);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	char *cargv[] = {(char *)"prog", (char *)"child", NULL};
	int fd, dfd;

	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return 7;
	g_start();
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	t_yes("open /proc/self/exe", fd >= 0);
	t_eq("execveat(fd, \"\", AT_EMPTY_PATH)", run(fd, "", AT_EMPTY_PATH, cargv), 7);
	t_eq("execveat(fd, \"\", 0)", run(fd, "", 0, cargv), 100 + ENOENT);
	t_eq("execveat bad flags", run(AT_FDCWD, "/proc/self/exe", 0x80000, cargv), 100 + EINVAL);
	t_eq("execveat(-1, \"\", AT_EMPTY_PATH)", run(-1, "", AT_EMPTY_PATH, cargv), 100 + EBADF);

	/* fexecve of a file that is not executable */
	g_write_file("data", "data\n");
	dfd = open("data", O_RDONLY);
	t_eq("fexecve of a non-executable", run(dfd, "", AT_EMPTY_PATH, cargv), 100 + EACCES);
	close(dfd);

	/* a name relative to a directory fd, and a directory as the program */
	mkdir("sub", 0755);
	dfd = open("sub", O_RDONLY | O_DIRECTORY);
	t_eq("execveat(dirfd, \"missing\")", run(dfd, "missing", 0, cargv), 100 + ENOENT);
	t_eq("fexecve of a directory", run(dfd, "", AT_EMPTY_PATH, cargv), 100 + EACCES);
	close(dfd);
	close(fd);
	return g_finish();
}
