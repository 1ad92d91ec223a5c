/* SPDX-License-Identifier: Apache-2.0 */
/* Files written into the root overlay (its memory upper layer is saved in
 * the image): new files, directories and a symlink under /work, a deleted
 * lower file (/data.txt: its whiteout), a modified one (/lower.txt: copied
 * up), a lower directory deleted and made again (/work: opaque), an fd
 * open at an offset. */
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
	zd_check(rmdir("/work") == 0, "rmdir /work (a lower directory)");
	zd_check(mkdir("/work", 0751) == 0, "mkdir /work (opaque)");
	fs_build("/work", &fd);
	{ /* a lower file modified: copied up */
		int l = open("/lower.txt", O_WRONLY | O_APPEND);

		zd_check(l >= 0 && write(l, "upper\n", 6) == 6, "append to /lower.txt");
		close(l);
		zd_check(chmod("/lower.txt", 0604) == 0, "chmod /lower.txt");
	}
	zd_ready();
	zd_wait_go();
	fs_verify("/work", fd);
	zd_check(access("/data.txt", F_OK) < 0 && errno == ENOENT, "/data.txt came back");
	zd_check(stat("/work", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0751,
		 "/work: mode");
	{
		char b[32] = { 0 };
		int l = open("/lower.txt", O_RDONLY);

		zd_check(l >= 0 && read(l, b, sizeof(b) - 1) == 12 && !strcmp(b, "lower\nupper\n"),
			 "/lower.txt: the change was lost");
		zd_check(fstat(l, &st) == 0 && (st.st_mode & 07777) == 0604, "/lower.txt: mode");
		close(l);
	}
	d = opendir("/");
	while (d && (e = readdir(d)))
		listed |= !strcmp(e->d_name, "data.txt");
	if (d)
		closedir(d);
	zd_check(d && !listed, "/data.txt listed in /");
	return zd_finish();
}
