/* SPDX-License-Identifier: Apache-2.0 */
/* #! scripts: interpreter argv layout, optional argument, nesting limit. */
#include "common.h"
#include <sys/wait.h>

static int child_mode(int argc, char **argv)
{
	int i;

	say("interpreter got argc %d\n", argc);
	for (i = 1; i < argc; i++)
		say("  argv[%d] \"%s\"\n", i, argv[i]);
	return 0;
}

static void make_script(const char *name, const char *line)
{
	g_write_file(name, line);
	chmod(name, 0755);
}

static void run(const char *path, char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		execv(path, argv);
		say("exec %s: %s\n", path, ename(errno));
		_exit(99);
	}
	waitpid(pid, &st, 0);
	say("%s: exit %d\n", path, WEXITSTATUS(st));
}

int main(int argc, char **argv)
{
	char self[4096], line[4200];
	char *a1[] = { (char *)"script-name", (char *)"x1", (char *)"x 2", NULL };
	char *a2[] = { (char *)"s2", NULL };
	ssize_t n;

	if (argc > 1 && strncmp(argv[1], "--interp", 8) == 0)
		return child_mode(argc, argv);
	g_start();
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 2;
	self[n] = 0;

	snprintf(line, sizeof(line), "#!%s --interp\necho not reached\n", self);
	make_script("s1", line);
	run("./s1", a1);

	/* spaces around the interpreter; the rest is one argument */
	snprintf(line, sizeof(line), "#!  %s   --interp   a b  \n", self);
	make_script("s2", line);
	run("./s2", a2);

	/* script as interpreter of a script */
	make_script("s3", "#!./s1 extra\n");
	run("./s3", a2);

	/* nesting: s4 -> s5 -> s6 -> s7 -> s8 -> s1: too deep */
	make_script("s4", "#!./s5\n");
	make_script("s5", "#!./s6\n");
	make_script("s6", "#!./s7\n");
	make_script("s7", "#!./s8\n");
	make_script("s8", "#!./s1\n");
	run("./s4", a2);
	run("./s6", a2);

	make_script("s9", "#!./missing-interpreter\n");
	run("./s9", a2);
	make_script("s10", "#!\n");
	run("./s10", a2);
	g_write_file("s11", "#!./s1\n");
	run("./s11", a2);
	return g_finish();
}
