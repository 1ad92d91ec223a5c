/* SPDX-License-Identifier: Apache-2.0 */
/* File mappings: shared writes reach the file, private ones do not,
 * SIGBUS past EOF, access-mode errors, ENODEV for a pipe. */
#include "common.h"
#include <sys/mman.h>

#define PG 4096ul

static void touch(void *p)
{
	(void)*(volatile char *)p;
}

int main(void)
{
	char buf[16], *sh, *pr;
	int fd, ro, wo, pfd[2], sig;
	void *r;

	g_start();
	fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, PG + 100) != 0)
		return 2;
	pwrite(fd, "hello", 5, 0);

	sh = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	pr = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	t_yes("mmap shared and private", sh != MAP_FAILED && pr != MAP_FAILED);
	t_yes("mapping shows file content", memcmp(sh, "hello", 5) == 0);

	memcpy(sh, "HE", 2);
	pread(fd, buf, 5, 0);
	t_yes("shared write visible through read", memcmp(buf, "HEllo", 5) == 0);
	t_yes("private map sees it before its own write", pr[0] == 'H');
	pr[1] = 'x';
	pread(fd, buf, 5, 0);
	t_yes("private write not in file", buf[1] == 'E');
	t_yes("shared map unaffected by private write", sh[1] == 'E');
	pwrite(fd, "W", 1, 3);
	t_yes("pwrite visible in shared map", sh[3] == 'W');
	t_yes("tail of last page past EOF reads zero", sh[PG + 100] == 0 && sh[2 * PG - 1] == 0);
	t_ok("msync", msync(sh, PG, MS_SYNC));

	sig = g_trap(touch, sh + PG + PG / 2);
	t_yes("within last page ok", sig == 0);
	t_ok("shrink file to 1 page", ftruncate(fd, PG));
	sig = g_trap(touch, sh + PG);
	say("access past EOF page: %s %s\n", sig ? signame(sig) : "none",
	    g_trap_code == BUS_ADRERR ? "BUS_ADRERR" : "other");

	ro = open("data", O_RDONLY);
	wo = open("data", O_WRONLY);
	r = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	t_err("shared writable map of O_RDONLY", r == MAP_FAILED ? -1 : 0, EACCES);
	r = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	t_yes("private writable map of O_RDONLY ok", r != MAP_FAILED);
	r = mmap(NULL, PG, PROT_READ, MAP_SHARED, wo, 0);
	t_err("map of O_WRONLY", r == MAP_FAILED ? -1 : 0, EACCES);
	r = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 1);
	t_err("unaligned offset", r == MAP_FAILED ? -1 : 0, EINVAL);
	pipe(pfd);
	r = mmap(NULL, PG, PROT_READ, MAP_SHARED, pfd[0], 0);
	t_err("map of a pipe", r == MAP_FAILED ? -1 : 0, ENODEV);
	r = mmap(NULL, PG, PROT_READ, MAP_SHARED, 99, 0);
	t_err("map of closed fd", r == MAP_FAILED ? -1 : 0, EBADF);

	/* the mapping survives close and unlink */
	close(fd);
	unlink("data");
	t_yes("mapping survives close+unlink", sh[0] == 'H' && sh[3] == 'W');
	return g_finish();
}
