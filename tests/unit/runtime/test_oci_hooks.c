/* SPDX-License-Identifier: Apache-2.0 */
/* Host hooks (runtime/oci/hooks.c): state on stdin, exit status, timeout,
 * a hook that never reads, a missing binary. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "runtime/oci/hooks.h"
#include "runtime/oci/spec.h"

static int run(const char *script, int timeout, const char *json, int *status)
{
	char *args[] = { (char *)"sh", (char *)"-c", (char *)script, NULL };
	char *env[] = { (char *)"PATH=/usr/bin:/bin", (char *)"HOOKVAR=v", NULL };
	struct oci_hook h = { .path = (char *)"/bin/sh", .args = args, .env = env, .timeout = timeout };

	return oci_hook_run(&h, json, status);
}

static void test_stdin_env(void **state)
{
	char path[] = "/tmp/cvisor-hook.XXXXXX", script[256], buf[128] = { 0 };
	int fd = mkstemp(path), status = -1;
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(script, sizeof(script), "cat > %s; echo \" $HOOKVAR\" >> %s", path, path);
	assert_int_equal(run(script, 0, "{\"id\":\"x\"}", &status), 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	unlink(path);
	assert_string_equal(buf, "{\"id\":\"x\"} v\n");
}

static void test_failures(void **state)
{
	struct oci_hook missing = { .path = (char *)"/nonexistent/hook" };
	int status = 0;

	(void)state;
	assert_int_equal(run("exit 3", 0, "{}", &status), -ECANCELED);
	assert_int_equal(WEXITSTATUS(status), 3);
	assert_int_equal(run("kill -9 $$", 0, "{}", &status), -ECANCELED);
	assert_true(WIFSIGNALED(status));
	/* never reads its stdin, exits at once: no SIGPIPE for us */
	assert_int_equal(run("exit 0", 0, "{\"big\":1}", &status), 0);
	assert_int_equal(run("sleep 10", 1, "{}", &status), -ETIMEDOUT);
	assert_int_equal(oci_hook_run(&missing, "{}", &status), -ECANCELED);
	assert_int_equal(WEXITSTATUS(status), 127);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stdin_env),
		cmocka_unit_test(test_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
