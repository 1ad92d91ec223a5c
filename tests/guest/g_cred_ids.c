/* SPDX-License-Identifier: Apache-2.0 */
/* Reading credentials: the getters agree with each other and with
 * /proc/self/status; supplementary groups; errors. */
#include "common.h"
#include <grp.h>
#include <sys/wait.h>
#include <sys/fsuid.h>

static char status[8192];

static int status_line(const char *key, long want[4])
{
	char *p = strstr(status, key);
	long v[4];

	if (!p || sscanf(p + strlen(key), "%ld %ld %ld %ld", &v[0], &v[1], &v[2], &v[3]) != 4)
		return 0;
	return v[0] == want[0] && v[1] == want[1] && v[2] == want[2] && v[3] == want[3];
}

int main(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs, groups[256];
	int n;

	g_start();
	t_ok("getresuid", getresuid(&r, &e, &s));
	t_ok("getresgid", getresgid(&gr, &ge, &gs));
	t_yes("getuid/geteuid agree", r == getuid() && e == geteuid());
	t_yes("getgid/getegid agree", gr == getgid() && ge == getegid());
	t_yes("real == effective == saved uid", r == e && e == s);
	t_yes("real == effective == saved gid", gr == ge && ge == gs);
	t_yes("fsuid follows euid", (uid_t)setfsuid((uid_t)-1) == e);
	t_yes("fsgid follows egid", (gid_t)setfsgid((gid_t)-1) == ge);
	say("running as root: %s\n", e == 0 ? "yes" : "no");

	g_read_file("/proc/self/status", status, sizeof(status));
	t_yes("/proc/self/status Uid line", status_line("Uid:", (long[]){ r, e, s, e }));
	t_yes("/proc/self/status Gid line", status_line("Gid:", (long[]){ gr, ge, gs, ge }));

	n = getgroups(0, NULL);
	t_yes("getgroups(0) >= 0", n >= 0);
	t_yes("getgroups fills the same count", getgroups(256, groups) == n);
	t_err("getgroups negative size", syscall(SYS_getgroups, -1, groups), EINVAL);
	t_err("getresuid bad pointer", syscall(SYS_getresuid, G_BADPTR, &e, &s), EFAULT);

	/* a child has the same credentials */
	pid_t pid = fork();
	if (pid == 0)
		_exit(getuid() == r && getegid() == ge && getgroups(0, NULL) == n ? 0 : 1);
	int st;
	waitpid(pid, &st, 0);
	t_eq("child inherits credentials (0 = yes)", WEXITSTATUS(st), 0);
	return g_finish();
}
