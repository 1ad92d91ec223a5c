/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/self/maps reflects mmap, mprotect, munmap (addresses not printed). */
#include "common.h"
#include <sys/mman.h>

#define PG 4096ul

static char maps[65536];

/* Print lines that overlap [lo, hi) as "+off-+off perms name". */
static int show(const char *what, unsigned long lo, unsigned long hi)
{
	char *line, *save = NULL;
	int n = 0;

	if (g_read_file("/proc/self/maps", maps, sizeof(maps)) <= 0)
		return -1;
	say("%s:\n", what);
	for (line = strtok_r(maps, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long a, b;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &a, &b, perms) != 3)
			continue;
		if (b <= lo || a >= hi)
			continue;
		say("  +%lu-+%lu %s\n", (a - lo) / PG, (b - lo) / PG, perms);
		n++;
	}
	return n;
}

static int has(const char *name)
{
	g_read_file("/proc/self/maps", maps, sizeof(maps));
	return strstr(maps, name) != NULL;
}

int main(void)
{
	char *p;
	unsigned long lo;

	g_start();
	/* surround the region by holes so neighbours cannot merge with it */
	p = mmap(NULL, 8 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	munmap(p, PG);
	munmap(p + 7 * PG, PG);
	lo = (unsigned long)p + PG;
	mprotect(p + PG, 6 * PG, PROT_READ | PROT_WRITE);

	t_eq("one rw region", show("after mmap", lo, lo + 6 * PG), 1);
	mprotect(p + 3 * PG, PG, PROT_READ);
	t_eq("split by mprotect", show("after mprotect", lo, lo + 6 * PG), 3);
	mprotect(p + 3 * PG, PG, PROT_READ | PROT_WRITE);
	t_eq("merged again", show("after mprotect back", lo, lo + 6 * PG), 1);
	munmap(p + 4 * PG, PG);
	t_eq("hole by munmap", show("after munmap", lo, lo + 6 * PG), 2);
	mprotect(p + PG, PG, PROT_READ | PROT_EXEC);
	t_eq("exec page", show("after PROT_EXEC", lo, lo + 6 * PG), 3);

	t_yes("[stack] listed", has("[stack]"));
	p = malloc(100000);
	t_yes("[heap] listed after malloc", p && has("[heap]"));
	return g_finish();
}
