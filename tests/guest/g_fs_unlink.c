/* SPDX-License-Identifier: Apache-2.0 */
/* unlink/unlinkat: what can and cannot be removed, and open files. */
#include "common.h"

int main(void)
{
	struct stat st;
	int dfd, fd;
	char buf[8] = "";

	g_start();
	g_write_file("f", "data");
	mkdir("d", 0755);
	g_write_file("d/inner", "i");
	symlink("f", "ln");
	symlink("d", "dl");

	t_err("unlink a directory", unlink("d"), EISDIR);
	t_err("unlink missing", unlink("missing"), ENOENT);
	t_err("unlink through a file", unlink("f/x"), ENOTDIR);
	t_err("unlink trailing slash on file", unlink("f/"), ENOTDIR);
	t_err("unlink empty", unlink(""), ENOENT);
	t_err("unlink . ", unlink("."), EISDIR);
	t_ok("unlink a symlink", unlink("ln"));
	t_ok("its target stays", stat("f", &st));
	t_err("unlink symlink to dir with slash", unlink("dl/"), ENOTDIR);
	t_ok("unlink symlink to dir", unlink("dl"));
	t_ok("dir stays", stat("d", &st));

	dfd = open("d", O_RDONLY | O_DIRECTORY);
	t_err("unlinkat AT_REMOVEDIR on file", unlinkat(dfd, "inner", AT_REMOVEDIR), ENOTDIR);
	t_err("unlinkat bad flag", unlinkat(dfd, "inner", 0x1), EINVAL);
	t_err("unlinkat bad dirfd", unlinkat(99, "inner", 0), EBADF);
	fd = open("f", O_RDONLY);
	t_err("unlinkat with a file as dirfd", unlinkat(fd, "x", 0), ENOTDIR);
	t_ok("unlinkat relative", unlinkat(dfd, "inner", 0));
	t_err("gone", stat("d/inner", &st), ENOENT);
	t_ok("unlinkat AT_REMOVEDIR", unlinkat(AT_FDCWD, "d", AT_REMOVEDIR));

	/* unlinked while open: data stays until the last close */
	t_ok("unlink open file", unlink("f"));
	t_eq("read from the open descriptor", read(fd, buf, 4), 4);
	t_streq("data", buf, "data");
	g_write_file("f", "new");
	memset(buf, 0, sizeof(buf));
	lseek(fd, 0, SEEK_SET);
	read(fd, buf, sizeof(buf) - 1);
	t_streq("old descriptor keeps the old file", buf, "data");
	close(fd);

	/* many files created and removed */
	int ok = 1;
	char name[32];
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "tmp%d", i);
		ok &= close(open(name, O_CREAT | O_WRONLY, 0644)) == 0;
	}
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "tmp%d", i);
		ok &= unlink(name) == 0;
	}
	t_yes("200 create+unlink", ok);
	/* the current directory removed under us */
	mkdir("gone", 0755);
	chdir("gone");
	t_ok("rmdir the cwd", rmdir("../gone"));
	t_err("create in a removed cwd", open("x", O_CREAT | O_RDWR, 0644), ENOENT);
	t_err("unlink in a removed cwd", unlink("x"), ENOENT);
	return g_finish();
}
