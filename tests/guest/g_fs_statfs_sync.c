/* SPDX-License-Identifier: Apache-2.0 */
/* statfs/fstatfs sanity (no fs type or sizes printed) and the sync
 * family: fsync, fdatasync, syncfs, sync, sync_file_range. */
#include "common.h"
#include <sys/statfs.h>

int main(void)
{
	struct statfs a, b;
	int fd, pfd[2], dfd;

	g_start();
	fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "data", 4);

	t_ok("statfs .", statfs(".", &a));
	t_ok("fstatfs fd", fstatfs(fd, &b));
	t_yes("same filesystem", a.f_type == b.f_type && a.f_bsize == b.f_bsize);
	t_yes("f_bsize > 0", a.f_bsize > 0);
	t_yes("f_bfree <= f_blocks, f_bavail <= f_bfree",
	      a.f_bfree <= a.f_blocks && a.f_bavail <= a.f_bfree);
	t_eq("f_namelen", a.f_namelen, 255);
	t_ok("statfs /proc/self", statfs("/proc/self", &b));
	t_yes("procfs magic", b.f_type == 0x9fa0);
	t_err("statfs missing", statfs("missing", &a), ENOENT);
	t_err("statfs through a file", statfs("f/x", &a), ENOTDIR);
	t_err("fstatfs bad fd", fstatfs(99, &a), EBADF);
	t_err("statfs bad pointer", syscall(SYS_statfs, ".", G_BADPTR), EFAULT);

	t_ok("fsync", fsync(fd));
	t_ok("fdatasync", fdatasync(fd));
	t_ok("syncfs", syncfs(fd));
	sync();
	say("sync returned: yes\n");
	t_ok("sync_file_range", sync_file_range(fd, 0, 4, SYNC_FILE_RANGE_WRITE));
	t_err("sync_file_range bad flags", sync_file_range(fd, 0, 4, 0x100), EINVAL);
	t_err("sync_file_range negative offset", sync_file_range(fd, -1, 4, 0), EINVAL);
	t_err("fsync bad fd", fsync(99), EBADF);
	t_err("fdatasync bad fd", fdatasync(99), EBADF);
	pipe(pfd);
	t_err("fsync on a pipe", fsync(pfd[0]), EINVAL);
	t_err("fdatasync on a pipe", fdatasync(pfd[1]), EINVAL);
	t_err("sync_file_range on a pipe", sync_file_range(pfd[1], 0, 1, SYNC_FILE_RANGE_WRITE), ESPIPE);
	dfd = open(".", O_RDONLY | O_DIRECTORY);
	t_ok("fsync a directory", fsync(dfd));
	int ro = open("f", O_RDONLY);
	t_ok("fsync a read-only fd", fsync(ro));
	int nul = open("/dev/null", O_WRONLY);
	t_err("fsync /dev/null", fsync(nul), EINVAL);
	return g_finish();
}
