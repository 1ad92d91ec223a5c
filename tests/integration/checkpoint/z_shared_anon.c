/* SPDX-License-Identifier: Apache-2.0 */
/* Anonymous shared memory between processes: a MAP_SHARED|MAP_ANONYMOUS
 * region and a shared /dev/zero map inherited by a child, one object split
 * in two VMAs by mprotect, a region a child made after the fork and shares
 * with its own child, sparse pages (zero ones stay zero).  After the
 * restore a write on one side is seen on the other (the processes share
 * the memory again, not copies), and a child blocked in a shared
 * FUTEX_WAIT on a word of it is woken by the parent. */
#include <fcntl.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "zdtm.h"

#define PG 4096
#define NPG 64

static int pat_ok(const volatile uint8_t *p, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

int main(void)
{
	volatile uint8_t *a, *z, *split;
	volatile uint32_t *word;
	int go[2], rdy[2], st = -1, zfd;
	pid_t c;
	char ch;

	zd_init();
	a = mmap(NULL, NPG * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	zfd = open("/dev/zero", O_RDWR);
	z = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, zfd, 0);
	close(zfd);
	split = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED || z == MAP_FAILED || split == MAP_FAILED || pipe(go) < 0 ||
	    pipe(rdy) < 0)
		return zd_say("FAIL: setup\n"), 1;
	word = (volatile uint32_t *)(a + 40 * PG);
	memset((void *)(a + 3 * PG), 0x33, PG); /* pages 3 and 50 written, the rest zero */
	memset((void *)(a + 50 * PG), 0x50, PG);
	memset((void *)z, 0x7a, PG);
	memset((void *)split, 0x11, 8 * PG);
	mprotect((void *)(split + 4 * PG), 4 * PG, PROT_READ);
	c = fork();
	if (c == 0) {
		volatile uint8_t *own = mmap(NULL, PG, PROT_READ | PROT_WRITE,
					     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		pid_t gc;
		int bad = 0, gst = -1;

		own[0] = 1;
		gc = fork();
		if (gc == 0) {
			while (own[0] != 2) /* set by its parent after the restore */
				usleep(1000);
			own[1] = 3;
			_exit(0);
		}
		a[10 * PG] = 0xcc; /* the parent sees it before the checkpoint */
		(void)!write(rdy[1], "r", 1);
		/* blocked in a shared futex wait at the checkpoint */
		while (*word == 0)
			syscall(SYS_futex, word, FUTEX_WAIT, 0, NULL, NULL, 0);
		bad |= (a[11 * PG] != 0xdd) << 0; /* written by the parent after the restore */
		bad |= (z[5] != 0x7b) << 1;
		bad |= (!pat_ok(split + 4 * PG, 4 * PG, 0x22)) << 2;
		own[0] = 2;
		bad |= (waitpid(gc, &gst, 0) != gc || !WIFEXITED(gst) || own[1] != 3) << 3;
		a[12 * PG] = 0xee;
		_exit(bad);
	}
	close(rdy[1]);
	if (read(rdy[0], &ch, 1) != 1)
		return zd_say("FAIL: child\n"), 1;
	zd_check(a[10 * PG] == 0xcc, "not shared before the checkpoint");
	usleep(50000);
	zd_ready();
	zd_wait_go();

	zd_check(a[10 * PG] == 0xcc && pat_ok(a + 3 * PG, PG, 0x33) && pat_ok(a + 50 * PG, PG, 0x50),
		 "shared memory contents changed");
	zd_check(pat_ok(a + 4 * PG, 6 * PG, 0) && pat_ok(a + 51 * PG, 13 * PG, 0),
		 "zero pages of the shared memory are not zero");
	zd_check(pat_ok(z, PG, 0x7a), "the shared /dev/zero map changed");
	zd_check(pat_ok(split, 4 * PG, 0x11) && pat_ok(split + 4 * PG, 4 * PG, 0x11),
		 "the split shared region changed");
	a[11 * PG] = 0xdd;
	z[5] = 0x7b;
	mprotect((void *)(split + 4 * PG), 4 * PG, PROT_READ | PROT_WRITE);
	memset((void *)(split + 4 * PG), 0x22, 4 * PG);
	__atomic_store_n(word, 1, __ATOMIC_SEQ_CST);
	for (int tries = 0; waitpid(c, &st, WNOHANG) == 0; tries++) {
		if (tries == 3000) { /* 30 s: it does not share the word with us */
			kill(c, SIGKILL);
			waitpid(c, &st, 0);
			break;
		}
		syscall(SYS_futex, word, FUTEX_WAKE, 10, NULL, NULL, 0);
		usleep(10000);
	}
	zd_check(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "the child did not see the parent's writes: status 0x%x", st);
	zd_check(a[12 * PG] == 0xee, "the parent did not see the child's write");
	return zd_finish();
}
