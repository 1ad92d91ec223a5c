/* SPDX-License-Identifier: Apache-2.0 */
/* 13 MiB in /tmp: more in-memory file data than an image holds (12 MiB, in
 * state.pb): the checkpoint is refused naming it; the process goes on. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "zdtm.h"

int main(void)
{
	static char chunk[1 << 20];
	struct stat st;
	int fd, ok = 1;

	zd_init();
	memset(chunk, 'b', sizeof(chunk));
	fd = open("/tmp/big", O_WRONLY | O_CREAT, 0600);
	for (int i = 0; i < 13 && fd >= 0; i++)
		for (size_t done = 0; done < sizeof(chunk);) {
			ssize_t n = write(fd, chunk + done, sizeof(chunk) - done);

			if (n <= 0) {
				ok = 0;
				break;
			}
			done += (size_t)n;
		}
	zd_check(fd >= 0 && ok, "write /tmp/big");
	close(fd);
	zd_ready();
	zd_wait_go();
	zd_check(stat("/tmp/big", &st) == 0 && st.st_size == 13 << 20, "/tmp/big lost");
	return zd_finish();
}
