/* SPDX-License-Identifier: Apache-2.0 */
/* fork, vfork and threads after the restore: the restored memory (heap,
 * a large mapping, the stack) is copied on write into a forked child, whose
 * writes the parent never sees; the child's children work too; vfork+exit
 * and posix-style clone of threads work in the restored process. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "zdtm.h"

#define BIG (8u << 20)

static int all(const uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i += 1024)
		if (p[i] != v)
			return 0;
	return 1;
}

static void *thr(void *arg)
{
	return (void *)((uintptr_t)arg * 2);
}

int main(void)
{
	uint8_t *heap, *big, stackbuf[8192];
	int p[2], st = -1;
	pid_t c, v;
	void *ret = NULL;
	pthread_t t;

	zd_init();
	heap = malloc(1 << 20);
	big = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(heap, 0x11, 1 << 20);
	memset(big, 0x22, BIG);
	memset(stackbuf, 0x33, sizeof(stackbuf));
	if (pipe(p) < 0)
		return 1;
	zd_ready();
	zd_wait_go();

	c = fork();
	if (c == 0) {
		int ok = all(heap, 1 << 20, 0x11) && all(big, BIG, 0x22) &&
			 all(stackbuf, sizeof(stackbuf), 0x33);
		pid_t gc;
		int gst = -1;

		memset(heap, 0x44, 1 << 20);
		memset(big, 0x55, BIG);
		memset(stackbuf, 0x66, sizeof(stackbuf));
		gc = fork();
		if (gc == 0)
			_exit(all(big, BIG, 0x55) ? 5 : 6);
		ok &= waitpid(gc, &gst, 0) == gc && WIFEXITED(gst) && WEXITSTATUS(gst) == 5;
		(void)!write(p[1], ok ? "Y" : "N", 1);
		_exit(0);
	}
	{
		char r = 0;

		zd_check(read(p[0], &r, 1) == 1 && r == 'Y', "the child's copy or its child");
	}
	zd_check(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0, "child 0x%x", st);
	zd_check(all(heap, 1 << 20, 0x11) && all(big, BIG, 0x22) &&
			 all(stackbuf, sizeof(stackbuf), 0x33),
		 "the child's writes reached the parent");
	v = vfork();
	if (v == 0)
		_exit(9);
	zd_check(waitpid(v, &st, 0) == v && WIFEXITED(st) && WEXITSTATUS(st) == 9, "vfork 0x%x", st);
	zd_check(pthread_create(&t, NULL, thr, (void *)21) == 0 && pthread_join(t, &ret) == 0 &&
			 ret == (void *)42,
		 "a thread");
	return zd_finish();
}
