/* SPDX-License-Identifier: Apache-2.0 */
/* chmod/fchmod/fchmodat and chown/fchown/lchown/fchownat.  Ownership
 * changes need privilege: done only when running as root. */
#include "common.h"

static mode_t mode_of(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

int main(void)
{
	struct stat st;
	int fd;

	g_start();
	g_write_file("f", "x");
	t_ok("chmod 0600", chmod("f", 0600));
	t_oct("mode", mode_of("f"), 0600);
	t_ok("chmod keeps setuid/sticky bits given", chmod("f", 04755));
	t_oct("mode", mode_of("f"), 04755);
	t_ok("chmod ignores file type bits", chmod("f", S_IFDIR | 0644));
	t_oct("mode", mode_of("f"), 0644);
	fd = open("f", O_RDONLY);
	t_ok("fchmod on a read-only fd", fchmod(fd, 0444));
	t_oct("mode", mode_of("f"), 0444);
	t_ok("fchmodat", fchmodat(AT_FDCWD, "f", 0640, 0));
	t_oct("mode", mode_of("f"), 0640);
	symlink("f", "ln");
	t_ok("chmod through a symlink changes the target", chmod("ln", 0600));
	t_oct("target mode", mode_of("f"), 0600);
	t_oct("link mode stays", mode_of("ln"), 0777);
	t_err("chmod missing", chmod("missing", 0644), ENOENT);
	t_err("fchmod bad fd", fchmod(99, 0644), EBADF);
	t_err("fchmodat AT_SYMLINK_NOFOLLOW on a symlink",
	      fchmodat(AT_FDCWD, "ln", 0644, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
	mkdir("d", 0755);
	t_ok("chmod a directory", chmod("d", 0700));
	t_oct("dir mode", mode_of("d"), 0700);

	if (geteuid() != 0) {
		t_err("chown to another uid as non-root", chown("f", 1, 1), EPERM);
		return g_finish();
	}
	say("running as root: yes\n");
	t_ok("chown 1234:5678", chown("f", 1234, 5678));
	stat("f", &st);
	t_yes("owner changed", st.st_uid == 1234 && st.st_gid == 5678);
	t_ok("chown -1:-1 changes nothing", chown("f", (uid_t)-1, (gid_t)-1));
	stat("f", &st);
	t_yes("still 1234:5678", st.st_uid == 1234 && st.st_gid == 5678);
	t_ok("fchown gid only", fchown(fd, (uid_t)-1, 42));
	fstat(fd, &st);
	t_yes("gid 42, uid kept", st.st_uid == 1234 && st.st_gid == 42);
	t_ok("lchown the link", lchown("ln", 7, 8));
	lstat("ln", &st);
	t_yes("link owner changed", st.st_uid == 7 && st.st_gid == 8);
	stat("f", &st);
	t_yes("target owner not", st.st_uid == 1234);
	t_ok("fchownat AT_SYMLINK_NOFOLLOW", fchownat(AT_FDCWD, "ln", 9, 9, AT_SYMLINK_NOFOLLOW));
	lstat("ln", &st);
	t_yes("link owner 9", st.st_uid == 9);
	/* chown clears setuid/setgid on regular files */
	chmod("f", 06755);
	chown("f", 1234, 42);
	t_oct("setuid/setgid cleared by chown", mode_of("f"), 0755);
	t_err("fchownat bad flags", fchownat(AT_FDCWD, "f", 1, 1, 0x4), EINVAL);
	chown("f", 0, 0);
	return g_finish();
}
