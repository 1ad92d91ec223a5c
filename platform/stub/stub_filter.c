/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stub's seccomp filter (documented in docs/security.md):
 *
 *   arch != x86-64 (int 0x80, i386 entry)        -> KILL_PROCESS
 *   instruction pointer != the stub's gadget        -> TRAP (SIGSYS to the
 *                                                      stub's handler: this is
 *                                                      how every application
 *                                                      syscall is intercepted)
 *   from the gadget, an allowed syscall whose
 *   arguments pass the checks below                 -> ALLOW
 *   from the gadget, an x32 number or anything else -> KILL_PROCESS
 *
 * Argument checks (addresses compared on the high 32 bits, which suffices
 * because STUB_BASE is 4 GiB aligned):
 *   mmap       addr < STUB_BASE, len < STUB_BASE, MAP_FIXED set; or exactly
 *              (STUB_SHARED, STUB_SHARED_SIZE): a fork child's shared region
 *   munmap, mprotect, madvise   addr < STUB_BASE, len < STUB_BASE
 *   futex      op is FUTEX_WAIT or FUTEX_WAKE (shared, no PI, no requeue)
 *   clone      flags == STUB_THREAD_CLONE_FLAGS, STUB_SPAWN_CLONE_FLAGS or
 *              STUB_FORK_CLONE_FLAGS exactly (stack 0 for the latter two)
 *   dup2       newfd == STUB_SOCK_FD
 *   waitid     P_ALL, WEXITED | WNOHANG (the holder reaping stubs)
 *   recvmsg    fd == STUB_SOCK_FD
 *   prctl      PR_SET_SYSCALL_USER_DISPATCH only
 *   arch_prctl ARCH_{GET,SET}_{FS,GS} only
 *   rt_sigreturn, sigaltstack, close, exit, exit_group, sched_yield: any args
 */
#include "stub_host.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/futex.h>
#include <linux/prctl.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "lib/macro.h"

#define OFF_NR offsetof(struct seccomp_data, nr)
#define OFF_ARCH offsetof(struct seccomp_data, arch)
#define OFF_IP_LO offsetof(struct seccomp_data, instruction_pointer)
#define OFF_IP_HI (OFF_IP_LO + 4)
#define OFF_ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define OFF_ARG_HI(i) (OFF_ARG_LO(i) + 4)

struct bpf_builder {
	struct sock_filter *f;
	size_t n, max;
	int overflow;
};

static void emit(struct bpf_builder *b, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (b->n >= b->max) {
		b->overflow = 1;
		return;
	}
	b->f[b->n++] = (struct sock_filter){ code, jt, jf, k };
}

static void ld(struct bpf_builder *b, uint32_t off)
{
	emit(b, BPF_LD | BPF_W | BPF_ABS, 0, 0, off);
}

static void ret(struct bpf_builder *b, uint32_t action)
{
	emit(b, BPF_RET | BPF_K, 0, 0, action);
}

/* if (A != k) kill */
static void need_eq(struct bpf_builder *b, uint32_t k)
{
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, k);
	ret(b, SECCOMP_RET_KILL_PROCESS);
}

/* Kill unless the 64-bit argument @i is below STUB_BASE. */
static void need_below_stub(struct bpf_builder *b, int i)
{
	ld(b, OFF_ARG_HI(i));
	emit(b, BPF_JMP | BPF_JGE | BPF_K, 0, 1, (uint32_t)(STUB_BASE >> 32));
	ret(b, SECCOMP_RET_KILL_PROCESS);
}

/*
 * Each allowed syscall is one block: "if nr != X skip block; checks; ALLOW".
 * Blocks are emitted into a temporary builder first so that the skip length
 * is known.
 */
typedef void (*check_fn)(struct bpf_builder *b);

static void chk_none(struct bpf_builder *b)
{
	(void)b;
}

static void chk_mm(struct bpf_builder *b)
{
	need_below_stub(b, 0);
	need_below_stub(b, 1);
}

/* Application range (MAP_FIXED), or exactly the shared region (a fork
 * child taking its own shared memfd). */
static void chk_mmap(struct bpf_builder *b)
{
	ld(b, OFF_ARG_HI(0));
	emit(b, BPF_JMP | BPF_JGE | BPF_K, 5, 0, (uint32_t)(STUB_BASE >> 32));
	need_below_stub(b, 1); /* 3 insns */
	ld(b, OFF_ARG_LO(3));
	emit(b, BPF_JMP | BPF_JSET | BPF_K, 10, 9, MAP_FIXED);
	/* addr >= STUB_BASE: must be STUB_SHARED, STUB_SHARED_SIZE */
	need_eq(b, (uint32_t)(STUB_SHARED >> 32));
	ld(b, OFF_ARG_LO(0));
	need_eq(b, (uint32_t)STUB_SHARED);
	ld(b, OFF_ARG_LO(1));
	need_eq(b, (uint32_t)STUB_SHARED_SIZE);
	emit(b, BPF_JMP | BPF_JA, 0, 0, 1);
	ret(b, SECCOMP_RET_KILL_PROCESS);
}

static void chk_futex(struct bpf_builder *b)
{
	ld(b, OFF_ARG_LO(1));
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 2, 0, FUTEX_WAIT);
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, FUTEX_WAKE);
	ret(b, SECCOMP_RET_KILL_PROCESS);
}

static void chk_clone(struct bpf_builder *b)
{
	ld(b, OFF_ARG_HI(0));
	need_eq(b, 0);
	ld(b, OFF_ARG_LO(0));
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 3, 0, STUB_THREAD_CLONE_FLAGS);
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 2, 0, STUB_SPAWN_CLONE_FLAGS);
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, STUB_FORK_CLONE_FLAGS);
	ret(b, SECCOMP_RET_KILL_PROCESS);
}

static void chk_dup2(struct bpf_builder *b)
{
	ld(b, OFF_ARG_HI(1));
	need_eq(b, 0);
	ld(b, OFF_ARG_LO(1));
	need_eq(b, STUB_SOCK_FD);
}

static void chk_waitid(struct bpf_builder *b)
{
	ld(b, OFF_ARG_LO(0));
	need_eq(b, 0 /* P_ALL */);
	ld(b, OFF_ARG_LO(3));
	need_eq(b, 4 | 1 /* WEXITED | WNOHANG */);
}

static void chk_recvmsg(struct bpf_builder *b)
{
	ld(b, OFF_ARG_HI(0));
	need_eq(b, 0);
	ld(b, OFF_ARG_LO(0));
	need_eq(b, STUB_SOCK_FD);
}

static void chk_prctl(struct bpf_builder *b)
{
	ld(b, OFF_ARG_LO(0));
	need_eq(b, PR_SET_SYSCALL_USER_DISPATCH);
}

static void chk_arch_prctl(struct bpf_builder *b)
{
	ld(b, OFF_ARG_LO(0));
	emit(b, BPF_JMP | BPF_JGE | BPF_K, 0, 2, 0x1001); /* ARCH_SET_GS */
	emit(b, BPF_JMP | BPF_JGT | BPF_K, 1, 0, 0x1004); /* ARCH_GET_GS */
	emit(b, BPF_JMP | BPF_JA, 0, 0, 1);
	ret(b, SECCOMP_RET_KILL_PROCESS);
}

static const struct {
	int nr;
	check_fn check;
} allowed[] = {
	{ SYS_rt_sigreturn, chk_none }, { SYS_futex, chk_futex },
	{ SYS_mmap, chk_mmap },         { SYS_munmap, chk_mm },
	{ SYS_mprotect, chk_mm },       { SYS_madvise, chk_mm },
	{ SYS_clone, chk_clone },       { SYS_recvmsg, chk_recvmsg },
	{ SYS_close, chk_none },        { SYS_sigaltstack, chk_none },
	{ SYS_prctl, chk_prctl },       { SYS_arch_prctl, chk_arch_prctl },
	{ SYS_exit, chk_none },         { SYS_exit_group, chk_none },
	{ SYS_sched_yield, chk_none },  { SYS_dup2, chk_dup2 },
	{ SYS_waitid, chk_waitid },
};

int stub_filter_build(uint64_t gadget_ret, struct sock_filter *out, size_t max, size_t *ret_len)
{
	struct bpf_builder b = { .f = out, .max = max };

	ld(&b, OFF_ARCH);
	need_eq(&b, AUDIT_ARCH_X86_64);
	ld(&b, OFF_IP_HI);
	emit(&b, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, (uint32_t)(gadget_ret >> 32));
	ret(&b, SECCOMP_RET_TRAP);
	ld(&b, OFF_IP_LO);
	emit(&b, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, (uint32_t)gadget_ret);
	ret(&b, SECCOMP_RET_TRAP);
	/* From the gadget: no x32 numbers. */
	ld(&b, OFF_NR);
	emit(&b, BPF_JMP | BPF_JGE | BPF_K, 0, 1, 0x40000000); /* __X32_SYSCALL_BIT */
	ret(&b, SECCOMP_RET_KILL_PROCESS);

	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++) {
		struct sock_filter tmp[32];
		struct bpf_builder blk = { .f = tmp, .max = ARRAY_SIZE(tmp) };

		allowed[i].check(&blk);
		ret(&blk, SECCOMP_RET_ALLOW);
		if (blk.overflow || blk.n > 255)
			return -E2BIG;
		ld(&b, OFF_NR);
		emit(&b, BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t)blk.n, (uint32_t)allowed[i].nr);
		for (size_t j = 0; j < blk.n; j++)
			emit(&b, tmp[j].code, tmp[j].jt, tmp[j].jf, tmp[j].k);
	}
	ret(&b, SECCOMP_RET_KILL_PROCESS);
	if (b.overflow)
		return -E2BIG;
	*ret_len = b.n;
	return 0;
}
