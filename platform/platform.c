/* SPDX-License-Identifier: Apache-2.0 */
#include "platform.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/macro.h"
#include "platform_impl.h"

#define DEFAULT_SPIN_NS (30 * 1000)
#define DEFAULT_STUB_POOL 2

int plat_kind_from_string(const char *s, enum plat_kind *ret)
{
	if (!strcmp(s, "systrap"))
		*ret = PLAT_SYSTRAP;
	else if (!strcmp(s, "ptrace"))
		*ret = PLAT_PTRACE;
	else
		return -EINVAL;
	return 0;
}

uint64_t plat_app_limit(void)
{
	return STUB_BASE;
}

int plat_open(enum plat_kind kind, const struct plat_opts *opts, struct plat **ret)
{
	_cleanup_free_ struct plat *p = calloc(1, sizeof(*p));
	struct stub_cfg cfg;
	int r;

	if (!p)
		return -ENOMEM;
	switch (kind) {
	case PLAT_SYSTRAP:
		p->ops = &plat_systrap_ops;
		break;
	case PLAT_PTRACE:
		p->ops = &plat_ptrace_ops;
		break;
	default:
		return -EINVAL;
	}
	p->kind = kind;
	if (opts)
		p->opts = *opts;
	if (!p->opts.spin_ns) {
		/* A tuning knob for benchmarks: CVISOR_SPIN_NS=<ns> (1 = none). */
		const char *e = getenv("CVISOR_SPIN_NS");

		p->opts.spin_ns = e && *e ? strtoull(e, NULL, 10) : DEFAULT_SPIN_NS;
		if (!p->opts.spin_ns)
			p->opts.spin_ns = DEFAULT_SPIN_NS;
	}
	if (!p->opts.stub_pool)
		p->opts.stub_pool = DEFAULT_STUB_POOL;
	cfg = (struct stub_cfg){
		.new_namespaces = !p->opts.no_new_namespaces,
		.use_sud = kind == PLAT_SYSTRAP && p->opts.use_sud,
		.ptrace_mode = p->ops->ptrace_mode,
		.spin_ns = p->opts.spin_ns,
		.pool_size = MIN(p->opts.stub_pool, (unsigned)STUB_POOL_MAX),
	};
	r = stub_factory_start(&cfg, &p->factory);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(p);
	return 0;
}

void plat_close(struct plat *p)
{
	if (!p)
		return;
	stub_factory_stop(p->factory);
	free(p);
}

const char *plat_name(const struct plat *p)
{
	return p->ops->name;
}

int plat_as_create(struct plat *p, struct plat_as **ret)
{
	_cleanup_free_ struct plat_as *as = calloc(1, sizeof(*as));
	int r;

	if (!as)
		return -ENOMEM;
	as->plat = p;
	r = stub_factory_spawn(p->factory, &as->sp);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(as);
	return 0;
}

int plat_as_fork(struct plat_as *parent, struct plat_as **ret)
{
	_cleanup_free_ struct plat_as *as = calloc(1, sizeof(*as));
	int r;

	if (!as)
		return -ENOMEM;
	as->plat = parent->plat;
	r = stub_proc_fork(parent->sp, 1, &as->sp);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(as);
	return 0;
}

void plat_as_destroy(struct plat_as *as)
{
	if (!as)
		return;
	stub_factory_bury(as->plat->factory, as->sp);
	free(as);
}

pid_t plat_as_pid(const struct plat_as *as)
{
	return as->sp->pid;
}

static int check_range(uint64_t addr, uint64_t len)
{
	if (!IS_ALIGNED(addr, STUB_PAGE) || !IS_ALIGNED(len, STUB_PAGE) || len == 0)
		return -EINVAL;
	if (addr < PLAT_APP_MIN || addr > STUB_BASE || len > STUB_BASE - addr)
		return -ENOMEM;
	return 0;
}

static int result_to_errno(int r, int64_t res)
{
	if (r < 0)
		return r;
	if (res < 0 && res > -4096)
		return (int)res;
	return 0;
}

int plat_as_map(struct plat_as *as, uint64_t addr, uint64_t len, int prot, unsigned flags, int fd,
		uint64_t off)
{
	int hflags = MAP_FIXED, r;
	int64_t res = 0;

	r = check_range(addr, len);
	if (r < 0)
		return r;
	if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) || !IS_ALIGNED(off, STUB_PAGE))
		return -EINVAL;
	if ((flags & PLAT_MAP_SHARED) == !!(flags & PLAT_MAP_PRIVATE) ||
	    (flags & ~(PLAT_MAP_SHARED | PLAT_MAP_PRIVATE)))
		return -EINVAL;
	hflags |= (flags & PLAT_MAP_SHARED) ? MAP_SHARED : MAP_PRIVATE;
	if (fd < 0) {
		hflags |= MAP_ANONYMOUS | MAP_NORESERVE;
		r = stub_proc_op(as->sp, STUB_OP_MMAP,
				 (uint64_t[6]){ addr, len, (uint64_t)prot, (uint64_t)hflags,
						(uint64_t)-1, 0 },
				 &res, NULL);
	} else {
		r = stub_proc_map_fd(as->sp, addr, len, prot, hflags, fd, off, &res);
	}
	r = result_to_errno(r, res);
	if (r == 0 && (uint64_t)res != addr)
		return -EPROTO;
	return r;
}

int plat_as_unmap(struct plat_as *as, uint64_t addr, uint64_t len)
{
	int64_t res = 0;
	int r = check_range(addr, len);

	if (r < 0)
		return r;
	r = stub_proc_op(as->sp, STUB_OP_MUNMAP, (uint64_t[6]){ addr, len }, &res, NULL);
	return result_to_errno(r, res);
}

int plat_as_protect(struct plat_as *as, uint64_t addr, uint64_t len, int prot)
{
	int64_t res = 0;
	int r = check_range(addr, len);

	if (r < 0)
		return r;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	r = stub_proc_op(as->sp, STUB_OP_MPROTECT, (uint64_t[6]){ addr, len, (uint64_t)prot },
			 &res, NULL);
	return result_to_errno(r, res);
}

static ssize_t as_copy(struct plat_as *as, uint64_t addr, void *buf, size_t len, int write)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)addr, .iov_len = len };
	ssize_t n;

	if (len == 0)
		return 0;
	/* Only application memory: never the stub's own pages. */
	if (addr >= STUB_BASE)
		return -EFAULT;
	if (len > STUB_BASE - addr)
		remote.iov_len = local.iov_len = STUB_BASE - addr;
	n = write ? process_vm_writev(as->sp->pid, &local, 1, &remote, 1, 0)
		  : process_vm_readv(as->sp->pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return errno == ESRCH ? -ESRCH : -EFAULT;
	return n == 0 ? -EFAULT : n;
}

ssize_t plat_as_read(struct plat_as *as, uint64_t addr, void *buf, size_t len)
{
	return as_copy(as, addr, buf, len, 0);
}

ssize_t plat_as_write(struct plat_as *as, uint64_t addr, const void *buf, size_t len)
{
	return as_copy(as, addr, (void *)buf, len, 1);
}

int plat_ctx_create(struct plat_as *as, struct plat_ctx **ret)
{
	_cleanup_free_ struct plat_ctx *ctx = calloc(1, sizeof(*ctx));
	int r;

	if (!ctx)
		return -ENOMEM;
	ctx->as = as;
	ctx->pidfd = -EBADF;
	r = stub_proc_thread(as->sp, &ctx->slot, &ctx->pidfd);
	if (r < 0)
		return r;
	r = as->plat->ops->ctx_init(ctx);
	if (r < 0) {
		as->plat->ops->ctx_fini(ctx);
		safe_close(ctx->pidfd);
		stub_proc_slot_free(as->sp, ctx->slot);
		return r;
	}
	*ret = TAKE_PTR(ctx);
	return 0;
}

void plat_ctx_destroy(struct plat_ctx *ctx)
{
	if (!ctx)
		return;
	ctx->as->plat->ops->ctx_fini(ctx);
	safe_close(ctx->pidfd);
	stub_proc_slot_free(ctx->as->sp, ctx->slot);
	free(ctx);
}

int plat_ctx_switch(struct plat_ctx *ctx, struct plat_cpu *cpu, struct plat_exit *exit)
{
	if (ctx->dead)
		return -ESRCH;
	return ctx->as->plat->ops->ctx_switch(ctx, cpu, exit);
}

int plat_ctx_interrupt(struct plat_ctx *ctx)
{
	if (syscall(SYS_pidfd_send_signal, ctx->pidfd, STUB_SIG_INTERRUPT, NULL, 0) < 0)
		return neg_errno();
	return 0;
}

void plat_cpu_init(struct plat_cpu *cpu, uint64_t rip, uint64_t rsp)
{
	memset(&cpu->regs, 0, sizeof(cpu->regs));
	cpu->regs.rip = rip;
	cpu->regs.rsp = rsp;
	cpu->regs.eflags = 0x202; /* IF + reserved bit 1 */
	cpu->regs.cs = 0x33;
	cpu->regs.ss = 0x2b;
	cpu->regs.orig_rax = (uint64_t)-1;
	cpu->fp.size = 0; /* initial FPU state */
}

void plat_exit_from_signal(struct plat_exit *e, int signo, int code, uint64_t addr, uint64_t err,
			   uint64_t trapno)
{
	memset(e, 0, sizeof(*e));
	e->signo = signo;
	e->code = code;
	e->trapno = (unsigned)trapno;
	switch (signo) {
	case SIGSYS:
		/* SYS_SECCOMP (1) or SYS_USER_DISPATCH (2); anything else was
		 * not a trapped syscall. */
		e->reason = (code == 1 || code == 2) ? PLAT_EXIT_SYSCALL : PLAT_EXIT_INTERRUPT;
		break;
	case SIGSEGV:
	case SIGBUS:
	case SIGFPE:
	case SIGILL:
	case SIGTRAP:
		e->reason = PLAT_EXIT_FAULT;
		e->addr = addr;
		if (signo == SIGSEGV || signo == SIGBUS) {
			/* x86 page-fault error code: bit 1 write, bit 4 fetch. */
			if (err & 0x10)
				e->access = PLAT_ACCESS_EXEC;
			else if (err & 0x2)
				e->access = PLAT_ACCESS_WRITE;
			else
				e->access = PLAT_ACCESS_READ;
		}
		break;
	default:
		e->reason = PLAT_EXIT_INTERRUPT;
	}
}
