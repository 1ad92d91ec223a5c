/* SPDX-License-Identifier: Apache-2.0 */
/* sentry/vfs/lock.c: ranges split and merge, owners and lock spaces,
 * release on close. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/lock.h"
#include "sentry/vfs/vnode.h"

static const struct vnode_ops no_vops;
static const struct file_ops no_fops;

struct fixture {
	struct thread_group tg;
	struct task t;
	struct vnode *v;
	struct file *f, *g; /* two descriptions of the same file */
};

static int setup(void **state)
{
	static struct fixture fx;

	memset(&fx, 0, sizeof(fx));
	fx.tg.tgid = 42;
	fx.t.tg = &fx.tg;
	fx.v = vnode_new(&no_vops, 7, S_IFREG | 0644);
	fx.v->ino = 99;
	fx.f = file_new(&no_fops, NULL, O_RDWR);
	fx.g = file_new(&no_fops, NULL, O_RDWR);
	fx.f->path.v = vnode_get(fx.v);
	fx.g->path.v = vnode_get(fx.v);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	file_put(fx->f);
	file_put(fx->g);
	vnode_put(fx->v);
	return 0;
}

static const int owner_a = 1, owner_b = 2;
#define A ((const void *)&owner_a)
#define B ((const void *)&owner_b)

static int set(struct fixture *fx, struct file *f, enum lock_kind kind, const void *owner,
	       int type, uint64_t start, uint64_t end)
{
	struct lock_range r = { .type = type, .start = start, .end = end };

	return lock_set(&fx->t, f, kind, owner, &r, 0);
}

/* What blocks @owner from a write lock on [start, end]: its type, or
 * F_UNLCK; the range in *s, *e. */
static int probe(struct fixture *fx, enum lock_kind kind, const void *owner, int type,
		 uint64_t start, uint64_t end, uint64_t *s, uint64_t *e)
{
	struct lock_range q = { .type = type, .start = start, .end = end }, got;

	lock_test(fx->f, kind, owner, &q, &got);
	if (got.type != F_UNLCK) {
		*s = got.start;
		*e = got.end;
	}
	return got.type;
}

static void test_split_and_merge(void **state)
{
	struct fixture *fx = *state;
	uint64_t s = 0, e = 0;

	assert_int_equal(set(fx, fx->f, LOCK_KIND_POSIX, A, F_RDLCK, 0, 99), 0);
	assert_int_equal(set(fx, fx->f, LOCK_KIND_POSIX, A, F_UNLCK, 10, 19), 0);
	assert_int_equal(probe(fx, LOCK_KIND_POSIX, B, F_WRLCK, 10, 19, &s, &e), F_UNLCK);
	assert_int_equal(probe(fx, LOCK_KIND_POSIX, B, F_WRLCK, 0, 9, &s, &e), F_RDLCK);
	assert_true(s == 0 && e == 9);
	assert_int_equal(probe(fx, LOCK_KIND_POSIX, B, F_WRLCK, 20, 20, &s, &e), F_RDLCK);
	assert_true(s == 20 && e == 99);
	/* readers share */
	assert_int_equal(probe(fx, LOCK_KIND_POSIX, B, F_RDLCK, 0, 99, &s, &e), F_UNLCK);
	/* filling the hole merges everything into one lock */
	assert_int_equal(set(fx, fx->f, LOCK_KIND_POSIX, A, F_RDLCK, 10, 19), 0);
	assert_int_equal(probe(fx, LOCK_KIND_POSIX, B, F_WRLCK, 0, UINT64_MAX, &s, &e), F_RDLCK);
	assert_true(s == 0 && e == 99);
	assert_int_equal(set(fx, fx->f, LOCK_KIND_POSIX, A, F_UNLCK, 0, UINT64_MAX), 0);
	assert_int_equal(probe(fx, LOCK_KIND_POSIX, B, F_WRLCK, 0, UINT64_MAX, &s, &e), F_UNLCK);
}

static void test_type_change_in_the_middle(void **state)
{
	struct fixture *fx = *state;
	uint64_t s = 0, e = 0;

	assert_int_equal(set(fx, fx->f, LOCK_KIND_POSIX, A, F_WRLCK, 0, 9), 0);
	assert_int_equal(set(fx, fx->f, LOCK_KIND_POSIX, A, F_RDLCK, 3, 5), 0);
	assert_int_equal(probe(fx, LOCK_KIND_POSIX, B, F_RDLCK, 3, 5, &s, &e), F_UNLCK);
	assert_int_equal(probe(fx, LOCK_KIND_POSIX, B, F_RDLCK, 0, 9, &s, &e), F_WRLCK);
	assert_true(s == 0 && e == 2);
	assert_int_equal(probe(fx, LOCK_KIND_POSIX, B, F_RDLCK, 4, 9, &s, &e), F_WRLCK);
	assert_true(s == 6 && e == 9);
	assert_int_equal(set(fx, fx->f, LOCK_KIND_POSIX, B, F_RDLCK, 3, 5), 0);
	assert_int_equal(set(fx, fx->f, LOCK_KIND_POSIX, B, F_WRLCK, 3, 3), -EAGAIN);
	lock_release_posix(fx->f, A);
	lock_release_posix(fx->f, B);
	assert_int_equal(probe(fx, LOCK_KIND_POSIX, B, F_WRLCK, 0, UINT64_MAX, &s, &e), F_UNLCK);
}

static void test_spaces_and_release(void **state)
{
	struct fixture *fx = *state;
	uint64_t s = 0, e = 0;

	/* OFD locks of two descriptions conflict, and with POSIX locks */
	assert_int_equal(set(fx, fx->f, LOCK_KIND_OFD, fx->f, F_WRLCK, 0, 3), 0);
	assert_int_equal(set(fx, fx->g, LOCK_KIND_OFD, fx->g, F_RDLCK, 2, 2), -EAGAIN);
	assert_int_equal(set(fx, fx->g, LOCK_KIND_POSIX, A, F_RDLCK, 2, 2), -EAGAIN);
	/* flock lives apart */
	assert_int_equal(set(fx, fx->g, LOCK_KIND_FLOCK, fx->g, F_WRLCK, 0, UINT64_MAX), 0);
	assert_int_equal(set(fx, fx->f, LOCK_KIND_FLOCK, fx->f, F_RDLCK, 0, UINT64_MAX), -EAGAIN);
	/* the last put of a description drops its OFD and flock locks */
	lock_release_file(fx->g);
	assert_int_equal(set(fx, fx->f, LOCK_KIND_FLOCK, fx->f, F_RDLCK, 0, UINT64_MAX), 0);
	assert_int_equal(probe(fx, LOCK_KIND_POSIX, A, F_RDLCK, 0, 0, &s, &e), F_WRLCK);
	lock_release_file(fx->f);
	assert_int_equal(probe(fx, LOCK_KIND_POSIX, A, F_WRLCK, 0, UINT64_MAX, &s, &e), F_UNLCK);
	assert_int_equal(set(fx, fx->g, LOCK_KIND_FLOCK, fx->g, F_WRLCK, 0, UINT64_MAX), 0);
	lock_release_file(fx->g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_split_and_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_type_change_in_the_middle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spaces_and_release, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
