/* SPDX-License-Identifier: Apache-2.0 */
/* CLI helpers (runtime/cli/container.c): signal names as runc takes them,
 * exit codes from wait statuses. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "runtime/cli/container.h"

static void test_signals(void **state)
{
	(void)state;
	assert_int_equal(cli_parse_signal("TERM"), SIGTERM);
	assert_int_equal(cli_parse_signal("SIGTERM"), SIGTERM);
	assert_int_equal(cli_parse_signal("sigkill"), SIGKILL);
	assert_int_equal(cli_parse_signal("9"), SIGKILL);
	assert_int_equal(cli_parse_signal("WINCH"), SIGWINCH);
	assert_int_equal(cli_parse_signal("RTMIN"), SIGRTMIN);
	assert_int_equal(cli_parse_signal("RTMIN+3"), SIGRTMIN + 3);
	assert_int_equal(cli_parse_signal("SIGRTMAX-1"), SIGRTMAX - 1);
	assert_int_equal(cli_parse_signal("64"), 64);
	assert_int_equal(cli_parse_signal("0"), -EINVAL);
	assert_int_equal(cli_parse_signal("65"), -EINVAL);
	assert_int_equal(cli_parse_signal("-9"), -EINVAL);
	assert_int_equal(cli_parse_signal("9x"), -EINVAL);
	assert_int_equal(cli_parse_signal("NOPE"), -EINVAL);
	assert_int_equal(cli_parse_signal("RTMIN+99"), -EINVAL);
	assert_int_equal(cli_parse_signal(""), -EINVAL);
	assert_int_equal(cli_parse_signal(NULL), -EINVAL);
}

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(cli_exit_code(3 << 8), 3);
	assert_int_equal(cli_exit_code(0), 0);
	assert_int_equal(cli_exit_code(SIGKILL), 137);
	assert_int_equal(cli_exit_code(SIGTERM), 143);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_exit_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
