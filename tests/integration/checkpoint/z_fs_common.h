/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by z_overlay_files and z_tmp_files: a tree of files in an
 * in-memory file system (directories, data, modes, times, a symlink, an
 * fd open at an offset), built before the checkpoint, verified after. */
#ifndef CVISOR_TESTS_CKPT_Z_FS_COMMON_H
#define CVISOR_TESTS_CKPT_Z_FS_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "zdtm.h"

static char fs_big[70000];

static void fs_build(const char *base, int *ret_fd)
{
	char p[256];
	int fd;

	for (size_t i = 0; i < sizeof(fs_big); i++)
		fs_big[i] = (char)('a' + (i * 7 + i / 13) % 26);
	snprintf(p, sizeof(p), "%s/d", base);
	zd_check(mkdir(p, 0750) == 0, "mkdir %s", p);
	snprintf(p, sizeof(p), "%s/d/sub", base);
	zd_check(mkdir(p, 0700) == 0, "mkdir %s", p);
	snprintf(p, sizeof(p), "%s/d/sub/empty", base);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0604);
	zd_check(fd >= 0, "create %s", p);
	close(fd);
	snprintf(p, sizeof(p), "%s/d/big", base);
	fd = open(p, O_RDWR | O_CREAT | O_EXCL, 0640);
	zd_check(fd >= 0 && write(fd, fs_big, sizeof(fs_big)) == (ssize_t)sizeof(fs_big),
		 "write %s", p);
	/* modified after it was written: a hole-free rewrite in the middle */
	zd_check(pwrite(fd, "MODIFIED", 8, 1000) == 8, "modify %s", p);
	memcpy(fs_big + 1000, "MODIFIED", 8);
	zd_check(lseek(fd, 12345, SEEK_SET) == 12345, "seek %s", p);
	*ret_fd = fd; /* kept open at 12345 across the checkpoint */
	{
		struct timeval tv[2] = { { 1000000000, 0 }, { 1234567890, 0 } };
		char q[256];

		snprintf(q, sizeof(q), "%s/d/sub/empty", base);
		zd_check(utimes(q, tv) == 0, "utimes %s", q);
	}
	snprintf(p, sizeof(p), "%s/link", base);
	zd_check(symlink("d/big", p) == 0, "symlink %s", p);
	snprintf(p, sizeof(p), "%s/gone", base);
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	close(fd);
	zd_check(unlink(p) == 0, "unlink %s", p);
}

static void fs_verify(const char *base, int fd)
{
	static char buf[sizeof(fs_big)];
	char p[256], t[64];
	struct stat st;
	ssize_t n;

	snprintf(p, sizeof(p), "%s/d", base);
	zd_check(stat(p, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0750,
		 "%s: mode", p);
	snprintf(p, sizeof(p), "%s/d/sub", base);
	zd_check(stat(p, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0700,
		 "%s: mode", p);
	snprintf(p, sizeof(p), "%s/d/sub/empty", base);
	zd_check(stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
			 (st.st_mode & 07777) == 0604 && st.st_mtime == 1234567890,
		 "%s: mode, size or mtime", p);
	snprintf(p, sizeof(p), "%s/d/big", base);
	zd_check(stat(p, &st) == 0 && st.st_size == (off_t)sizeof(fs_big) &&
			 (st.st_mode & 07777) == 0640,
		 "%s: size or mode", p);
	/* the fd kept its offset and still writes the same file */
	zd_check(lseek(fd, 0, SEEK_CUR) == 12345, "fd offset");
	n = read(fd, buf, 10);
	zd_check(n == 10 && !memcmp(buf, fs_big + 12345, 10), "read through the kept fd");
	zd_check(write(fd, "W", 1) == 1, "write through the kept fd");
	fs_big[12355] = 'W';
	n = 0; /* reads may be short (the Sentry serves at most 64 KiB a call) */
	while (n < (ssize_t)sizeof(buf)) {
		ssize_t m = pread(fd, buf + n, sizeof(buf) - (size_t)n, n);

		if (m <= 0)
			break;
		n += m;
	}
	zd_check(n == (ssize_t)sizeof(fs_big) && !memcmp(buf, fs_big, sizeof(fs_big)),
		 "%s: data (%zd)", p, n);
	snprintf(p, sizeof(p), "%s/link", base);
	n = readlink(p, t, sizeof(t) - 1);
	zd_check(n == 5 && !memcmp(t, "d/big", 5), "%s: target", p);
	zd_check(stat(p, &st) == 0 && st.st_size == (off_t)sizeof(fs_big), "%s: follows", p);
	snprintf(p, sizeof(p), "%s/gone", base);
	zd_check(access(p, F_OK) < 0 && errno == ENOENT, "%s came back", p);
}

#endif
