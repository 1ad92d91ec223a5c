/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/self itself: the self and thread-self links, exe, cwd, root,
 * mounts; a child's /proc/<pid> seen from the parent. */
#include "common.h"
#include <sys/wait.h>

static char tmp[4096];

static const char *rl(const char *path)
{
	ssize_t n = readlink(path, tmp, sizeof(tmp) - 1);

	if (n < 0)
		return ename(errno);
	tmp[n] = 0;
	return tmp;
}

int main(int argc, char **argv)
{
	char want[64], cwd[4096], exe[4096], buf[16384];
	struct stat a, b;
	pid_t pid;
	int st;

	(void)argc;
	(void)argv;
	g_start();
	snprintf(want, sizeof(want), "%d", (int)getpid());
	t_yes("/proc/self -> our pid", strcmp(rl("/proc/self"), want) == 0);
	snprintf(want, sizeof(want), "%d/task/%d", (int)getpid(), (int)getpid());
	t_yes("/proc/thread-self -> pid/task/tid", strcmp(rl("/proc/thread-self"), want) == 0);

	getcwd(cwd, sizeof(cwd));
	t_yes("/proc/self/cwd is getcwd()", strcmp(rl("/proc/self/cwd"), cwd) == 0);
	mkdir("sub", 0755);
	chdir("sub");
	t_yes("follows chdir", strncmp(rl("/proc/self/cwd"), cwd, strlen(cwd)) == 0 &&
				       strcmp(tmp + strlen(cwd), "/sub") == 0);
	chdir("..");
	t_streq("/proc/self/root", rl("/proc/self/root"), "/");

	snprintf(exe, sizeof(exe), "%s", rl("/proc/self/exe"));
	t_yes("exe is absolute", exe[0] == '/');
	stat("/proc/self/exe", &a);
	stat(exe, &b);
	t_yes("exe names this very file", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	t_ok("opening /proc/self/exe", open("/proc/self/exe", O_RDONLY));
	char elf[4];
	pread(3, elf, 4, 0);
	t_yes("it is an ELF file", memcmp(elf, "\177ELF", 4) == 0);

	t_yes("/proc/self/mounts readable", g_read_file("/proc/self/mounts", buf, sizeof(buf)) > 0);
	t_yes("it has a / mount and a proc mount", strstr(buf, " / ") != NULL && strstr(buf, " proc ") != NULL);
	t_yes("/proc/mounts is the same file", g_read_file("/proc/mounts", tmp, sizeof(tmp)) > 0 &&
						       strncmp(buf, tmp, 64) == 0);

	/* task directory: one thread */
	snprintf(want, sizeof(want), "/proc/self/task/%d", (int)getpid());
	t_ok("stat /proc/self/task/<tid>", stat(want, &a));
	/* a child: its /proc entry from here */
	int ready[2];
	char c;
	pipe(ready);
	pid = fork();
	if (pid == 0) {
		chdir("sub");
		write(ready[1], "r", 1);
		pause();
		_exit(0);
	}
	read(ready[0], &c, 1);
	snprintf(want, sizeof(want), "/proc/%d/cwd", (int)pid);
	rl(want);
	t_yes("child's cwd seen from the parent", strncmp(tmp, cwd, strlen(cwd)) == 0 &&
							  strcmp(tmp + strlen(cwd), "/sub") == 0);
	snprintf(want, sizeof(want), "/proc/%d/exe", (int)pid);
	t_yes("child's exe", strcmp(rl(want), exe) == 0);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	t_err("gone after reaping", readlink(want, tmp, sizeof(tmp)), ENOENT);
	t_err("no such pid dir", access("/proc/2147483000", F_OK), ENOENT);
	t_err("mkdir in /proc/self", mkdir("/proc/self/x", 0755), ENOENT);
	t_err("create in /proc/self", open("/proc/self/newf", O_CREAT | O_WRONLY, 0644), ENOENT);
	t_err("unlink in /proc/self", unlink("/proc/self/stat"), EPERM);
	return g_finish();
}
