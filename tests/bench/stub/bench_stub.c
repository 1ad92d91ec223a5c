/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_stub: the cost of the platform's process-level operations, against
 * the host primitives they stand for, in one run:
 *
 *   host fork+wait            vs  plat_as_create + plat_as_destroy (fresh stub)
 *   host fork+wait, 16 MiB    vs  plat_as_fork + destroy of a stub with 16 MiB touched
 *   host pthread create+join  vs  plat_ctx_create + plat_ctx_destroy
 *
 * Not a pass/fail test.  Usage: bench_stub [iterations]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/timeutil.h"
#include "platform/platform.h"

#define MEM (16ULL << 20)
#define MEM_ADDR 0x1000000ULL

static double host_fork(int iters, int touch)
{
	char *mem = NULL;
	uint64_t t0;

	if (touch) {
		mem = mmap(NULL, MEM, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			return -1;
		memset(mem, 1, MEM);
	}
	t0 = mono_ns();
	for (int i = 0; i < iters; i++) {
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		waitpid(p, NULL, 0);
	}
	t0 = mono_ns() - t0;
	if (mem)
		munmap(mem, MEM);
	return (double)t0 / iters;
}

static void *nop(void *a)
{
	return a;
}

static double host_thread(int iters)
{
	uint64_t t0 = mono_ns();

	for (int i = 0; i < iters; i++) {
		pthread_t t;

		pthread_create(&t, NULL, nop, NULL);
		pthread_join(t, NULL);
	}
	return (double)(mono_ns() - t0) / iters;
}

static double plat_create(struct plat *p, int iters)
{
	uint64_t t0 = mono_ns();

	for (int i = 0; i < iters; i++) {
		struct plat_as *as;

		if (plat_as_create(p, &as) < 0)
			return -1;
		plat_as_destroy(as);
	}
	return (double)(mono_ns() - t0) / iters;
}

static double plat_fork(struct plat *p, int iters)
{
	struct plat_as *as, *child;
	char *buf = malloc(1 << 20);
	uint64_t t0;

	if (!buf || plat_as_create(p, &as) < 0)
		return -1;
	memset(buf, 1, 1 << 20);
	if (plat_as_map(as, MEM_ADDR, MEM, PROT_READ | PROT_WRITE, PLAT_MAP_PRIVATE, -1, 0) < 0)
		return -1;
	for (uint64_t off = 0; off < MEM; off += 1 << 20)
		plat_as_write(as, MEM_ADDR + off, buf, 1 << 20);
	t0 = mono_ns();
	for (int i = 0; i < iters; i++) {
		if (plat_as_fork(as, &child) < 0)
			return -1;
		plat_as_destroy(child);
	}
	t0 = mono_ns() - t0;
	plat_as_destroy(as);
	free(buf);
	return (double)t0 / iters;
}

static double plat_thread(struct plat *p, int iters)
{
	struct plat_as *as;
	uint64_t t0;

	if (plat_as_create(p, &as) < 0)
		return -1;
	t0 = mono_ns();
	for (int i = 0; i < iters; i++) {
		struct plat_ctx *ctx;

		if (plat_ctx_create(as, &ctx) < 0)
			return -1;
		plat_ctx_destroy(ctx);
	}
	t0 = mono_ns() - t0;
	plat_as_destroy(as);
	return (double)t0 / iters;
}

static void row(const char *name, double ns, double ref)
{
	printf("%-34s %10.1f us %8.2fx\n", name, ns / 1000.0, ref > 0 ? ns / ref : 0.0);
}

int main(int argc, char **argv)
{
	int iters = argc > 1 ? atoi(argv[1]) : 200;
	struct plat *p;
	double hf, hf16, ht;

	if (iters <= 0)
		iters = 200;
	hf = host_fork(iters, 0);
	hf16 = host_fork(iters, 1);
	ht = host_thread(iters);
	printf("stub operations, %d iterations each\n", iters);
	row("host fork+wait", hf, hf);
	row("host fork+wait (16 MiB touched)", hf16, hf16);
	row("host pthread create+join", ht, ht);
	for (int k = 0; k < 2; k++) {
		enum plat_kind kind = k ? PLAT_PTRACE : PLAT_SYSTRAP;
		char name[64];

		if (plat_open(kind, NULL, &p) < 0)
			continue;
		snprintf(name, sizeof(name), "%s: as create+destroy", plat_name(p));
		row(name, plat_create(p, iters), hf);
		snprintf(name, sizeof(name), "%s: as fork+destroy (16 MiB)", plat_name(p));
		row(name, plat_fork(p, iters), hf16);
		snprintf(name, sizeof(name), "%s: ctx create+destroy", plat_name(p));
		row(name, plat_thread(p, iters), ht);
		plat_close(p);
	}
	printf("(ratios: against the host primitive in the rows above)\n");
	return 0;
}
