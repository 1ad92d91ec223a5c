/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI state directory (runtime/oci/state.c): ids, atomic save/load
 * round trips, corrupt files, the per-container lock between processes,
 * listing and removal. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "runtime/oci/state.h"

static char root[256];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/cvisor-state-test.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	/* a root that does not exist yet: oci_state_mkdir creates it */
	strcat(root, "/r");
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	root[strlen(root) - 2] = 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_ids(void **state)
{
	char big[OCI_ID_MAX + 2];

	(void)state;
	assert_int_equal(oci_id_valid("abc"), 0);
	assert_int_equal(oci_id_valid("a-b_c.d+e9"), 0);
	assert_int_equal(oci_id_valid(""), -EINVAL);
	assert_int_equal(oci_id_valid(NULL), -EINVAL);
	assert_int_equal(oci_id_valid("."), -EINVAL);
	assert_int_equal(oci_id_valid(".."), -EINVAL);
	assert_int_equal(oci_id_valid("a/b"), -EINVAL);
	assert_int_equal(oci_id_valid("../x"), -EINVAL);
	assert_int_equal(oci_id_valid("a b"), -EINVAL);
	assert_int_equal(oci_id_valid("a\nb"), -EINVAL);
	memset(big, 'a', sizeof(big));
	big[OCI_ID_MAX] = 0;
	assert_int_equal(oci_id_valid(big), 0);
	big[OCI_ID_MAX] = 'a';
	big[OCI_ID_MAX + 1] = 0;
	assert_int_equal(oci_id_valid(big), -EINVAL);
}

static void test_status_names(void **state)
{
	enum oci_status s;

	(void)state;
	for (int i = OCI_CREATING; i <= OCI_PAUSED; i++) {
		assert_int_equal(oci_status_from_name(oci_status_name((enum oci_status)i), &s), 0);
		assert_int_equal((int)s, i);
	}
	assert_int_equal(oci_status_from_name("zombie", &s), -EINVAL);
}

static void test_roundtrip(void **state)
{
	struct oci_state_kv ann[] = { { (char *)"k1", (char *)"v1" }, { (char *)"k2", (char *)"v\"2" } };
	struct oci_state s = {
		.id = (char *)"c1", .status = OCI_CREATED, .pid = 4242, .sandbox_pid = 77, .sandbox_start = 99,
		.bundle = (char *)"/b", .rootfs = (char *)"/b/rootfs",
		.created = (char *)"2026-01-01T00:00:00.000000000Z", .owner = (char *)"root",
		.control_path = (char *)"/r/c1/control.sock", .cgroup = (char *)"cvisor/c1",
		.started = false, .has_exit = true, .exit_status = 256 * 3, .oom_killed = true,
		.annotations = ann, .n_annotations = 2,
	};
	struct oci_state *l = NULL;
	char path[512], *json;
	struct stat st;

	(void)state;
	assert_int_equal(oci_state_mkdir(root, "c1"), 0);
	assert_int_equal(oci_state_mkdir(root, "c1"), -EEXIST);
	assert_int_equal(oci_state_load(root, "c1", &l), -ENOENT);
	assert_int_equal(oci_state_save(root, &s), 0);
	/* no temporary left behind, private mode */
	snprintf(path, sizeof(path), "%s/c1/state.json.tmp", root);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/c1/state.json", root);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(oci_state_load(root, "c1", &l), 0);
	assert_string_equal(l->id, "c1");
	assert_int_equal(l->status, OCI_CREATED);
	assert_int_equal(l->pid, 4242);
	assert_int_equal(l->sandbox_pid, 77);
	assert_int_equal(l->sandbox_start, 99);
	assert_string_equal(l->bundle, "/b");
	assert_string_equal(l->rootfs, "/b/rootfs");
	assert_string_equal(l->created, s.created);
	assert_string_equal(l->owner, "root");
	assert_string_equal(l->control_path, s.control_path);
	assert_string_equal(l->cgroup, "cvisor/c1");
	assert_false(l->started);
	assert_true(l->has_exit);
	assert_int_equal(l->exit_status, 768);
	assert_true(l->oom_killed);
	assert_int_equal(l->n_annotations, 2);
	assert_string_equal(l->annotations[1].value, "v\"2");
	/* the public state has the OCI fields and not the private ones */
	json = oci_state_to_json(l);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"ociVersion\""));
	assert_non_null(strstr(json, "\"status\": \"created\""));
	assert_non_null(strstr(json, "\"pid\": 4242"));
	assert_non_null(strstr(json, "\"bundle\": \"/b\""));
	assert_null(strstr(json, "controlSocket"));
	free(json);
	/* update: the status change is what a reader sees */
	l->status = OCI_STOPPED;
	assert_int_equal(oci_state_save(root, l), 0);
	oci_state_free(l);
	assert_int_equal(oci_state_load(root, "c1", &l), 0);
	assert_int_equal(l->status, OCI_STOPPED);
	/* stopped: the public pid is 0 (as runc), the stored one is kept */
	assert_int_equal(l->pid, 4242);
	json = oci_state_to_json(l);
	assert_non_null(strstr(json, "\"pid\": 0"));
	free(json);
	oci_state_free(l);
	assert_int_equal(oci_state_remove(root, "c1"), 0);
	assert_int_equal(oci_state_load(root, "c1", &l), -ENOENT);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_corrupt(void **state)
{
	static const char *const bad[] = {
		"", "{", "[]", "{\"id\":\"other\",\"status\":\"created\",\"pid\":1}",
		"{\"id\":\"c2\",\"status\":\"zombie\",\"pid\":1}",
		"{\"id\":\"c2\",\"status\":\"created\",\"pid\":-1}",
		"{\"id\":\"c2\",\"status\":\"created\",\"pid\":\"1\"}",
		"{\"id\":\"c2\",\"status\":\"created\",\"pid\":1,\"bundle\":7}",
		"{\"id\":\"c2\",\"status\":\"created\",\"pid\":1,\"annotations\":{\"a\":1}}",
		"{\"id\":\"c2\",\"id\":\"c2\",\"status\":\"created\",\"pid\":1}",
	};
	struct oci_state *l = NULL;
	char path[512];

	(void)state;
	assert_int_equal(oci_state_mkdir(root, "c2"), 0);
	snprintf(path, sizeof(path), "%s/c2/state.json", root);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(path, bad[i]);
		if (oci_state_load(root, "c2", &l) != -EINVAL)
			fail_msg("accepted corrupt state %zu: %s", i, bad[i]);
		assert_null(l);
	}
	write_file(path, "{\"id\":\"c2\",\"status\":\"running\",\"pid\":7}");
	assert_int_equal(oci_state_load(root, "c2", &l), 0);
	assert_int_equal(l->status, OCI_RUNNING);
	oci_state_free(l);
	assert_int_equal(oci_state_load(root, "../c2", &l), -EINVAL);
	assert_int_equal(oci_state_remove(root, "c2"), 0);
}

static void test_lock(void **state)
{
	int fd, p[2], st;
	pid_t pid;
	char c;

	(void)state;
	assert_int_equal(oci_state_lock(root, "nope"), -ENOENT);
	assert_int_equal(oci_state_mkdir(root, "c3"), 0);
	fd = oci_state_lock(root, "c3");
	assert_true(fd >= 0);
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* blocks until the parent releases; by then the parent has closed
		 * its end, so a non-blocking read sees EOF (EAGAIN: the lock did
		 * not exclude) */
		int l;

		close(p[1]);
		fcntl(p[0], F_SETFL, O_NONBLOCK);
		l = oci_state_lock(root, "c3");
		c = 0;
		_exit(l >= 0 && read(p[0], &c, 1) == 0 ? 0 : 1);
	}
	close(p[0]);
	usleep(100000);
	/* the child is still waiting for the lock */
	assert_int_equal(waitpid(pid, &st, WNOHANG), 0);
	close(p[1]);
	close(fd);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);

	/* a waiter whose container is deleted meanwhile gets ENOENT */
	fd = oci_state_lock(root, "c3");
	assert_true(fd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(oci_state_lock(root, "c3") == -ENOENT ? 0 : 1);
	usleep(100000);
	assert_int_equal(oci_state_remove(root, "c3"), 0);
	close(fd);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_list(void **state)
{
	char **ids = NULL, path[512];
	size_t n = 99;

	(void)state;
	assert_int_equal(oci_state_list("/nonexistent/cvisor-root", &ids, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(oci_state_mkdir(root, "b"), 0);
	assert_int_equal(oci_state_mkdir(root, "a"), 0);
	assert_int_equal(oci_state_mkdir(root, "c"), 0);
	snprintf(path, sizeof(path), "%s/not valid", root);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(oci_state_list(root, &ids, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(ids[0], "a");
	assert_string_equal(ids[1], "b");
	assert_string_equal(ids[2], "c");
	oci_state_ids_free(ids, n);
	assert_int_equal(oci_state_remove(root, "a"), 0);
	assert_int_equal(oci_state_remove(root, "b"), 0);
	assert_int_equal(oci_state_remove(root, "c"), 0);
	rmdir(path);
}

static void test_pid_start(void **state)
{
	uint64_t a = 0, b = 0;
	pid_t pid;
	int st;

	(void)state;
	assert_int_equal(oci_pid_start_time(getpid(), &a), 0);
	assert_int_equal(oci_pid_start_time(getpid(), &b), 0);
	assert_true(a == b && a > 0);
	assert_int_equal(oci_pid_start_time(0, &a), -ESRCH);
	pid = fork();
	if (pid == 0)
		_exit(0);
	usleep(50000);
	/* a zombie counts as gone */
	assert_int_equal(oci_pid_start_time(pid, &a), -ESRCH);
	waitpid(pid, &st, 0);
	assert_int_equal(oci_pid_start_time(pid, &a), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_pid_start),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
