/* SPDX-License-Identifier: Apache-2.0 */
/* pool/: the logic that needs no booted sandbox — names, configuration
 * checks, histograms, liveness of host pids, pool bookkeeping with
 * min_ready 0 (nothing boots), acquire refusals, stale-state cleanup. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "pool/pool.h"

static void test_names(void **state)
{
	char long_name[40];

	assert_true(pool_name_valid("bb"));
	assert_true(pool_name_valid("a-b_9"));
	assert_false(pool_name_valid(""));
	assert_false(pool_name_valid("Bad"));
	assert_false(pool_name_valid("a/b"));
	assert_false(pool_name_valid(".."));
	assert_false(pool_name_valid(NULL));
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = 0;
	assert_false(pool_name_valid(long_name));
	long_name[POOL_NAME_MAX] = 0;
	assert_true(pool_name_valid(long_name));
}

static void test_config_check(void **state)
{
	struct pool_config c = { .name = "p", .rootfs = (char *)"/", .min_ready = 1 };

	assert_int_equal(pool_config_check(&c), 0);
	c.rootfs = (char *)"relative";
	assert_int_equal(pool_config_check(&c), -EINVAL);
	c.rootfs = (char *)"/nonexistent/dir";
	assert_int_equal(pool_config_check(&c), -ENOTDIR);
	c.rootfs = (char *)"/";
	c.max_total = 1;
	c.min_ready = 2;
	assert_int_equal(pool_config_check(&c), -EINVAL);
	c.min_ready = 0;
	c.platform = (enum plat_kind)7;
	assert_int_equal(pool_config_check(&c), -EINVAL);
	c.platform = PLAT_SYSTRAP;
	c.network = SANDBOX_NET_HOST;
	assert_int_equal(pool_config_check(&c), 0);
	c.network = (enum sandbox_network)2;
	assert_int_equal(pool_config_check(&c), -EINVAL);
	c.network = SANDBOX_NET_NONE;
	/* resources: 0 is "no limit"; each has a floor */
	assert_false(pool_resources_set(&c.resources));
	c.resources.memory_bytes = 16 << 20;
	c.resources.cpus_milli = 10;
	c.resources.pids = 16;
	assert_true(pool_resources_set(&c.resources));
	assert_int_equal(pool_config_check(&c), 0);
	c.resources.memory_bytes = (16 << 20) - 1;
	assert_int_equal(pool_config_check(&c), -EINVAL);
	c.resources.memory_bytes = -1;
	assert_int_equal(pool_config_check(&c), -EINVAL);
	c.resources.memory_bytes = 0;
	c.resources.cpus_milli = 9;
	assert_int_equal(pool_config_check(&c), -EINVAL);
	c.resources.cpus_milli = POOL_CPUS_MILLI_MAX + 1;
	assert_int_equal(pool_config_check(&c), -EINVAL);
	c.resources.cpus_milli = 0;
	c.resources.pids = 15;
	assert_int_equal(pool_config_check(&c), -EINVAL);
	c.resources.pids = -5;
	assert_int_equal(pool_config_check(&c), -EINVAL);
	c.resources.pids = 0;
	assert_int_equal(pool_config_check(&c), 0);
}

static void test_hist(void **state)
{
	struct pool_hist h = { 0 };

	pool_hist_observe(&h, 0.0001);  /* first bucket */
	pool_hist_observe(&h, 0.003);   /* le 0.005 */
	pool_hist_observe(&h, 100.0);   /* +Inf */
	assert_int_equal(h.n, 3);
	assert_int_equal(h.counts[0], 1);
	assert_int_equal(h.counts[3], 1);
	assert_int_equal(h.counts[POOL_HIST_BUCKETS], 1);
	assert_true(h.sum > 100.0 && h.sum < 100.01);
	assert_string_equal(pool_fail_name(POOL_FAIL_FULL), "full");
	assert_string_equal(pool_fail_name(POOL_FAIL_N), "unknown");
}

static void test_pid_alive(void **state)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	assert_true(pool_pid_alive(getpid()));
	/* An exited but unreaped child is a zombie: not alive. */
	for (int i = 0; i < 200 && pool_pid_alive(p); i++)
		usleep(5000);
	assert_false(pool_pid_alive(p));
	waitpid(p, NULL, 0);
	assert_false(pool_pid_alive(p));
	assert_false(pool_pid_alive(0));
	assert_false(pool_pid_alive(-1));
}

static char *mkstate(void)
{
	char *d = strdup("/tmp/cvpool.XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static void test_bookkeeping(void **state)
{
	char *dir = mkstate();
	struct pool_mgr_opts o = { .state_dir = dir, .log_fd = -1 };
	struct pool_mgr *m = NULL;
	struct pool_config c = { .name = "cold", .rootfs = (char *)"/", .max_total = 1 };
	struct pool_config v = { .min_ready = 0, .max_total = 8 };
	struct pool_info pi;
	struct pool_lease *l = NULL;
	char **names;
	size_t n;

	assert_int_equal(pool_mgr_new(&o, &m), 0);
	assert_int_equal(pool_create(m, &c), 0);
	assert_int_equal(pool_create(m, &c), -EEXIST);
	snprintf(c.name, sizeof(c.name), "another");
	assert_int_equal(pool_create(m, &c), 0);
	assert_int_equal(pool_list(m, &names, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "another");
	assert_string_equal(names[1], "cold");
	pool_names_free(names, n);

	assert_int_equal(pool_get(m, "cold", &pi), 0);
	assert_int_equal(pi.ready, 0);
	assert_int_equal(pi.cfg.max_total, 1);
	assert_int_equal(pi.cfg.max_lease_seconds, 3600); /* default */
	assert_string_equal(pi.rootfs, "/");
	assert_int_equal(pool_get(m, "nope", &pi), -ENOENT);

	assert_int_equal(pool_update(m, "cold", POOL_UPD_MAX_TOTAL, &v), 0);
	assert_int_equal(pool_get(m, "cold", &pi), 0);
	assert_int_equal(pi.cfg.max_total, 8);
	v.min_ready = 20;
	assert_int_equal(pool_update(m, "cold", POOL_UPD_MIN_READY, &v), -EINVAL);
	assert_int_equal(pool_update(m, "nope", POOL_UPD_MIN_READY, &v), -ENOENT);

	/* Nothing warm, timeout 0: unavailable at once, counted. */
	assert_int_equal(pool_acquire(m, "cold", 0, 0, &l), -EAGAIN);
	assert_null(l);
	assert_int_equal(pool_acquire(m, "nope", 0, 0, &l), -ENOENT);
	assert_int_equal(pool_get(m, "cold", &pi), 0);
	assert_int_equal(pi.failures[POOL_FAIL_TIMEOUT], 1);
	assert_int_equal(pool_lease_find(m, "0123456789abcdef", &l), -ENOENT);

	assert_int_equal(pool_delete(m, "cold"), 0);
	assert_int_equal(pool_delete(m, "cold"), -ENOENT);
	assert_int_equal(pool_mgr_total(m), 0);
	pool_mgr_free(m);
	rmdir(dir);
	free(dir);
}

static void test_bad_state_dir(void **state)
{
	struct pool_mgr_opts o = { .state_dir = "relative", .log_fd = -1 };
	struct pool_mgr *m = NULL;

	assert_int_equal(pool_mgr_new(&o, &m), -EINVAL);
	o.state_dir = "/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	assert_int_equal(pool_mgr_new(&o, &m), -EINVAL); /* sockets would not fit */
	assert_null(m);
}

static void touch(const char *path, const char *content)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	close(fd);
}

static void test_cleanup_stale(void **state)
{
	char *dir = mkstate();
	char p[256];
	struct stat st;
	pid_t dead = fork();

	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	snprintf(p, sizeof(p), "%s/bb", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	/* A socket nobody listens on and the pid of a dead process. */
	snprintf(p, sizeof(p), "%s/bb/1.sock", dir);
	touch(p, "");
	snprintf(p, sizeof(p), "%s/bb/1.sock.pid", dir);
	{
		char pid[32];
		snprintf(pid, sizeof(pid), "%d\n", (int)dead);
		touch(p, pid);
	}
	/* Our own pid in a pid file: not ours to kill (comm is not cvisor*). */
	snprintf(p, sizeof(p), "%s/bb/2.sock", dir);
	touch(p, "");
	snprintf(p, sizeof(p), "%s/bb/2.sock.pid", dir);
	{
		char pid[32];
		snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
		touch(p, pid);
	}
	assert_int_equal(pool_cleanup_stale(dir), 0);
	snprintf(p, sizeof(p), "%s/bb/1.sock", dir);
	assert_int_equal(stat(p, &st), -1);
	snprintf(p, sizeof(p), "%s/bb/2.sock.pid", dir);
	assert_int_equal(stat(p, &st), -1);
	assert_int_equal(pool_cleanup_stale("/nonexistent/state"), 0);
	snprintf(p, sizeof(p), "%s/bb", dir);
	rmdir(p);
	rmdir(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),       cmocka_unit_test(test_config_check),
		cmocka_unit_test(test_hist),        cmocka_unit_test(test_pid_alive),
		cmocka_unit_test(test_bookkeeping), cmocka_unit_test(test_bad_state_dir),
		cmocka_unit_test(test_cleanup_stale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
