/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_syscall: round trip of one intercepted syscall, measured in one run
 * against its references:
 *
 *   native     getpid(2) served by the host kernel
 *   floor      in-process SECCOMP_RET_TRAP + SIGSYS handler answering the
 *              call itself: the floor of any signal-based interception
 *   systrap    guest `syscall` -> stub handler -> Sentry -> back
 *   systrap+sud  the same, trapping with syscall user dispatch
 *   ptrace     PTRACE_SYSEMU round trip
 * and, as references from the same run: the bare ptrace primitive
 * (SYSEMU + wait + GETREGS + SETREGS on one CPU) and two-thread hand-offs
 * through a spinning shared-memory flag and through a futex.
 *
 * Prints ns/op (median of several batches) and ratios.  Not a pass/fail test.
 * Usage: bench_syscall [iterations-per-batch]
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/timeutil.h"
#include "platform/platform.h"

#define BATCHES 7
#define CODE 0x10000ULL
#define NR_BENCH 39 /* getpid */

static long raw_getpid(void)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(NR_BENCH) : "rcx", "r11", "memory");
	return r;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return (double)v[n / 2];
}

static double bench_native(long iters)
{
	uint64_t t[BATCHES];

	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = mono_ns();

		for (long i = 0; i < iters; i++)
			raw_getpid();
		t[b] = mono_ns() - t0;
	}
	return median(t, BATCHES) / (double)iters;
}

static void floor_handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;

	(void)sig;
	(void)si;
	uc->uc_mcontext.gregs[REG_RAX] = 4242;
}

/* In a child: trap getpid with seccomp and answer it from the handler. */
static double bench_floor(long iters)
{
	int p[2];
	pid_t pid;
	double ns = -1;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_BENCH, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { .len = 4, .filter = f };
		struct sigaction sa = { .sa_sigaction = floor_handler, .sa_flags = SA_SIGINFO };
		uint64_t t[BATCHES];
		double r;

		sigaction(SIGSYS, &sa, NULL);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
			_exit(1);
		if (raw_getpid() != 4242)
			_exit(2);
		for (int b = 0; b < BATCHES; b++) {
			uint64_t t0 = mono_ns();

			for (long i = 0; i < iters; i++)
				raw_getpid();
			t[b] = mono_ns() - t0;
		}
		r = median(t, BATCHES) / (double)iters;
		if (write(p[1], &r, sizeof(r)) != sizeof(r))
			_exit(3);
		_exit(0);
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &ns, sizeof(ns)) != sizeof(ns))
		ns = -1;
	close(p[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return ns;
}

static double bench_platform(enum plat_kind kind, int sud, long iters)
{
	/* syscall; jmp back */
	static const uint8_t code[] = { 0x0f, 0x05, 0xeb, 0xfc };
	struct plat_opts opts = { .use_sud = sud };
	struct plat *p = NULL;
	struct plat_as *as = NULL;
	struct plat_ctx *ctx = NULL;
	struct plat_cpu *cpu = calloc(1, sizeof(*cpu));
	struct plat_exit ex;
	uint64_t t[BATCHES];
	double ns = -1;

	if (!cpu || plat_open(kind, &opts, &p) < 0 || plat_as_create(p, &as) < 0)
		goto out;
	if (plat_as_map(as, CODE, 4096, PROT_READ | PROT_WRITE, PLAT_MAP_PRIVATE, -1, 0) < 0 ||
	    plat_as_write(as, CODE, code, sizeof(code)) != sizeof(code) ||
	    plat_as_protect(as, CODE, 4096, PROT_READ | PROT_EXEC) < 0 ||
	    plat_ctx_create(as, &ctx) < 0)
		goto out;
	plat_cpu_init(cpu, CODE, 0);
	cpu->regs.rax = NR_BENCH;
	/* Warm up, check that it really is a syscall exit. */
	for (int i = 0; i < 1000; i++) {
		if (plat_ctx_switch(ctx, cpu, &ex) < 0 || ex.reason != PLAT_EXIT_SYSCALL)
			goto out;
		cpu->regs.rax = NR_BENCH;
	}
	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = mono_ns();

		for (long i = 0; i < iters; i++) {
			plat_ctx_switch(ctx, cpu, &ex);
			cpu->regs.rax = NR_BENCH;
		}
		t[b] = mono_ns() - t0;
	}
	ns = median(t, BATCHES) / (double)iters;
out:
	plat_ctx_destroy(ctx);
	plat_as_destroy(as);
	plat_close(p);
	free(cpu);
	return ns;
}

/* The bare ptrace primitive any ptrace platform pays: SYSEMU + wait +
 * GETREGS + SETREGS, tracer and tracee pinned to one CPU. */
static double bench_ptrace_primitive(long iters)
{
	cpu_set_t one, old;
	struct user_regs_struct regs;
	uint64_t t[BATCHES];
	pid_t c;
	int st;

	sched_getaffinity(0, sizeof(old), &old);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	sched_setaffinity(0, sizeof(one), &one);
	c = fork();
	if (c == 0) {
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		for (;;)
			raw_getpid();
	}
	if (c < 0 || waitpid(c, &st, 0) != c)
		return -1;
	for (int b = 0; b < BATCHES; b++) {
		uint64_t t0 = mono_ns();

		for (long i = 0; i < iters; i++) {
			ptrace(PTRACE_SETREGS, c, 0, &regs);
			ptrace(PTRACE_SYSEMU, c, 0, 0);
			waitpid(c, &st, __WALL);
			ptrace(PTRACE_GETREGS, c, 0, &regs);
		}
		t[b] = mono_ns() - t0;
	}
	kill(c, SIGKILL);
	waitpid(c, &st, __WALL);
	sched_setaffinity(0, sizeof(old), &old);
	return median(t, BATCHES) / (double)iters;
}

struct pingpong {
	uint32_t word;
	long iters;
	int futex;
};

static void pp_wait(struct pingpong *pp, uint32_t busy)
{
	while (__atomic_load_n(&pp->word, __ATOMIC_ACQUIRE) == busy)
		if (pp->futex)
			syscall(SYS_futex, &pp->word, FUTEX_WAIT_PRIVATE, busy, NULL, NULL, 0);
		else
			__asm__ volatile("pause");
}

static void pp_post(struct pingpong *pp, uint32_t v)
{
	__atomic_store_n(&pp->word, v, __ATOMIC_RELEASE);
	if (pp->futex)
		syscall(SYS_futex, &pp->word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *pp_peer(void *arg)
{
	struct pingpong *pp = arg;

	for (long i = 0; i < pp->iters; i++) {
		pp_wait(pp, 0);
		pp_post(pp, 0);
	}
	return NULL;
}

/* Two threads handing a token back and forth: the hand-off costs that a
 * platform's wake-up path is built from. */
static double bench_pingpong(long iters, int futex)
{
	struct pingpong pp = { .iters = iters, .futex = futex };
	pthread_t t;
	uint64_t t0, dt;

	if (pthread_create(&t, NULL, pp_peer, &pp) != 0)
		return -1;
	t0 = mono_ns();
	for (long i = 0; i < iters; i++) {
		pp_post(&pp, 1);
		pp_wait(&pp, 1);
	}
	dt = mono_ns() - t0;
	pthread_join(t, NULL);
	return (double)dt / (double)iters;
}

static void row(const char *name, double ns, double native, double floor)
{
	if (ns < 0) {
		printf("%-14s %10s\n", name, "n/a");
		return;
	}
	printf("%-14s %10.0f %10.2fx %10.2fx\n", name, ns, ns / native,
	       floor > 0 ? ns / floor : 0.0);
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 20000;
	double native, floor, systrap, sud, ptr, prim, spin, fut;

	if (iters <= 0)
		iters = 20000;
	native = bench_native(iters * 10);
	floor = bench_floor(iters);
	systrap = bench_platform(PLAT_SYSTRAP, 0, iters);
	sud = bench_platform(PLAT_SYSTRAP, 1, iters);
	ptr = bench_platform(PLAT_PTRACE, 0, iters);
	prim = bench_ptrace_primitive(iters);
	spin = bench_pingpong(iters * 10, 0);
	fut = bench_pingpong(iters, 1);

	printf("syscall round trip, %ld iterations x %d batches (median), %ld CPUs\n", iters,
	       BATCHES, sysconf(_SC_NPROCESSORS_ONLN));
	printf("%-14s %10s %11s %11s\n", "", "ns/op", "vs native", "vs floor");
	row("native", native, native, floor);
	row("floor", floor, native, floor);
	row("systrap", systrap, native, floor);
	row("systrap+sud", sud, native, floor);
	row("ptrace", ptr, native, floor);
	printf("references:\n");
	row("ptrace-prim", prim, native, floor);
	row("spin-pingpong", spin, native, floor);
	row("futex-pingpong", fut, native, floor);
	printf("targets: systrap <= 1.5x floor, ptrace <= 4x floor\n");
	printf("ptrace vs its bare primitive (SYSEMU+wait+GETREGS+SETREGS, one CPU): %.2fx\n",
	       prim > 0 ? ptr / prim : 0.0);
	return 0;
}
