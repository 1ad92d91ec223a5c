/* SPDX-License-Identifier: Apache-2.0 */
/* umask: return values, effect on open/mkdir/mknod-like creation, fork. */
#include "common.h"
#include <sys/wait.h>

static mode_t mode_of(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

int main(void)
{
	int st;

	g_start();
	t_oct("umask returns the previous (g_start set 022)", umask(027), 022);
	t_oct("and now", umask(027), 027);

	close(open("f1", O_CREAT | O_WRONLY, 0777));
	t_oct("file 0777 & ~027", mode_of("f1"), 0750);
	mkdir("d1", 0777);
	t_oct("dir 0777 & ~027", mode_of("d1"), 0750);

	umask(0);
	close(open("f2", O_CREAT | O_WRONLY, 0666));
	t_oct("umask 0: file as asked", mode_of("f2"), 0666);
	mkdir("d2", 01777);
	t_oct("umask 0: sticky dir as asked", mode_of("d2"), 01777);

	t_oct("only the low 9 bits are kept", (umask(07777), umask(022)), 0777);
	umask(0777);
	close(open("f3", O_CREAT | O_WRONLY, 0666));
	t_oct("umask 0777: no permissions", mode_of("f3"), 0);
	umask(022);

	/* umask does not apply to chmod */
	chmod("f3", 0777);
	t_oct("chmod ignores umask", mode_of("f3"), 0777);
	/* symlinks are always 0777 */
	umask(077);
	symlink("f1", "ln");
	struct stat ls;
	lstat("ln", &ls);
	t_oct("symlink mode ignores umask", ls.st_mode & 0777, 0777);

	/* inherited by children and reported in /proc/self/status */
	pid_t pid = fork();
	if (pid == 0)
		_exit((int)umask(0));
	waitpid(pid, &st, 0);
	t_oct("child inherits umask", WEXITSTATUS(st), 077);
	char buf[4096];
	g_read_file("/proc/self/status", buf, sizeof(buf));
	t_yes("/proc/self/status Umask: 0077", strstr(buf, "Umask:\t0077") != NULL);
	return g_finish();
}
