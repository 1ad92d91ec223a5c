/* SPDX-License-Identifier: Apache-2.0 */
/* Open files keep their offset and flags, dup'd fds share one offset,
 * close-on-exec flags, the working directory, umask, /dev/null, the
 * hostname, credentials and rlimits survive the restore. */
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtm.h"

int main(void)
{
	char buf[16], cwd[256], host[65];
	struct rlimit rl = { 200, 300 }, got;
	int fd, fd2, dn, dir;

	zd_init();
	fd = open("/data.txt", O_RDONLY);
	(void)!read(fd, buf, 3);        /* offset 3 */
	fd2 = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	dn = open("/dev/null", O_WRONLY | O_APPEND);
	dir = open("/work", O_RDONLY | O_DIRECTORY);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	(void)!chdir("/work");
	umask(027);
	setrlimit(RLIMIT_NOFILE, &rl);
	gethostname(host, sizeof(host));
	zd_ready();
	zd_wait_go();

	zd_check(lseek(fd, 0, SEEK_CUR) == 3, "offset changed");
	zd_check(read(fd2, buf, 4) == 4 && !memcmp(buf, "3456", 4), "dup'd fd read '%.4s'", buf);
	zd_check(lseek(fd, 0, SEEK_CUR) == 7, "dup'd fds no longer share the offset");
	zd_check(fcntl(fd2, F_GETFD) == FD_CLOEXEC && fcntl(fd, F_GETFD) == 0, "cloexec flags");
	zd_check((fcntl(fd, F_GETFL) & O_NONBLOCK) && (fcntl(dn, F_GETFL) & O_APPEND),
		 "status flags");
	zd_check(write(dn, "x", 1) == 1, "/dev/null");
	zd_check(getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/work"), "cwd '%s'", cwd);
	zd_check(fchdir(dir) == 0, "fchdir on a restored directory fd");
	zd_check(umask(0) == 027, "umask");
	zd_check(getrlimit(RLIMIT_NOFILE, &got) == 0 && got.rlim_cur == 200 && got.rlim_max == 300,
		 "rlimit");
	gethostname(buf, sizeof(buf));
	zd_check(!strncmp(buf, host, sizeof(buf) - 1), "hostname");
	zd_check(getuid() == 0 && getgid() == 0, "credentials");
	return zd_finish();
}
