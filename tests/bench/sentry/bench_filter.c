/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_filter: what the Sentry's seccomp allow-list (sentry/kernel/
 * confine_filter.c) adds to each host syscall the Sentry makes, in one
 * process: getpid, futex(FUTEX_WAKE) on a private word (the hand-off's
 * wake) and sched_yield, first unfiltered, then under the filter.  The
 * end-to-end view is bench_confine.sh.  Prints ns/op (median of batches).
 * Not a pass/fail test.  Usage: bench_filter [iterations-per-batch]
 */
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/timeutil.h"
#include "sentry/kernel/confine.h"

#define BATCHES 9

static uint32_t word;

static long op(int which)
{
	switch (which) {
	case 0:
		return syscall(SYS_getpid);
	case 1:
		return syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	default:
		return syscall(SYS_sched_yield);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t measure(int which, long n)
{
	uint64_t t[BATCHES];

	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = mono_ns();

		for (long i = 0; i < n; i++)
			op(which);
		t[b] = (mono_ns() - t0) / (uint64_t)n;
	}
	qsort(t, BATCHES, sizeof(t[0]), cmp_u64);
	return t[BATCHES / 2];
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "getpid", "futex_wake", "sched_yield" };
	long n = argc > 1 ? atol(argv[1]) : 200000;
	uint64_t before[3], after[3];

	if (n <= 0)
		n = 1;
	for (int i = 0; i < 3; i++)
		before[i] = measure(i, n);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    confine_seccomp_install(CONFINE_SECCOMP_KILL, 0) < 0) {
		fprintf(stderr, "bench_filter: cannot install the filter\n");
		return 1;
	}
	for (int i = 0; i < 3; i++)
		after[i] = measure(i, n);
	printf("host syscall cost under the Sentry's seccomp filter (ns/op, median of %d x %ld)\n",
	       BATCHES, n);
	printf("%-12s %10s %10s %8s\n", "syscall", "no filter", "filter", "+ns");
	for (int i = 0; i < 3; i++)
		printf("%-12s %10llu %10llu %8lld\n", names[i], (unsigned long long)before[i],
		       (unsigned long long)after[i], (long long)after[i] - (long long)before[i]);
	return 0;
}
