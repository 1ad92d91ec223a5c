/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Freestanding guest: threads made with raw clone(), a shared counter with
 * atomics, joins through CLONE_CHILD_CLEARTID + FUTEX_WAIT, futex errors
 * and timeouts, and exit_group from a thread while others still run.
 */
#include "guest.h"

#define NR_clone 56
#define NR_futex 202
#define NR_gettid 186
#define NR_exit 60

#define CLONE_FLAGS                                                                         \
	(0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000 /* VM FS FILES SIGHAND THREAD      \
	 SYSVSEM */ | 0x100000 /* PARENT_SETTID */ | 0x200000 /* CHILD_CLEARTID */)

static long sc6(long nr, long a, long b, long c, long d, long e, long f)
{
	long r;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}

/* long spawn(flags, stack_top, ptid, ctid, fn): the child calls fn() on its
 * stack and exits. */
long spawn(long flags, void *stack, int *ptid, int *ctid, void (*fn)(void));
__asm__(".text\nspawn:\n"
	"\tsub $16, %rsi\n"
	"\tmov %r8, (%rsi)\n"
	"\tmov %rcx, %r10\n"
	"\txor %r8d, %r8d\n"
	"\tmov $56, %eax\n"
	"\tsyscall\n"
	"\ttest %rax, %rax\n"
	"\tjnz 1f\n"
	"\tpop %rax\n"
	"\tand $-16, %rsp\n"
	"\tcall *%rax\n"
	"\tmov $60, %eax\n"
	"\txor %edi, %edi\n"
	"\tsyscall\n"
	"1:\tret\n");

static void show(const char *what, long v)
{
	char buf[32];
	unsigned long n;

	g_puts(what);
	g_puts(" = ");
	if (v < 0) {
		g_puts("-");
		v = -v;
	}
	n = g_utoa((unsigned long)v, buf);
	buf[n++] = '\n';
	g_write(1, buf, n);
}

#define N 3
#define ITERS 20000
static char stacks[N][16384] __attribute__((aligned(16)));
/* As glibc does: the parent stores the tid (PARENT_SETTID) in the word
 * that CHILD_CLEARTID zeroes at exit, so a join can never miss it. */
static volatile int tids[N];
static volatile long counter, distinct_tids;
static volatile int go;

static void worker(void)
{
	long me = sc6(NR_gettid, 0, 0, 0, 0, 0, 0);

	if (me != g_getpid())
		__atomic_add_fetch(&distinct_tids, 1, __ATOMIC_RELAXED);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		sc6(NR_futex, (long)&go, 0 /* WAIT */, 0, 0, 0, 0);
	for (int i = 0; i < ITERS; i++)
		__atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
}

static void spinner(void)
{
	for (;;)
		__asm__ volatile("pause");
}

GUEST_MAIN(guest_main);

void guest_main(void)
{
	struct {
		long s, ns;
	} ts = { 0, 20 * 1000 * 1000 };
	int v = 5, nok = 0;

	show("futex wait wrong value", sc6(NR_futex, (long)&v, 0, 4, 0, 0, 0));
	show("futex wait timeout", sc6(NR_futex, (long)&v, 0, 5, (long)&ts, 0, 0));
	show("futex wake nobody", sc6(NR_futex, (long)&v, 1, 1, 0, 0, 0));
	show("futex unaligned", sc6(NR_futex, (long)&v + 1, 1, 1, 0, 0, 0));
	show("futex bad op", sc6(NR_futex, (long)&v, 99, 1, 0, 0, 0));
	show("futex bad ptr", sc6(NR_futex, 16, 0, 0, 0, 0, 0));

	for (int i = 0; i < N; i++) {
		long tid = spawn(CLONE_FLAGS, stacks[i] + sizeof(stacks[i]), (int *)&tids[i],
				 (int *)&tids[i], worker);

		nok += tid > 0 && tid == tids[i];
	}
	show("spawned with tids set", nok);
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	sc6(NR_futex, (long)&go, 1 /* WAKE */, 1000, 0, 0, 0);
	/* Join: CLONE_CHILD_CLEARTID zeroes ctid and wakes us. */
	for (int i = 0; i < N; i++) {
		int c;

		while ((c = __atomic_load_n(&tids[i], __ATOMIC_ACQUIRE)) != 0)
			sc6(NR_futex, (long)&tids[i], 0, c, 0, 0, 0);
	}
	show("joined", N);
	show("counter", counter);
	show("threads had their own tids", distinct_tids);
	show("bad clone flags", sc6(NR_clone, 0x10000 /* THREAD without SIGHAND */, 0, 0, 0, 0,
				    0));

	/* exit_group while another thread spins: the whole process ends. */
	spawn(CLONE_FLAGS, stacks[0] + sizeof(stacks[0]), (int *)&tids[0], (int *)&tids[0],
	      spinner);
	g_puts("exit_group with a spinning thread\n");
	g_exit_group(4);
}
