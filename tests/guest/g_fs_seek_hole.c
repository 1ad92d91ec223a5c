/* SPDX-License-Identifier: Apache-2.0 */
/* lseek SEEK_DATA / SEEK_HOLE on a file without holes, and their errors. */
#include "common.h"

int main(void)
{
	char c;
	int fd, p[2];

	g_start();
	g_write_file("f", "hello");
	fd = open("f", O_RDWR);
	for (int i = 0; i < 5; i++) {
		char label[48];

		snprintf(label, sizeof(label), "SEEK_DATA from %d", i);
		t_eq(label, lseek(fd, i, SEEK_DATA), i);
		snprintf(label, sizeof(label), "SEEK_HOLE from %d", i);
		t_eq(label, lseek(fd, i, SEEK_HOLE), 5);
	}
	t_eq("position after SEEK_HOLE", lseek(fd, 0, SEEK_CUR), 5);
	t_eq("read at the hole", read(fd, &c, 1), 0);
	t_err("SEEK_DATA at the end", lseek(fd, 5, SEEK_DATA), ENXIO);
	t_err("SEEK_HOLE at the end", lseek(fd, 5, SEEK_HOLE), ENXIO);
	t_err("SEEK_DATA past the end", lseek(fd, 100, SEEK_DATA), ENXIO);
	t_err("SEEK_DATA negative", lseek(fd, -1, SEEK_DATA), ENXIO);
	t_eq("position unchanged by errors", lseek(fd, 0, SEEK_CUR), 5);
	t_err("whence 5", lseek(fd, 0, 5), EINVAL);
	close(fd);
	fd = open("empty", O_RDWR | O_CREAT | O_TRUNC, 0644);
	t_err("SEEK_DATA in an empty file", lseek(fd, 0, SEEK_DATA), ENXIO);
	close(fd);
	t_ok("pipe", pipe(p));
	t_err("SEEK_DATA on a pipe", lseek(p[0], 0, SEEK_DATA), ESPIPE);
	t_err("SEEK_DATA on fd 999", lseek(999, 0, SEEK_DATA), EBADF);
	return g_finish();
}
