/* SPDX-License-Identifier: Apache-2.0 */
/* A socket is not saved yet: the checkpoint must fail naming it, and the
 * process must go on unaffected (the driver runs it in "refuse" mode):
 * a thread blocked in recv() with a timeout during the attempt neither
 * sees EINTR nor loses the data sent afterwards. */
#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "zdtm.h"

static int sv[2], got = -1, err;

static void *reader(void *arg)
{
	char c = 0;
	ssize_t n;

	(void)arg;
	n = recv(sv[1], &c, 1, 0); /* blocks across the checkpoint attempt */
	err = n < 0 ? errno : 0;
	got = n == 1 ? c : -1;
	return NULL;
}

int main(void)
{
	struct timeval tv = { 60, 0 };
	pthread_t th;

	zd_init();
	zd_check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	pthread_create(&th, NULL, reader, NULL);
	usleep(50000);
	zd_ready();
	zd_wait_go();
	zd_check(write(sv[0], "x", 1) == 1, "write");
	pthread_join(th, NULL);
	zd_check(got == 'x', "recv got %d (errno %d)", got, err);
	return zd_finish();
}
