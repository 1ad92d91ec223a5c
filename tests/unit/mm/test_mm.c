/* SPDX-License-Identifier: Apache-2.0 */
/* The VMA set of sentry/mm: split, merge, unmap, protect, gaps, maps text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "sentry/mm/mm.h"

#define PG MM_PAGE
#define BASE 0x100000ULL
#define RW (PROT_READ | PROT_WRITE)

static struct mm *empty(void)
{
	struct mm *m = mm_new(0, 0, 0, 0);

	assert_non_null(m);
	assert_int_equal(m->n, 0);
	return m;
}

/* A private anonymous mapping, flagged as sys_mmap does. */
static void add(struct mm *m, uint64_t start_pg, uint64_t end_pg, int prot)
{
	struct mm_vma v = { .start = BASE + start_pg * PG, .end = BASE + end_pg * PG, .prot = prot,
			    .kind = (prot & PROT_WRITE) ? MM_VMA_ACCOUNT : 0 };

	assert_int_equal(mm_vma_insert(m, &v), 0);
}

/* Check that the set is exactly the listed [start, end, prot] triples. */
static void expect(struct mm *m, size_t n, const uint64_t (*want)[3])
{
	assert_int_equal(m->n, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(m->v[i].start, BASE + want[i][0] * PG);
		assert_int_equal(m->v[i].end, BASE + want[i][1] * PG);
		assert_int_equal(m->v[i].prot, (int)want[i][2]);
	}
}

static void test_insert_merges_neighbours(void **state)
{
	struct mm *m = empty();

	(void)state;
	add(m, 0, 2, RW);
	add(m, 4, 6, RW);
	expect(m, 2, (const uint64_t[][3]){ { 0, 2, RW }, { 4, 6, RW } });
	add(m, 2, 4, RW); /* fills the hole: one VMA */
	expect(m, 1, (const uint64_t[][3]){ { 0, 6, RW } });
	add(m, 6, 7, PROT_READ); /* different prot: stays apart */
	expect(m, 2, (const uint64_t[][3]){ { 0, 6, RW }, { 6, 7, PROT_READ } });
	mm_free(m);
}

static void test_insert_replaces_overlap(void **state)
{
	struct mm *m = empty();

	(void)state;
	add(m, 0, 8, RW);
	add(m, 2, 3, PROT_READ);
	expect(m, 3, (const uint64_t[][3]){ { 0, 2, RW }, { 2, 3, PROT_READ }, { 3, 8, RW } });
	add(m, 1, 7, PROT_EXEC);
	expect(m, 3, (const uint64_t[][3]){ { 0, 1, RW }, { 1, 7, PROT_EXEC }, { 7, 8, RW } });
	mm_free(m);
}

static void test_unmap_splits(void **state)
{
	struct mm *m = empty();

	(void)state;
	add(m, 0, 10, RW);
	assert_int_equal(mm_vma_unmap(m, BASE + 4 * PG, BASE + 6 * PG), 0);
	expect(m, 2, (const uint64_t[][3]){ { 0, 4, RW }, { 6, 10, RW } });
	/* across both, trimming each */
	assert_int_equal(mm_vma_unmap(m, BASE + 3 * PG, BASE + 7 * PG), 0);
	expect(m, 2, (const uint64_t[][3]){ { 0, 3, RW }, { 7, 10, RW } });
	/* a hole: nothing happens */
	assert_int_equal(mm_vma_unmap(m, BASE + 3 * PG, BASE + 7 * PG), 0);
	assert_int_equal(m->n, 2);
	/* everything */
	assert_int_equal(mm_vma_unmap(m, BASE, BASE + 100 * PG), 0);
	assert_int_equal(m->n, 0);
	mm_free(m);
}

static void test_unmap_file_offsets(void **state)
{
	struct mm *m = empty();
	struct mm_vma v = { .start = BASE, .end = BASE + 8 * PG, .prot = PROT_READ,
			    .kind = MM_VMA_FILE, .ino = 7, .off = 2 * PG };

	(void)state;
	assert_int_equal(mm_vma_insert(m, &v), 0);
	assert_int_equal(mm_vma_unmap(m, BASE + PG, BASE + 3 * PG), 0);
	assert_int_equal(m->n, 2);
	assert_int_equal(m->v[0].off, 2 * PG);
	assert_int_equal(m->v[1].start, BASE + 3 * PG);
	assert_int_equal(m->v[1].off, 5 * PG);
	/* mapping the hole again at the matching offset merges back */
	v.start = BASE + PG;
	v.end = BASE + 3 * PG;
	v.off = 3 * PG;
	assert_int_equal(mm_vma_insert(m, &v), 0);
	assert_int_equal(m->n, 1);
	/* at another offset it does not */
	v.off = 9 * PG;
	assert_int_equal(mm_vma_insert(m, &v), 0);
	assert_int_equal(m->n, 3);
	mm_free(m);
}

static void test_protect_split_and_merge(void **state)
{
	struct mm *m = empty();

	(void)state;
	add(m, 0, 6, RW);
	assert_int_equal(mm_vma_protect(m, BASE + 2 * PG, BASE + 3 * PG, PROT_READ), 0);
	expect(m, 3, (const uint64_t[][3]){ { 0, 2, RW }, { 2, 3, PROT_READ }, { 3, 6, RW } });
	assert_int_equal(mm_vma_protect(m, BASE + 2 * PG, BASE + 3 * PG, RW), 0);
	expect(m, 1, (const uint64_t[][3]){ { 0, 6, RW } });
	/* head and tail edges */
	assert_int_equal(mm_vma_protect(m, BASE, BASE + PG, PROT_NONE), 0);
	assert_int_equal(mm_vma_protect(m, BASE + 5 * PG, BASE + 6 * PG, PROT_NONE), 0);
	expect(m, 3, (const uint64_t[][3]){ { 0, 1, PROT_NONE }, { 1, 5, RW }, { 5, 6, PROT_NONE } });
	/* across several VMAs at once */
	assert_int_equal(mm_vma_protect(m, BASE, BASE + 6 * PG, PROT_READ), 0);
	expect(m, 1, (const uint64_t[][3]){ { 0, 6, PROT_READ } });
	mm_free(m);
}

/* Like Linux: memory that was never writable does not merge with memory
 * that was, even when the protections agree now. */
static void test_account_blocks_merge(void **state)
{
	struct mm *m = empty();

	(void)state;
	add(m, 0, 2, PROT_READ);
	add(m, 2, 4, RW);
	assert_int_equal(mm_vma_protect(m, BASE + 2 * PG, BASE + 4 * PG, PROT_READ), 0);
	assert_int_equal(m->n, 2);
	/* made writable and back: now it was writable too, and merges */
	assert_int_equal(mm_vma_protect(m, BASE, BASE + 2 * PG, RW), 0);
	assert_int_equal(mm_vma_protect(m, BASE, BASE + 2 * PG, PROT_READ), 0);
	expect(m, 1, (const uint64_t[][3]){ { 0, 4, PROT_READ } });
	mm_free(m);
}

static void test_set_kind(void **state)
{
	struct mm *m = empty();

	(void)state;
	add(m, 0, 6, RW);
	assert_int_equal(mm_vma_set_kind(m, BASE + PG, BASE + 2 * PG, MM_VMA_DONTFORK, 0), 0);
	assert_int_equal(m->n, 3);
	assert_true(m->v[1].kind & MM_VMA_DONTFORK);
	assert_false(m->v[0].kind & MM_VMA_DONTFORK);
	assert_int_equal(mm_vma_set_kind(m, BASE, BASE + 6 * PG, 0, MM_VMA_DONTFORK), 0);
	expect(m, 1, (const uint64_t[][3]){ { 0, 6, RW } });
	mm_free(m);
}

static void test_share_unuse(void **state)
{
	struct mm *m = empty();

	(void)state;
	assert_ptr_equal(mm_share(m), m); /* a CLONE_VM child */
	assert_false(mm_unuse(m));	  /* the child execs: the parent still runs */
	mm_free(m);
	assert_true(mm_unuse(m)); /* the parent exits: last user */
	mm_free(m);
}

static void test_lookup_cover_gap(void **state)
{
	struct mm *m = empty();

	(void)state;
	add(m, 0, 2, RW);
	add(m, 3, 5, PROT_READ);
	assert_non_null(mm_vma_find(m, BASE));
	assert_non_null(mm_vma_find(m, BASE + 2 * PG - 1));
	assert_null(mm_vma_find(m, BASE + 2 * PG));
	assert_ptr_equal(mm_vma_find(m, BASE + 4 * PG), &m->v[1]);
	assert_null(mm_vma_find(m, BASE + 5 * PG));
	assert_true(mm_vma_covered(m, BASE, BASE + 2 * PG));
	assert_false(mm_vma_covered(m, BASE, BASE + 3 * PG));
	assert_true(mm_vma_overlaps(m, BASE + PG, BASE + 4 * PG));
	assert_false(mm_vma_overlaps(m, BASE + 2 * PG, BASE + 3 * PG));
	/* top-down: the highest hole below top that fits */
	assert_int_equal(mm_vma_find_gap(m, PG, BASE, BASE + 5 * PG), BASE + 2 * PG);
	assert_int_equal(mm_vma_find_gap(m, 2 * PG, BASE, BASE + 5 * PG), 0);
	assert_int_equal(mm_vma_find_gap(m, 2 * PG, BASE, BASE + 8 * PG), BASE + 6 * PG);
	mm_free(m);
}

static void test_shm_refs(void **state)
{
	struct mm *m = empty(), *c;
	struct mm_vma v = { .start = BASE, .end = BASE + 4 * PG, .prot = RW,
			    .kind = MM_VMA_SHARED };
	struct mm_shm *shm;

	(void)state;
	assert_int_equal(mm_shm_new(4 * PG, &shm), 0);
	v.shm = mm_shm_get(shm); /* keep our own reference to look at it */
	assert_int_equal(mm_vma_insert(m, &v), 0);
	assert_int_equal(shm->refs, 2);
	assert_int_equal(mm_vma_unmap(m, BASE + PG, BASE + 2 * PG), 0); /* split */
	assert_int_equal(shm->refs, 3);
	assert_int_equal(m->v[1].off, 2 * PG);
	c = mm_copy(m);
	assert_non_null(c);
	assert_int_equal(shm->refs, 5);
	mm_free(c);
	mm_free(m);
	assert_int_equal(shm->refs, 1);
	mm_shm_put(shm);
}

static void test_maps_text(void **state)
{
	struct mm *m = mm_new(BASE, BASE + 2 * PG, BASE + 16 * PG, BASE + 18 * PG);
	struct mm_vma f = { .start = BASE + 4 * PG, .end = BASE + 5 * PG, .prot = PROT_READ,
			    .kind = MM_VMA_FILE, .dev = (8 << 8) | 1, .ino = 1234, .off = 3 * PG };
	size_t len;
	char *text, want[512];

	(void)state;
	strcpy(f.name, "/etc/passwd");
	assert_int_equal(mm_vma_insert(m, &f), 0);
	text = mm_maps_text(m, &len);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	/* Linux starts the name at column 73 (25 + 6 * sizeof(void *)) */
	snprintf(want, sizeof(want),
		 "00100000-00102000 r--p 00000000 00:00 0 \n"
		 "00104000-00105000 r--p 00003000 08:01 1234 %*s/etc/passwd\n"
		 "00110000-00112000 rw-p 00000000 00:00 0 %*s[stack]\n",
		 73 - 43, "", 73 - 40, "");
	assert_string_equal(text, want);
	free(text);
	mm_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_merges_neighbours),
		cmocka_unit_test(test_insert_replaces_overlap),
		cmocka_unit_test(test_unmap_splits),
		cmocka_unit_test(test_unmap_file_offsets),
		cmocka_unit_test(test_protect_split_and_merge),
		cmocka_unit_test(test_account_blocks_merge),
		cmocka_unit_test(test_set_kind),
		cmocka_unit_test(test_share_unuse),
		cmocka_unit_test(test_lookup_cover_gap),
		cmocka_unit_test(test_shm_refs),
		cmocka_unit_test(test_maps_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
