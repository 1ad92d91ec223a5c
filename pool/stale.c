/* SPDX-License-Identifier: Apache-2.0 */
/* Crash leftovers in a state dir: sandboxes shut down, sockets removed. */
#define LOG_PREFIX "pool"
#include "pool/pool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/macro.h"
#include "runtime/sandbox.h"

/* --- crash leftovers --- */

static int read_pid_file(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return atoi(buf);
}

int pool_cleanup_stale(const char *state_dir)
{
	DIR *top = opendir(state_dir);
	struct dirent *de;
	int count = 0;

	if (!top)
		return errno == ENOENT ? 0 : neg_errno();
	while ((de = readdir(top))) {
		char dir[400];
		DIR *d;
		struct dirent *e;

		if (de->d_name[0] == '.' || !pool_name_valid(de->d_name))
			continue;
		if (snprintf(dir, sizeof(dir), "%s/%s", state_dir, de->d_name) >= (int)sizeof(dir))
			continue;
		d = opendir(dir);
		if (!d)
			continue;
		while ((e = readdir(d))) {
			char path[700], pidf[800];
			size_t n = strlen(e->d_name);
			struct sandbox *sb = NULL;
			int pid;

			if (n < 6 || strcmp(e->d_name + n - 5, ".sock") != 0)
				continue;
			if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path) ||
			    snprintf(pidf, sizeof(pidf), "%s.pid", path) >= (int)sizeof(pidf))
				continue;
			pid = read_pid_file(pidf);
			if (sandbox_attach(path, &sb) == 0) {
				(void)sandbox_destroy(sb);
				count++;
			} else if (pid > 0 && pool_pid_alive(pid)) {
				/* Only a process whose name says it is ours. */
				char cp[64], comm[32] = "";
				int fd;
				snprintf(cp, sizeof(cp), "/proc/%d/comm", pid);
				fd = open(cp, O_RDONLY | O_CLOEXEC);
				if (fd >= 0) {
					ssize_t k = read(fd, comm, sizeof(comm) - 1);
					comm[k > 0 ? k : 0] = 0;
					close(fd);
				}
				if (strncmp(comm, "cvisor", 6) == 0) {
					kill(pid, SIGKILL);
					count++;
				}
			}
			unlink(path);
			unlink(pidf);
		}
		closedir(d);
	}
	closedir(top);
	return count;
}
