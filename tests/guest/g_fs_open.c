/* SPDX-License-Identifier: Apache-2.0 */
/* open/openat flags and errors: O_CREAT|O_EXCL, O_TRUNC, O_APPEND,
 * O_DIRECTORY, O_NOFOLLOW, trailing slashes, name length limits. */
#include "common.h"

int main(void)
{
	char name[300], path[5000];
	struct stat st;
	int fd, fd2;

	g_start();
	fd = open("f", O_CREAT | O_EXCL | O_RDWR, 0640);
	t_ok("O_CREAT|O_EXCL new", fd);
	fstat(fd, &st);
	t_oct("mode after umask 022", st.st_mode & 07777, 0640);
	t_yes("regular, empty", S_ISREG(st.st_mode) && st.st_size == 0);
	write(fd, "hello world", 11);
	close(fd);

	t_err("O_CREAT|O_EXCL existing", open("f", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
	fd = open("f", O_CREAT | O_RDONLY, 0600);
	t_ok("O_CREAT existing without O_EXCL", fd);
	fstat(fd, &st);
	t_oct("mode unchanged by second O_CREAT", st.st_mode & 07777, 0640);
	close(fd);

	fd = open("f", O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	write(fd, "!", 1);
	t_eq("O_APPEND writes at the end", lseek(fd, 0, SEEK_CUR), 12);
	close(fd);
	fd = open("f", O_RDWR | O_TRUNC);
	fstat(fd, &st);
	t_eq("O_TRUNC empties", st.st_size, 0);
	close(fd);

	t_err("missing file", open("nope", O_RDONLY), ENOENT);
	t_err("missing directory component", open("nodir/f", O_RDONLY | O_CREAT, 0644), ENOENT);
	t_err("file as directory", open("f/x", O_RDONLY), ENOTDIR);
	t_err("trailing slash on file", open("f/", O_RDONLY), ENOTDIR);
	t_err("O_DIRECTORY on file", open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
	mkdir("d", 0755);
	t_err("directory for writing", open("d", O_WRONLY), EISDIR);
	t_err("directory O_RDWR", open("d", O_RDWR), EISDIR);
	t_err("O_CREAT on a directory", open("d", O_CREAT | O_RDONLY, 0644), EISDIR);
	t_err("O_CREAT with trailing slash", open("new/", O_CREAT | O_RDWR, 0644), EISDIR);
	fd = open("d", O_RDONLY | O_DIRECTORY);
	t_ok("O_DIRECTORY on directory", fd);
	close(fd);
	t_err("empty path", open("", O_RDONLY), ENOENT);

	symlink("f", "lnk");
	t_err("O_NOFOLLOW on symlink", open("lnk", O_RDONLY | O_NOFOLLOW), ELOOP);
	fd = open("lnk", O_RDONLY | O_NOFOLLOW | O_PATH);
	t_ok("O_NOFOLLOW|O_PATH opens the link itself", fd);
	fstat(fd, &st);
	t_yes("it is a symlink", S_ISLNK(st.st_mode));
	close(fd);
	symlink("target-new", "dangling");
	fd = open("dangling", O_CREAT | O_WRONLY, 0644);
	t_ok("O_CREAT through dangling symlink", fd);
	close(fd);
	t_ok("target created", stat("target-new", &st));
	t_err("O_CREAT|O_EXCL on a symlink", open("lnk", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);

	memset(name, 'n', 256);
	name[256] = 0;
	t_err("component of 256 bytes", open(name, O_CREAT | O_RDWR, 0644), ENAMETOOLONG);
	name[255] = 0;
	fd = open(name, O_CREAT | O_RDWR, 0644);
	t_ok("component of 255 bytes", fd);
	close(fd);
	unlink(name);
	memset(path, 0, sizeof(path));
	for (size_t i = 0; i < 4200; i += 2)
		memcpy(path + i, "./", 2);
	path[4200] = 'f';
	t_err("path longer than PATH_MAX", open(path, O_RDONLY), ENAMETOOLONG);

	fd = open("f", O_RDONLY);
	fd2 = open("f", O_RDONLY);
	t_yes("lowest free descriptors, in order", fd >= 3 && fd2 == fd + 1);
	t_err("O_TMPFILE on a file", open("f", O_TMPFILE | O_RDWR, 0600), ENOTDIR);
	t_err("O_TMPFILE read-only", open("d", O_TMPFILE | O_RDONLY, 0600), EINVAL);
	return g_finish();
}
