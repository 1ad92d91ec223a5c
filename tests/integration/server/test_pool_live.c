/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pool/ with real sandboxes (`cvisor boot` on the busybox rootfs): refill to
 * min_ready, one lease per sandbox and never reused, max_total (-ENOSPC),
 * lease deadlines, a killed Sentry detected and replaced, idle_ttl
 * recycling, and a manager that leaves no sandbox process behind.
 *   test_pool_live CVISOR ROOTFS PLATFORM
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/timeutil.h"
#include "pool/pool.h"
#include "runtime/sandbox.h"

static const char *rootfs;
static enum plat_kind platform;
static char state_dir[64];

static struct pool_mgr *mgr_max(uint32_t max)
{
	struct pool_mgr_opts o = { .state_dir = state_dir, .log_fd = -1, .reap_interval_ms = 50,
				   .max_sandboxes = max };
	struct pool_mgr *m = NULL;

	assert_int_equal(pool_mgr_new(&o, &m), 0);
	return m;
}

static struct pool_mgr *mgr(void)
{
	return mgr_max(0);
}

static void mkpool(struct pool_mgr *m, const char *name, uint32_t min, uint32_t max, uint32_t ttl)
{
	struct pool_config c = { .rootfs = (char *)rootfs, .min_ready = min, .max_total = max,
				 .idle_ttl_seconds = ttl, .platform = platform };

	snprintf(c.name, sizeof(c.name), "%s", name);
	assert_int_equal(pool_create(m, &c), 0);
}

/* Wait up to 30 s for @pred on the pool's info. */
#define WAIT_FOR(m, name, pi, pred)                                          \
	do {                                                                 \
		uint64_t _end = mono_ns() + 30 * NSEC_PER_SEC;               \
		for (;;) {                                                   \
			assert_int_equal(pool_get((m), (name), &(pi)), 0);   \
			if (pred)                                            \
				break;                                       \
			if (mono_ns() > _end)                                \
				fail_msg("timeout waiting for " #pred);      \
			usleep(20000);                                       \
		}                                                            \
	} while (0)

static void run_echo(struct pool_lease *l, const char *word)
{
	const char *argv[] = { "echo", word, NULL };
	struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 } };
	int fds[2], st;
	int32_t pid;
	char buf[64] = "";
	ssize_t n;

	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	p.stdio[1] = fds[1];
	assert_int_equal(sandbox_spawn(pool_lease_sandbox(l), &p, &pid), 0);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	assert_true(n > 0);
	assert_int_equal(sandbox_wait(pool_lease_sandbox(l), pid, 5000, &st), 0);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(strncmp(buf, word, strlen(word)), 0);
}

static void test_refill_and_leases(void **state)
{
	struct pool_mgr *m = mgr();
	struct pool_info pi;
	struct pool_lease *a, *b, *f;
	int pa, pb;

	mkpool(m, "p", 2, 8, 0);
	WAIT_FOR(m, "p", pi, pi.ready == 2);
	assert_int_equal(pool_acquire(m, "p", 5000, 0, &a), 0);
	assert_int_equal(pool_acquire(m, "p", 5000, 0, &b), 0);
	pa = pool_lease_host_pid(a);
	pb = pool_lease_host_pid(b);
	assert_true(pa > 0 && pb > 0 && pa != pb);
	assert_string_not_equal(pool_lease_id(a), pool_lease_id(b));
	assert_string_not_equal(pool_lease_control_path(a), pool_lease_control_path(b));
	run_echo(a, "one");
	run_echo(b, "two");
	/* The refill boots replacements while both are leased. */
	WAIT_FOR(m, "p", pi, pi.ready == 2 && pi.leased == 2);
	assert_int_equal(pool_lease_find(m, pool_lease_id(a), &f), 0);
	assert_ptr_equal(f, a);
	pool_lease_put(f);

	/* Ending a lease destroys its sandbox (never back to the warm set). */
	pool_lease_end(a);
	pool_lease_put(a);
	WAIT_FOR(m, "p", pi, pi.destroyed >= 1 && pi.leased == 1);
	for (int i = 0; i < 200 && pool_pid_alive(pa); i++)
		usleep(10000);
	assert_false(pool_pid_alive(pa));
	assert_int_equal(pool_acquire(m, "p", 5000, 0, &a), 0);
	assert_int_not_equal(pool_lease_host_pid(a), pa);
	pool_lease_end(a);
	pool_lease_put(a);
	pool_lease_end(b); /* twice is harmless */
	pool_lease_end(b);
	pool_lease_put(b);
	pool_mgr_free(m);
	assert_false(pool_pid_alive(pb));
}

static void test_max_total(void **state)
{
	struct pool_mgr *m = mgr();
	struct pool_info pi;
	struct pool_lease *a, *b = NULL;

	mkpool(m, "one", 1, 1, 0);
	WAIT_FOR(m, "one", pi, pi.ready == 1);
	assert_int_equal(pool_acquire(m, "one", 5000, 0, &a), 0);
	assert_int_equal(pool_acquire(m, "one", 200, 0, &b), -ENOSPC);
	assert_null(b);
	assert_int_equal(pool_get(m, "one", &pi), 0);
	assert_int_equal(pi.failures[POOL_FAIL_FULL], 1);
	pool_lease_end(a);
	pool_lease_put(a);
	/* Room again: the refill (or this waiter) gets a new one. */
	assert_int_equal(pool_acquire(m, "one", 10000, 0, &b), 0);
	pool_lease_put(b); /* left to pool_mgr_free */
	pool_mgr_free(m);
}

static void test_deadline_and_death(void **state)
{
	struct pool_mgr *m = mgr();
	struct pool_info pi;
	struct pool_lease *a, *b, *f;
	char ida[POOL_LEASE_ID_LEN + 1], idb[POOL_LEASE_ID_LEN + 1];
	int pid;

	mkpool(m, "d", 2, 8, 0);
	WAIT_FOR(m, "d", pi, pi.ready == 2);
	assert_int_equal(pool_acquire(m, "d", 5000, 1, &a), 0); /* 1 s lease */
	strcpy(ida, pool_lease_id(a));
	pool_lease_put(a);
	assert_int_equal(pool_acquire(m, "d", 5000, 0, &b), 0);
	strcpy(idb, pool_lease_id(b));
	pid = pool_lease_host_pid(b);
	pool_lease_put(b);
	assert_int_equal(kill(pid, SIGKILL), 0);
	WAIT_FOR(m, "d", pi, pi.failures[POOL_FAIL_DIED] >= 1);
	assert_int_equal(pool_lease_find(m, idb, &f), -ENOENT);
	WAIT_FOR(m, "d", pi, pi.failures[POOL_FAIL_EXPIRED] >= 1);
	assert_int_equal(pool_lease_find(m, ida, &f), -ENOENT);
	WAIT_FOR(m, "d", pi, pi.ready == 2 && pi.leased == 0);
	pool_mgr_free(m);
}

static void test_idle_ttl_and_teardown(void **state)
{
	struct pool_mgr *m = mgr();
	struct pool_info pi;
	struct pool_lease *l;
	int pids[2];

	mkpool(m, "t", 1, 4, 1);
	WAIT_FOR(m, "t", pi, pi.ready == 1);
	WAIT_FOR(m, "t", pi, pi.created >= 3 && pi.ready == 1); /* recycled twice */
	assert_true(pi.destroyed >= 2);
	mkpool(m, "u", 1, 4, 0);
	WAIT_FOR(m, "u", pi, pi.ready == 1);
	assert_int_equal(pool_acquire(m, "u", 5000, 0, &l), 0);
	pids[0] = pool_lease_host_pid(l);
	pool_lease_put(l); /* still leased: pool_mgr_free must end it */
	assert_int_equal(pool_acquire(m, "t", 5000, 0, &l), 0);
	pids[1] = pool_lease_host_pid(l);
	pool_lease_put(l);
	assert_int_equal(pool_delete(m, "t"), 0); /* its lease survives the pool */
	assert_true(pool_pid_alive(pids[1]));
	pool_mgr_free(m);
	for (int i = 0; i < 2; i++)
		assert_false(pool_pid_alive(pids[i]));
	/* Nothing left in the state dir's pool folders. */
	assert_int_equal(pool_cleanup_stale(state_dir), 0);
}

/* max_sandboxes bounds every pool together, and ad-hoc sandboxes. */
static void test_global_limit(void **state)
{
	struct pool_mgr *m = mgr_max(2);
	struct pool_info a, b;
	struct pool_lease *l = NULL;

	mkpool(m, "ga", 2, 8, 0);
	mkpool(m, "gb", 2, 8, 0);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(pool_get(m, "ga", &a), 0);
		assert_int_equal(pool_get(m, "gb", &b), 0);
		assert_true(a.ready + a.starting + b.ready + b.starting <= 2);
		if (a.ready + b.ready == 2)
			break;
		usleep(20000);
	}
	assert_int_equal(a.ready + b.ready, 2);
	usleep(200000); /* and it stays there */
	assert_int_equal(pool_get(m, "ga", &a), 0);
	assert_int_equal(pool_get(m, "gb", &b), 0);
	assert_int_equal(a.created + b.created, 2);
	assert_int_equal(pool_boot_adhoc(m, rootfs, platform, 0, &l), -ENOSPC);
	assert_null(l);
	if (a.ready == 0)
		assert_int_equal(pool_acquire(m, "ga", 200, 0, &l), -ENOSPC);
	else if (b.ready == 0)
		assert_int_equal(pool_acquire(m, "gb", 200, 0, &l), -ENOSPC);
	pool_mgr_free(m);
}

static void test_adhoc(void **state)
{
	struct pool_mgr *m = mgr();
	struct pool_lease *l, *f;
	char id[POOL_LEASE_ID_LEN + 1];

	assert_int_equal(pool_boot_adhoc(m, "/nonexistent/rootfs", platform, 0, &l), -ENOTDIR);
	assert_int_equal(pool_boot_adhoc(m, rootfs, platform, 0, &l), 0);
	assert_string_equal(pool_lease_pool(l), "_adhoc");
	run_echo(l, "adhoc");
	strcpy(id, pool_lease_id(l));
	assert_int_equal(pool_lease_find(m, id, &f), 0);
	pool_lease_put(f);
	pool_lease_end(l);
	pool_lease_put(l);
	assert_int_equal(pool_lease_find(m, id, &f), -ENOENT);
	pool_mgr_free(m);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refill_and_leases),
		cmocka_unit_test(test_max_total),
		cmocka_unit_test(test_deadline_and_death),
		cmocka_unit_test(test_idle_ttl_and_teardown),
		cmocka_unit_test(test_global_limit),
		cmocka_unit_test(test_adhoc),
	};
	int r;

	if (argc != 4 || plat_kind_from_string(argv[3], &platform) < 0) {
		fprintf(stderr, "usage: %s CVISOR ROOTFS PLATFORM\n", argv[0]);
		return 2;
	}
	setenv("CVISOR_BIN", argv[1], 1);
	rootfs = argv[2];
	snprintf(state_dir, sizeof(state_dir), "/tmp/cvpl.XXXXXX");
	if (!mkdtemp(state_dir))
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
		if (system(cmd) != 0)
			r = r ? r : 1;
	}
	return r;
}
