/* SPDX-License-Identifier: Apache-2.0 */
/* A working directory that was removed has no path to reopen: the
 * checkpoint is refused naming it, and the process goes on there (a new
 * file cannot be made in it: ENOENT, as Linux). */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "zdtm.h"

int main(void)
{
	zd_init();
	if (mkdir("/tmp/gone", 0755) < 0 || chdir("/tmp/gone") < 0 || rmdir("/tmp/gone") < 0)
		return zd_say("FAIL: setup\n"), 1;
	zd_ready();
	zd_wait_go();
	errno = 0;
	zd_check(open("new", O_CREAT | O_WRONLY, 0644) < 0 && errno == ENOENT,
		 "a file made in the removed directory (%s)", strerror(errno));
	zd_check(chdir("/") == 0, "chdir /");
	return zd_finish();
}
