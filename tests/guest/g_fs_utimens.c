/* SPDX-License-Identifier: Apache-2.0 */
/* utimensat/futimens/utimes: exact timestamps, UTIME_NOW/OMIT, errors. */
#include "common.h"
#include <sys/time.h>
#include <time.h>

int main(void)
{
	struct timespec ts[2];
	struct stat st;
	struct timeval tv[2];
	time_t now;
	int fd;

	g_start();
	g_write_file("f", "x");
	symlink("f", "ln");

	ts[0] = (struct timespec){ 1000000000, 123456789 };
	ts[1] = (struct timespec){ 1500000000, 987654321 };
	t_ok("utimensat explicit", utimensat(AT_FDCWD, "f", ts, 0));
	stat("f", &st);
	say("atime %ld.%09ld mtime %ld.%09ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	    (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);

	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = (struct timespec){ 1600000000, 5 };
	t_ok("UTIME_OMIT for atime", utimensat(AT_FDCWD, "f", ts, 0));
	stat("f", &st);
	say("atime %ld.%09ld mtime %ld.%09ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	    (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);

	now = time(NULL);
	ts[0].tv_nsec = UTIME_NOW;
	ts[1].tv_nsec = UTIME_OMIT;
	t_ok("UTIME_NOW for atime", utimensat(AT_FDCWD, "f", ts, 0));
	stat("f", &st);
	t_yes("atime is now", st.st_atime >= now && st.st_atime <= now + 2);
	t_eq("mtime kept", st.st_mtime, 1600000000);
	t_yes("ctime is now", st.st_ctime >= now && st.st_ctime <= now + 2);

	t_ok("NULL times = now", utimensat(AT_FDCWD, "f", NULL, 0));
	stat("f", &st);
	t_yes("mtime is now", st.st_mtime >= now && st.st_mtime <= now + 2);

	/* on the link itself */
	ts[0] = (struct timespec){ 1234567890, 0 };
	ts[1] = ts[0];
	t_ok("AT_SYMLINK_NOFOLLOW", utimensat(AT_FDCWD, "ln", ts, AT_SYMLINK_NOFOLLOW));
	lstat("ln", &st);
	t_eq("link mtime", st.st_mtime, 1234567890);
	stat("f", &st);
	t_yes("target untouched", st.st_mtime != 1234567890);

	fd = open("f", O_RDONLY);
	ts[1] = (struct timespec){ 1700000000, 1 };
	t_ok("futimens", futimens(fd, ts));
	fstat(fd, &st);
	t_yes("futimens applied", st.st_mtim.tv_sec == 1700000000 && st.st_mtim.tv_nsec == 1);
	tv[0] = (struct timeval){ 1100000000, 7 };
	tv[1] = (struct timeval){ 1100000001, 8 };
	t_ok("utimes (microseconds)", utimes("f", tv));
	stat("f", &st);
	t_yes("microseconds scaled", st.st_mtim.tv_sec == 1100000001 && st.st_mtim.tv_nsec == 8000);

	ts[0].tv_nsec = 1000000000;
	t_err("nsec out of range", utimensat(AT_FDCWD, "f", ts, 0), EINVAL);
	ts[0].tv_nsec = 0;
	t_err("bad flags", utimensat(AT_FDCWD, "f", ts, 0x1), EINVAL);
	t_err("missing file", utimensat(AT_FDCWD, "missing", ts, 0), ENOENT);
	t_err("futimens bad fd", futimens(99, ts), EBADF);
	t_err("bad times pointer", syscall(SYS_utimensat, AT_FDCWD, "f", G_BADPTR, 0), EFAULT);
	return g_finish();
}
