/* SPDX-License-Identifier: Apache-2.0 */
/* openat dirfd rules, O_PATH descriptors, openat2 RESOLVE_* flags. */
#include "common.h"
#include <linux/openat2.h>

static long do_openat2(int dfd, const char *path, int flags, unsigned long long resolve)
{
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)flags;
	how.resolve = resolve;
	/* EAGAIN: a host-wide rename/mount raced a ".." walk; retry. */
	do
		fd = syscall(SYS_openat2, dfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && !(resolve & RESOLVE_CACHED));
	return fd;
}

int main(void)
{
	struct stat st;
	char buf[8];
	int dfd, fd, pfd;

	g_start();
	mkdir("d", 0755);
	g_write_file("d/f", "F");
	g_write_file("top", "T");
	symlink("../top", "d/up");
	symlink("f", "d/down");

	dfd = open("d", O_RDONLY | O_DIRECTORY);
	fd = openat(dfd, "f", O_RDONLY);
	t_ok("openat relative to dirfd", fd);
	read(fd, buf, 1);
	t_yes("content F", buf[0] == 'F');
	close(fd);
	t_err("openat missing under dirfd", openat(dfd, "top", O_RDONLY), ENOENT);
	fd = openat(dfd, "../top", O_RDONLY);
	t_ok("openat with .. escapes dirfd", fd);
	close(fd);
	fd = open("top", O_RDONLY);
	t_err("file as dirfd", openat(fd, "x", O_RDONLY), ENOTDIR);
	t_err("closed dirfd", openat(99, "x", O_RDONLY), EBADF);
	fd = openat(99, "/proc/self/stat", O_RDONLY);
	t_ok("absolute path ignores a bad dirfd", fd);
	close(fd);

	/* O_PATH: a handle without I/O */
	pfd = open("d/f", O_PATH);
	t_ok("O_PATH open", pfd);
	t_err("read on O_PATH", read(pfd, buf, 1), EBADF);
	t_err("write on O_PATH", write(pfd, "x", 1), EBADF);
	t_ok("fstat on O_PATH", fstat(pfd, &st));
	t_eq("size via O_PATH", st.st_size, 1);
	t_yes("F_GETFL has O_PATH", (fcntl(pfd, F_GETFL) & O_PATH) == O_PATH);
	int dpath = open("d", O_PATH | O_DIRECTORY);
	fd = openat(dpath, "f", O_RDONLY);
	t_ok("O_PATH dir as dirfd", fd);
	close(fd);
	t_err("fchdir on O_PATH of a file", fchdir(pfd), ENOTDIR);
	t_err("fchmod on O_PATH", fchmod(pfd, 0600), EBADF);

	/* openat2 */
	fd = (int)do_openat2(dfd, "f", O_RDONLY, 0);
	t_ok("openat2 plain", fd);
	close(fd);
	t_err("RESOLVE_BENEATH blocks ..", do_openat2(dfd, "../top", O_RDONLY, RESOLVE_BENEATH), EXDEV);
	t_err("RESOLVE_BENEATH blocks a symlink out", do_openat2(dfd, "up", O_RDONLY, RESOLVE_BENEATH), EXDEV);
	fd = (int)do_openat2(dfd, "down", O_RDONLY, RESOLVE_BENEATH);
	t_ok("RESOLVE_BENEATH allows a symlink inside", fd);
	close(fd);
	t_err("RESOLVE_NO_SYMLINKS", do_openat2(dfd, "down", O_RDONLY, RESOLVE_NO_SYMLINKS), ELOOP);
	t_err("unknown resolve bit", do_openat2(dfd, "f", O_RDONLY, 1ull << 40), EINVAL);
	t_err("mode without O_CREAT", ({
		struct open_how h = { .flags = O_RDONLY, .mode = 0644 };
		syscall(SYS_openat2, dfd, "f", &h, sizeof(h));
	}), EINVAL);
	t_err("size too small", ({
		struct open_how h = { .flags = O_RDONLY };
		syscall(SYS_openat2, dfd, "f", &h, 8);
	}), EINVAL);
	return g_finish();
}
