/* SPDX-License-Identifier: Apache-2.0 */
/* Files written into the root overlay (its memory upper layer is saved in
 * the image): new files, directories and a symlink under /work, a deleted
 * lower file (/data.txt: its whiteout), a lower directory deleted and made
 * again (/work: opaque), an fd open at an offset. */
#include "z_fs_common.h"

int main(void)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int fd = -1, listed = 0;

	zd_init();
	zd_check(access("/data.txt", F_OK) == 0, "/data.txt missing in the rootfs");
	zd_check(unlink("/data.txt") == 0, "unlink /data.txt");
	zd_check(rmdir("/work") == 0 || errno == ENOTEMPTY, "rmdir /work");
	if (access("/work", F_OK) < 0)
		zd_check(mkdir("/work", 0751) == 0, "mkdir /work");
	fs_build("/work", &fd);
	zd_ready();
	zd_wait_go();
	fs_verify("/work", fd);
	zd_check(access("/data.txt", F_OK) < 0 && errno == ENOENT, "/data.txt came back");
	zd_check(stat("/work", &st) == 0 && S_ISDIR(st.st_mode), "/work");
	d = opendir("/");
	while (d && (e = readdir(d)))
		listed |= !strcmp(e->d_name, "data.txt");
	if (d)
		closedir(d);
	zd_check(d && !listed, "/data.txt listed in /");
	return zd_finish();
}
