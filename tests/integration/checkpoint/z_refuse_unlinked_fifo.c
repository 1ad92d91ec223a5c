/* SPDX-License-Identifier: Apache-2.0 */
/* An open FIFO whose name was removed (its buffer is reachable by no path
 * in the image): the checkpoint is refused naming it; the process, its
 * data and an epoll watching it go on. */
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/stat.h>

#include "zdtm.h"

int main(void)
{
	struct epoll_event e = { .events = EPOLLIN, .data.u64 = 7 };
	char buf[16] = "";
	int fd, ep;

	zd_init();
	zd_check(mkfifo("/tmp/gone", 0600) == 0, "mkfifo");
	fd = open("/tmp/gone", O_RDWR);
	zd_check(fd >= 0 && write(fd, "kept", 4) == 4, "open and write");
	zd_check(unlink("/tmp/gone") == 0, "unlink");
	ep = epoll_create1(0);
	zd_check(ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e) == 0, "epoll");
	zd_ready();
	zd_wait_go();
	zd_check(epoll_wait(ep, &e, 1, 0) == 1 && e.data.u64 == 7, "epoll after the refusal");
	zd_check(read(fd, buf, sizeof(buf)) == 4 && !memcmp(buf, "kept", 4), "data kept");
	return zd_finish();
}
