/* SPDX-License-Identifier: Apache-2.0 */
/* General registers, SSE/AVX registers, the x87 control word, MXCSR and
 * the fs base (TLS) are the same after restore: they are loaded with known
 * values around a raw pause() that is in progress at the checkpoint. */
#include <stdint.h>
#include <sys/syscall.h>

#include "zdtm.h"

static __thread uint64_t tls_word = 0x1122334455667788ULL;

struct regs {
	uint64_t r12, r13, r14, r15, rbx, rbp;
	uint8_t xmm[8][16];
	uint16_t fcw;
	uint32_t mxcsr;
};

int main(void)
{
	static struct regs in, out;
	static uint64_t unblocked; /* rt_sigsuspend's mask: nothing blocked */

	zd_init();
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 16; j++)
			in.xmm[i][j] = (uint8_t)(i * 16 + j + 1);
	in.r12 = 0x1212121212121212ULL, in.r13 = 0x1313131313131313ULL;
	in.r14 = 0x1414141414141414ULL, in.r15 = 0x1515151515151515ULL;
	in.rbx = 0xb0b0b0b0b0b0b0b0ULL, in.rbp = 0xbdbdbdbdbdbdbdbdULL;
	in.fcw = 0x027f;     /* precision 53 bits, all exceptions masked */
	in.mxcsr = 0x9fc0;   /* FTZ, DAZ, round to zero, exceptions masked */
	zd_ready();
	while (!zd_go) {
		/* sigsuspend with every checked register live across the call */
		__asm__ volatile(
			"push %%rbp\n\t"
			"movdqu 0x30(%[in]), %%xmm8\n\t"
			"movdqu 0x40(%[in]), %%xmm9\n\t"
			"movdqu 0x50(%[in]), %%xmm10\n\t"
			"movdqu 0x60(%[in]), %%xmm11\n\t"
			"movdqu 0x70(%[in]), %%xmm12\n\t"
			"movdqu 0x80(%[in]), %%xmm13\n\t"
			"movdqu 0x90(%[in]), %%xmm14\n\t"
			"movdqu 0xa0(%[in]), %%xmm15\n\t"
			"fldcw 0xb0(%[in])\n\t"
			"ldmxcsr 0xb4(%[in])\n\t"
			"mov 0x00(%[in]), %%r12\n\t"
			"mov 0x08(%[in]), %%r13\n\t"
			"mov 0x10(%[in]), %%r14\n\t"
			"mov 0x18(%[in]), %%r15\n\t"
			"mov 0x20(%[in]), %%rbx\n\t"
			"mov 0x28(%[in]), %%rbp\n\t"
			"push %[out]\n\t"
			"mov $130, %%eax\n\t" /* SYS_rt_sigsuspend(&unblocked, 8) */
			"syscall\n\t"
			"pop %%rax\n\t"
			"mov %%r12, 0x00(%%rax)\n\t"
			"mov %%r13, 0x08(%%rax)\n\t"
			"mov %%r14, 0x10(%%rax)\n\t"
			"mov %%r15, 0x18(%%rax)\n\t"
			"mov %%rbx, 0x20(%%rax)\n\t"
			"mov %%rbp, 0x28(%%rax)\n\t"
			"movdqu %%xmm8, 0x30(%%rax)\n\t"
			"movdqu %%xmm9, 0x40(%%rax)\n\t"
			"movdqu %%xmm10, 0x50(%%rax)\n\t"
			"movdqu %%xmm11, 0x60(%%rax)\n\t"
			"movdqu %%xmm12, 0x70(%%rax)\n\t"
			"movdqu %%xmm13, 0x80(%%rax)\n\t"
			"movdqu %%xmm14, 0x90(%%rax)\n\t"
			"movdqu %%xmm15, 0xa0(%%rax)\n\t"
			"fnstcw 0xb0(%%rax)\n\t"
			"stmxcsr 0xb4(%%rax)\n\t"
			"pop %%rbp\n\t"
			:
			: [in] "r"(&in), [out] "r"(&out), "D"(&unblocked), "S"(8UL)
			: "rax", "rcx", "r11", "r12", "r13", "r14", "r15", "rbx", "xmm8", "xmm9",
			  "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "memory", "cc");
	}
	zd_check(out.r12 == in.r12 && out.r13 == in.r13 && out.r14 == in.r14 &&
		 out.r15 == in.r15 && out.rbx == in.rbx && out.rbp == in.rbp,
		 "general registers changed");
	zd_check(!memcmp(out.xmm, in.xmm, sizeof(in.xmm)), "xmm8-15 changed");
	zd_check(out.fcw == in.fcw, "x87 control word 0x%x, want 0x%x", out.fcw, in.fcw);
	zd_check(out.mxcsr == in.mxcsr, "mxcsr 0x%x, want 0x%x", out.mxcsr, in.mxcsr);
	__asm__ volatile("ldmxcsr %0" : : "m"((uint32_t){ 0x1f80 }));
	zd_check(tls_word == 0x1122334455667788ULL, "TLS (fs base) changed");
	return zd_finish();
}
