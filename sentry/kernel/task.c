/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_PREFIX "sentry"
#include "task.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "futex.h"
#include "ipc.h"
#include "itimer.h"
#include "ptimer.h"
#include "kernel.h"
#include "process.h"
#include "lib/log.h"
#include "lib/macro.h"
#include "lib/timeutil.h"
#include "sentry/fs/hostfd.h"
#include "sentry/fs/procfs.h"
#include "sentry/fs/pty.h"
#include "sentry/fs/tty.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"

int task_create_init(struct kernel *k, struct plat_as *as, uint64_t entry, uint64_t sp,
		     uint64_t image_start, uint64_t brk_start, struct task **ret)
{
	return task_create_process(k, as, entry, sp, image_start, brk_start, 1, ret);
}

int task_create_process(struct kernel *k, struct plat_as *as, uint64_t entry, uint64_t sp,
			uint64_t image_start, uint64_t brk_start, int init, struct task **ret)
{
	struct thread_group *tg = calloc(1, sizeof(*tg));
	struct task *t = calloc(1, sizeof(*t));
	int r;

	if (!tg || !t || !(t->cpu = calloc(1, sizeof(*t->cpu))) || !(t->fdt = fdt_new()) ||
	    !(t->fs = fs_context_new(k->root))) {
		r = -ENOMEM;
		goto fail;
	}
	r = plat_ctx_create(as, &t->ctx);
	if (r < 0)
		goto fail;
	tg->k = k;
	tg->as = as;
	task_rlimits_default(tg);
	t->sig.alt_flags = SS_DISABLE;
	pthread_cond_init(&t->sigcond, NULL);
	tg->brk_start = brk_start;
	tg->mm = mm_new(image_start, brk_start, LOADER_STACK_TOP - LOADER_STACK_SIZE,
		       LOADER_STACK_TOP);
	if (!tg->mm) {
		r = -ENOMEM;
		goto fail;
	}
	if (entry) { /* a program loaded by loader_load(): it has the vDSO */
		struct mm_vma vv = { .start = LOADER_VDSO_ADDR,
				     .end = LOADER_VDSO_ADDR + loader_vdso_size(),
				     .prot = PROT_READ | PROT_EXEC, .name = "[vdso]" };

		pthread_mutex_lock(&tg->mm->lock);
		r = mm_vma_insert(tg->mm, &vv);
		pthread_mutex_unlock(&tg->mm->lock);
		if (r < 0)
			goto fail;
	}
	t->k = k;
	t->tg = tg;
	itimer_tg_init(tg);
	itimer_task_init(t);
	plat_cpu_init(t->cpu, entry, sp);

	pthread_mutex_lock(&k->lock);
	if (init && (k->init || k->tids[1] || k->tgs[1])) {
		r = -EEXIST; /* pid 1 exists, or is taken */
	} else if (k->shutting_down) {
		r = -ESHUTDOWN;
	} else {
		if (init) {
			t->tid = 1;
			k->tids[1] = t;
			r = 0;
		} else {
			r = kernel_alloc_tid_locked(k, t, &t->tid);
		}
		if (r == 0) {
			tg->tgid = tg->pgid = tg->sid = t->tid;
			tg->ntasks = 1;
			if (init)
				k->init = tg;
			k->tgs[tg->tgid] = tg;
		}
	}
	pthread_mutex_unlock(&k->lock);
	if (r < 0)
		goto fail;
	*ret = t;
	return 0;
fail:
	if (t) {
		plat_ctx_destroy(t->ctx);
		fdt_put(t->fdt);
		fs_context_put(t->fs);
		free(t->cpu);
	}
	free(t);
	if (tg)
		mm_free(tg->mm);
	free(tg);
	return r;
}

/* argv/envp as one NUL-separated block (NULL on allocation failure). */
static char *join_strings(const char *const *v, size_t *ret_len)
{
	size_t len = 0, off = 0;
	char *s;

	for (size_t i = 0; v && v[i]; i++)
		len += strlen(v[i]) + 1;
	s = malloc(len ? len : 1);
	if (!s)
		return NULL;
	for (size_t i = 0; v && v[i]; i++) {
		size_t l = strlen(v[i]) + 1;

		memcpy(s + off, v[i], l);
		off += l;
	}
	*ret_len = len;
	return s;
}

void task_set_environ(struct thread_group *tg, const char *const *envp)
{
	size_t len = 0;
	char *env = join_strings(envp, &len);

	pthread_mutex_lock(&tg->k->lock);
	free(tg->environ);
	tg->environ = env;
	tg->environ_len = env ? len : 0;
	pthread_mutex_unlock(&tg->k->lock);
}

void task_set_program(struct thread_group *tg, const char *exe, const char *const *argv)
{
	struct kernel *k = tg->k;
	size_t len = 0;
	char *cmd = join_strings(argv, &len), *e = strdup(exe ? exe : "");
	const char *base = exe ? strrchr(exe, '/') : NULL;
	pthread_mutex_lock(&k->lock);
	free(tg->exe);
	free(tg->cmdline);
	tg->exe = e;
	tg->cmdline = cmd;
	tg->cmdline_len = cmd ? len : 0;
	snprintf(tg->comm, sizeof(tg->comm), "%s", base ? base + 1 : (exe ? exe : ""));
	pthread_mutex_unlock(&k->lock);
}

void task_set_auxv(struct thread_group *tg, const uint64_t *auxv, unsigned n)
{
	n = MIN(n, (unsigned)ARRAY_SIZE(tg->auxv));
	pthread_mutex_lock(&tg->k->lock);
	memcpy(tg->auxv, auxv, n * sizeof(*auxv));
	tg->auxv_n = n;
	pthread_mutex_unlock(&tg->k->lock);
}

void task_rlimits_default(struct thread_group *tg)
{
	for (int i = 0; i < 16; i++)
		tg->rlim[i].cur = tg->rlim[i].max = UINT64_MAX; /* RLIM_INFINITY */
	tg->rlim[RLIMIT_STACK].cur = 8ULL << 20;
	tg->rlim[RLIMIT_CORE].cur = 0;
	tg->rlim[RLIMIT_NOFILE].cur = 1024;
	tg->rlim[RLIMIT_NOFILE].max = 1024; /* FDT_MAX: the table's size */
	tg->rlim[RLIMIT_MEMLOCK].cur = tg->rlim[RLIMIT_MEMLOCK].max = 8ULL << 20;
	tg->rlim[RLIMIT_SIGPENDING].cur = tg->rlim[RLIMIT_SIGPENDING].max = 63704;
	tg->rlim[RLIMIT_MSGQUEUE].cur = tg->rlim[RLIMIT_MSGQUEUE].max = 819200;
	tg->rlim[RLIMIT_NICE].cur = tg->rlim[RLIMIT_NICE].max = 0;
	tg->rlim[RLIMIT_RTPRIO].cur = tg->rlim[RLIMIT_RTPRIO].max = 0;
	tg->rlim[RLIMIT_NPROC].cur = tg->rlim[RLIMIT_NPROC].max = 63704;
}

int task_clone_thread(struct task *t, struct task **ret)
{
	struct kernel *k = t->k;
	struct task *n = calloc(1, sizeof(*n));
	int r;

	if (!n || !(n->cpu = calloc(1, sizeof(*n->cpu)))) {
		free(n);
		return -ENOMEM;
	}
	r = plat_ctx_create(t->tg->as, &n->ctx);
	if (r < 0) {
		free(n->cpu);
		free(n);
		return r == -EAGAIN ? -EAGAIN : -ENOMEM;
	}
	n->k = k;
	n->tg = t->tg;
	n->creds = t->creds;
	n->fdt = fdt_get(t->fdt);
	n->fs = fs_context_get(t->fs);
	*n->cpu = *t->cpu;
	n->sig.alt_flags = SS_DISABLE; /* not inherited with CLONE_VM */
	pthread_cond_init(&n->sigcond, NULL);
	itimer_task_init(n);
	pthread_mutex_lock(&k->lock);
	n->sig.mask = t->sig.mask;
	n->nice = t->nice;
	n->sched_policy = t->sched_policy;
	memcpy(n->affinity, t->affinity, sizeof(n->affinity));
	if (t->tg->exiting)
		r = -EINTR;
	else
		r = kernel_alloc_tid_locked(k, n, &n->tid);
	if (r == 0)
		t->tg->ntasks++;
	pthread_mutex_unlock(&k->lock);
	if (r < 0) {
		plat_ctx_destroy(n->ctx);
		fdt_put(n->fdt);
		fs_context_put(n->fs);
		pthread_cond_destroy(&n->sigcond);
		free(n->cpu);
		free(n);
		return r;
	}
	*ret = n;
	return 0;
}

void task_abort(struct task *t)
{
	struct kernel *k = t->k;

	pthread_mutex_lock(&k->lock);
	kernel_free_tid_locked(k, t->tid);
	t->tg->ntasks--;
	pthread_mutex_unlock(&k->lock);
	plat_ctx_destroy(t->ctx);
	fdt_put(t->fdt);
	fs_context_put(t->fs);
	pthread_cond_destroy(&t->sigcond);
	free(t->cpu);
	free(t);
}

static __thread struct task *current_task;

struct task *task_current(void)
{
	return current_task;
}

int task_fd_limit(struct task *t)
{
	uint64_t lim;

	pthread_mutex_lock(&t->k->lock);
	lim = t->tg->rlim[RLIMIT_NOFILE].cur;
	pthread_mutex_unlock(&t->k->lock);
	return lim > FDT_MAX ? FDT_MAX : (int)lim;
}

int task_chdir(struct task *t, const char *path)
{
	struct path p;
	int r = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW | WALK_DIRECTORY, &p);

	if (r < 0)
		return r;
	pthread_mutex_lock(&t->fs->lock);
	path_put(&t->fs->cwd);
	t->fs->cwd = p;
	pthread_mutex_unlock(&t->fs->lock);
	return 0;
}

int task_set_stdio(struct task *t, const int hostfds[3])
{
	static const unsigned mode[3] = { O_RDONLY, O_WRONLY, O_WRONLY };

	for (int i = 0; i < 3; i++) {
		struct file *f;
		int fd;

		if (hostfds[i] < 0)
			continue;
		f = hostfd_file(hostfds[i], mode[i]);
		if (!f)
			return -ENOMEM;
		fd = fdt_install(t->fdt, i, f, 0);
		file_put(f);
		if (fd != i)
			return fd < 0 ? fd : -EBUSY;
	}
	return 0;
}

/* An interactive run: stdin and stdout on one host terminal.  (A test
 * runner that hands down only its stdin terminal keeps plain host fds, so
 * that ^C typed there still reaches the runner.) */
static int stdio_terminal(const int hostfds[3], dev_t *ret)
{
	struct stat in, out;

	if (hostfds[0] < 0 || hostfds[1] < 0 || !isatty(hostfds[0]) || !isatty(hostfds[1]) ||
	    fstat(hostfds[0], &in) < 0 || fstat(hostfds[1], &out) < 0 ||
	    in.st_rdev != out.st_rdev)
		return 0;
	*ret = in.st_rdev;
	return 1;
}

int task_set_stdio_tty(struct task *t, const int hostfds[3])
{
	int rest[3] = { -1, -1, -1 };
	struct tty *tty = NULL;
	dev_t rdev;
	int r = 0;

	if (!stdio_terminal(hostfds, &rdev) || tty_host_create(t->k, hostfds[0], &tty) < 0)
		return task_set_stdio(t, hostfds);
	(void)devpts_add(t->k, tty, t); /* /dev/pts/<n>, as a pty slave (ttyname) */
	for (int i = 0; i < 3 && r == 0; i++) {
		struct file *f;
		struct stat st;
		int fd;

		if (i > 0 && (hostfds[i] < 0 || !isatty(hostfds[i]) ||
			      fstat(hostfds[i], &st) < 0 || st.st_rdev != rdev)) {
			rest[i] = hostfds[i];
			continue;
		}
		if (i > 0)
			close(hostfds[i]); /* the same terminal: the first host fd serves */
		r = pty_open_slave(tty, O_RDWR | O_NOCTTY, &f);
		if (r < 0)
			break;
		if (devpts_slave_path(tty, &f->path) < 0)
			f->path.v = NULL;
		fd = fdt_install(t->fdt, i, f, 0);
		file_put(f);
		if (fd != i)
			r = fd < 0 ? fd : -EBUSY;
	}
	if (r == 0)
		r = task_set_stdio(t, rest);
	if (r == 0)
		tty_open_ctty(t, tty, 0); /* pid 1 leads its session */
	tty_put(tty);
	return r;
}

int task_interrupted(struct task *t, int restart_code)
{
	if (task_should_stop(t))
		return -EINTR;
	if (!signal_pending(t))
		return 0;
	/* only a checkpoint stopped the call (ckpt.h): it restarts, even if
	 * a signal would make it report EINTR, so the application never
	 * notices (also when the checkpoint is then refused) */
	if (restart_code == -EINTR && signal_ckpt_only(t))
		return -ERESTARTNOINTR;
	return restart_code;
}

int task_sleep_until(struct task *t, int clock, uint64_t deadline)
{
	struct kernel *k = t->k;
	int r = 0;

	pthread_mutex_lock(&k->lock);
	for (;;) {
		if (t->exited || t->tg->exiting) {
			r = -EINTR;
			break;
		}
		if (signal_pending_locked(t)) {
			r = 1;
			break;
		}
		if (task_wait_locked(t, clock, deadline) == -ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&k->lock);
	return r;
}

int task_wait_locked(struct task *t, int clock, uint64_t deadline)
{
	uint64_t now;

	if (deadline == UINT64_MAX) {
		task_block_begin(t);
		pthread_cond_wait(&t->sigcond, &t->k->lock);
		task_block_end(t);
		return 0;
	}
	now = now_ns(clock);
	if (now >= deadline)
		return -ETIMEDOUT;
	{
		/* The condition variable times out on CLOCK_REALTIME. */
		uint64_t abs = now_ns(CLOCK_REALTIME) + (deadline - now);
		struct timespec ts = { (time_t)(abs / NSEC_PER_SEC), (long)(abs % NSEC_PER_SEC) };

		task_block_begin(t);
		pthread_cond_timedwait(&t->sigcond, &t->k->lock, &ts);
		task_block_end(t);
	}
	return 0;
}

int task_should_stop(struct task *t)
{
	int r;

	pthread_mutex_lock(&t->k->lock);
	r = t->exited || t->tg->exiting;
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

void task_exit_group(struct task *t, int status)
{
	struct kernel *k = t->k;

	pthread_mutex_lock(&k->lock);
	if (!t->tg->exiting) {
		t->tg->exiting = 1;
		t->tg->exit_status = status;
		/* Stop every other task of the group. */
		for (int i = 1; i < KERNEL_PID_MAX; i++) {
			struct task *o = k->tids[i];

			if (o && o->tg == t->tg && o != t) {
				(void)plat_ctx_interrupt(o->ctx);
				pthread_cond_broadcast(&o->sigcond);
			}
		}
	}
	t->exited = 1;
	pthread_mutex_unlock(&k->lock);
}

ssize_t task_copy_in(struct task *t, uint64_t addr, void *buf, size_t len)
{
	return plat_as_read(t->tg->as, addr, buf, len);
}

ssize_t task_copy_out(struct task *t, uint64_t addr, const void *buf, size_t len)
{
	return plat_as_write(t->tg->as, addr, buf, len);
}

static void task_finish(struct task *t)
{
	struct kernel *k = t->k;
	struct thread_group *tg = t->tg;
	int last;

	/* CLONE_CHILD_CLEARTID: zero the tid word and wake a joiner. */
	if (t->clear_child_tid && !t->tg->exiting) {
		uint32_t zero = 0;

		if (task_copy_out(t, t->clear_child_tid, &zero, 4) == 4)
			(void)futex_wake(t, t->clear_child_tid, 1, FUTEX_BITSET_MATCH_ANY);
	}
	plat_ctx_destroy(t->ctx); /* on this thread: ptrace contexts need it */
	fdt_put(t->fdt);
	fs_context_put(t->fs);
	pthread_mutex_lock(&k->lock);
	itimer_task_exit_locked(t);
	kernel_free_tid_locked(k, t->tid);
	last = --tg->ntasks == 0;
	if (last && !tg->exiting) {
		/* The last thread called exit(): the group exits with its code. */
		tg->exiting = 1;
		tg->exit_status = (t->exit_code & 0xff) << 8;
	}
	pthread_mutex_unlock(&k->lock);
	if (last) {
		itimer_tg_exit(tg);
		ptimer_tg_exit(tg);
		ipc_tg_exit(k, tg->tgid); /* SEM_UNDO */
		if (!tg->mm || mm_unuse(tg->mm)) /* CLONE_VM: others may use it */
			plat_as_destroy(tg->as);
		tg->as = NULL;
	}
	signal_free_pending(&t->sig.pending);
	pthread_cond_destroy(&t->sigcond);
	pthread_mutex_lock(&k->lock);
	if (last)
		process_exited_locked(k, tg); /* zombie, reaped or freed */
	k->ntasks--;
	pthread_cond_broadcast(&k->cond);
	pthread_mutex_unlock(&k->lock);
	free(t->cpu);
	free(t);
}

static long strace_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return (long)task_copy_in(ctx, addr, buf, len);
}

static int64_t serve_syscall(struct task *t)
{
	struct plat_regs *r = &t->cpu->regs;
	uint64_t a[6] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 };
	uint64_t nr = r->orig_rax;
	int first = 0;
	int64_t ret = syscall_dispatch(t, nr, a, &first);

	if (first)
		log_debug("unsupported syscall %s (%llu): ENOSYS",
			 syscall_name(nr) ? syscall_name(nr) : "?", (unsigned long long)nr);
	if (t->k->opts.strace) {
		char line[256];

		syscall_format_mem(line, sizeof(line), nr, a, ret, strace_read, t);
		fprintf(stderr, "[%d] %s\n", t->tid, line);
	}
	if (!t->exited)
		r->rax = (uint64_t)ret;
	return ret;
}

static void *task_main(void *arg)
{
	struct task *t = arg;

	procfs_set_current(t);
	current_task = t;
	if (t->sys_restart) {
		/* restored inside a syscall's restart decision (ckpt.h) */
		int64_t code = t->sys_restart;

		t->sys_restart = 0;
		signal_deliver(t, 1, code);
	}
	while (!t->exited) {
		struct plat_exit ex;
		int r, exiting;

		pthread_mutex_lock(&t->k->lock);
		/* paused over the control socket: no application code runs */
		while (t->k->frozen && !t->tg->exiting && !t->exited) {
			/* a safe point: the whole user state is in t->cpu */
			t->k->nparked++;
			pthread_cond_broadcast(&t->k->cond);
			(void)task_wait_locked(t, CLOCK_MONOTONIC, UINT64_MAX);
			t->k->nparked--;
		}
		exiting = t->tg->exiting;
		pthread_mutex_unlock(&t->k->lock);
		if (exiting)
			break;
		itimer_app_enter(t);
		r = plat_ctx_switch(t->ctx, t->cpu, &ex);
		itimer_app_leave(t);
		if (r < 0) {
			/* The stub died under us (killed from outside). */
			task_exit_group(t, SIGKILL);
			break;
		}
		switch (ex.reason) {
		case PLAT_EXIT_SYSCALL: {
			uint64_t nr = t->cpu->regs.orig_rax;
			int64_t ret = serve_syscall(t);

			/* rt_sigreturn restored a whole context: no restart. */
			if (!t->exited)
				signal_deliver(t, nr != SYS_rt_sigreturn, ret);
			break;
		}
		case PLAT_EXIT_FAULT:
			if (t->k->opts.strace)
				fprintf(stderr, "[%d] --- signal %d code %d at 0x%llx (rip 0x%llx) ---\n",
					t->tid, ex.signo, ex.code, (unsigned long long)ex.addr,
					(unsigned long long)t->cpu->regs.rip);
			signal_force(t, ex.signo, ex.code, ex.addr);
			signal_deliver(t, 0, 0);
			break;
		case PLAT_EXIT_INTERRUPT:
			signal_deliver(t, 0, 0);
			break;
		}
	}
	task_finish(t);
	return NULL;
}

int task_start(struct task *t)
{
	pthread_attr_t attr;
	int r;

	pthread_mutex_lock(&t->k->lock);
	t->k->ntasks++;
	pthread_mutex_unlock(&t->k->lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	r = -pthread_create(&t->thread, &attr, task_main, t);
	pthread_attr_destroy(&attr);
	if (r < 0) {
		pthread_mutex_lock(&t->k->lock);
		t->k->ntasks--;
		pthread_mutex_unlock(&t->k->lock);
	}
	return r;
}
