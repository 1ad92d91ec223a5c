/* SPDX-License-Identifier: Apache-2.0 */
/* sendfile, splice and copy_file_range: data, offsets (given ones move,
 * file positions stay), EOF, and the error cases. */
#include "common.h"
#include <sys/sendfile.h>

static int mkfile(const char *name, const char *data)
{
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);

	write(fd, data, strlen(data));
	lseek(fd, 0, SEEK_SET);
	return fd;
}

int main(void)
{
	char buf[64] = { 0 };
	int src, dst, p[2];
	off_t off;
	loff_t lo, lo2;

	g_start();
	src = mkfile("sf_src", "0123456789abcdef");
	dst = mkfile("sf_dst", "");
	pipe(p);

	/* sendfile to a pipe with the file position */
	t_eq("sendfile 4 to a pipe", sendfile(p[1], src, NULL, 4), 4);
	t_eq("src position moved", lseek(src, 0, SEEK_CUR), 4);
	t_eq("pipe got them", read(p[0], buf, sizeof(buf)), 4);
	t_yes("bytes 0123", !memcmp(buf, "0123", 4));
	/* with an offset: it moves, the position does not */
	off = 10;
	t_eq("sendfile from offset 10", sendfile(dst, src, &off, 100), 6);
	t_eq("offset now 16", off, 16);
	t_eq("src position unchanged", lseek(src, 0, SEEK_CUR), 4);
	t_eq("sendfile at EOF", sendfile(dst, src, &off, 10), 0);
	memset(buf, 0, sizeof(buf));
	pread(dst, buf, sizeof(buf), 0);
	t_streq("dst holds abcdef", buf, "abcdef");
	t_err("sendfile bad in fd", sendfile(dst, 99, NULL, 1), EBADF);
	{
		int ro = open("sf_src", O_RDONLY);

		t_err("sendfile to a read-only fd", sendfile(ro, src, NULL, 1), EBADF);
		close(ro);
	}
	off = -1;
	t_err("negative offset", sendfile(dst, src, &off, 1), EINVAL);

	/* splice: pipe -> file at an offset, file -> pipe */
	write(p[1], "XYZ", 3);
	lo = 2;
	t_eq("splice pipe -> file at 2", splice(p[0], NULL, dst, &lo, 3, 0), 3);
	t_eq("out offset 5", lo, 5);
	memset(buf, 0, sizeof(buf));
	pread(dst, buf, sizeof(buf), 0);
	t_streq("dst now abXYZf", buf, "abXYZf");
	lo = 0;
	t_eq("splice file -> pipe", splice(dst, &lo, p[1], NULL, 2, 0), 2);
	memset(buf, 0, sizeof(buf));
	read(p[0], buf, sizeof(buf));
	t_streq("pipe got ab", buf, "ab");
	t_err("splice file -> file", splice(src, NULL, dst, NULL, 1, 0), EINVAL);
	lo = 0;
	t_err("offset on the pipe end", splice(p[0], &lo, dst, NULL, 1, 0), ESPIPE);
	t_err("bad flags", splice(p[0], NULL, dst, NULL, 1, 0x100), EINVAL);
	t_eq("splice of 0 bytes", splice(p[0], NULL, dst, NULL, 0, 0), 0);

	/* copy_file_range */
	lo = 0;
	lo2 = 0;
	int c = mkfile("sf_copy", "");
	t_eq("copy_file_range 16", copy_file_range(src, &lo, c, &lo2, 100, 0), 16);
	t_yes("both offsets 16", lo == 16 && lo2 == 16);
	memset(buf, 0, sizeof(buf));
	pread(c, buf, sizeof(buf), 0);
	t_streq("copy is whole", buf, "0123456789abcdef");
	lo = 0;
	lo2 = 4;
	t_err("overlap in one file", copy_file_range(c, &lo, c, &lo2, 8, 0), EINVAL);
	t_err("flags", copy_file_range(src, NULL, c, NULL, 1, 1), EINVAL);
	t_err("a pipe", copy_file_range(p[0], NULL, c, NULL, 1, 0), EINVAL);
	int app = open("sf_copy", O_WRONLY | O_APPEND);
	t_err("O_APPEND output", copy_file_range(src, NULL, app, NULL, 1, 0), EBADF);
	close(app);
	close(c);
	unlink("sf_src");
	unlink("sf_dst");
	unlink("sf_copy");
	return g_finish();
}
