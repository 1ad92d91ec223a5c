/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "sentry/syscalls/syscalls.h"

static void test_table_matches_abi(void **state)
{
	(void)state;
	/* Numbers come from the x86-64 ABI: spot-check against libc's. */
	assert_string_equal(syscall_name(SYS_read), "read");
	assert_string_equal(syscall_name(SYS_execve), "execve");
	assert_string_equal(syscall_name(SYS_exit_group), "exit_group");
	assert_string_equal(syscall_name(SYS_openat), "openat");
	assert_null(syscall_name(SYSCALL_NR_MAX));
	assert_null(syscall_name((uint64_t)-1));
	for (int i = 0; i < SYSCALL_NR_MAX; i++)
		if (syscall_table[i].status != SC_ENOSYS)
			assert_non_null(syscall_table[i].fn);
}

static void test_dispatch_unknown(void **state)
{
	uint64_t a[6] = { 0 };
	int first = -1;

	(void)state;
	assert_int_equal(syscall_dispatch(NULL, 511, a, &first), -ENOSYS);
	assert_int_equal(first, 1);
	assert_int_equal(syscall_dispatch(NULL, 511, a, &first), -ENOSYS);
	assert_int_equal(first, 0);
	assert_int_equal(syscall_dispatch(NULL, 100000, a, &first), -ENOSYS);
	assert_int_equal(first, 0); /* out of range: never "first" */
	assert_int_equal(syscall_dispatch(NULL, (uint64_t)-1, a, NULL), -ENOSYS);
}

static void test_format(void **state)
{
	uint64_t a[6] = { 3, 0x1000, 12 };
	char buf[128];

	(void)state;
	syscall_format(buf, sizeof(buf), 511, a, -ENOSYS);
	assert_string_equal(buf, "syscall_511() = -1 ENOSYS (Function not implemented)");
	syscall_format(buf, sizeof(buf), SYS_read, a, 12);
	assert_string_equal(buf, "read(3, 0x1000, 12) = 12");
	/* Truncation never overflows. */
	assert_int_equal(syscall_format(buf, 8, SYS_read, a, 12), 7);
	assert_int_equal(strlen(buf), 7);
}

static int gen(const char *table)
{
	char cmd[512];
	FILE *f = fopen("bad.tbl", "w");

	assert_non_null(f);
	fputs(table, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "awk -v out=c -f %s bad.tbl >/dev/null 2>&1", GEN_AWK);
	return system(cmd);
}

static void test_generator_rejects(void **state)
{
	(void)state;
	assert_int_equal(gen("0 read enosys - ok\n1 write supported d,p,u fine\n"), 0);
	assert_int_not_equal(gen("0 read enosys -\n0 again enosys -\n"), 0);
	assert_int_not_equal(gen("0 read enosys -\n1 read enosys -\n"), 0);
	assert_int_not_equal(gen("0 read maybe -\n"), 0);
	assert_int_not_equal(gen("0 read enosys q\n"), 0);
	assert_int_not_equal(gen("512 big enosys -\n"), 0);
	assert_int_not_equal(gen("x read enosys -\n"), 0);
	assert_int_not_equal(gen("0 Read enosys -\n"), 0);
	remove("bad.tbl");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_matches_abi),
		cmocka_unit_test(test_dispatch_unknown),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_generator_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
