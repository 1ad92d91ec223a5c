/* SPDX-License-Identifier: Apache-2.0 */
/* In-memory files larger than state.pb could hold (the old 12 MiB limit):
 * 24 MiB in /tmp, 8 MiB in /dev/shm and 4 MiB in the overlay's upper
 * layer, each with a pattern that depends on the offset and the file, go
 * through files.img and read back byte for byte after restore. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "zdtm.h"

static const struct {
	const char *path;
	unsigned mib;
} files[] = { { "/tmp/big", 24 }, { "/dev/shm/big", 8 }, { "/work/big", 4 } };

static uint8_t pattern(size_t i, uint64_t off)
{
	uint64_t x = (off + 1) * 0x9e3779b97f4a7c15ULL + i;

	return (uint8_t)((x >> 29) ^ (off >> 12));
}

static int fill(size_t i, int check)
{
	static uint8_t chunk[1 << 20];
	uint64_t off = 0;
	int fd = open(files[i].path, check ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		return 0;
	for (unsigned c = 0; c < files[i].mib; c++) {
		size_t done = 0;

		if (!check)
			for (size_t j = 0; j < sizeof(chunk); j++)
				chunk[j] = pattern(i, off + j);
		while (done < sizeof(chunk)) {
			ssize_t n = check ? read(fd, chunk + done, sizeof(chunk) - done)
					  : write(fd, chunk + done, sizeof(chunk) - done);

			if (n <= 0) {
				close(fd);
				return 0;
			}
			done += (size_t)n;
		}
		if (check)
			for (size_t j = 0; j < sizeof(chunk); j++)
				if (chunk[j] != pattern(i, off + j)) {
					close(fd);
					return 0;
				}
		off += sizeof(chunk);
	}
	close(fd);
	return 1;
}

int main(void)
{
	struct stat st;

	zd_init();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		zd_check(fill(i, 0), "write %s", files[i].path);
	zd_ready();
	zd_wait_go();
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		zd_check(stat(files[i].path, &st) == 0 &&
				 st.st_size == (off_t)files[i].mib << 20,
			 "%s: size", files[i].path);
		zd_check(fill(i, 1), "%s: content differs", files[i].path);
	}
	return zd_finish();
}
