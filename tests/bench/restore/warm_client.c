/* SPDX-License-Identifier: Apache-2.0 */
/*
 * warm_client DIR REQUEST: hands REQUEST to the warm python of
 * bench_warm_python.sh and prints its answer (static, run inside the
 * sandbox by an exec of the control server's API).
 *
 * Protocol (regular files in DIR and signals only, what a checkpoint
 * saves today, docs/checkpoint.md "Supported"):
 *   DIR/pid          the warm python's pid (written before the snapshot)
 *   DIR/<me>.in      the request, written to DIR/<me>.in.tmp and renamed
 *   SIGUSR1 -> python, whose sigwaitinfo() gives it <me> as si_pid
 *   DIR/<me>.out     the answer, written by python (tmp + rename), then
 *   SIGUSR1 -> me    from python, after the rename
 * SIGUSR1 is blocked before the request is sent, so the answer's signal
 * cannot be lost; the wait is bounded (10 s, exit 3 when it passes).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int fail(const char *what)
{
	fprintf(stderr, "warm_client: %s: %s\n", what, strerror(errno));
	return 2;
}

int main(int argc, char **argv)
{
	char path[512], tmp[520], out[520], buf[65536];
	struct timespec limit = { .tv_sec = 10 };
	siginfo_t si;
	sigset_t set;
	long pypid;
	ssize_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: warm_client DIR REQUEST\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return fail("sigprocmask");

	snprintf(path, sizeof(path), "%s/pid", argv[1]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(path);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return fail("read pid");
	buf[n] = 0;
	pypid = strtol(buf, NULL, 10);
	if (pypid <= 1) {
		fprintf(stderr, "warm_client: bad pid file\n");
		return 2;
	}

	snprintf(path, sizeof(path), "%s/%d.in", argv[1], (int)getpid());
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(out, sizeof(out), "%s/%d.out", argv[1], (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(tmp);
	if (write_all(fd, argv[2], strlen(argv[2])) < 0 || close(fd) < 0)
		return fail("write request");
	if (rename(tmp, path) < 0)
		return fail("rename request");
	if (kill((pid_t)pypid, SIGUSR1) < 0)
		return fail("kill warm python");

	for (;;) {
		int s = sigtimedwait(&set, &si, &limit);
		if (s == SIGUSR1 && si.si_pid == (pid_t)pypid)
			break;
		if (s < 0 && errno == EINTR)
			continue;
		if (s < 0) {
			fprintf(stderr, "warm_client: no answer from pid %ld: %s\n", pypid,
				strerror(errno));
			unlink(path);
			return 3;
		}
	}
	fd = open(out, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(out);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write_all(1, buf, (size_t)n) < 0)
			return fail("write stdout");
	close(fd);
	unlink(out);
	return n < 0 ? fail("read answer") : 0;
}
