/* SPDX-License-Identifier: Apache-2.0 */
/* Credentials: a child with distinct real/effective/saved/fs user and
 * group ids and supplementary groups (the parent keeps root), blocked in a
 * read at the checkpoint; after the restore it reports them and the
 * permission checks follow them (it may not setuid(0) back, it may switch
 * to its saved uid, it cannot open a root-only file). */
#include <fcntl.h>
#include <grp.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "zdtm.h"

int main(void)
{
	int go[2], rdy[2], st = -1;
	char ch;
	pid_t c;

	zd_init();
	if (pipe(go) < 0 || pipe(rdy) < 0)
		return 1;
	/* a root-only file in the memory overlay */
	close(open("/work/secret", O_CREAT | O_WRONLY, 0600));
	c = fork();
	if (c == 0) {
		gid_t groups[] = { 3001, 3002, 3003 }, g[8];
		uid_t r, e, s;
		gid_t rg, eg, sg;
		int bad = 0, n;

		if (setgroups(3, groups) || setresgid(2001, 2002, 2003) ||
		    setresuid(1001, 1002, 1003))
			_exit(100);
		setfsgid(2001); /* as a non-root, only to one of r/e/s ids */
		(void)!write(rdy[1], "r", 1);
		(void)!read(go[0], &ch, 1);
		getresuid(&r, &e, &s);
		getresgid(&rg, &eg, &sg);
		bad |= (r != 1001 || e != 1002 || s != 1003) << 0;
		bad |= (rg != 2001 || eg != 2002 || sg != 2003) << 1;
		n = getgroups(8, g);
		bad |= (n != 3 || g[0] != 3001 || g[1] != 3002 || g[2] != 3003) << 2;
		bad |= ((gid_t)setfsgid((gid_t)-1) != 2001) << 3;
		bad |= ((uid_t)setfsuid((uid_t)-1) != 1002) << 4;
		bad |= (open("/work/secret", O_RDONLY) >= 0) << 5;
		bad |= (setuid(0) == 0) << 6;
		bad |= (seteuid(1003) != 0 || geteuid() != 1003) << 7;
		_exit(bad);
	}
	close(rdy[1]);
	if (read(rdy[0], &ch, 1) != 1)
		return zd_say("FAIL: the child could not set its ids\n"), 1;
	zd_ready();
	zd_wait_go();

	zd_check(write(go[1], "x", 1) == 1, "write");
	zd_check(waitpid(c, &st, 0) == c && WIFEXITED(st), "child status 0x%x", st);
	zd_check(WEXITSTATUS(st) == 0, "child credential checks failed: mask 0x%x", WEXITSTATUS(st));
	zd_check(getuid() == 0 && geteuid() == 0 && getgid() == 0, "the parent's credentials");
	return zd_finish();
}
