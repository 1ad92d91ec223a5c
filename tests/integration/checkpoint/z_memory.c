/* SPDX-License-Identifier: Apache-2.0 */
/* Heap (malloc, brk), anonymous mmap (dense, sparse, PROT_NONE, read-only)
 * and the stack survive checkpoint/restore byte for byte. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "zdtm.h"

static uint8_t pat(uint64_t i, unsigned seed)
{
	return (uint8_t)((i * 2654435761u) >> 13 ^ seed);
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = pat(i, seed);
}

static int same(const uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pat(i, seed))
			return 0;
	return 1;
}

int main(void)
{
	size_t heap_n = 3u << 20, dense_n = 4u << 20, sparse_n = 256u << 20;
	uint8_t *heap, *dense, *sparse, *none, *ro, *brkp, stackbuf[10000];
	int zeros = 1;

	zd_init();
	heap = malloc(heap_n);
	fill(heap, heap_n, 1);
	dense = mmap(NULL, dense_n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(dense, dense_n, 2);
	sparse = mmap(NULL, sparse_n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t off = 0; off < sparse_n; off += 16u << 20)
		fill(sparse + off, 4096, (unsigned)(off >> 20));
	none = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(none, 8192, 3);
	mprotect(none, 8192, PROT_NONE);
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fill(ro, 4096, 4);
	mprotect(ro, 4096, PROT_READ);
	brkp = sbrk(65536);
	fill(brkp, 65536, 5);
	fill(stackbuf, sizeof(stackbuf), 6);
	zd_ready();
	zd_wait_go();

	zd_check(same(heap, heap_n, 1), "malloc'd heap changed");
	zd_check(same(dense, dense_n, 2), "dense mmap changed");
	for (size_t off = 0; off < sparse_n; off += 16u << 20) {
		zd_check(same(sparse + off, 4096, (unsigned)(off >> 20)), "sparse page %zu", off);
		for (size_t i = 4096; i < 8192; i++)
			zeros &= sparse[off + i] == 0;
	}
	zd_check(zeros, "untouched pages are not zero");
	zd_check(mprotect(none, 8192, PROT_READ) == 0, "mprotect");
	zd_check(same(none, 8192, 3), "PROT_NONE memory changed");
	zd_check(same(ro, 4096, 4), "read-only memory changed");
	zd_check(same(brkp, 65536, 5), "brk memory changed");
	zd_check(sbrk(0) == brkp + 65536, "the break moved");
	zd_check(same(stackbuf, sizeof(stackbuf), 6), "stack changed");
	/* the restored memory is private and writable */
	fill(dense, dense_n, 7);
	zd_check(same(dense, dense_n, 7), "rewrite");
	heap = realloc(heap, heap_n * 2);
	zd_check(heap && same(heap, heap_n, 1), "realloc");
	return zd_finish();
}
