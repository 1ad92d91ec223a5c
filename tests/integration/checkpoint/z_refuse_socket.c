/* SPDX-License-Identifier: Apache-2.0 */
/* A TCP connect waiting for room in a full accept queue (the Sentry's
 * loopback stack; with --network=host, ckpt_refuse_hostnet, any host
 * socket) is not saved yet: the checkpoint must fail naming it, and the
 * process must go on unaffected
 * (the driver runs it in "refuse" mode): a thread blocked in recv() with a
 * timeout on an AF_UNIX pair during the attempt neither sees EINTR nor
 * loses the data sent afterwards; the inet socket still works. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
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
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	struct sockaddr_in la = a;
	socklen_t llen = sizeof(la);
	pthread_t th;
	int in, lst, c1, c2;

	zd_init();
	in = socket(AF_INET, SOCK_DGRAM, 0);
	zd_check(in >= 0 && bind(in, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		 getsockname(in, (struct sockaddr *)&a, &len) == 0, "inet socket");
	/* a listener with room for one connection; a second one waits */
	lst = socket(AF_INET, SOCK_STREAM, 0);
	zd_check(lst >= 0 && bind(lst, (struct sockaddr *)&la, sizeof(la)) == 0 &&
			 listen(lst, 0) == 0 &&
			 getsockname(lst, (struct sockaddr *)&la, &llen) == 0,
		 "listener");
	c1 = socket(AF_INET, SOCK_STREAM, 0);
	zd_check(c1 >= 0 && connect(c1, (struct sockaddr *)&la, sizeof(la)) == 0, "connect 1");
	c2 = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	zd_check(c2 >= 0, "socket 2");
	(void)!connect(c2, (struct sockaddr *)&la, sizeof(la)); /* in progress */
	zd_check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
	setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	pthread_create(&th, NULL, reader, NULL);
	usleep(50000);
	zd_ready();
	zd_wait_go();
	zd_check(write(sv[0], "x", 1) == 1, "write");
	pthread_join(th, NULL);
	zd_check(got == 'x', "recv got %d (errno %d)", got, err);
	zd_check(sendto(in, "y", 1, 0, (struct sockaddr *)&a, sizeof(a)) == 1 &&
		 recv(in, &got, 1, 0) == 1, "the inet socket after the refusal");
	return zd_finish();
}
