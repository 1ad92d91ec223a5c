/* SPDX-License-Identifier: Apache-2.0 */
/* Changing credentials (needs root, done in children): setresuid rules,
 * saved ids, setgroups, and permission checks that follow. */
#include "common.h"
#include <grp.h>
#include <sys/wait.h>

static int child(int (*fn)(void))
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(fn());
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

static int drop_all(void)
{
	uid_t r, e, s;

	if (setgroups(0, NULL) || setresgid(2000, 2000, 2000) || setresuid(1000, 1000, 1000))
		return 1;
	getresuid(&r, &e, &s);
	if (r != 1000 || e != 1000 || s != 1000)
		return 2;
	if (setuid(0) != -1 || errno != EPERM)
		return 3;
	if (open("secret", O_RDONLY) != -1 || errno != EACCES)
		return 4;
	if (open("public", O_RDONLY) < 0)
		return 5;
	if (kill(1, 0) != -1 || errno != EPERM) /* pid 1 is never ours */
		return 6;
	if (setgroups(0, NULL) != -1 || errno != EPERM)
		return 7;
	return 0;
}

static int swap_effective(void)
{
	uid_t r, e, s;

	/* keep root as saved uid: we can come back */
	if (setresuid(1000, 1001, 0))
		return 1;
	getresuid(&r, &e, &s);
	if (r != 1000 || e != 1001 || s != 0)
		return 2;
	if (open("secret", O_RDONLY) != -1 || errno != EACCES)
		return 3;
	if (seteuid(0))
		return 4;
	if (open("secret", O_RDONLY) < 0)
		return 5;
	if (setresuid((uid_t)-1, 1000, (uid_t)-1) || geteuid() != 1000)
		return 6;
	/* unprivileged: may only pick among real/effective/saved */
	if (setresuid(1000, 0, 1000))
		return 7;
	if (setresuid(1000, 1000, 1000) || setresuid(1000, 4242, -1) != -1 || errno != EPERM)
		return 8;
	return 0;
}

static int groups(void)
{
	gid_t set[3] = { 10, 20, 30 }, got[8];

	if (setgroups(3, set))
		return 1;
	if (getgroups(8, got) != 3 || got[0] != 10 || got[2] != 30)
		return 2;
	if (getgroups(1, got) != -1 || errno != EINVAL)
		return 3;
	/* group permission through a supplementary group */
	if (setresgid(99, 99, 99) || setresuid(1000, 1000, 1000))
		return 4;
	if (open("group20", O_RDONLY) < 0)
		return 5;
	return 0;
}

int main(void)
{
	g_start();
	if (geteuid() != 0) {
		say("not root: credential changes skipped\n");
		t_err("setuid(0) as non-root", setuid(0), EPERM);
		return g_finish();
	}
	g_write_file("secret", "s");
	chmod("secret", 0600);
	g_write_file("public", "p");
	chmod("public", 0644);
	g_write_file("group20", "g");
	chown("group20", 0, 20);
	chmod("group20", 0040);
	chmod(".", 0755);

	t_eq("drop everything to 1000 (0 = as expected)", child(drop_all), 0);
	t_eq("effective switch with saved root", child(swap_effective), 0);
	t_eq("setgroups/getgroups and group access", child(groups), 0);
	t_err("getresgid bad pointers", syscall(SYS_getresgid, G_BADPTR, G_BADPTR, G_BADPTR), EFAULT);
	t_yes("parent still root", getuid() == 0 && geteuid() == 0);
	return g_finish();
}
