/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Assembly part of the stub blob.  Everything here and in stub_code.c lives
 * in the "cvisor_stub" section, which is copied verbatim to STUB_BASE in every
 * stub process: position independent, no references outside the section.
 */
	.section cvisor_stub,"ax",@progbits

/* long stub_syscall6(long nr, long a1, ..., long a6): the only `syscall`
 * instruction the seccomp filter lets through (arguments restricted). */
	.globl stub_syscall6
	.hidden stub_syscall6
	.type stub_syscall6,@function
stub_syscall6:
	mov %rdi, %rax
	mov %rsi, %rdi
	mov %rdx, %rsi
	mov %rcx, %rdx
	mov %r8, %r10
	mov %r9, %r8
	mov 8(%rsp), %r9
	.globl stub_gadget
	.hidden stub_gadget
stub_gadget:
	syscall
	.globl stub_gadget_ret
	.hidden stub_gadget_ret
stub_gadget_ret:
	/* A thread created by clone() starts here too, on a stack whose top
	 * holds the address of stub_thread_entry. */
	ret
	.size stub_syscall6, .-stub_syscall6

/* sa_restorer of every stub signal handler. */
	.globl stub_restorer
	.hidden stub_restorer
	.type stub_restorer,@function
stub_restorer:
	mov $15, %eax /* rt_sigreturn */
	jmp stub_gadget
	.size stub_restorer, .-stub_restorer

/* Process entry: the launcher jumps here with %rsp at the top of slot 0's
 * stack (16-byte aligned). */
	.globl stub_entry
	.hidden stub_entry
	.type stub_entry,@function
stub_entry:
	call stub_main
	ud2
	.size stub_entry, .-stub_entry

/* New thread: (%rsp) holds the slot number. */
	.globl stub_thread_entry
	.hidden stub_thread_entry
	.type stub_thread_entry,@function
stub_thread_entry:
	mov (%rsp), %rdi
	and $-16, %rsp
	call stub_thread_main
	ud2
	.size stub_thread_entry, .-stub_thread_entry

/* A syscall outside the gadget: always trapped (SIGSYS).  A new thread uses
 * it to stop in its handler and receive its first application state. */
	.globl stub_first_trap
	.hidden stub_first_trap
	.type stub_first_trap,@function
stub_first_trap:
	mov $39, %eax /* getpid */
	syscall
	ud2
	.size stub_first_trap, .-stub_first_trap

	.section .note.GNU-stack,"",@progbits
