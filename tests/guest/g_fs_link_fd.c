/* SPDX-License-Identifier: Apache-2.0 */
/* linkat from an open fd: AT_EMPTY_PATH, /proc/self/fd with
 * AT_SYMLINK_FOLLOW, and the ENOENT an unlinked file gives. */
#include "common.h"

int main(void)
{
	char magic[64];
	struct stat a, b;
	int fd;

	g_start();
	fd = open("orig", O_CREAT | O_RDWR, 0644);
	t_ok("linkat AT_EMPTY_PATH", linkat(fd, "", AT_FDCWD, "via-empty", AT_EMPTY_PATH));
	t_yes("same inode", stat("orig", &a) == 0 && stat("via-empty", &b) == 0 && a.st_ino == b.st_ino);
	t_eq("two links", (long)b.st_nlink, 2);
	t_err("empty path without AT_EMPTY_PATH", linkat(fd, "", AT_FDCWD, "x", 0), ENOENT);
	snprintf(magic, sizeof(magic), "/proc/self/fd/%d", fd);
	t_ok("linkat through /proc/self/fd", linkat(AT_FDCWD, magic, AT_FDCWD, "via-proc", AT_SYMLINK_FOLLOW));
	t_yes("same inode again", stat("via-proc", &b) == 0 && a.st_ino == b.st_ino);
	t_err("without AT_SYMLINK_FOLLOW the link itself (another fs)", linkat(AT_FDCWD, magic, AT_FDCWD, "x", 0), EXDEV);
	unlink("orig");
	unlink("via-empty");
	unlink("via-proc");
	t_err("an unlinked file via AT_EMPTY_PATH", linkat(fd, "", AT_FDCWD, "back", AT_EMPTY_PATH), ENOENT);
	t_err("an unlinked file via /proc", linkat(AT_FDCWD, magic, AT_FDCWD, "back", AT_SYMLINK_FOLLOW), ENOENT);
	t_err("it stays gone", access("back", F_OK), ENOENT);
	close(fd);
	return g_finish();
}
