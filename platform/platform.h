/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The platform: runs application code in isolated stub processes and hands
 * every application syscall and fault to the caller (the Sentry).
 *
 * Objects and lifecycles:
 *   struct plat      one platform instance (systrap or ptrace); plat_open/plat_close
 *   struct plat_as   an application address space == one stub process
 *   struct plat_ctx  an application thread running in an address space
 *
 * Threading: different contexts may be switched concurrently from different
 * Sentry threads.  Address-space operations (map/unmap/protect/copy) are
 * thread-safe.  plat_ctx_interrupt() may be called from any thread at any
 * time.  The ptrace platform additionally binds a context to the Sentry
 * thread that first switches into it (ptrace is per tracer thread); switching
 * it from another thread returns -EXDEV.
 *
 * Memory layout: application addresses are [PLAT_APP_MIN, plat_app_limit()).
 * Above the limit live the stub's code and shared pages; the platform refuses
 * to map there, and the caller (mm) owns the layout below it.
 *
 * Errors: negative errno.  Out-params are written only on success.
 */
#ifndef CVISOR_PLATFORM_PLATFORM_H
#define CVISOR_PLATFORM_PLATFORM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct plat;
struct plat_as;
struct plat_ctx;

enum plat_kind {
	PLAT_SYSTRAP = 0,
	PLAT_PTRACE = 1,
};

/* Lowest mappable application address (like vm.mmap_min_addr). */
#define PLAT_APP_MIN 0x10000ULL

/*
 * General-purpose registers, same order and meaning as the kernel's
 * struct user_regs_struct (x86-64).  After a PLAT_EXIT_SYSCALL:
 *   orig_rax == rax == syscall number, rip points after the `syscall`
 *   instruction, rdi/rsi/rdx/r10/r8/r9 are the arguments.
 * To return a value, set rax and switch again.
 */
struct plat_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10;
	uint64_t r9, r8, rax, rcx, rdx, rsi, rdi, orig_rax;
	uint64_t rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
};

/*
 * FPU/SSE/AVX state in the XSAVE standard format (legacy FXSAVE area first,
 * XSAVE header at offset 512), exactly as in a Linux signal frame: the
 * software bytes at offset 464 are struct _fpx_sw_bytes (FP_XSTATE_MAGIC1,
 * extended size, xfeatures, xstate size), so the image can be copied into an
 * rt_sigframe as is.  @size is the number of valid bytes; a zero size means
 * "initial state" (the platform resets the FPU).  On the way in the
 * platform ignores the software bytes and always loads x87/SSE from the
 * legacy area.
 */
#define PLAT_FP_MAX 4096
struct plat_fpstate {
	uint32_t size;
	uint32_t _pad[15];
	uint8_t data[PLAT_FP_MAX] __attribute__((aligned(64)));
};

/* Full user CPU state of a context. */
struct plat_cpu {
	struct plat_regs regs;
	struct plat_fpstate fp;
};

enum plat_exit_reason {
	PLAT_EXIT_SYSCALL = 1,   /* the app executed `syscall` */
	PLAT_EXIT_FAULT = 2,     /* a synchronous fault (SIGSEGV/BUS/FPE/ILL/TRAP) */
	PLAT_EXIT_INTERRUPT = 3, /* plat_ctx_interrupt() (may be spurious) */
};

enum plat_access {
	PLAT_ACCESS_READ = 1u << 0,
	PLAT_ACCESS_WRITE = 1u << 1,
	PLAT_ACCESS_EXEC = 1u << 2,
};

struct plat_exit {
	enum plat_exit_reason reason;
	/* PLAT_EXIT_FAULT: the host signal, si_code, faulting address (for page
	 * faults) and access type (PLAT_ACCESS_*), trap number from the CPU. */
	int signo;
	int code;
	uint64_t addr;
	unsigned access;
	unsigned trapno;
};

/* Options for plat_open(). */
struct plat_opts {
	/* systrap: also arm PR_SET_SYSCALL_USER_DISPATCH if the kernel has it. */
	int use_sud;
	/* Create the stubs in fresh user/mnt/pid/ipc/uts/net namespaces (on by
	 * default).  Turn off only when the caller is already confined. */
	int no_new_namespaces;
	/* Spin budget in ns for both sides of the hand-off before sleeping on
	 * a futex (0 = default, 30 us). */
	uint64_t spin_ns;
	/* Fresh stubs forked ahead of time for plat_as_create() (0 = default,
	 * 2; at most 16). */
	unsigned stub_pool;
};

/* Open a platform of @kind.  @opts may be NULL for defaults. */
int plat_open(enum plat_kind kind, const struct plat_opts *opts, struct plat **ret);
void plat_close(struct plat *p);
const char *plat_name(const struct plat *p);
/* Parse "systrap"/"ptrace". */
int plat_kind_from_string(const char *s, enum plat_kind *ret);

/* Highest application address + 1. */
uint64_t plat_app_limit(void);

/* Address spaces. */
int plat_as_create(struct plat *p, struct plat_as **ret);
/* A copy-on-write copy of @parent (host fork of the stub).  Contexts are not
 * copied: create new ones in the child. */
int plat_as_fork(struct plat_as *parent, struct plat_as **ret);
/* Kill the stub (at once) and free everything; the process is reaped in the
 * background.  All contexts must be destroyed first. */
void plat_as_destroy(struct plat_as *as);
/* Host pid of the stub process (for diagnostics and tests). */
pid_t plat_as_pid(const struct plat_as *as);

enum plat_map_flags {
	PLAT_MAP_PRIVATE = 1u << 0,
	PLAT_MAP_SHARED = 1u << 1,
};

/*
 * Map [addr, addr+len) with @prot (PROT_*) at exactly @addr, replacing what
 * was there.  fd < 0: anonymous memory; otherwise the host @fd (borrowed, not
 * consumed) is mapped at @off.  addr/len/off must be page aligned and the
 * range must lie within [PLAT_APP_MIN, plat_app_limit()).
 */
int plat_as_map(struct plat_as *as, uint64_t addr, uint64_t len, int prot, unsigned flags, int fd,
		uint64_t off);
int plat_as_unmap(struct plat_as *as, uint64_t addr, uint64_t len);
int plat_as_protect(struct plat_as *as, uint64_t addr, uint64_t len, int prot);

/*
 * Copy between the Sentry and application memory.  Returns the number of
 * bytes copied (short on a fault) or -EFAULT if nothing could be copied.
 */
ssize_t plat_as_read(struct plat_as *as, uint64_t addr, void *buf, size_t len);
ssize_t plat_as_write(struct plat_as *as, uint64_t addr, const void *buf, size_t len);

/* Contexts. */
int plat_ctx_create(struct plat_as *as, struct plat_ctx **ret);
void plat_ctx_destroy(struct plat_ctx *ctx);

/*
 * Run @ctx with the CPU state in @cpu until it makes a syscall, faults or is
 * interrupted; @cpu then holds the new state and @exit why it stopped.
 * Returns 0, -ESRCH if the stub died (killed by its seccomp filter, or by the
 * host), or another negative errno.
 */
int plat_ctx_switch(struct plat_ctx *ctx, struct plat_cpu *cpu, struct plat_exit *exit);

/* Make a running (or the next) switch of @ctx return PLAT_EXIT_INTERRUPT.
 * Async with respect to plat_ctx_switch(); safe from any thread. */
int plat_ctx_interrupt(struct plat_ctx *ctx);

/* Initialise @cpu for a fresh thread: rip/rsp as given, user segments, the
 * initial FPU state. */
void plat_cpu_init(struct plat_cpu *cpu, uint64_t rip, uint64_t rsp);

#endif
