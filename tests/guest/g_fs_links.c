/* SPDX-License-Identifier: Apache-2.0 */
/* Hard links: link counts, shared content, unlinked-but-open files. */
#include "common.h"

int main(void)
{
	struct stat a, b;
	char buf[16] = "";
	int fd;

	g_start();
	g_write_file("orig", "content");
	t_ok("link", link("orig", "hard"));
	stat("orig", &a);
	stat("hard", &b);
	t_eq("nlink 2", a.st_nlink, 2);
	t_yes("same inode", a.st_ino == b.st_ino && a.st_dev == b.st_dev);

	fd = open("hard", O_WRONLY | O_APPEND);
	write(fd, "+", 1);
	close(fd);
	g_read_file("orig", buf, sizeof(buf));
	t_streq("write through one name seen through the other", buf, "content+");

	t_err("link to existing name", link("orig", "hard"), EEXIST);
	t_err("link missing source", link("missing", "x"), ENOENT);
	t_err("link into missing dir", link("orig", "nodir/x"), ENOENT);
	mkdir("dir", 0755);
	t_err("link a directory", link("dir", "dirlink"), EPERM);
	t_err("link through a file", link("orig", "orig/x"), ENOTDIR);
	t_err("link with trailing slash", link("orig/", "x"), ENOTDIR);

	/* linkat: symlinks are not followed unless AT_SYMLINK_FOLLOW */
	symlink("orig", "sym");
	t_ok("linkat without follow", linkat(AT_FDCWD, "sym", AT_FDCWD, "sym2", 0));
	lstat("sym2", &b);
	t_yes("sym2 is a symlink", S_ISLNK(b.st_mode));
	t_ok("linkat AT_SYMLINK_FOLLOW", linkat(AT_FDCWD, "sym", AT_FDCWD, "third", AT_SYMLINK_FOLLOW));
	stat("orig", &a);
	t_eq("nlink 3", a.st_nlink, 3);
	t_err("linkat bad flags", linkat(AT_FDCWD, "orig", AT_FDCWD, "y", 0x8000), EINVAL);

	/* unlink while open */
	fd = open("orig", O_RDWR);
	t_ok("unlink orig", unlink("orig"));
	t_ok("unlink hard", unlink("hard"));
	t_ok("unlink third", unlink("third"));
	fstat(fd, &a);
	t_eq("nlink 0 while open", a.st_nlink, 0);
	memset(buf, 0, sizeof(buf));
	pread(fd, buf, 8, 0);
	t_streq("still readable", buf, "content+");
	t_eq("still writable", pwrite(fd, "more", 4, 8), 4);
	t_err("name is gone", stat("orig", &b), ENOENT);
	/* linkat of an open unlinked file: not allowed without O_TMPFILE */
	t_err("relink deleted file", linkat(fd, "", AT_FDCWD, "back", AT_EMPTY_PATH), ENOENT);
	close(fd);
	t_err("unlink twice", unlink("orig"), ENOENT);
	return g_finish();
}
