/* SPDX-License-Identifier: Apache-2.0 */
/* rename/renameat2: replacement rules, directories, flags, errors. */
#include "common.h"

static char buf[64];

static const char *content(const char *p)
{
	if (g_read_file(p, buf, sizeof(buf)) < 0)
		return "(missing)";
	return buf;
}

int main(void)
{
	struct stat st;

	g_start();
	g_write_file("a", "A");
	g_write_file("b", "B");
	t_ok("rename over existing file", rename("a", "b"));
	t_streq("b now holds", content("b"), "A");
	t_streq("a", content("a"), "(missing)");
	t_ok("rename to itself", rename("b", "b"));
	t_err("rename missing", rename("a", "c"), ENOENT);

	mkdir("d1", 0755);
	mkdir("d2", 0755);
	mkdir("full", 0755);
	g_write_file("full/x", "x");
	t_ok("dir over empty dir", rename("d1", "d2"));
	t_err("old dir name gone", stat("d1", &st), ENOENT);
	t_err("dir over non-empty dir", rename("d2", "full"), ENOTEMPTY);
	t_err("dir over file", rename("d2", "b"), ENOTDIR);
	t_err("file over dir", rename("b", "d2"), EISDIR);
	t_err("dir into its own subdir", rename("full", "full/sub"), EINVAL);
	t_err("rename .", rename(".", "dot"), EBUSY);
	t_err("target under a file", rename("b", "b/x"), ENOTDIR);
	t_ok("move into a dir", rename("b", "full/b"));
	t_streq("moved", content("full/b"), "A");
	t_ok("move dir under another", rename("d2", "full/d2"));
	t_ok("it is there", stat("full/d2", &st));

	/* symlinks are renamed, not followed */
	symlink("full/b", "ln");
	t_ok("rename a symlink", rename("ln", "ln2"));
	t_ok("still a link", lstat("ln2", &st));
	t_yes("is S_ISLNK", S_ISLNK(st.st_mode));

	/* hard links to the same inode: rename is a no-op */
	link("full/b", "hl");
	t_ok("rename onto another link of the same inode", rename("hl", "full/b"));
	t_ok("both names remain", stat("hl", &st));

	/* renameat2 flags */
	g_write_file("p", "P");
	g_write_file("q", "Q");
	t_err("RENAME_NOREPLACE on existing", renameat2(AT_FDCWD, "p", AT_FDCWD, "q", RENAME_NOREPLACE), EEXIST);
	t_ok("RENAME_NOREPLACE to new name", renameat2(AT_FDCWD, "p", AT_FDCWD, "p2", RENAME_NOREPLACE));
	t_ok("RENAME_EXCHANGE", renameat2(AT_FDCWD, "p2", AT_FDCWD, "q", RENAME_EXCHANGE));
	t_streq("p2 after exchange", content("p2"), "Q");
	t_streq("q after exchange", content("q"), "P");
	t_err("RENAME_EXCHANGE with missing target",
	      renameat2(AT_FDCWD, "q", AT_FDCWD, "zz", RENAME_EXCHANGE), ENOENT);
	t_err("NOREPLACE|EXCHANGE",
	      renameat2(AT_FDCWD, "q", AT_FDCWD, "p2", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
	t_err("unknown flag", renameat2(AT_FDCWD, "q", AT_FDCWD, "p2", 1u << 10), EINVAL);
	t_ok("exchange a file and a dir", renameat2(AT_FDCWD, "q", AT_FDCWD, "full", RENAME_EXCHANGE));
	t_ok("full is now the file", stat("full", &st));
	t_yes("S_ISREG", S_ISREG(st.st_mode));
	t_err("renameat bad dirfd", renameat(99, "x", AT_FDCWD, "y"), EBADF);
	return g_finish();
}
