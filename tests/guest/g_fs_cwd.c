/* SPDX-License-Identifier: Apache-2.0 */
/* getcwd/chdir/fchdir: relative walks, buffer sizes, removed cwd.
 * The scratch directory's own name is random: only suffixes are shown. */
#include "common.h"

static char base[4096];

/* cwd relative to the starting directory */
static const char *rel(void)
{
	static char buf[4096];
	size_t n = strlen(base);

	if (!getcwd(buf, sizeof(buf)))
		return ename(errno);
	if (strncmp(buf, base, n) != 0)
		return "(outside)";
	return buf[n] ? buf + n : "(start)";
}

int main(void)
{
	char small[4];
	int fd, start;

	g_start();
	if (!getcwd(base, sizeof(base)))
		return 2;
	t_yes("getcwd is absolute", base[0] == '/');
	start = open(".", O_RDONLY | O_DIRECTORY);
	mkdir("a", 0755);
	mkdir("a/b", 0755);
	g_write_file("file", "x");
	symlink("a/b", "lb");

	t_ok("chdir a", chdir("a"));
	t_streq("cwd", rel(), "/a");
	t_ok("chdir b/../b/./", chdir("b/../b/./"));
	t_streq("cwd", rel(), "/a/b");
	t_ok("chdir ..", chdir(".."));
	t_streq("cwd", rel(), "/a");
	t_ok("fchdir back to start", fchdir(start));
	t_streq("cwd", rel(), "(start)");
	t_ok("chdir through a symlink", chdir("lb"));
	t_streq("cwd is the resolved path", rel(), "/a/b");
	fchdir(start);

	t_err("chdir missing", chdir("missing"), ENOENT);
	t_err("chdir to a file", chdir("file"), ENOTDIR);
	t_err("chdir empty", chdir(""), ENOENT);
	fd = open("file", O_RDONLY);
	t_err("fchdir to a file", fchdir(fd), ENOTDIR);
	t_err("fchdir bad fd", fchdir(99), EBADF);
	t_streq("cwd unchanged by failures", rel(), "(start)");

	t_yes("getcwd size 1: ERANGE", getcwd(small, 1) == NULL && errno == ERANGE);
	t_err("raw getcwd size 0", syscall(SYS_getcwd, small, 0), ERANGE);
	long n = syscall(SYS_getcwd, base, sizeof(base));
	t_yes("raw getcwd returns length + 1", n == (long)strlen(base) + 1);

	/* deep path and relative open after chdir */
	chdir("a/b");
	g_write_file("here", "h");
	fchdir(start);
	t_ok("file created relative to the new cwd", access("a/b/here", F_OK));

	/* cwd removed */
	mkdir("gone", 0755);
	chdir("gone");
	rmdir("../gone");
	t_yes("getcwd of a removed dir fails", getcwd(base, sizeof(base)) == NULL);
	t_yes("with ENOENT", errno == ENOENT);
	t_ok("chdir .. still works", chdir(".."));
	t_ok("and we are back", access("a/b/here", F_OK));
	return g_finish();
}
