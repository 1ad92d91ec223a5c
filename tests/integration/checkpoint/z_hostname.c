/* SPDX-License-Identifier: Apache-2.0 */
/* The hostname set by the application (sethostname) is the restored
 * sandbox's, as uname's nodename, gethostname and
 * /proc/sys/kernel/hostname, for the restored process and for a child it
 * forks afterwards; the sandbox's boot hostname is not back. */
#include <fcntl.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "zdtm.h"

#define NAME "zdtm-ckpt-host.example"

static int name_ok(void)
{
	struct utsname u;
	char h[128] = "", pr[128] = "";
	int fd = open("/proc/sys/kernel/hostname", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, pr, sizeof(pr) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n > 0 && pr[n - 1] == '\n')
		pr[n - 1] = 0;
	return uname(&u) == 0 && !strcmp(u.nodename, NAME) && gethostname(h, sizeof(h)) == 0 &&
	       !strcmp(h, NAME) && (fd < 0 || !strcmp(pr, NAME));
}

int main(void)
{
	char boot[128] = "";
	int st = -1;
	pid_t c;

	zd_init();
	gethostname(boot, sizeof(boot));
	if (sethostname(NAME, strlen(NAME)) < 0)
		return zd_say("FAIL: sethostname\n"), 1;
	zd_ready();
	zd_wait_go();

	zd_check(name_ok(), "the hostname is not " NAME);
	c = fork();
	if (c == 0)
		_exit(name_ok() ? 0 : 1);
	zd_check(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "a child forked after the restore sees another hostname");
	zd_check(strcmp(boot, NAME) != 0, "the boot hostname was already " NAME);
	return zd_finish();
}
