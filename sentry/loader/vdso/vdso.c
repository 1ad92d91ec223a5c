/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vDSO the Sentry maps into every process (AT_SYSINFO_EHDR), so that
 * the C library finds the entry points it expects.  Each one makes the real
 * system call: the platform intercepts it like any other and the Sentry
 * serves it, so time stays the Sentry's (checkpoints, clocks) and nothing
 * here reads host state.  Freestanding, position independent, no data, no
 * relocations: the blob is copied as is.  Built by sentry/CMakeLists.txt
 * with vdso.lds (one PT_LOAD) and vdso.ver (symbol versions LINUX_2.6).
 */
struct timespec;
struct timeval;

static inline long vdso_syscall3(long nr, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

int __vdso_clock_gettime(int clk, struct timespec *ts);
int __vdso_gettimeofday(struct timeval *tv, void *tz);
long __vdso_time(long *t);
int __vdso_clock_getres(int clk, struct timespec *ts);
int __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache);

int __vdso_clock_gettime(int clk, struct timespec *ts)
{
	return (int)vdso_syscall3(228 /* clock_gettime */, clk, (long)ts, 0);
}

int __vdso_gettimeofday(struct timeval *tv, void *tz)
{
	return (int)vdso_syscall3(96 /* gettimeofday */, (long)tv, (long)tz, 0);
}

long __vdso_time(long *t)
{
	return vdso_syscall3(201 /* time */, (long)t, 0, 0);
}

int __vdso_clock_getres(int clk, struct timespec *ts)
{
	return (int)vdso_syscall3(229 /* clock_getres */, clk, (long)ts, 0);
}

int __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
	return (int)vdso_syscall3(309 /* getcpu */, (long)cpu, (long)node, (long)cache);
}
