/* SPDX-License-Identifier: Apache-2.0 */
/* mkdir/mkdirat/rmdir: modes, link counts, and the error cases. */
#include "common.h"

int main(void)
{
	struct stat st;
	int dfd;

	g_start();
	t_ok("mkdir a", mkdir("a", 0777));
	stat("a", &st);
	t_oct("mode after umask", st.st_mode & 07777, 0755);
	t_err("mkdir existing", mkdir("a", 0755), EEXIST);
	t_ok("mkdir a/b", mkdir("a/b", 0700));
	t_ok("mkdir a/c/", mkdir("a/c/", 0700));
	t_err("mkdir missing parent", mkdir("x/y", 0755), ENOENT);
	g_write_file("file", "x");
	t_err("mkdir under a file", mkdir("file/y", 0755), ENOTDIR);
	t_err("mkdir over a file", mkdir("file", 0755), EEXIST);
	t_err("mkdir empty name", mkdir("", 0755), ENOENT);
	t_err("mkdir .", mkdir(".", 0755), EEXIST);
	symlink("a", "sl");
	t_err("mkdir over a symlink", mkdir("sl", 0755), EEXIST);
	symlink("nowhere", "dangling");
	t_err("mkdir over a dangling symlink", mkdir("dangling", 0755), EEXIST);

	dfd = open("a", O_RDONLY | O_DIRECTORY);
	t_ok("mkdirat relative to dirfd", mkdirat(dfd, "d", 0755));
	t_ok("it is a/d", stat("a/d", &st));
	t_err("mkdirat bad dirfd", mkdirat(99, "z", 0755), EBADF);
	t_ok("mkdirat absolute-free AT_FDCWD", mkdirat(AT_FDCWD, "top", 0755));
	t_ok("mkdir setgid/sticky bits kept", mkdir("bits", 01777));
	stat("bits", &st);
	t_oct("sticky kept, group/other write masked", st.st_mode & 07777, 01755);

	t_err("rmdir non-empty", rmdir("a"), ENOTEMPTY);
	t_err("rmdir a file", rmdir("file"), ENOTDIR);
	t_err("rmdir missing", rmdir("missing"), ENOENT);
	t_err("rmdir .", rmdir("a/b/."), EINVAL);
	t_err("rmdir ..", rmdir("a/b/.."), ENOTEMPTY);
	t_err("rmdir through symlink", rmdir("sl"), ENOTDIR);
	t_ok("rmdir a/b", rmdir("a/b"));
	t_ok("rmdir a/c", rmdir("a/c"));
	t_ok("unlinkat AT_REMOVEDIR a/d", unlinkat(dfd, "d", AT_REMOVEDIR));
	t_ok("rmdir a", rmdir("a"));
	t_err("a is gone", stat("a", &st), ENOENT);
	/* the open fd of a removed directory: creating in it fails */
	t_err("mkdirat in a removed dir", mkdirat(dfd, "z", 0755), ENOENT);
	t_err("openat O_CREAT in a removed dir", openat(dfd, "f", O_CREAT | O_RDWR, 0644), ENOENT);
	close(dfd);

	/* deep nesting */
	char path[1024] = "deep";
	int ok = mkdir(path, 0755) == 0;
	for (int i = 0; i < 50; i++) {
		strcat(path, "/n");
		ok &= mkdir(path, 0755) == 0;
	}
	t_yes("50 nested directories", ok);
	t_err("rmdir the top of the tree", rmdir("deep"), ENOTEMPTY);
	return g_finish();
}
