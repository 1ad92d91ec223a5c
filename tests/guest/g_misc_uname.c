/* SPDX-License-Identifier: Apache-2.0 */
/* uname, sethostname/gethostname consistency, /proc/sys/kernel mirrors.
 * The hostname and release are never printed, only their shape. */
#include "common.h"
#include <ctype.h>
#include <sys/utsname.h>

int main(void)
{
	struct utsname u;
	char host[256], buf[512];
	size_t n;

	g_start();
	t_ok("uname", uname(&u));
	t_streq("sysname", u.sysname, "Linux");
	t_streq("machine", u.machine, "x86_64");
	t_yes("release starts with a digit and has a dot", isdigit((unsigned char)u.release[0]) &&
							       strchr(u.release, '.') != NULL);
	t_yes("version non-empty", u.version[0] != 0);
	t_yes("nodename non-empty", u.nodename[0] != 0);
	t_yes("fields NUL-terminated within 65 bytes", strlen(u.nodename) < 65 && strlen(u.release) < 65);

	t_ok("gethostname", gethostname(host, sizeof(host)));
	t_streq("gethostname == nodename", strcmp(host, u.nodename) == 0 ? "same" : "differs", "same");
	t_err("gethostname into 1 byte", gethostname(host, 1), ENAMETOOLONG);

	g_read_file("/proc/sys/kernel/hostname", buf, sizeof(buf));
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	t_yes("/proc/sys/kernel/hostname matches", strcmp(buf, u.nodename) == 0);
	g_read_file("/proc/sys/kernel/osrelease", buf, sizeof(buf));
	t_yes("/proc/sys/kernel/osrelease matches", strncmp(buf, u.release, strlen(u.release)) == 0);
	g_read_file("/proc/sys/kernel/ostype", buf, sizeof(buf));
	t_yes("/proc/sys/kernel/ostype is Linux", strcmp(buf, "Linux\n") == 0);
	g_read_file("/proc/version", buf, sizeof(buf));
	t_yes("/proc/version starts with Linux version <release>",
	      strncmp(buf, "Linux version ", 14) == 0 && strncmp(buf + 14, u.release, strlen(u.release)) == 0);

	t_err("uname bad pointer", syscall(SYS_uname, G_BADPTR), EFAULT);
	/* changing the hostname needs CAP_SYS_ADMIN in the UTS namespace;
	 * only the error for a too-long name is checked (no change made) */
	memset(buf, 'h', 100);
	t_yes("sethostname longer than 64 refused (EINVAL, or EPERM unprivileged)",
	      sethostname(buf, 100) == -1 && (errno == EINVAL || errno == EPERM));
	t_yes("sethostname negative length refused",
	      syscall(SYS_sethostname, buf, -1) == -1 && (errno == EINVAL || errno == EPERM));
	return g_finish();
}
