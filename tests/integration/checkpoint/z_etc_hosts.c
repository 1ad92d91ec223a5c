/* SPDX-License-Identifier: Apache-2.0 */
/* /etc/hosts is written by the runtime at boot and not saved while it is
 * as written (the restored sandbox writes its own); once the application
 * changes it, it is saved and overrides the restored sandbox's. */
#include <fcntl.h>
#include <string.h>

#include "zdtm.h"

int main(void)
{
	static const char line[] = "10.9.8.7 added-by-app\n";
	char buf[4096];
	ssize_t n;
	int fd;

	zd_init();
	fd = open("/etc/hosts", O_WRONLY | O_APPEND);
	zd_check(fd >= 0 && write(fd, line, strlen(line)) == (ssize_t)strlen(line),
		 "append to /etc/hosts");
	close(fd);
	zd_ready();
	zd_wait_go();
	fd = open("/etc/hosts", O_RDONLY);
	n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	zd_check(n > 0 && (buf[n] = 0, strstr(buf, "added-by-app") != NULL), "/etc/hosts change lost");
	return zd_finish();
}
