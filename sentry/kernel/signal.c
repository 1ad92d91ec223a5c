/* SPDX-License-Identifier: Apache-2.0 */
#include "signal.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "kernel.h"
#include "lib/macro.h"
#include "process.h"
#include "task.h"
#include "sentry/vfs/notify.h"

#define SA_RESTORER_FLAG 0x04000000
#define FP_MAGIC1 0x46505853U
#define FP_MAGIC2 0x46505845U
#define UC_FP_XSTATE 0x1
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
/* EFLAGS bits a signal handler's frame may change (Linux FIX_EFLAGS). */
#define FIX_EFLAGS 0x50dd5ULL /* AC OF DF TF SF ZF AF PF CF RF */
#define SYS_RESTART_SYSCALL 219
#define STOP_SIGS (SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))

/* Every live task of a thread group (kernel.lock held). */
#define FOR_EACH_TASK_LOCKED(k, tg, o)                                                 \
	for (int _i = 1; _i < KERNEL_PID_MAX; _i++)                                    \
		if (((o) = (k)->tids[_i]) != NULL && (o)->tg == (tg))

/* The x86-64 signal frame, as the kernel lays it out. */
struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

struct k_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t _pad;
	uint64_t ss_size;
};

struct k_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct k_stack uc_stack;
	struct k_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct k_rt_sigframe {
	uint64_t pretcode;
	struct k_ucontext uc;
	siginfo_t info;
};

_Static_assert(sizeof(siginfo_t) == 128, "siginfo size");
_Static_assert(offsetof(struct k_ucontext, uc_mcontext) == 40, "ucontext layout");
_Static_assert(sizeof(struct k_sigcontext) == 256, "sigcontext layout");

enum dfl { DFL_TERM, DFL_CORE, DFL_IGN, DFL_STOP };

static enum dfl default_action(int sig)
{
	switch (sig) {
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
	case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return DFL_CORE;
	case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
		return DFL_IGN;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return DFL_STOP;
	default:
		return DFL_TERM;
	}
}

static void queue(struct sigpending *p, const siginfo_t *info)
{
	int sig = info->si_signo;
	struct sigq *q;

	/* Standard signals do not queue: one pending instance. */
	if (sig < SIGRTMIN && (p->set & SIG_BIT(sig)))
		return;
	q = calloc(1, sizeof(*q));
	if (q) {
		q->info = *info;
		if (p->tail)
			p->tail->next = q;
		else
			p->head = q;
		p->tail = q;
	}
	p->set |= SIG_BIT(sig);
}

/* Take the first queued instance of @sig from @p into @info. */
static void dequeue(struct sigpending *p, int sig, siginfo_t *info)
{
	struct sigq **pp = &p->head, *prev = NULL, *q;
	int more = 0;

	memset(info, 0, sizeof(*info));
	info->si_signo = sig;
	while ((q = *pp) && q->info.si_signo != sig) {
		prev = q;
		pp = &q->next;
	}
	if (q) {
		*info = q->info;
		*pp = q->next;
		if (p->tail == q)
			p->tail = prev;
		free(q);
	}
	for (q = p->head; q; q = q->next)
		if (q->info.si_signo == sig)
			more = 1;
	if (!more)
		p->set &= ~SIG_BIT(sig);
}

/* Drop every queued instance of the signals in @set from @p. */
static void flush_set(struct sigpending *p, uint64_t set)
{
	struct sigq **pp = &p->head, *q;

	if (!(p->set & set))
		return;
	p->tail = NULL;
	while ((q = *pp)) {
		if (set & SIG_BIT(q->info.si_signo)) {
			*pp = q->next;
			free(q);
		} else {
			p->tail = q;
			pp = &q->next;
		}
	}
	p->set &= ~set;
}

static void flush_group_locked(struct thread_group *tg, uint64_t set)
{
	struct task *o;

	flush_set(&tg->sig.shared, set);
	FOR_EACH_TASK_LOCKED(tg->k, tg, o)
		flush_set(&o->sig.pending, set);
}

void signal_flush_locked(struct thread_group *tg, int sig)
{
	flush_group_locked(tg, SIG_BIT(sig));
}

void signal_free_pending(struct sigpending *p)
{
	while (p->head) {
		struct sigq *n = p->head->next;

		free(p->head);
		p->head = n;
	}
	p->tail = NULL;
	p->set = 0;
}

int signal_ignored_locked(struct thread_group *tg, int sig)
{
	uint64_t h = tg->sig.act[sig - 1].handler;

	return h == (uint64_t)(uintptr_t)SIG_IGN ||
	       (h == (uint64_t)(uintptr_t)SIG_DFL && default_action(sig) == DFL_IGN);
}

static void wake_group_locked(struct thread_group *tg)
{
	struct task *o;

	FOR_EACH_TASK_LOCKED(tg->k, tg, o) {
		pthread_cond_broadcast(&o->sigcond);
		if (o->ctx)
			(void)plat_ctx_interrupt(o->ctx);
	}
	vfs_notify(); /* tasks in poll/select/epoll_wait re-check at once */
}

/* Is @tg a protected pid 1 (Linux's SIGNAL_UNKILLABLE)?  kernel.lock held. */
static int init_protected_locked(const struct thread_group *tg)
{
	return tg == tg->k->init && !tg->sig.init_killable;
}

/*
 * Does pid 1's protection drop @sig (Linux's sig_task_ignored() for a
 * SIGNAL_UNKILLABLE task)?  @force: sent from outside or by the kernel.
 */
static int init_drops_locked(const struct thread_group *tg, int sig, int force)
{
	return init_protected_locked(tg) &&
	       tg->sig.act[sig - 1].handler == (uint64_t)(uintptr_t)SIG_DFL &&
	       !(force && (sig == SIGKILL || sig == SIGSTOP));
}

/*
 * What generating @sig for @tg does before (and instead of) queueing, as
 * Linux's prepare_signal(): returns 1 if the signal must be queued.
 * @target: the task of a thread-directed signal (its mask decides whether
 * an ignored signal is kept), NULL for a process-directed one.  @force: from
 * outside the sandbox or generated by the kernel (pid 1's protection).
 */
static int prepare_locked(struct thread_group *tg, struct task *target, int sig, int force)
{
	struct task *o;
	int blocked = 0, drop;

	if (tg->ntasks == 0 || tg->exiting)
		return 0; /* a zombie, or dying anyway */
	drop = init_drops_locked(tg, sig, force);
	if (sig == SIGKILL) {
		if (drop)
			return 0;
		/* Fatal for the whole group, whatever its masks; stopped
		 * tasks wake up to die. */
		tg->exiting = 1;
		tg->exit_status = SIGKILL;
		wake_group_locked(tg);
		return 0;
	}
	if (SIG_BIT(sig) & STOP_SIGS) {
		flush_group_locked(tg, SIG_BIT(SIGCONT));
	} else if (sig == SIGCONT) {
		flush_group_locked(tg, STOP_SIGS);
		if (tg->sig.stopped) {
			tg->sig.stopped = 0;
			tg->sig.stop_report = 0;
			tg->sig.cont_report = 1;
			process_notify_parent_locked(tg, CLD_CONTINUED, SIGCONT);
			wake_group_locked(tg);
		}
	}
	if (!signal_ignored_locked(tg, sig) && !drop)
		return 1;
	/* Ignored signals (and those pid 1's protection drops) are discarded
	 * at generation unless blocked (then sigwaitinfo may still take them;
	 * SIGKILL and SIGSTOP are never blocked). */
	if (target)
		return !!(target->sig.mask & SIG_BIT(sig));
	FOR_EACH_TASK_LOCKED(tg->k, tg, o)
		blocked |= !!(o->sig.mask & SIG_BIT(sig));
	return blocked;
}

/* Linux forces kernel-generated signals (SEND_SIG_PRIV, SI_KERNEL). */
static int kernel_generated(const siginfo_t *info)
{
	return info->si_code == SI_KERNEL;
}

/* Thread-directed: queue for @t alone (kernel.lock held). */
static void send_task_locked(struct task *t, const siginfo_t *info)
{
	if (!prepare_locked(t->tg, t, info->si_signo, kernel_generated(info)))
		return;
	queue(&t->sig.pending, info);
	pthread_cond_broadcast(&t->sigcond);
	vfs_notify(); /* a poller re-checks for the signal at once */
	/* Make a task running application code come back to deliver it. */
	if (t->ctx)
		(void)plat_ctx_interrupt(t->ctx);
}

int signal_send(struct task *t, const siginfo_t *info, int group)
{
	struct kernel *k = t->k;
	int sig = info->si_signo;

	if (sig < 1 || sig > SIG_MAX)
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	if (group)
		signal_send_tg_locked(t->tg, info);
	else
		send_task_locked(t, info);
	pthread_mutex_unlock(&k->lock);
	return 0;
}

int signal_send_tid(struct kernel *k, int32_t tgid, int32_t tid, const siginfo_t *info)
{
	struct task *o;
	int r = 0;

	if (info->si_signo < 0 || info->si_signo > SIG_MAX)
		return -EINVAL;
	if (tid <= 0 || tid >= KERNEL_PID_MAX)
		return -ESRCH;
	pthread_mutex_lock(&k->lock);
	o = k->tids[tid];
	if (!o || o->exited || (tgid > 0 && o->tg->tgid != tgid))
		r = -ESRCH;
	else if (info->si_signo)
		send_task_locked(o, info);
	pthread_mutex_unlock(&k->lock);
	return r;
}

static void send_tg_locked(struct thread_group *tg, const siginfo_t *info, int force)
{
	if (!prepare_locked(tg, NULL, info->si_signo, force))
		return;
	queue(&tg->sig.shared, info);
	wake_group_locked(tg);
}

void signal_send_tg_locked(struct thread_group *tg, const siginfo_t *info)
{
	send_tg_locked(tg, info, kernel_generated(info));
}

void signal_send_tg_outside_locked(struct thread_group *tg, const siginfo_t *info)
{
	send_tg_locked(tg, info, 1);
}

void signal_force(struct task *t, int signo, int code, uint64_t addr)
{
	struct kernel *k = t->k;
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	info.si_signo = signo;
	info.si_code = code;
	info.si_addr = (void *)addr;
	pthread_mutex_lock(&k->lock);
	if ((t->sig.mask & SIG_BIT(signo)) ||
	    t->tg->sig.act[signo - 1].handler == (uint64_t)(uintptr_t)SIG_IGN) {
		t->sig.mask &= ~SIG_BIT(signo);
		t->tg->sig.act[signo - 1].handler = (uint64_t)(uintptr_t)SIG_DFL;
	}
	/* A fault that nothing handles kills even pid 1 (Linux's
	 * force_sig_info_to_task() clears SIGNAL_UNKILLABLE). */
	if (t->tg->sig.act[signo - 1].handler == (uint64_t)(uintptr_t)SIG_DFL)
		t->tg->sig.init_killable = 1;
	queue(&t->sig.pending, &info);
	pthread_mutex_unlock(&k->lock);
}

static uint64_t deliverable_locked(struct task *t)
{
	return (t->sig.pending.set | t->tg->sig.shared.set) & ~t->sig.mask;
}

int signal_pending_locked(struct task *t)
{
	/* a checkpoint stops blocking calls as a signal would (restarted) */
	return deliverable_locked(t) != 0 || t->k->ckpt_stopping;
}

int signal_ckpt_only_locked(struct task *t)
{
	return t->k->ckpt_stopping && deliverable_locked(t) == 0;
}

int signal_ckpt_only(struct task *t)
{
	int r;

	pthread_mutex_lock(&t->k->lock);
	r = signal_ckpt_only_locked(t);
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

int signal_pending(struct task *t)
{
	int r;

	pthread_mutex_lock(&t->k->lock);
	r = signal_pending_locked(t);
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

int signal_dequeue_locked(struct task *t, uint64_t set, siginfo_t *info)
{
	uint64_t own = t->sig.pending.set & set, shared = t->tg->sig.shared.set & set;
	int sig;

	if (own) {
		sig = __builtin_ctzll(own) + 1;
		if (!shared || sig <= __builtin_ctzll(shared) + 1) {
			dequeue(&t->sig.pending, sig, info);
			return sig;
		}
	}
	if (!shared)
		return 0;
	sig = __builtin_ctzll(shared) + 1;
	dequeue(&t->tg->sig.shared, sig, info);
	return sig;
}

static void restart_syscall(struct task *t, int64_t code)
{
	t->cpu->regs.rax = code == -ERESTART_RESTARTBLOCK ? SYS_RESTART_SYSCALL
							  : t->cpu->regs.orig_rax;
	t->cpu->regs.rip -= 2; /* back onto the `syscall` instruction */
}

static int is_restart(int64_t r)
{
	return r == -ERESTARTSYS || r == -ERESTARTNOINTR || r == -ERESTARTNOHAND ||
	       r == -ERESTART_RESTARTBLOCK;
}

static int on_alt_stack(const struct task *t, uint64_t sp)
{
	return t->sig.alt_flags != SS_DISABLE && sp > t->sig.alt_sp &&
	       sp - t->sig.alt_sp <= t->sig.alt_size;
}

/* Build the rt_sigframe; -EFAULT if the stack is not writable. */
static int setup_frame(struct task *t, int sig, const struct k_sigaction *act,
		       const siginfo_t *info, uint64_t saved_mask)
{
	struct plat_regs *r = &t->cpu->regs;
	struct plat_fpstate *fp = &t->cpu->fp;
	struct k_rt_sigframe f;
	uint64_t sp = r->rsp - 128; /* red zone */
	uint64_t fpaddr = 0, frame;
	uint32_t fpsize = fp->size;

	if ((act->flags & SA_ONSTACK) && t->sig.alt_flags != SS_DISABLE &&
	    !on_alt_stack(t, r->rsp))
		sp = t->sig.alt_sp + t->sig.alt_size;
	if (fpsize >= 512) {
		uint32_t magic2 = FP_MAGIC2;

		sp = ALIGN_DOWN(sp - fpsize - 4, 64);
		fpaddr = sp;
		if (task_copy_out(t, fpaddr, fp->data, fpsize) != (ssize_t)fpsize ||
		    task_copy_out(t, fpaddr + fpsize, &magic2, 4) != 4)
			return -EFAULT;
	}
	frame = ALIGN_DOWN(sp - sizeof(f), 16) - 8;

	memset(&f, 0, sizeof(f));
	f.pretcode = act->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS | (fpaddr ? UC_FP_XSTATE : 0);
	f.uc.uc_stack.ss_sp = t->sig.alt_sp;
	f.uc.uc_stack.ss_size = t->sig.alt_size;
	f.uc.uc_stack.ss_flags = t->sig.alt_flags == SS_DISABLE ? SS_DISABLE
				 : on_alt_stack(t, r->rsp)     ? SS_ONSTACK
							       : 0;
	struct k_sigcontext *sc = &f.uc.uc_mcontext;
	sc->r8 = r->r8, sc->r9 = r->r9, sc->r10 = r->r10, sc->r11 = r->r11;
	sc->r12 = r->r12, sc->r13 = r->r13, sc->r14 = r->r14, sc->r15 = r->r15;
	sc->rdi = r->rdi, sc->rsi = r->rsi, sc->rbp = r->rbp, sc->rbx = r->rbx;
	sc->rdx = r->rdx, sc->rax = r->rax, sc->rcx = r->rcx, sc->rsp = r->rsp;
	sc->rip = r->rip, sc->eflags = r->eflags;
	sc->cs = 0x33, sc->ss = 0x2b;
	sc->err = 0;
	sc->trapno = 0;
	sc->oldmask = saved_mask;
	sc->cr2 = (uint64_t)info->si_addr;
	sc->fpstate = fpaddr;
	f.uc.uc_sigmask = saved_mask;
	f.info = *info;
	if (task_copy_out(t, frame, &f, sizeof(f)) != (ssize_t)sizeof(f))
		return -EFAULT;

	r->rsp = frame;
	r->rip = act->handler;
	r->rdi = (uint64_t)sig;
	r->rsi = frame + offsetof(struct k_rt_sigframe, info);
	r->rdx = frame + offsetof(struct k_rt_sigframe, uc);
	r->rax = 0;
	r->eflags &= ~0x50500ULL; /* DF TF RF cleared for the handler */
	r->orig_rax = (uint64_t)-1;
	fp->size = 0; /* the handler starts with a clean FPU */
	return 0;
}

/*
 * Park @t while its group is stopped (kernel.lock held; returns with it
 * held).  Other tasks of the group are interrupted and park here too.
 */
static void park_stopped_locked(struct task *t)
{
	while (t->tg->sig.stopped && !t->tg->exiting && !t->exited) {
		task_block_begin(t);
		pthread_cond_wait(&t->sigcond, &t->k->lock);
		task_block_end(t);
	}
}

/* The default action of a stop signal (kernel.lock held). */
static void group_stop_locked(struct task *t, int sig)
{
	struct thread_group *tg = t->tg;

	/* The terminal stop signals are dropped in an orphaned process
	 * group: nobody would continue it. */
	if (sig != SIGSTOP && process_pgrp_orphaned_locked(t->k, tg->pgid))
		return;
	if (tg->exiting)
		return;
	if (!tg->sig.stopped) {
		tg->sig.stopped = 1;
		tg->sig.stop_sig = sig;
		tg->sig.stop_report = 1;
		tg->sig.cont_report = 0;
		wake_group_locked(tg);
		process_notify_parent_locked(tg, CLD_STOPPED, sig);
	}
	park_stopped_locked(t);
}

static void take_default(struct task *t, int sig)
{
	switch (default_action(sig)) {
	case DFL_IGN:
	case DFL_STOP: /* handled under the lock by the caller */
		return;
	case DFL_CORE:
		task_exit_group(t, sig); /* no core is written: no WCOREFLAG */
		return;
	case DFL_TERM:
		task_exit_group(t, sig);
		return;
	}
}

void signal_deliver(struct task *t, int from_syscall, int64_t sys_ret)
{
	struct kernel *k = t->k;
	struct k_sigaction act;
	siginfo_t info;
	uint64_t ready, saved_mask;
	int sig;

	for (;;) {
		pthread_mutex_lock(&k->lock);
		park_stopped_locked(t);
		if (t->tg->exiting || t->exited) {
			pthread_mutex_unlock(&k->lock);
			return;
		}
		ready = deliverable_locked(t);
		if (!ready && from_syscall && is_restart(sys_ret) && k->frozen) {
			/* Frozen (a checkpoint) with the call's restart still
			 * undecided, where Linux's freezer parks (get_signal): a
			 * signal that comes meanwhile interrupts the call, as
			 * it would have the blocked call, instead of being
			 * handled just before the call restarts. */
			t->sys_restart = sys_ret;
			k->nparked++;
			pthread_cond_broadcast(&k->cond);
			while (k->frozen && !t->tg->exiting && !t->exited)
				(void)task_wait_locked(t, CLOCK_MONOTONIC, UINT64_MAX);
			k->nparked--;
			t->sys_restart = 0;
			pthread_mutex_unlock(&k->lock);
			continue;
		}
		if (!ready) {
			/* No handler runs: a sigsuspend mask is undone before
			 * the call restarts (it installs it again). */
			if (t->saved_mask_valid) {
				t->sig.mask = t->saved_mask;
				t->saved_mask_valid = 0;
			}
			pthread_mutex_unlock(&k->lock);
			if (from_syscall && is_restart(sys_ret))
				restart_syscall(t, sys_ret); /* nothing to run: restart */
			return;
		}
		/* Thread-directed (synchronous faults) first, then the lowest. */
		sig = signal_dequeue_locked(t, ready, &info);
		act = t->tg->sig.act[sig - 1];
		saved_mask = t->saved_mask_valid ? t->saved_mask : t->sig.mask;
		t->saved_mask_valid = 0;
		if (act.handler == (uint64_t)(uintptr_t)SIG_IGN ||
		    (act.handler == (uint64_t)(uintptr_t)SIG_DFL && sig != SIGKILL &&
		     default_action(sig) == DFL_IGN)) {
			pthread_mutex_unlock(&k->lock);
			continue; /* discarded; look for another */
		}
		/* pid 1 gets no default action it did not ask for: what is
		 * here with SIG_DFL was blocked at generation, or forced (only
		 * SIGKILL and SIGSTOP pass then), as Linux's get_signal(). */
		if (act.handler == (uint64_t)(uintptr_t)SIG_DFL && init_protected_locked(t->tg) &&
		    sig != SIGKILL && sig != SIGSTOP) {
			pthread_mutex_unlock(&k->lock);
			continue;
		}
		if (act.handler == (uint64_t)(uintptr_t)SIG_DFL && default_action(sig) == DFL_STOP &&
		    sig != SIGKILL) {
			group_stop_locked(t, sig);
			pthread_mutex_unlock(&k->lock);
			continue;
		}
		if (act.handler == (uint64_t)(uintptr_t)SIG_DFL || sig == SIGKILL) {
			pthread_mutex_unlock(&k->lock);
			take_default(t, sig);
			if (default_action(sig) == DFL_IGN || default_action(sig) == DFL_STOP)
				continue;
			return;
		}
		t->sig.mask |= act.mask | ((act.flags & SA_NODEFER) ? 0 : SIG_BIT(sig));
		t->sig.mask &= ~SIG_UNBLOCKABLE;
		if (act.flags & SA_RESETHAND)
			t->tg->sig.act[sig - 1] = (struct k_sigaction){ 0 };
		pthread_mutex_unlock(&k->lock);
		break;
	}

	if (from_syscall && is_restart(sys_ret)) {
		if (sys_ret == -ERESTARTNOHAND || sys_ret == -ERESTART_RESTARTBLOCK ||
		    (sys_ret == -ERESTARTSYS && !(act.flags & SA_RESTART)))
			t->cpu->regs.rax = (uint64_t)-EINTR;
		else
			restart_syscall(t, sys_ret);
	}
	if (!(act.flags & SA_RESTORER_FLAG) || setup_frame(t, sig, &act, &info, saved_mask) < 0)
		task_exit_group(t, SIGSEGV); /* as force_sigsegv */
}

int64_t signal_sigreturn(struct task *t)
{
	struct plat_regs *r = &t->cpu->regs;
	uint64_t frame = r->rsp - 8;
	struct k_rt_sigframe f;
	struct k_sigcontext *sc = &f.uc.uc_mcontext;

	if (task_copy_in(t, frame, &f, sizeof(f)) != (ssize_t)sizeof(f))
		goto bad;
	r->r8 = sc->r8, r->r9 = sc->r9, r->r10 = sc->r10, r->r11 = sc->r11;
	r->r12 = sc->r12, r->r13 = sc->r13, r->r14 = sc->r14, r->r15 = sc->r15;
	r->rdi = sc->rdi, r->rsi = sc->rsi, r->rbp = sc->rbp, r->rbx = sc->rbx;
	r->rdx = sc->rdx, r->rax = sc->rax, r->rcx = sc->rcx, r->rsp = sc->rsp;
	r->rip = sc->rip;
	r->eflags = (r->eflags & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	r->orig_rax = (uint64_t)-1;

	if (sc->fpstate) {
		struct plat_fpstate *fp = &t->cpu->fp;
		uint32_t sw[5];

		/* The frame is the application's: bound every size. */
		if (task_copy_in(t, sc->fpstate + 464, sw, sizeof(sw)) != sizeof(sw))
			goto bad;
		uint32_t size = sw[0] == FP_MAGIC1 ? sw[4] : 512;
		if (size < 512 || size > PLAT_FP_MAX)
			size = 512;
		if (task_copy_in(t, sc->fpstate, fp->data, size) != (ssize_t)size)
			goto bad;
		fp->size = size;
	} else {
		t->cpu->fp.size = 0;
	}

	pthread_mutex_lock(&t->k->lock);
	t->sig.mask = f.uc.uc_sigmask & ~SIG_UNBLOCKABLE;
	pthread_mutex_unlock(&t->k->lock);
	return (int64_t)r->rax;
bad:
	task_exit_group(t, SIGSEGV);
	return 0;
}
