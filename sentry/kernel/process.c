/* SPDX-License-Identifier: Apache-2.0 */
#include "process.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "itimer.h"
#include "kernel.h"
#include "sentry/fs/tty.h"
#include "sentry/mm/mm.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/vfs.h"
#include "signal.h"
#include "task.h"

static void link_child(struct thread_group *parent, struct thread_group *c)
{
	c->parent = parent;
	c->sibling = parent->children;
	parent->children = c;
}

static void unlink_child(struct thread_group *c)
{
	if (!c->parent)
		return;
	for (struct thread_group **pp = &c->parent->children; *pp; pp = &(*pp)->sibling)
		if (*pp == c) {
			*pp = c->sibling;
			break;
		}
	c->parent = NULL;
	c->sibling = NULL;
}

static void tg_free_locked(struct kernel *k, struct thread_group *tg)
{
	unlink_child(tg);
	if (tg->tgid > 0 && tg->tgid < KERNEL_PID_MAX && k->tgs[tg->tgid] == tg)
		k->tgs[tg->tgid] = NULL;
	signal_free_pending(&tg->sig.shared);
	tty_tg_setsid_locked(tg); /* drops the terminal, if any */
	mm_free(tg->mm);
	free(tg->exe);
	free(tg->cmdline);
	free(tg->environ);
	free(tg);
}

int process_fork(struct task *t, int exit_signal, bool share_vm, struct task **ret)
{
	struct kernel *k = t->k;
	struct thread_group *tg = calloc(1, sizeof(*tg));
	struct task *n = calloc(1, sizeof(*n));
	int r = -ENOMEM;

	if (!tg || !n || !(n->cpu = calloc(1, sizeof(*n->cpu))))
		goto fail;
	n->k = k;
	if (share_vm) { /* CLONE_VM: the parent's address space and mm */
		tg->as = t->tg->as;
		tg->mm = mm_share(t->tg->mm);
		r = 0;
	} else {
		r = mm_fork(t->tg->mm, t->tg->as, &tg->as, &tg->mm);
	}
	if (r < 0)
		goto fail;
	r = plat_ctx_create(tg->as, &n->ctx);
	if (r < 0)
		goto fail;
	n->fdt = fdt_copy(t->fdt);
	n->fs = fs_context_copy(t->fs);
	if (!n->fdt || !n->fs) {
		r = -ENOMEM;
		goto fail;
	}
	tg->k = k;
	itimer_tg_init(tg);
	itimer_task_init(n);
	tg->brk_start = t->tg->brk_start;
	tg->exit_signal = exit_signal;
	n->tg = tg;
	n->creds = t->creds;
	*n->cpu = *t->cpu;
	n->cpu->regs.rax = 0;
	n->sig.alt_sp = t->sig.alt_sp;
	n->sig.alt_size = t->sig.alt_size;
	n->sig.alt_flags = t->sig.alt_flags;
	pthread_cond_init(&n->sigcond, NULL);

	pthread_mutex_lock(&k->lock);
	if (t->tg->exiting) {
		r = -EINTR;
	} else {
		r = kernel_alloc_tid_locked(k, n, &n->tid);
	}
	if (r == 0) {
		memcpy(tg->sig.act, t->tg->sig.act, sizeof(tg->sig.act));
		n->nice = t->nice;
		n->sched_policy = t->sched_policy;
		memcpy(n->affinity, t->affinity, sizeof(n->affinity));
		memcpy(tg->rlim, t->tg->rlim, sizeof(tg->rlim));
		memcpy(tg->auxv, t->tg->auxv, sizeof(tg->auxv));
		tg->auxv_n = t->tg->auxv_n;
		tg->oom_score_adj = t->tg->oom_score_adj;
		memcpy(tg->comm, t->tg->comm, sizeof(tg->comm));
		tg->exe = t->tg->exe ? strdup(t->tg->exe) : NULL;
		if (t->tg->cmdline && (tg->cmdline = malloc(t->tg->cmdline_len ? t->tg->cmdline_len : 1))) {
			memcpy(tg->cmdline, t->tg->cmdline, t->tg->cmdline_len);
			tg->cmdline_len = t->tg->cmdline_len;
		}
		if (t->tg->environ && (tg->environ = malloc(t->tg->environ_len ? t->tg->environ_len : 1))) {
			memcpy(tg->environ, t->tg->environ, t->tg->environ_len);
			tg->environ_len = t->tg->environ_len;
		}
		n->sig.mask = t->sig.mask;
		tg->tgid = n->tid;
		tg->pgid = t->tg->pgid;
		tg->sid = t->tg->sid;
		tty_tg_fork_locked(t->tg, tg);
		tg->ntasks = 1;
		k->tgs[tg->tgid] = tg;
		link_child(t->tg, tg);
	}
	pthread_mutex_unlock(&k->lock);
	if (r < 0) {
		pthread_cond_destroy(&n->sigcond);
		goto fail;
	}
	*ret = n;
	return 0;
fail:
	if (n) {
		plat_ctx_destroy(n->ctx);
		fdt_put(n->fdt);
		fs_context_put(n->fs);
		free(n->cpu);
	}
	if (tg) {
		if (tg->mm && mm_unuse(tg->mm))
			plat_as_destroy(tg->as);
		mm_free(tg->mm);
	}
	free(n);
	free(tg);
	return r;
}

void process_free_zombie_locked(struct kernel *k, struct thread_group *tg)
{
	if (k->init == tg)
		k->init = NULL;
	tg_free_locked(k, tg);
}

void process_abort(struct task *n)
{
	struct kernel *k = n->k;
	struct thread_group *tg = n->tg;

	plat_ctx_destroy(n->ctx);
	fdt_put(n->fdt);
	fs_context_put(n->fs);
	if (mm_unuse(tg->mm))
		plat_as_destroy(tg->as);
	pthread_mutex_lock(&k->lock);
	kernel_free_tid_locked(k, n->tid);
	tg_free_locked(k, tg);
	pthread_mutex_unlock(&k->lock);
	pthread_cond_destroy(&n->sigcond);
	free(n->cpu);
	free(n);
}

static void wake_tasks_locked(struct kernel *k, struct thread_group *tg)
{
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct task *o = k->tids[i];

		if (o && o->tg == tg)
			pthread_cond_broadcast(&o->sigcond);
	}
}

/* Orphaned, not counting @gone (a process on its way out), neither as a
 * member nor as anyone's parent? */
static int orphaned_without_locked(struct kernel *k, int32_t pgid, struct thread_group *gone)
{
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct thread_group *g = k->tgs[i];

		if (!g || g == gone || g->pgid != pgid || g->zombie || !g->parent ||
		    g->parent == gone)
			continue;
		if (g->parent->pgid != pgid && g->parent->sid == g->sid)
			return 0;
	}
	return 1;
}

int process_pgrp_orphaned_locked(struct kernel *k, int32_t pgid)
{
	return orphaned_without_locked(k, pgid, NULL);
}

/*
 * @gone is exiting: if that leaves process group @pgid orphaned with a
 * stopped member, the group gets SIGHUP then SIGCONT (POSIX), or nobody
 * would ever continue it.
 */
static void hup_if_orphaned_locked(struct kernel *k, int32_t pgid, struct thread_group *gone)
{
	siginfo_t info;
	int stopped = 0;

	if (!orphaned_without_locked(k, pgid, gone))
		return;
	for (int i = 1; i < KERNEL_PID_MAX; i++)
		stopped |= k->tgs[i] && k->tgs[i] != gone && k->tgs[i]->pgid == pgid &&
			   k->tgs[i]->sig.stopped;
	if (!stopped)
		return;
	memset(&info, 0, sizeof(info));
	info.si_code = SI_KERNEL;
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct thread_group *g = k->tgs[i];

		if (!g || g == gone || g->pgid != pgid)
			continue;
		info.si_signo = SIGHUP;
		signal_send_tg_locked(g, &info);
		info.si_signo = SIGCONT;
		signal_send_tg_locked(g, &info);
	}
}

/* PR_SET_PDEATHSIG: @c's parent process @tg is gone (sent to @c's
 * process, as Linux does). */
static void send_pdeathsig_locked(struct kernel *k, struct thread_group *tg,
				  struct thread_group *c)
{
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct task *o = k->tids[i];
		siginfo_t info;

		if (!o || o->tg != c || !o->pdeathsig)
			continue;
		memset(&info, 0, sizeof(info));
		info.si_signo = o->pdeathsig;
		info.si_code = SI_USER;
		info.si_pid = tg->tgid;
		signal_send_tg_locked(c, &info);
	}
}

void process_exited_locked(struct kernel *k, struct thread_group *tg)
{
	struct thread_group *parent = tg->parent;
	struct thread_group *init = k->init;
	int status = tg->exit_status;

	/* Orphans go to the nearest living ancestor that is a child
	 * subreaper, else to pid 1 (or nowhere when pid 1 itself is leaving). */
	struct thread_group *reaper = init;

	tty_tg_exit_locked(tg); /* a session leader's exit detaches its terminal */
	for (struct thread_group *a = tg->parent; a; a = a->parent)
		if (a->child_subreaper && a->ntasks > 0 && !a->exiting) {
			reaper = a;
			break;
		}
	while (tg->children) {
		struct thread_group *c = tg->children;

		unlink_child(c);
		if (!c->zombie)
			send_pdeathsig_locked(k, tg, c);
		if (reaper && reaper != tg && reaper->ntasks > 0) {
			link_child(reaper, c);
			if (c->zombie)
				wake_tasks_locked(k, reaper);
			/* We may have been the child's group's link to the
			 * session (Linux's kill_orphaned_pgrp). */
			else if (c->pgid != tg->pgid && c->sid == tg->sid)
				hup_if_orphaned_locked(k, c->pgid, tg);
		} else if (c->zombie) {
			tg_free_locked(k, c);
		}
	}
	tg->vfork_done = 1;
	if (parent && parent->pgid != tg->pgid && parent->sid == tg->sid)
		hup_if_orphaned_locked(k, tg->pgid, tg);
	if (tg == init) {
		/* pid 1 is gone: like a pid namespace, everything else dies. */
		siginfo_t kill = { .si_signo = SIGKILL };

		k->init_exited = 1;
		k->init_status = status;
		for (int i = 1; i < KERNEL_PID_MAX; i++)
			if (k->tgs[i] && k->tgs[i] != tg)
				signal_send_tg_locked(k->tgs[i], &kill);
	}
	if (!parent) {
		k->gone_utime_ns += tg->dead_utime_ns + tg->cutime_ns;
		k->gone_stime_ns += tg->dead_stime_ns + tg->cstime_ns;
		/* Spawned over the control socket: kept for its Wait. */
		if (tg->ctl_owner)
			tg->zombie = 1;
		else
			tg_free_locked(k, tg);
		return;
	}
	/* A parent that ignores SIGCHLD (or says SA_NOCLDWAIT) leaves no zombie. */
	struct k_sigaction *chld = &parent->sig.act[SIGCHLD - 1];
	int autoreap = tg->exit_signal == SIGCHLD &&
		       (chld->handler == (uint64_t)(uintptr_t)SIG_IGN ||
			(chld->flags & SA_NOCLDWAIT));
	if (tg->exit_signal > 0 && tg->exit_signal <= SIG_MAX) {
		siginfo_t info;

		memset(&info, 0, sizeof(info));
		info.si_signo = tg->exit_signal;
		info.si_pid = tg->tgid;
		if (WIFEXITED(status)) {
			info.si_code = CLD_EXITED;
			info.si_status = WEXITSTATUS(status);
		} else {
			info.si_code = WCOREDUMP(status) ? CLD_DUMPED : CLD_KILLED;
			info.si_status = WTERMSIG(status);
		}
		signal_send_tg_locked(parent, &info);
	}
	if (autoreap) {
		tg_free_locked(k, tg);
	} else {
		tg->zombie = 1;
	}
	wake_tasks_locked(k, parent);
}

void process_notify_parent_locked(struct thread_group *tg, int code, int sig)
{
	struct thread_group *parent = tg->parent;
	siginfo_t info;

	if (!parent || parent->ntasks == 0)
		return;
	if (!(parent->sig.act[SIGCHLD - 1].flags & SA_NOCLDSTOP)) {
		memset(&info, 0, sizeof(info));
		info.si_signo = SIGCHLD;
		info.si_code = code;
		info.si_pid = tg->tgid;
		info.si_status = sig;
		signal_send_tg_locked(parent, &info);
	}
	wake_tasks_locked(tg->k, parent);
}

static int matches(const struct thread_group *c, int kind, int32_t id, int options)
{
	/* A "clone" child (exit signal other than SIGCHLD) is waited for only
	 * with __WCLONE, the others only without it; __WALL takes both. */
	if (!(options & __WALL) && !!(options & __WCLONE) != (c->exit_signal != SIGCHLD))
		return 0;
	switch (kind) {
	case WAIT_PID:
		return c->tgid == id;
	case WAIT_PGID:
		return c->pgid == id;
	default:
		return 1;
	}
}

/* What @c has to report to a waiter with @options; fills @res. */
static int report_locked(struct thread_group *c, int options, struct wait_result *res)
{
	memset(res, 0, sizeof(*res));
	res->pid = c->tgid;
	if (c->zombie) {
		if (!(options & WEXITED))
			return 0;
		res->status = c->exit_status;
		if (WIFEXITED(c->exit_status)) {
			res->code = CLD_EXITED;
			res->info_status = WEXITSTATUS(c->exit_status);
		} else {
			res->code = WCOREDUMP(c->exit_status) ? CLD_DUMPED : CLD_KILLED;
			res->info_status = WTERMSIG(c->exit_status);
		}
		return 1;
	}
	if ((options & WSTOPPED) && c->sig.stopped && c->sig.stop_report) {
		res->status = (c->sig.stop_sig << 8) | 0x7f;
		res->code = CLD_STOPPED;
		res->info_status = c->sig.stop_sig;
		if (!(options & WNOWAIT))
			c->sig.stop_report = 0;
		return 1;
	}
	if ((options & WCONTINUED) && c->sig.cont_report) {
		res->status = 0xffff;
		res->code = CLD_CONTINUED;
		res->info_status = SIGCONT;
		if (!(options & WNOWAIT))
			c->sig.cont_report = 0;
		return 1;
	}
	return 0;
}

int process_wait(struct task *t, int kind, int32_t id, int options, struct wait_result *res)
{
	struct kernel *k = t->k;
	int r;

	pthread_mutex_lock(&k->lock);
	for (;;) {
		int any = 0;

		for (struct thread_group *c = t->tg->children; c; c = c->sibling) {
			if (!matches(c, kind, id, options))
				continue;
			/* "clone" children (exit signal other than SIGCHLD) only
			 * with __WCLONE, the others only without; __WALL: all */
			if (((c->exit_signal != SIGCHLD) ^ !!(options & __WCLONE)) &&
			    !(options & __WALL))
				continue;
			any = 1;
			if (!report_locked(c, options, res))
				continue;
			if (c->zombie) {
				task_cputime_tg_locked(c, &res->utime_ns, &res->stime_ns);
				res->utime_ns += c->cutime_ns;
				res->stime_ns += c->cstime_ns;
				res->maxrss_kb = c->maxrss_kb;
				if (!(options & WNOWAIT)) {
					t->tg->cutime_ns += res->utime_ns;
					t->tg->cstime_ns += res->stime_ns;
					if (c->maxrss_kb > t->tg->cmaxrss_kb)
						t->tg->cmaxrss_kb = c->maxrss_kb;
					if (c->cmaxrss_kb > t->tg->cmaxrss_kb)
						t->tg->cmaxrss_kb = c->cmaxrss_kb;
					tg_free_locked(k, c);
				}
			}
			r = 1;
			goto out;
		}
		if (!any) {
			r = -ECHILD;
			goto out;
		}
		if (options & WNOHANG) {
			r = 0;
			goto out;
		}
		if (t->exited || t->tg->exiting) {
			r = -EINTR;
			goto out;
		}
		if (signal_pending_locked(t)) {
			r = -ERESTARTSYS;
			goto out;
		}
		task_block_begin(t);
		pthread_cond_wait(&t->sigcond, &k->lock);
		task_block_end(t);
	}
out:
	pthread_mutex_unlock(&k->lock);
	return r;
}

void process_wait_vfork(struct task *t, struct thread_group *child)
{
	struct kernel *k = t->k;
	int32_t pid = child->tgid;

	pthread_mutex_lock(&k->lock);
	/* The child may be reaped (freed) by someone else: look it up. */
	while (k->tgs[pid] == child && !child->vfork_done && !t->tg->exiting) {
		task_block_begin(t);
		pthread_cond_wait(&t->sigcond, &k->lock);
		task_block_end(t);
	}
	pthread_mutex_unlock(&k->lock);
}

/* May @t signal @g?  Linux's rule: root (CAP_KILL), or the sender's real or
 * effective uid is the target's real or saved uid; SIGCONT within the
 * session.  A zombie has no task left to refuse. */
static int kill_permitted_locked(struct task *t, struct thread_group *g, int sig)
{
	const struct creds *c = &t->creds;
	struct task *o = t->k->tids[g->tgid];

	if (c->euid == 0 || g == t->tg || (sig == SIGCONT && g->sid == t->tg->sid))
		return 1;
	for (int i = 1; i < KERNEL_PID_MAX && (!o || o->tg != g); i++)
		o = t->k->tids[i];
	if (!o || o->tg != g)
		return 1;
	return c->euid == o->creds.suid || c->euid == o->creds.ruid ||
	       c->ruid == o->creds.suid || c->ruid == o->creds.ruid;
}

int process_kill(struct task *t, int32_t pid, int sig, int code)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = code;
	info.si_pid = t->tg->tgid;
	info.si_uid = t->creds.ruid;
	return process_kill_info(t, pid, &info);
}

int process_kill_info(struct task *t, int32_t pid, const siginfo_t *info)
{
	struct kernel *k = t->k;
	int sig = info->si_signo;
	int found = 0, denied = 0;

	if (sig < 0 || sig > SIG_MAX)
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct thread_group *g = k->tgs[i];
		int hit;

		if (!g)
			continue;
		if (pid > 0)
			hit = g->tgid == pid;
		else if (pid == 0)
			hit = g->pgid == t->tg->pgid;
		else if (pid == -1)
			hit = g->tgid != 1 && g != t->tg; /* not init, not ourselves */
		else
			hit = g->pgid == -pid;
		if (!hit)
			continue;
		if (!kill_permitted_locked(t, g, sig)) {
			denied = 1;
			continue;
		}
		found = 1;
		if (sig != 0)
			signal_send_tg_locked(g, info);
	}
	pthread_mutex_unlock(&k->lock);
	/* kill(-1) succeeds even when every target refused */
	return found || (denied && pid == -1) ? 0 : denied ? -EPERM : -ESRCH;
}

static struct thread_group *find_tg_locked(struct task *t, int32_t pid)
{
	if (pid == 0)
		return t->tg;
	if (pid < 0 || pid >= KERNEL_PID_MAX)
		return NULL;
	return t->k->tgs[pid];
}

int process_setpgid(struct task *t, int32_t pid, int32_t pgid)
{
	struct kernel *k = t->k;
	struct thread_group *g;
	int r = 0;

	if (pgid < 0)
		return -EINVAL;
	pthread_mutex_lock(&k->lock);
	g = find_tg_locked(t, pid);
	if (!g || (g != t->tg && g->parent != t->tg)) {
		r = -ESRCH;
		goto out;
	}
	if (pgid == 0)
		pgid = g->tgid;
	if (g != t->tg && g->sid == t->tg->sid && g->did_exec) {
		r = -EACCES; /* a child that has exec'd is out of reach */
		goto out;
	}
	if (g->sid == g->tgid || g->sid != t->tg->sid) {
		r = -EPERM; /* a session leader, or another session */
		goto out;
	}
	if (g != t->tg && g->did_exec) {
		r = -EACCES; /* a child that has exec'd */
		goto out;
	}
	if (pgid != g->tgid) {
		int exists = 0;

		for (int i = 1; i < KERNEL_PID_MAX && !exists; i++)
			exists = k->tgs[i] && k->tgs[i]->pgid == pgid &&
				 k->tgs[i]->sid == t->tg->sid;
		if (!exists) {
			r = -EPERM;
			goto out;
		}
	}
	g->pgid = pgid;
out:
	pthread_mutex_unlock(&k->lock);
	return r;
}

int process_getpgid(struct task *t, int32_t pid)
{
	struct thread_group *g;
	int r;

	pthread_mutex_lock(&t->k->lock);
	g = find_tg_locked(t, pid);
	r = g ? g->pgid : -ESRCH;
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

int process_getsid(struct task *t, int32_t pid)
{
	struct thread_group *g;
	int r;

	pthread_mutex_lock(&t->k->lock);
	g = find_tg_locked(t, pid);
	r = g ? g->sid : -ESRCH;
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

int process_setsid(struct task *t)
{
	struct kernel *k = t->k;
	int r;

	pthread_mutex_lock(&k->lock);
	/* A process group leader (or any group already using our pid as its
	 * id) cannot start a session. */
	r = 0;
	for (int i = 1; i < KERNEL_PID_MAX && r == 0; i++)
		if (k->tgs[i] && k->tgs[i]->pgid == t->tg->tgid)
			r = -EPERM;
	if (r == 0) {
		t->tg->sid = t->tg->pgid = t->tg->tgid;
		tty_tg_setsid_locked(t->tg);
		r = t->tg->tgid;
	}
	pthread_mutex_unlock(&k->lock);
	return r;
}

int32_t process_getppid(struct task *t)
{
	int32_t r;

	pthread_mutex_lock(&t->k->lock);
	r = t->tg->parent ? t->tg->parent->tgid : 0;
	pthread_mutex_unlock(&t->k->lock);
	return r;
}
