/* SPDX-License-Identifier: Apache-2.0 */
/* openat2's RESOLVE_* rules beyond g_fs_openat: IN_ROOT (the start
 * directory is "/"), BENEATH with ".." that stays inside, magic links,
 * mount crossings, and the argument checks of struct open_how. */
#include "common.h"
#include <linux/openat2.h>

static long o2(int dfd, const char *path, long flags, unsigned long long resolve)
{
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)flags;
	how.resolve = resolve;
	/* Linux answers EAGAIN for a ".." walk under BENEATH/IN_ROOT when any
	 * rename or mount happened meanwhile anywhere on the host (parallel
	 * tests make namespaces); openat2(2) says to retry. */
	do
		fd = syscall(SYS_openat2, dfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && !(resolve & RESOLVE_CACHED));
	if (fd >= 0)
		close((int)fd);
	return fd < 0 ? fd : 0;
}

int main(void)
{
	char magic[64];
	int d, fd;

	g_start();
	mkdir("jail", 0755);
	mkdir("jail/sub", 0755);
	g_write_file("jail/sub/f", "in");
	g_write_file("outside", "out");
	symlink("/sub/f", "jail/abs");
	symlink("../../outside", "jail/sub/out");
	d = open("jail", O_RDONLY | O_DIRECTORY);

	t_ok("IN_ROOT: an absolute symlink stays inside", o2(d, "abs", O_RDONLY, RESOLVE_IN_ROOT));
	t_ok("IN_ROOT: an absolute path starts at the jail", o2(d, "/sub/f", O_RDONLY, RESOLVE_IN_ROOT));
	t_ok("IN_ROOT: .. stops at the jail", o2(d, "../../sub/f", O_RDONLY, RESOLVE_IN_ROOT));
	t_err("IN_ROOT: a relative symlink out ends inside, missing", o2(d, "sub/out", O_RDONLY, RESOLVE_IN_ROOT), ENOENT);
	t_err("without IN_ROOT the absolute symlink is the host's", o2(d, "abs", O_RDONLY, 0), ENOENT);
	t_ok("BENEATH: .. that stays inside", o2(d, "sub/../sub/f", O_RDONLY, RESOLVE_BENEATH));
	t_err("BENEATH: an absolute path", o2(d, "/sub/f", O_RDONLY, RESOLVE_BENEATH), EXDEV);
	t_err("BENEATH: an absolute symlink", o2(d, "abs", O_RDONLY, RESOLVE_BENEATH), EXDEV);
	t_err("BENEATH: a relative symlink out", o2(d, "sub/out", O_RDONLY, RESOLVE_BENEATH), EXDEV);

	fd = open("jail/sub/f", O_RDONLY);
	snprintf(magic, sizeof(magic), "/proc/self/fd/%d", fd);
	t_ok("a magic link", o2(AT_FDCWD, magic, O_RDONLY, 0));
	t_err("NO_MAGICLINKS", o2(AT_FDCWD, magic, O_RDONLY, RESOLVE_NO_MAGICLINKS), ELOOP);
	t_ok("NO_MAGICLINKS allows /proc/self", o2(AT_FDCWD, "/proc/self/status", O_RDONLY, RESOLVE_NO_MAGICLINKS));
	t_err("NO_SYMLINKS refuses /proc/self", o2(AT_FDCWD, "/proc/self/status", O_RDONLY, RESOLVE_NO_SYMLINKS), ELOOP);
	t_ok("NO_SYMLINKS with O_NOFOLLOW|O_PATH on the link itself", o2(d, "abs", O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS));
	t_err("NO_XDEV into /proc", o2(AT_FDCWD, "/proc/self/status", O_RDONLY, RESOLVE_NO_XDEV), EXDEV);
	t_ok("NO_XDEV within one file system", o2(d, "sub/f", O_RDONLY, RESOLVE_NO_XDEV));
	close(fd);

	t_err("BENEATH and IN_ROOT together", o2(d, "sub/f", O_RDONLY, RESOLVE_BENEATH | RESOLVE_IN_ROOT), EINVAL);
	t_err("RESOLVE_CACHED with O_CREAT", o2(d, "new", O_RDWR | O_CREAT, RESOLVE_CACHED), EAGAIN);
	t_err("O_PATH with O_RDWR", o2(d, "sub/f", O_PATH | O_RDWR, 0), EINVAL);
	t_err("unknown open flag", o2(d, "sub/f", O_RDONLY | (1L << 30), 0), EINVAL);
	t_err("size beyond a page", ({
		struct open_how h = { .flags = O_RDONLY };
		syscall(SYS_openat2, d, "sub/f", &h, 8192);
	}), E2BIG);
	t_err("larger struct with a nonzero tail", ({
		struct { struct open_how h; unsigned long long extra; } big = { { .flags = O_RDONLY }, 1 };
		syscall(SYS_openat2, d, "sub/f", &big, sizeof(big));
	}), E2BIG);
	t_ok("larger struct with a zero tail", ({
		struct { struct open_how h; unsigned long long extra; } big = { { .flags = O_RDONLY }, 0 };
		long r = syscall(SYS_openat2, d, "sub/f", &big, sizeof(big));
		if (r >= 0)
			close((int)r);
		r < 0 ? r : 0;
	}));
	t_err("bad how pointer", syscall(SYS_openat2, d, "sub/f", G_BADPTR, sizeof(struct open_how)), EFAULT);
	t_ok("O_CREAT with mode 0", o2(d, "made", O_WRONLY | O_CREAT, 0));
	return g_finish();
}
