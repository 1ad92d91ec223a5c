/* SPDX-License-Identifier: Apache-2.0 */
/* access/faccessat/faccessat2: modes, flags, errors. */
#include "common.h"

int main(void)
{
	int root = geteuid() == 0;

	g_start();
	g_write_file("rw", "x");
	chmod("rw", 0644);
	g_write_file("none", "x");
	chmod("none", 0000);
	g_write_file("exe", "x");
	chmod("exe", 0755);
	mkdir("d", 0755);
	symlink("missing", "dangling");

	t_ok("F_OK", access("rw", F_OK));
	t_ok("R_OK|W_OK", access("rw", R_OK | W_OK));
	t_err("X_OK on 0644 (even root needs an x bit)", access("rw", X_OK), EACCES);
	t_ok("X_OK on 0755", access("exe", X_OK));
	t_ok("X_OK on a directory (search)", access("d", X_OK));
	if (root) {
		say("as root, 0000 file readable: %s\n", access("none", R_OK) == 0 ? "yes" : "no");
		t_err("as root, X_OK on 0000", access("none", X_OK), EACCES);
	} else {
		t_err("as non-root, 0000 file R_OK", access("none", R_OK), EACCES);
	}
	t_err("missing", access("missing", F_OK), ENOENT);
	t_err("dangling symlink", access("dangling", F_OK), ENOENT);
	t_err("through a file", access("rw/x", F_OK), ENOTDIR);
	t_err("bad mode bits", access("rw", 0x10), EINVAL);
	t_err("empty path", access("", F_OK), ENOENT);

	int dfd = open("d", O_RDONLY | O_DIRECTORY);
	g_write_file("d/in", "x");
	t_ok("faccessat relative to dirfd", faccessat(dfd, "in", R_OK, 0));
	t_ok("faccessat AT_EACCESS", faccessat(AT_FDCWD, "rw", R_OK, AT_EACCESS));
	t_err("faccessat bad dirfd", faccessat(99, "in", R_OK, 0), EBADF);
	t_ok("faccessat2 AT_SYMLINK_NOFOLLOW on dangling",
	     syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
	t_err("faccessat2 bad flag", syscall(SYS_faccessat2, AT_FDCWD, "rw", F_OK, 0x4), EINVAL);
	t_ok("faccessat2 AT_EMPTY_PATH on fd", syscall(SYS_faccessat2, dfd, "", X_OK, AT_EMPTY_PATH));
	t_err("raw faccessat bad mode",
	      syscall(SYS_faccessat, AT_FDCWD, "rw", 0x10), EINVAL);
	t_err("access bad pointer", syscall(SYS_access, G_BADPTR, F_OK), EFAULT);
	return g_finish();
}
