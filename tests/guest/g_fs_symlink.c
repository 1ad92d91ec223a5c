/* SPDX-License-Identifier: Apache-2.0 */
/* Symlinks: readlink semantics, relative resolution, ELOOP limits. */
#include "common.h"

int main(void)
{
	char buf[256], name[32], prev[32];
	struct stat st;
	ssize_t n;
	int i, dfd;

	g_start();
	g_write_file("target", "T");
	t_ok("symlink", symlink("target", "s"));
	n = readlink("s", buf, sizeof(buf));
	t_eq("readlink length (no NUL)", n, 6);
	buf[n] = 0;
	t_streq("readlink content", buf, "target");
	memset(buf, '#', sizeof(buf));
	t_eq("readlink truncates silently", readlink("s", buf, 3), 3);
	t_yes("no NUL written", buf[3] == '#' && memcmp(buf, "tar", 3) == 0);
	t_err("readlink size 0", readlink("s", buf, 0), EINVAL);
	t_err("readlink of a regular file", readlink("target", buf, sizeof(buf)), EINVAL);
	t_err("readlink missing", readlink("missing", buf, sizeof(buf)), ENOENT);
	t_err("symlink existing name", symlink("x", "s"), EEXIST);
	t_err("symlink empty target", symlink("", "empty"), ENOENT);

	/* relative targets resolve from the link's directory */
	mkdir("d", 0755);
	g_write_file("d/inner", "I");
	symlink("inner", "d/rel");
	symlink("d/rel", "via");
	t_ok("two-level relative chain", stat("via", &st));
	t_eq("resolved size", st.st_size, 1);
	symlink("../target", "d/up");
	t_ok("../ from inside the link's dir", stat("d/up", &st));
	dfd = open("d", O_RDONLY | O_DIRECTORY);
	n = readlinkat(dfd, "up", buf, sizeof(buf));
	buf[n > 0 ? n : 0] = 0;
	t_streq("readlinkat", buf, "../target");
	t_ok("symlinkat", symlinkat("inner", dfd, "rel2"));
	t_ok("stat d/rel2", stat("d/rel2", &st));
	symlink("d", "dl");
	t_ok("symlink to dir in the middle of a path", stat("dl/inner", &st));
	t_err("trailing slash on a link to a file", stat("s/", &st), ENOTDIR);
	t_ok("trailing slash on a link to a dir", lstat("dl/", &st));
	t_yes("lstat with trailing slash follows", S_ISDIR(st.st_mode));

	/* 40 links deep is allowed, 41 is ELOOP */
	snprintf(prev, sizeof(prev), "target");
	for (i = 1; i <= 41; i++) {
		snprintf(name, sizeof(name), "c%02d", i);
		symlink(prev, name);
		snprintf(prev, sizeof(prev), "%s", name);
	}
	t_ok("chain of 40", stat("c40", &st));
	t_err("chain of 41", stat("c41", &st), ELOOP);
	symlink("self", "self");
	t_err("self loop", open("self", O_RDONLY), ELOOP);
	t_err("loop in the middle", stat("self/x", &st), ELOOP);
	symlink("missing", "dangle");
	t_err("dangling stat", stat("dangle", &st), ENOENT);
	t_ok("dangling lstat", lstat("dangle", &st));
	t_ok("unlink removes the link, not the target", unlink("s"));
	t_ok("target still there", stat("target", &st));
	/* long target */
	memset(buf, 'a', 255);
	buf[255] = 0;
	t_ok("255-byte target", symlink(buf, "long"));
	t_eq("readlink of it", readlink("long", buf, sizeof(buf)), 255);
	return g_finish();
}
