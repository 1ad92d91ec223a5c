/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/self/cmdline and environ: exact bytes after an exec with a
 * chosen argv and envp; /proc/<pid>/cmdline of a zombie is empty. */
#include "common.h"
#include <sys/wait.h>

static void dump(const char *what, const char *buf, long n)
{
	char out[512];
	long j = 0;

	for (long i = 0; i < n && j < (long)sizeof(out) - 4; i++) {
		if (buf[i] == 0) {
			memcpy(out + j, "\\0", 2);
			j += 2;
		} else {
			out[j++] = buf[i];
		}
	}
	out[j] = 0;
	say("%s (%ld bytes): %s\n", what, n, out);
}

static long read_all(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	long off = 0, n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + off, len - (size_t)off)) > 0)
		off += n;
	close(fd);
	return off;
}

int main(int argc, char **argv)
{
	char buf[4096];
	char *cargv[] = { (char *)"prog-name", (char *)"--child", (char *)"two words",
			  (char *)"", (char *)"last", NULL };
	char *cenv[] = { (char *)"A=1", (char *)"EMPTY=", (char *)"SP=x y", NULL };
	long n;
	pid_t pid;
	int st;

	if (argc > 1 && strcmp(argv[1], "--child") == 0) {
		n = read_all("/proc/self/cmdline", buf, sizeof(buf));
		dump("cmdline", buf, n);
		n = read_all("/proc/self/environ", buf, sizeof(buf));
		dump("environ", buf, n);
		/* a small read returns a prefix */
		int fd = open("/proc/self/cmdline", O_RDONLY);
		n = read(fd, buf, 4);
		dump("first 4 bytes", buf, n);
		n = read(fd, buf, 6);
		dump("next 6 bytes", buf, n);
		return 0;
	}
	g_start();
	pid = fork();
	if (pid == 0) {
		execve("/proc/self/exe", cargv, cenv);
		_exit(99);
	}
	waitpid(pid, &st, 0);
	t_eq("child status", WEXITSTATUS(st), 0);

	/* zombie: cmdline is empty */
	pid = fork();
	if (pid == 0)
		_exit(0);
	siginfo_t si;
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	t_eq("zombie cmdline length", read_all(path, buf, sizeof(buf)), 0);
	waitpid(pid, NULL, 0);
	n = read_all("/proc/self/cmdline", buf, sizeof(buf));
	t_yes("own cmdline matches argv[0]", n == (long)strlen(argv[0]) + 1 && strcmp(buf, argv[0]) == 0);
	return g_finish();
}
