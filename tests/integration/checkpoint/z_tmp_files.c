/* SPDX-License-Identifier: Apache-2.0 */
/* Files in /tmp (and /dev/shm when it exists), tmpfs mounts: saved in the
 * image and recreated before the fds are reopened. */
#include "z_fs_common.h"

int main(void)
{
	struct stat st;
	int fd = -1, shm = 0;

	zd_init();
	fs_build("/tmp", &fd);
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode)) {
		int s = open("/dev/shm/seg", O_WRONLY | O_CREAT, 0600);

		shm = s >= 0 && write(s, "shm!", 4) == 4;
		close(s);
	}
	zd_ready();
	zd_wait_go();
	fs_verify("/tmp", fd);
	if (shm) {
		char b[8] = { 0 };
		int s = open("/dev/shm/seg", O_RDONLY);

		zd_check(s >= 0 && read(s, b, sizeof(b)) == 4 && !memcmp(b, "shm!", 4),
			 "/dev/shm/seg lost");
		close(s);
	}
	return zd_finish();
}
