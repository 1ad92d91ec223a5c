/* SPDX-License-Identifier: Apache-2.0 */
/* Blocking pipes between processes: a large transfer, interleaving of
 * concurrent PIPE_BUF-sized records (never torn), EOF only after every
 * write end is closed. */
#include "common.h"
#include <sys/wait.h>

#define REC 512
#define NREC 400

static void writer(int fd, char tag)
{
	char rec[REC];

	memset(rec, tag, sizeof(rec));
	for (int i = 0; i < NREC; i++)
		if (write(fd, rec, sizeof(rec)) != REC)
			_exit(1);
	_exit(0);
}

static long read_full(int fd, char *buf, long len)
{
	long off = 0, n;

	while (off < len && (n = read(fd, buf + off, (size_t)(len - off))) > 0)
		off += n;
	return off;
}

int main(void)
{
	static char buf[REC];
	unsigned long sum = 0, want = 0;
	long total = 0, n;
	int p[2], st, torn = 0, counts[2] = { 0, 0 };
	pid_t a, b;

	g_start();
	/* 1: one writer, 3 MB, checksum */
	pipe(p);
	a = fork();
	if (a == 0) {
		static char chunk[65536 + 123];
		close(p[0]);
		for (int i = 0; i < 48; i++) {
			for (size_t j = 0; j < sizeof(chunk); j++)
				chunk[j] = (char)(i + j);
			if (write(p[1], chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
				_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	for (int i = 0; i < 48; i++)
		for (size_t j = 0; j < 65536 + 123; j++)
			want += (unsigned char)(char)(i + j);
	while ((n = read(p[0], buf, sizeof(buf))) > 0) {
		for (long k = 0; k < n; k++)
			sum += (unsigned char)buf[k];
		total += n;
	}
	close(p[0]);
	waitpid(a, &st, 0);
	t_eq("bytes transferred", total, 48L * (65536 + 123));
	t_yes("checksum matches", sum == want);
	t_eq("writer status", WEXITSTATUS(st), 0);

	/* 2: two writers of 512-byte records: each record arrives whole */
	pipe(p);
	a = fork();
	if (a == 0) {
		close(p[0]);
		writer(p[1], 'a');
	}
	b = fork();
	if (b == 0) {
		close(p[0]);
		writer(p[1], 'b');
	}
	close(p[1]);
	while (read_full(p[0], buf, REC) == REC) {
		for (int k = 1; k < REC; k++)
			torn |= buf[k] != buf[0];
		counts[buf[0] == 'b']++;
	}
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
	t_yes("no torn record", !torn);
	t_eq("records from a", counts[0], NREC);
	t_eq("records from b", counts[1], NREC);
	close(p[0]);

	/* 3: EOF waits for all write ends, including one held by a child */
	pipe(p);
	int hold[2];
	pipe(hold);
	a = fork();
	if (a == 0) {
		char c;
		close(p[0]);
		close(hold[1]);
		read(hold[0], &c, 1); /* keep p[1] open until told */
		_exit(0);
	}
	close(hold[0]);
	int dupw = dup(p[1]);
	close(p[1]);
	write(dupw, "x", 1);
	close(dupw);
	t_eq("data before EOF", read(p[0], buf, sizeof(buf)), 1);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	t_err("child still holds a write end: no EOF", read(p[0], buf, 1), EAGAIN);
	close(hold[1]);
	waitpid(a, NULL, 0);
	t_eq("EOF once the child exits", read(p[0], buf, 1), 0);
	return g_finish();
}
