/* SPDX-License-Identifier: Apache-2.0 */
/* The address space layout: one mapping split by mprotect into read-write,
 * PROT_NONE (guard), read-only and executable parts, and a MAP_GROWSDOWN-
 * free hole made by munmap.  After the restore /proc/self/maps lists the
 * same ranges and permissions, the guard page and the read-only page fault
 * (SIGSEGV at the right address), the hole is still unmapped, contents are
 * kept, and the main stack grows past what it used before the checkpoint. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "zdtm.h"

#define PG 4096
static sigjmp_buf jb;
static volatile uintptr_t fault_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	fault_addr = (uintptr_t)si->si_addr;
	siglongjmp(jb, 1);
}

/* The lines of /proc/self/maps for [lo, hi): "start-end perms". */
static void region_maps(uintptr_t lo, uintptr_t hi, char *out, size_t cap)
{
	static char buf[65536];
	int fd = open("/proc/self/maps", O_RDONLY);
	ssize_t n, len = 0;
	char *line, *save = NULL;

	out[0] = 0;
	if (fd < 0)
		return;
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long s = strtoul(line, NULL, 16);

		if (s >= lo && s < hi) {
			size_t l = strlen(out);

			snprintf(out + l, cap - l, "%.30s|", line); /* addresses and perms */
		}
	}
}

static int faults(volatile char *p, int write)
{
	fault_addr = 0;
	if (sigsetjmp(jb, 1) == 0) {
		if (write)
			*p = 1;
		else
			(void)*p;
		return 0;
	}
	return fault_addr == (uintptr_t)p;
}

static __attribute__((noinline)) int deep_stack(void)
{
	volatile char big[4 << 20]; /* 4 MiB below the current stack pointer */

	for (size_t i = 0; i < sizeof(big); i += PG)
		big[i] = (char)i;
	return big[PG] == (char)PG;
}

int main(void)
{
	static char before[4096], after[4096];
	struct sigaction sa;
	char *m;
	int ok = 1;

	zd_init();
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	m = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 1;
	for (int i = 0; i < 16; i++)
		memset(m + i * PG, 'a' + i, PG);
	mprotect(m + 4 * PG, 2 * PG, PROT_NONE);
	mprotect(m + 8 * PG, 2 * PG, PROT_READ);
	mprotect(m + 12 * PG, PG, PROT_READ | PROT_EXEC);
	munmap(m + 14 * PG, PG);
	region_maps((uintptr_t)m, (uintptr_t)m + 16 * PG, before, sizeof(before));
	zd_ready();
	zd_wait_go();

	region_maps((uintptr_t)m, (uintptr_t)m + 16 * PG, after, sizeof(after));
	zd_check(before[0] && !strcmp(before, after), "layout changed:\n  %s\n  %s", before, after);
	zd_check(faults(m + 4 * PG + 100, 0), "the PROT_NONE page did not fault on read");
	zd_check(faults(m + 8 * PG + 8, 1), "the read-only page did not fault on write");
	zd_check(faults(m + 14 * PG, 0), "the unmapped hole did not fault");
	zd_check(!faults(m + 12 * PG, 0), "the executable page faulted on read");
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 5 || i == 14)
			continue;
		for (int j = 0; j < PG; j++)
			ok &= m[i * PG + j] == 'a' + i;
	}
	mprotect(m + 4 * PG, 2 * PG, PROT_READ);
	for (int j = 0; j < 2 * PG; j++)
		ok &= m[4 * PG + j] == 'a' + 4 + j / PG;
	zd_check(ok, "contents changed");
	zd_check(deep_stack(), "the stack did not grow");
	return zd_finish();
}
