/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Creating stub processes.
 *
 * The holder (see stub.h) is cloned (never exec'd) from a dedicated factory
 * thread of the Sentry, into fresh user/mnt/pid/ipc/uts/net/cgroup
 * namespaces; every other stub is a fork of the holder or of another stub.
 * Between clone() and the jump into the stub blob the holder runs Sentry
 * code on a copy of the Sentry's memory, so it only makes raw,
 * async-signal-safe system calls:
 *
 *   1. pivot into an empty read-only tmpfs (new mount namespace);
 *   2. parent-death signal = SIGKILL (the factory thread lives as long as the
 *      platform);
 *   3. map the stub code (sealed memfd, r-x), the shared pages, the private
 *      stacks at the top of the address space;
 *   4. keep only the control socket (as STUB_SOCK_FD), close every other fd;
 *   5. install the signal handlers (restorer in the blob), unblock signals;
 *   6. drop every capability, set no_new_privs, unregister glibc's rseq area;
 *   7. jump to stub_entry, which unmaps everything outside the stub region,
 *      installs the seccomp filter and starts serving the control page.
 */
#include "stub_host.h"

#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/fdutil.h"
#include "lib/macro.h"
#include "lib/timeutil.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE (1 << 1)
#endif
#define SA_RESTORER_FLAG 0x04000000

struct stub_factory {
	struct stub_cfg cfg;
	int code_fd;
	struct stub_code code;
	uint64_t spin_iters;
	struct stub_proc *holder; /* pid-namespace init, parent of every stub */
	pthread_t thread;
	pthread_mutex_t lock; /* protects everything below */
	pthread_cond_t cond;
	int stop;
	int started;
	int result;
	/* Fresh stubs forked ahead of time, so that creating an address space
	 * (execve) does not pay for a fork on the hot path. */
	struct stub_proc *pool[STUB_POOL_MAX];
	int npool;
	int pool_failed; /* last refill failed: wait for the next request */
	/* Killed stubs waiting to be reaped by the factory thread. */
	struct stub_proc *graveyard;
};

struct child_args {
	const struct stub_factory *f;
	int sock;
	int shared_fd;
};

static const int stub_signals[] = { SIGSYS, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP,
				    STUB_SIG_INTERRUPT };

struct kernel_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

static int child_confine_fs(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return -1;
	if (mount("cvisor-stub", "/proc", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
		  "size=4k,mode=0555") < 0)
		return -1;
	if (chdir("/proc") < 0)
		return -1;
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return -1;
	if (umount2(".", MNT_DETACH) < 0)
		return -1;
	return chdir("/");
}

static int child_drop_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	for (int cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL && errno != EPERM)
			return -1;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -1;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

static void *map_fixed(uint64_t addr, uint64_t len, int prot, int flags, int fd)
{
	return mmap((void *)addr, len, prot, flags | MAP_FIXED_NOREPLACE, fd, 0);
}

static int stub_child(void *arg)
{
	const struct child_args *a = arg;
	const struct stub_factory *f = a->f;
	uint64_t sp, entry;
	sigset_t none;

	if (f->cfg.new_namespaces && child_confine_fs() < 0)
		_exit(10);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		_exit(11);
	if (map_fixed(STUB_BASE, STUB_CODE_SIZE, PROT_READ | PROT_EXEC, MAP_SHARED, f->code_fd) !=
	    (void *)STUB_BASE)
		_exit(12);
	if (map_fixed(STUB_SHARED, STUB_SHARED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      a->shared_fd) != (void *)STUB_SHARED)
		_exit(13);
	if (map_fixed(STUB_PRIV, STUB_PRIV_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1) != (void *)STUB_PRIV)
		_exit(14);
	if (a->sock != STUB_SOCK_FD && dup2(a->sock, STUB_SOCK_FD) < 0)
		_exit(15);
	if (syscall(SYS_close_range, 0, STUB_SOCK_FD - 1, 0) < 0 ||
	    syscall(SYS_close_range, STUB_SOCK_FD + 1, ~0U, 0) < 0)
		_exit(16);

	for (size_t i = 0; i < ARRAY_SIZE(stub_signals); i++) {
		struct kernel_sigaction ka = {
			.handler = STUB_BASE + f->code.off_handler,
			.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER_FLAG,
			.restorer = STUB_BASE + f->code.off_restorer,
			.mask = ~0ULL,
		};

		if (syscall(SYS_rt_sigaction, stub_signals[i], &ka, NULL, 8) < 0)
			_exit(17);
	}
	sigemptyset(&none);
	if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8) < 0)
		_exit(18);
	if (child_drop_caps() < 0)
		_exit(19);
	/* glibc registered an rseq area in this thread's TLS, which is about to
	 * be unmapped: the kernel would fault writing to it. */
	if (__rseq_size > 0 &&
	    syscall(SYS_rseq, (char *)__builtin_thread_pointer() + __rseq_offset, 32,
		    1 /* RSEQ_FLAG_UNREGISTER */, RSEQ_SIG) < 0)
		_exit(20);

	sp = STUB_STACK_ADDR(0) + STUB_STACK_SIZE - 64;
	entry = STUB_BASE + f->code.off_entry;
	__asm__ volatile("mov %0, %%rsp\n\tjmp *%1" ::"r"(sp), "r"(entry) : "memory");
	__builtin_unreachable();
}

static int shared_create(const struct stub_factory *f, int *ret_fd, void **ret_map)
{
	_cleanup_close_ int fd = -EBADF;
	struct stub_ctl *c;
	size_t len = 0;
	void *map;
	int r;

	fd = memfd_create("cvisor-stub-shared", MFD_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	if (ftruncate(fd, STUB_SHARED_SIZE) < 0)
		return neg_errno();
	map = mmap(NULL, STUB_SHARED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return neg_errno();
	c = map;
	c->state = STUB_ST_NEW;
	c->spin_iters = f->spin_iters;
	c->have_fsgsbase = (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE) != 0;
	c->use_sud = f->cfg.use_sud;
	c->ptrace_mode = f->cfg.ptrace_mode;
	r = stub_filter_build(STUB_BASE + f->code.off_gadget_ret, c->filter, STUB_FILTER_MAX, &len);
	if (r < 0) {
		munmap(map, STUB_SHARED_SIZE);
		return r;
	}
	c->prog.len = (unsigned short)len;
	c->prog.filter = (struct sock_filter *)(STUB_SHARED + offsetof(struct stub_ctl, filter));
	*ret_fd = TAKE_FD(fd);
	*ret_map = map;
	return 0;
}

static struct stub_proc *proc_new(struct stub_factory *f)
{
	struct stub_proc *sp = calloc(1, sizeof(*sp));

	if (!sp)
		return NULL;
	sp->pidfd = sp->sock = -EBADF;
	sp->spin_ns = f->cfg.spin_ns;
	sp->spin_iters = f->spin_iters;
	sp->factory = f;
	pthread_mutex_init(&sp->lock, NULL);
	pthread_mutex_init(&sp->fd_lock, NULL);
	return sp;
}

/* Wait until a new stub reports ready on its control page. */
static int wait_ready(struct stub_proc *sp)
{
	int r = stub_wait_change(&sp->ctl->state, STUB_ST_NEW, &sp->ctl->sentry_sleeping, 0,
				 sp->pidfd);

	if (r >= 0 && (r != STUB_ST_TRAPPED || !sp->ctl->ready))
		r = -EPROTO;
	return r < 0 ? r : 0;
}

/* The holder: cloned from the factory thread into fresh namespaces. */
static int spawn_holder(struct stub_factory *f, struct stub_proc **ret)
{
	_cleanup_close_ int shared_fd = -EBADF, child_sock = -EBADF;
	_cleanup_free_ void *stack = NULL;
	struct stub_proc *sp;
	struct child_args a;
	int socks[2], flags, r;
	pid_t pid;

	sp = proc_new(f);
	stack = malloc(64 * 1024);
	if (!sp || !stack) {
		free(sp);
		return -ENOMEM;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks) < 0) {
		r = neg_errno();
		goto fail;
	}
	sp->sock = socks[0];
	child_sock = socks[1];
	r = shared_create(f, &shared_fd, &sp->shared);
	if (r < 0)
		goto fail;
	sp->ctl = sp->shared;

	a = (struct child_args){ .f = f, .sock = child_sock, .shared_fd = shared_fd };
	flags = CLONE_PIDFD | SIGCHLD;
	if (f->cfg.new_namespaces)
		flags |= CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
			 CLONE_NEWNET | CLONE_NEWCGROUP;
	pid = clone(stub_child, (char *)stack + 64 * 1024 - 64, flags, &a, &sp->pidfd);
	if (pid < 0) {
		r = neg_errno();
		goto fail;
	}
	sp->pid = pid;
	r = wait_ready(sp);
	if (r < 0)
		goto fail;
	*ret = sp;
	return 0;
fail:
	stub_proc_kill(sp);
	return r;
}

int stub_proc_fork(struct stub_proc *parent, int as_fork, struct stub_proc **ret)
{
	struct stub_factory *f = parent->factory;
	_cleanup_close_ int shared_fd = -EBADF, child_sock = -EBADF;
	struct stub_proc *sp;
	int64_t rfd[2] = { -1, -1 }, pid = -1, rpidfd = -1;
	int socks[2], r;
	char b = 0;
	ssize_t n;

	sp = proc_new(f);
	if (!sp)
		return -ENOMEM;
	sp->reaper = f->holder;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, socks) < 0) {
		r = neg_errno();
		goto fail;
	}
	sp->sock = socks[0];
	child_sock = socks[1];
	r = shared_create(f, &shared_fd, &sp->shared);
	if (r < 0)
		goto fail;
	sp->ctl = sp->shared;

	/* Hand the new stub's memfd and socket to the parent, then fork. */
	pthread_mutex_lock(&parent->fd_lock);
	n = fd_send(parent->sock, &b, 1, (int[]){ shared_fd, child_sock }, 2);
	r = n < 0 ? (int)n : stub_proc_op(parent, STUB_OP_RECVFD, NULL, &rfd[0], &rfd[1]);
	if (r == 0 && (rfd[0] < 0 || rfd[1] < 0))
		r = rfd[0] < 0 ? (int)rfd[0] : -EPROTO;
	if (r == 0)
		r = stub_proc_op(parent, STUB_OP_FORK,
				 (uint64_t[6]){ (uint64_t)!!as_fork, (uint64_t)rfd[0],
						(uint64_t)rfd[1] },
				 &pid, &rpidfd);
	if (r == 0 && pid <= 0)
		r = pid < 0 ? (int)pid : -EPROTO;
	if (r == 0) {
		/* Still under fd_lock: a concurrent fork must not inherit it. */
		sp->pidfd = (int)syscall(SYS_pidfd_getfd, parent->pidfd, (int)rpidfd, 0);
		if (sp->pidfd < 0)
			r = neg_errno();
		(void)stub_proc_op(parent, STUB_OP_CLOSE, (uint64_t[6]){ (uint64_t)rpidfd }, NULL,
				   NULL);
	}
	pthread_mutex_unlock(&parent->fd_lock);
	if (r < 0)
		goto fail;
	r = stub_pidfd_tid(sp->pidfd, &sp->pid);
	if (r < 0)
		goto fail;
	r = wait_ready(sp);
	if (r < 0)
		goto fail;
	*ret = sp;
	return 0;
fail:
	stub_proc_kill(sp);
	return r;
}

int stub_factory_spawn(struct stub_factory *f, struct stub_proc **ret)
{
	struct stub_proc *sp = NULL;

	pthread_mutex_lock(&f->lock);
	if (f->npool > 0)
		sp = f->pool[--f->npool];
	f->pool_failed = 0;
	pthread_cond_broadcast(&f->cond); /* refill */
	pthread_mutex_unlock(&f->lock);
	if (sp) {
		*ret = sp;
		return 0;
	}
	return stub_proc_fork(f->holder, 0, ret);
}

void stub_factory_bury(struct stub_factory *f, struct stub_proc *sp)
{
	if (!sp)
		return;
	/* Stop it now; the factory thread waits for the exit and reaps. */
	if (sp->pidfd >= 0)
		syscall(SYS_pidfd_send_signal, sp->pidfd, SIGKILL, NULL, 0);
	pthread_mutex_lock(&f->lock);
	sp->next = f->graveyard;
	f->graveyard = sp;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

static void *factory_main(void *arg)
{
	struct stub_factory *f = arg;
	sigset_t all;
	int r;

	/* The holder's parent-death signal is tied to this thread: it lives
	 * exactly as long as the platform. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, NULL);
	r = spawn_holder(f, &f->holder);
	pthread_mutex_lock(&f->lock);
	f->result = r;
	f->started = 1;
	pthread_cond_broadcast(&f->cond);
	while (r == 0 && !f->stop) {
		if (f->graveyard) {
			struct stub_proc *dead = f->graveyard;

			f->graveyard = NULL;
			pthread_mutex_unlock(&f->lock);
			while (dead) {
				struct stub_proc *next = dead->next;

				stub_proc_kill(dead);
				dead = next;
			}
			pthread_mutex_lock(&f->lock);
		} else if (f->npool < (int)f->cfg.pool_size && !f->pool_failed) {
			struct stub_proc *sp = NULL;

			pthread_mutex_unlock(&f->lock);
			r = stub_proc_fork(f->holder, 0, &sp);
			pthread_mutex_lock(&f->lock);
			if (r == 0)
				f->pool[f->npool++] = sp;
			else
				f->pool_failed = 1;
			r = 0;
		} else {
			pthread_cond_wait(&f->cond, &f->lock);
		}
	}
	while (f->npool > 0) {
		f->pool[f->npool - 1]->next = f->graveyard;
		f->graveyard = f->pool[--f->npool];
	}
	pthread_mutex_unlock(&f->lock);
	for (struct stub_proc *sp = f->graveyard, *next; sp; sp = next) {
		next = sp->next;
		stub_proc_kill(sp);
	}
	f->graveyard = NULL;
	stub_proc_kill(f->holder);
	f->holder = NULL;
	return NULL;
}

/* How many `pause` iterations fit in @ns on this machine. */
static uint64_t calibrate_spin(uint64_t ns)
{
	uint64_t t0, dt, iters = 20000;

	t0 = mono_ns();
	for (uint64_t i = 0; i < iters; i++)
		__asm__ volatile("pause" ::: "memory");
	dt = mono_ns() - t0;
	if (dt == 0)
		dt = 1;
	return MAX(ns * iters / dt, (uint64_t)1);
}

static int code_memfd(const struct stub_code *code)
{
	_cleanup_close_ int fd = -EBADF;

	if (code->size > STUB_CODE_SIZE)
		return -E2BIG;
	fd = memfd_create("cvisor-stub-code", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return neg_errno();
	if (ftruncate(fd, STUB_CODE_SIZE) < 0 ||
	    pwrite(fd, code->start, code->size, 0) != (ssize_t)code->size)
		return -EIO;
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return neg_errno();
	return TAKE_FD(fd);
}

int stub_factory_start(const struct stub_cfg *cfg, struct stub_factory **ret)
{
	_cleanup_free_ struct stub_factory *f = calloc(1, sizeof(*f));
	int r;

	if (!f)
		return -ENOMEM;
	f->cfg = *cfg;
	stub_code_get(&f->code);
	f->code_fd = code_memfd(&f->code);
	if (f->code_fd < 0)
		return f->code_fd;
	f->spin_iters = calibrate_spin(cfg->spin_ns);
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	r = -pthread_create(&f->thread, NULL, factory_main, f);
	if (r < 0) {
		safe_close(f->code_fd);
		return r;
	}
	pthread_mutex_lock(&f->lock);
	while (!f->started)
		pthread_cond_wait(&f->cond, &f->lock);
	r = f->result;
	pthread_mutex_unlock(&f->lock);
	if (r < 0) {
		stub_factory_stop(TAKE_PTR(f));
		return r;
	}
	*ret = TAKE_PTR(f);
	return 0;
}

void stub_factory_stop(struct stub_factory *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	f->stop = 1;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->cond);
	safe_close(f->code_fd);
	free(f);
}
