/* SPDX-License-Identifier: Apache-2.0 */
/* bench_restore's guest: touches argv[1] MiB of heap (one distinct byte per
 * page), prints READY, waits for SIGUSR2 (sigsuspend), then reads every page back (the
 * lazy-restore faults) and prints PASS or FAIL.  argv[2]: "mixed" fills
 * the first half of every page with pseudo-random bytes (about 2x
 * compressible instead of a constant page); "hold" (argv[2] or argv[3])
 * stays alive after PASS (sigsuspend again) for memory measurements. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t go;

static void on_go(int s)
{
	(void)s;
	go = 1;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 10, n = mib << 20;
	unsigned char *p = malloc(n);
	unsigned long bad = 0;
	struct sigaction sa;
	sigset_t set, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_go;
	sigaction(SIGUSR2, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &old); /* taken in sigsuspend only: no lost wake-up */
	if (!p)
		return 1;
	int mixed = 0, hold = 0;
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (int a = 2; a < argc; a++) {
		mixed |= !strcmp(argv[a], "mixed");
		hold |= !strcmp(argv[a], "hold");
	}
	for (size_t i = 0; i < n; i += 4096) {
		memset(p + i, (int)((i >> 12) & 0xff) | 1, 4096);
		for (size_t j = 8; mixed && j < 2048; j += 8) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			memcpy(p + i + j, &x, 8);
		}
	}
	printf("READY\n");
	fflush(stdout);
	while (!go)
		sigsuspend(&old);
	for (size_t i = 0; i < n; i += 4096)
		bad += p[i] != (((i >> 12) & 0xff) | 1);
	printf(bad ? "FAIL\n" : "PASS\n");
	fflush(stdout);
	for (go = 0; hold;)
		sigsuspend(&old);
	return bad != 0;
}
