/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Freestanding helpers for guest programs: raw `syscall` instructions, no
 * libc.  Guests are static, non-PIE, and run unchanged natively and in the
 * sandbox, so their outputs can be compared.
 */
#ifndef CVISOR_TESTS_GUEST_H
#define CVISOR_TESTS_GUEST_H

/*
 * Entry point: the kernel starts a program with %rsp 16-byte aligned, while C
 * code expects to be entered by a `call`.  GUEST_MAIN(fn) defines _start,
 * which aligns the stack and calls fn (which must not return).
 */
#define GUEST_MAIN(fn)                                                                      \
	void fn(void) __attribute__((noreturn, used));                                      \
	__asm__(".text\n.globl _start\n_start:\n\txor %ebp, %ebp\n\tand $-16, %rsp\n"     \
		"\tcall " #fn "\n\tud2\n")

static inline long g_syscall3(long nr, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

static inline unsigned long g_strlen(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static inline long g_write(int fd, const void *buf, unsigned long len)
{
	return g_syscall3(1, fd, (long)buf, (long)len);
}

static inline long g_puts(const char *s)
{
	return g_write(1, s, g_strlen(s));
}

static inline long g_getpid(void)
{
	return g_syscall3(39, 0, 0, 0);
}

static inline __attribute__((noreturn)) void g_exit_group(int code)
{
	for (;;)
		g_syscall3(231, code, 0, 0);
}

/* Decimal of @v into @buf (>= 24 bytes), returns the length. */
static inline unsigned long g_utoa(unsigned long v, char *buf)
{
	char tmp[24];
	unsigned long n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = 0;
	return n;
}

#endif
