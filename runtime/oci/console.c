/* SPDX-License-Identifier: Apache-2.0 */
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "lib/fdutil.h"
#include "lib/macro.h"

int oci_console_open(unsigned cols, unsigned rows, int *ret_master, int *ret_slave)
{
	_cleanup_close_ int master = -EBADF, slave = -EBADF;
	char name[128];

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return neg_errno();
	if (grantpt(master) < 0 || unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)))
		return neg_errno();
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return neg_errno();
	if (cols && rows) {
		struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };

		if (ioctl(master, TIOCSWINSZ, &ws) < 0)
			return neg_errno();
	}
	*ret_master = TAKE_FD(master);
	*ret_slave = TAKE_FD(slave);
	return 0;
}

int oci_console_send(const char *socket_path, int master)
{
	_cleanup_close_ int s = -EBADF;
	char name[128];
	ssize_t n;

	if (ptsname_r(master, name, sizeof(name)))
		snprintf(name, sizeof(name), "/dev/ptmx");
	s = fd_unix_connect(socket_path);
	if (s < 0)
		return s;
	n = fd_send(s, name, strlen(name), &master, 1);
	if (n < 0)
		return (int)n;
	return 0;
}
