/* SPDX-License-Identifier: Apache-2.0 */
/* stat family: stat/fstat/lstat/fstatat/statx agree; symlink sizes;
 * AT_EMPTY_PATH; errors.  No inode numbers or times are printed. */
#include "common.h"

int main(void)
{
	struct stat a, b, l;
	struct statx sx;
	int fd, dfd;

	g_start();
	fd = open("file", O_RDWR | O_CREAT | O_TRUNC, 0600);
	write(fd, "12345", 5);
	t_ok("stat", stat("file", &a));
	t_ok("fstat", fstat(fd, &b));
	t_yes("same dev and ino", a.st_dev == b.st_dev && a.st_ino == b.st_ino);
	t_eq("size", a.st_size, 5);
	t_oct("mode", a.st_mode, S_IFREG | 0600);
	t_eq("nlink", a.st_nlink, 1);
	t_yes("uid/gid are ours", a.st_uid == geteuid() && a.st_gid == getegid());
	t_yes("blksize > 0", a.st_blksize > 0);
	t_yes("mtime >= ctime - 1 and nonzero", a.st_mtime > 0 && a.st_mtime + 1 >= a.st_ctime);

	symlink("file", "link");
	t_ok("lstat link", lstat("link", &l));
	t_yes("lstat: symlink of size 4 (target length)", S_ISLNK(l.st_mode) && l.st_size == 4);
	t_oct("symlink permission bits", l.st_mode & 0777, 0777);
	t_ok("stat link follows", stat("link", &b));
	t_yes("followed to file", b.st_ino == a.st_ino);
	t_ok("fstatat NOFOLLOW", fstatat(AT_FDCWD, "link", &b, AT_SYMLINK_NOFOLLOW));
	t_yes("same as lstat", b.st_ino == l.st_ino && S_ISLNK(b.st_mode));

	mkdir("dir", 0750);
	dfd = open("dir", O_RDONLY | O_DIRECTORY);
	t_ok("fstatat relative to dirfd", fstatat(dfd, "..", &b, 0));
	stat(".", &l);
	t_yes("dir/.. is .", b.st_ino == l.st_ino);
	t_ok("AT_EMPTY_PATH on fd", fstatat(fd, "", &b, AT_EMPTY_PATH));
	t_yes("AT_EMPTY_PATH gives the file", b.st_ino == a.st_ino);
	t_err("empty path without AT_EMPTY_PATH", fstatat(fd, "", &b, 0), ENOENT);
	t_ok("stat dir", stat("dir", &b));
	t_oct("dir mode", b.st_mode, S_IFDIR | 0750);

	memset(&sx, 0, sizeof(sx));
	t_ok("statx", statx(AT_FDCWD, "file", 0, STATX_BASIC_STATS, &sx));
	t_yes("statx basic mask", (sx.stx_mask & (STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_NLINK)) ==
					  (STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_NLINK));
	t_yes("statx agrees", sx.stx_size == 5 && sx.stx_ino == a.st_ino && sx.stx_mode == a.st_mode);
	t_err("statx bad flags", statx(AT_FDCWD, "file", 0x40000000, STATX_BASIC_STATS, &sx), EINVAL);
	t_err("statx reserved mask bit", statx(AT_FDCWD, "file", 0, 0x80000000u, &sx), EINVAL);

	t_err("stat missing", stat("missing", &b), ENOENT);
	t_err("stat empty path", stat("", &b), ENOENT);
	t_err("stat through file", stat("file/x", &b), ENOTDIR);
	t_err("stat trailing slash on file", stat("file/", &b), ENOTDIR);
	t_ok("stat trailing slash on dir", stat("dir/", &b));
	symlink("loop2", "loop1");
	symlink("loop1", "loop2");
	t_err("stat symlink loop", stat("loop1", &b), ELOOP);
	t_ok("lstat symlink loop", lstat("loop1", &b));
	t_err("fstat closed fd", fstat(99, &b), EBADF);
	t_err("fstatat bad dirfd", fstatat(99, "x", &b, 0), EBADF);
	t_err("fstatat file as dirfd", fstatat(fd, "x", &b, 0), ENOTDIR);
	t_err("fstatat bad flags", fstatat(AT_FDCWD, "file", &b, 0x1), EINVAL);
	return g_finish();
}
