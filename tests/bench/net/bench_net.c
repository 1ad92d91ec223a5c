/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_net: loopback TCP between two processes of one program.
 *   bench_net tput MIB   one connection, 64 KiB writes, MIB MiB: prints
 *                        "tput <MiB/s>" (timed by the reader, from accept
 *                        to EOF);
 *   bench_net rtt N      1-byte ping-pong N times: prints "rtt <us>" per
 *                        round trip.
 * Only 127.0.0.1 and an ephemeral port.  Static, so that it runs the same
 * natively and in the sandbox.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) < 0) {
		perror("listener");
		exit(1);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static int dial(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("connect");
		exit(1);
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int main(int argc, char **argv)
{
	static char buf[65536];
	int port, lfd, s, st, one = 1;
	long n;
	pid_t pid;

	if (argc != 3 || (strcmp(argv[1], "tput") && strcmp(argv[1], "rtt"))) {
		fprintf(stderr, "usage: bench_net tput MIB | rtt N\n");
		return 2;
	}
	n = atol(argv[2]);
	lfd = listener(&port);
	pid = fork();
	if (pid == 0) {
		int c = dial(port);

		if (!strcmp(argv[1], "tput")) {
			for (long i = 0; i < n * 16; i++) {
				size_t off = 0;

				while (off < sizeof(buf)) {
					ssize_t w = write(c, buf + off, sizeof(buf) - off);

					if (w <= 0)
						_exit(1);
					off += (size_t)w;
				}
			}
		} else {
			for (long i = 0; i < n; i++)
				if (read(c, buf, 1) != 1 || write(c, buf, 1) != 1)
					_exit(1);
		}
		close(c);
		_exit(0);
	}
	s = accept(lfd, NULL, NULL);
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (!strcmp(argv[1], "tput")) {
		double t0 = now(), t;
		long total = 0;
		ssize_t r;

		while ((r = read(s, buf, sizeof(buf))) > 0)
			total += r;
		t = now() - t0;
		if (total != n << 20) {
			fprintf(stderr, "short transfer: %ld\n", total);
			return 1;
		}
		printf("tput %.1f\n", (double)total / 1048576.0 / t);
	} else {
		double t0 = now();

		for (long i = 0; i < n; i++)
			if (write(s, "x", 1) != 1 || read(s, buf, 1) != 1) {
				fprintf(stderr, "ping-pong failed\n");
				return 1;
			}
		printf("rtt %.2f\n", (now() - t0) * 1e6 / (double)n);
	}
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
