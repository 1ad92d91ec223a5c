/* SPDX-License-Identifier: Apache-2.0 */
/* The bounded name cache of sentry/fs/dcache.c: hits, negative entries,
 * LRU eviction and the references it holds and drops. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

#include "sentry/fs/dcache.h"
#include "sentry/vfs/vnode.h"

static int released;

static void count_release(struct vnode *v)
{
	(void)v;
	released++;
}

static const struct vnode_ops ops = { .release = count_release };

static struct vnode *mk(void)
{
	struct vnode *v = vnode_new(&ops, 1, 0644);

	assert_non_null(v);
	return v;
}

static void test_hit_and_negative(void **state)
{
	struct dcache *c = dcache_new(16);
	struct vnode *dir = mk(), *a = mk(), *got = NULL;

	(void)state;
	released = 0;
	assert_int_equal(dcache_lookup(c, dir, "a", &got), -ENOENT);
	dcache_insert(c, dir, "a", a);
	dcache_insert(c, dir, "missing", NULL);
	assert_int_equal(dcache_lookup(c, dir, "a", &got), 1);
	assert_ptr_equal(got, a);
	vnode_put(got);
	assert_int_equal(dcache_lookup(c, dir, "missing", &got), 0);
	assert_null(got);
	/* another directory, same name: a different key */
	struct vnode *dir2 = mk();
	assert_int_equal(dcache_lookup(c, dir2, "a", &got), -ENOENT);
	/* the cache holds a and (for the negative entry) dir */
	vnode_put(a);
	vnode_put(dir);
	assert_int_equal(released, 0);
	dcache_free(c);
	assert_int_equal(released, 2);
	vnode_put(dir2);
	assert_int_equal(released, 3);
}

static void test_lru_eviction(void **state)
{
	struct dcache *c = dcache_new(3);
	struct vnode *dir = mk(), *v[5], *got;
	char name[16];

	(void)state;
	released = 0;
	for (int i = 0; i < 5; i++) {
		v[i] = mk();
		snprintf(name, sizeof(name), "n%d", i);
		dcache_insert(c, dir, name, v[i]);
		vnode_put(v[i]);
		if (i == 2) { /* touch n0: n1 becomes the oldest */
			assert_int_equal(dcache_lookup(c, dir, "n0", &got), 1);
			vnode_put(got);
		}
	}
	/* n1 then n2 were evicted (and released), n0 n3 n4 remain */
	assert_int_equal(released, 2);
	assert_int_equal(dcache_lookup(c, dir, "n1", &got), -ENOENT);
	assert_int_equal(dcache_lookup(c, dir, "n2", &got), -ENOENT);
	for (int i = 0; i < 5; i += (i == 0 ? 3 : 1)) {
		snprintf(name, sizeof(name), "n%d", i);
		assert_int_equal(dcache_lookup(c, dir, name, &got), 1);
		assert_ptr_equal(got, v[i]);
		vnode_put(got);
	}
	dcache_clear(c);
	assert_int_equal(released, 5);
	/* still usable after a clear */
	dcache_insert(c, dir, "again", NULL);
	assert_int_equal(dcache_lookup(c, dir, "again", &got), 0);
	dcache_free(c);
	vnode_put(dir);
	assert_int_equal(released, 6);
}

static void test_duplicate_insert(void **state)
{
	struct dcache *c = dcache_new(4);
	struct vnode *dir = mk(), *a = mk(), *b = mk(), *got;

	(void)state;
	released = 0;
	dcache_insert(c, dir, "x", a);
	dcache_insert(c, dir, "x", b); /* a racing lookup: the first wins */
	vnode_put(b);
	assert_int_equal(released, 1);
	assert_int_equal(dcache_lookup(c, dir, "x", &got), 1);
	assert_ptr_equal(got, a);
	vnode_put(got);
	vnode_put(a);
	dcache_free(c);
	vnode_put(dir);
	assert_int_equal(released, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hit_and_negative),
		cmocka_unit_test(test_lru_eviction),
		cmocka_unit_test(test_duplicate_insert),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
