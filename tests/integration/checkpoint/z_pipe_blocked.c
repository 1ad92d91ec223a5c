/* SPDX-License-Identifier: Apache-2.0 */
/* Pipes at the checkpoint: a thread blocked in write on a full pipe whose
 * capacity was raised (F_SETPIPE_SZ) with more to write, a child process
 * blocked in read on an empty pipe, a nonblocking pipe with some buffered
 * bytes, and a pipe whose write end is closed (the reader gets the data
 * then EOF).  After the restore every byte arrives once and in order. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/wait.h>

#include "zdtm.h"

#define CAP (128 * 1024)
#define EXTRA (100 * 1024)
static int full[2];
static volatile int wrote_all, started;

static uint8_t pat(size_t i)
{
	return (uint8_t)(i * 131 + (i >> 9));
}

static void *writer(void *arg)
{
	static uint8_t buf[CAP + EXTRA];
	size_t off = 0;

	(void)arg;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = pat(i);
	__atomic_store_n(&started, 1, __ATOMIC_SEQ_CST);
	while (off < sizeof(buf)) { /* blocked here at the checkpoint */
		ssize_t n = write(full[1], buf + off, sizeof(buf) - off);

		if (n <= 0)
			return NULL;
		off += (size_t)n;
	}
	wrote_all = 1;
	return NULL;
}

int main(void)
{
	static uint8_t got[CAP + EXTRA];
	int empty[2], nb[2], eof[2], st = -1, cap;
	size_t off = 0;
	char buf[64];
	pthread_t th;
	pid_t c;

	zd_init();
	if (pipe(full) < 0 || pipe(empty) < 0 || pipe2(nb, O_NONBLOCK) < 0 || pipe(eof) < 0)
		return 1;
	cap = fcntl(full[1], F_SETPIPE_SZ, CAP);
	(void)!write(nb[1], "nonblocking", 11);
	(void)!write(eof[1], "last words", 10);
	close(eof[1]); /* before the fork: no write end left anywhere */
	c = fork();
	if (c == 0) {
		ssize_t n = read(empty[0], buf, sizeof(buf)); /* blocked at the checkpoint */

		_exit(n == 6 && !memcmp(buf, "child!", 6) ? 0 : 1);
	}
	pthread_create(&th, NULL, writer, NULL);
	while (!__atomic_load_n(&started, __ATOMIC_SEQ_CST))
		usleep(1000);
	usleep(200000); /* the writer fills the pipe and blocks */
	zd_ready();
	zd_wait_go();

	zd_check(cap == CAP && fcntl(full[0], F_GETPIPE_SZ) == CAP, "pipe capacity %d / %d", cap,
		 fcntl(full[0], F_GETPIPE_SZ));
	zd_check(read(nb[0], buf, sizeof(buf)) == 11 && !memcmp(buf, "nonblocking", 11),
		 "nonblocking pipe data");
	errno = 0;
	zd_check(read(nb[0], buf, sizeof(buf)) < 0 && errno == EAGAIN, "O_NONBLOCK lost (%s)",
		 strerror(errno));
	zd_check(read(eof[0], buf, sizeof(buf)) == 10 && !memcmp(buf, "last words", 10),
		 "data before EOF");
	zd_check(read(eof[0], buf, sizeof(buf)) == 0, "no EOF after the closed write end");
	zd_check(write(empty[1], "child!", 6) == 6, "write");
	zd_check(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "the child blocked in read: status 0x%x", st);
	while (off < sizeof(got)) {
		ssize_t n = read(full[0], got + off, sizeof(got) - off);

		if (n <= 0)
			break;
		off += (size_t)n;
	}
	pthread_join(th, NULL);
	zd_check(off == sizeof(got) && wrote_all, "%zu of %zu bytes through the full pipe", off,
		 sizeof(got));
	for (size_t i = 0; i < off; i++)
		if (got[i] != pat(i)) {
			zd_check(0, "byte %zu of the full pipe is wrong", i);
			break;
		}
	return zd_finish();
}
