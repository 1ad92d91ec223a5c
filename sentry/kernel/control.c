/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Processes driven from outside the sandbox (control.h): spawn, start,
 * wait, kill, ps, freeze, statistics, shutdown.
 */
#include "sentry/kernel/control.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "platform/platform.h"
#include "sentry/fs/hostfd.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"

static const char *const default_env[] = {
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/",
	"TERM=xterm", NULL
};

/* execve @argv[0] in @t, looked up in the PATH of @env when bare. */
static int exec_lookup(struct task *t, const char *const *argv, const char *const *env)
{
	const char *cmd = argv[0], *pathvar = NULL;
	char buf[4096];
	int r = -ENOENT;

	if (strchr(cmd, '/'))
		return task_exec(t, cmd, argv, env);
	for (size_t i = 0; env[i]; i++)
		if (!strncmp(env[i], "PATH=", 5))
			pathvar = env[i] + 5;
	if (!pathvar)
		pathvar = default_env[0] + 5;
	while (*pathvar) {
		size_t n = strcspn(pathvar, ":");
		int e;

		if (n > 0 && n + strlen(cmd) + 2 <= sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, pathvar, cmd);
			e = task_exec(t, buf, argv, env);
			if (e == 0)
				return 0;
			/* keep looking after ENOENT/ENOTDIR; remember EACCES */
			if (e != -ENOENT && e != -ENOTDIR)
				r = e;
		}
		pathvar += n;
		if (*pathvar == ':')
			pathvar++;
	}
	return r;
}

static int install_stdio(struct task *t, int hostfds[3])
{
	static const unsigned mode[3] = { O_RDONLY, O_WRONLY, O_WRONLY };

	for (int i = 0; i < 3; i++) {
		struct file *f = NULL;
		int fd, r;

		if (hostfds[i] >= 0) {
			f = hostfd_file(hostfds[i], mode[i]);
			if (!f)
				return -ENOMEM;
			hostfds[i] = -1; /* the file owns it */
		} else {
			r = vfs_open(t, AT_FDCWD, "/dev/null", O_RDWR, 0, &f);
			if (r < 0)
				return r;
		}
		fd = fdt_install(t->fdt, i, f, 0);
		file_put(f);
		if (fd != i)
			return fd < 0 ? fd : -EBUSY;
	}
	return 0;
}

int kernel_ctl_spawn(struct kernel *k, const struct kernel_spawn *s, int32_t *ret_pid)
{
	const char *const *env = s->env ? s->env : default_env;
	int fds[3] = { s->stdio[0], s->stdio[1], s->stdio[2] };
	struct plat_as *as = NULL;
	struct task *t = NULL;
	int32_t pid;
	int r;

	if (!s->argv || !s->argv[0] || !s->argv[0][0] || s->ngroups > TASK_NGROUPS) {
		r = -EINVAL;
		goto out;
	}
	r = plat_as_create(k->plat, &as);
	if (r < 0)
		goto out;
	r = task_create_process(k, as, 0, 0, 0, 0, s->init, &t);
	if (r < 0) {
		plat_as_destroy(as);
		goto out;
	}
	t->creds.ruid = t->creds.euid = t->creds.suid = t->creds.fsuid = s->uid;
	t->creds.rgid = t->creds.egid = t->creds.sgid = t->creds.fsgid = s->gid;
	for (size_t i = 0; i < s->ngroups; i++)
		t->creds.groups[i] = s->groups[i];
	t->creds.ngroups = (int)s->ngroups;
	t->no_new_privs = s->no_new_privs;
	if (s->has_umask)
		t->fs->umask = s->umask & 0777;
	for (size_t i = 0; i < s->nrlimits; i++) {
		const struct kernel_rlimit *l = &s->rlimits[i];

		if (l->resource < 0 || l->resource >= 16 || l->soft > l->hard) {
			r = -EINVAL;
			break;
		}
		t->tg->rlim[l->resource].cur = l->soft;
		t->tg->rlim[l->resource].max = l->hard;
	}
	if (r == 0)
		r = task_chdir(t, s->cwd && *s->cwd ? s->cwd : "/");
	if (r == 0)
		r = exec_lookup(t, s->argv, env);
	if (r == 0 && s->terminal && fds[0] >= 0) {
		/* task_set_stdio_tty() owns the fds from here on, even on failure */
		r = task_set_stdio_tty(t, fds);
		fds[0] = fds[1] = fds[2] = -1;
	} else if (r == 0) {
		r = install_stdio(t, fds);
	}
	pid = t->tid;
	pthread_mutex_lock(&k->lock);
	if (r == 0 && k->shutting_down)
		r = -ESHUTDOWN;
	if (r == 0 && k->ckpt_busy)
		r = -EBUSY; /* a checkpoint or restore walks the process tree */
	if (r == 0) {
		t->tg->ctl_owner = s->owner ? s->owner : (const void *)k;
		if (s->paused)
			t->tg->ctl_unstarted = t;
	} else if (s->init) {
		k->init = NULL;
	}
	pthread_mutex_unlock(&k->lock);
	if (r < 0) {
		process_abort(t);
		goto out;
	}
	if (!s->paused) {
		r = task_start(t);
		if (r < 0) {
			/* nothing ran: undo as for a failed fork */
			pthread_mutex_lock(&k->lock);
			if (s->init)
				k->init = NULL;
			pthread_mutex_unlock(&k->lock);
			process_abort(t);
			goto out;
		}
	}
	*ret_pid = pid;
out:
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return r;
}

int kernel_ctl_start(struct kernel *k, int32_t pid)
{
	struct thread_group *tg;
	struct task *t = NULL;
	int r;

	if (pid <= 0 || pid >= KERNEL_PID_MAX)
		return -ESRCH;
	pthread_mutex_lock(&k->lock);
	tg = k->tgs[pid];
	if (!tg || !tg->ctl_owner) {
		r = -ESRCH;
	} else if (!tg->ctl_unstarted) {
		r = -EALREADY;
	} else {
		t = tg->ctl_unstarted;
		tg->ctl_unstarted = NULL;
		r = 0;
	}
	pthread_mutex_unlock(&k->lock);
	if (r == 0) {
		r = task_start(t);
		if (r < 0) {
			pthread_mutex_lock(&k->lock);
			tg->ctl_unstarted = t;
			pthread_mutex_unlock(&k->lock);
		}
	}
	return r;
}

/* Sleep on k->cond until @deadline (UINT64_MAX: none); -ETIMEDOUT once it
 * has passed.  kernel.lock held. */
static int wait_cond_locked(struct kernel *k, uint64_t deadline)
{
	uint64_t now = mono_ns(), abs;
	struct timespec ts;

	if (deadline == UINT64_MAX) {
		pthread_cond_wait(&k->cond, &k->lock);
		return 0;
	}
	if (now >= deadline)
		return -ETIMEDOUT;
	abs = now_ns(CLOCK_REALTIME) + (deadline - now);
	ts = (struct timespec){ (time_t)(abs / NSEC_PER_SEC), (long)(abs % NSEC_PER_SEC) };
	pthread_cond_timedwait(&k->cond, &k->lock, &ts);
	return 0;
}

static uint64_t deadline_of(int timeout_ms)
{
	return timeout_ms < 0 ? UINT64_MAX : mono_ns() + (uint64_t)timeout_ms * 1000000ULL;
}

int kernel_ctl_wait(struct kernel *k, int32_t pid, int timeout_ms, bool reap, int *ret_status)
{
	uint64_t deadline = deadline_of(timeout_ms);
	struct thread_group *first;
	int r;

	if (pid <= 0 || pid >= KERNEL_PID_MAX)
		return -ECHILD;
	pthread_mutex_lock(&k->lock);
	first = k->tgs[pid];
	for (;;) {
		struct thread_group *tg = k->tgs[pid];

		/* collected by another waiter meanwhile (the pid may be reused) */
		if (!tg || tg != first || !tg->ctl_owner) {
			r = -ECHILD;
			break;
		}
		if (tg->zombie) {
			*ret_status = tg->exit_status;
			/* pid 1 stays: its status is the container's */
			if (reap && tg != k->init)
				process_free_zombie_locked(k, tg);
			r = 0;
			break;
		}
		r = wait_cond_locked(k, deadline);
		if (r < 0)
			break;
	}
	pthread_mutex_unlock(&k->lock);
	return r;
}

int kernel_ctl_wait_any(struct kernel *k, const void *owner, int timeout_ms, bool reap,
			int32_t *ret_pid, int *ret_status)
{
	uint64_t deadline = deadline_of(timeout_ms);
	int r;

	pthread_mutex_lock(&k->lock);
	for (;;) {
		struct thread_group *live = NULL, *dead = NULL;

		for (int i = 2; i < KERNEL_PID_MAX && !dead; i++) {
			struct thread_group *tg = k->tgs[i];

			if (!tg || tg->ctl_owner != owner || tg->parent || tg == k->init)
				continue;
			if (tg->zombie)
				dead = tg;
			else
				live = tg;
		}
		if (dead) {
			*ret_pid = dead->tgid;
			*ret_status = dead->exit_status;
			if (reap)
				process_free_zombie_locked(k, dead);
			r = 0;
			break;
		}
		if (!live) {
			r = -ECHILD;
			break;
		}
		r = wait_cond_locked(k, deadline);
		if (r < 0)
			break;
	}
	pthread_mutex_unlock(&k->lock);
	return r;
}

static void send_locked(struct thread_group *tg, int sig)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = SI_USER; /* from outside: pid 0, uid 0 */
	signal_send_tg_outside_locked(tg, &info);
}

/* Run the never-started processes that are dying (SIGKILL, shutdown) so
 * that they exit and leave their zombie, as a started one would. */
static void start_dying(struct kernel *k)
{
	struct task *start[64];
	int n;

	do {
		n = 0;
		pthread_mutex_lock(&k->lock);
		for (int i = 1; i < KERNEL_PID_MAX && n < (int)ARRAY_SIZE(start); i++) {
			struct thread_group *tg = k->tgs[i];

			if (tg && tg->ctl_unstarted && tg->exiting) {
				start[n++] = tg->ctl_unstarted;
				tg->ctl_unstarted = NULL;
			}
		}
		pthread_mutex_unlock(&k->lock);
		for (int i = 0; i < n; i++)
			if (task_start(start[i]) < 0)
				process_abort(start[i]);
	} while (n > 0);
}

int kernel_ctl_kill(struct kernel *k, int32_t pid, int sig)
{
	int r = 0;

	if (sig < 0 || sig > SIG_MAX)
		return -EINVAL;
	if (pid < 0 || pid >= KERNEL_PID_MAX)
		return -ESRCH;
	pthread_mutex_lock(&k->lock);
	/* a checkpoint or restore walks the process tree: no exits meanwhile */
	while (k->ckpt_busy)
		pthread_cond_wait(&k->cond, &k->lock);
	if (pid == 0) {
		for (int i = 1; i < KERNEL_PID_MAX; i++) {
			struct thread_group *tg = k->tgs[i];

			if (tg && !tg->zombie && tg->ntasks > 0 && sig)
				send_locked(tg, sig);
		}
	} else {
		struct thread_group *tg = k->tgs[pid];

		if (!tg || tg->zombie || tg->ntasks == 0)
			r = -ESRCH;
		else if (sig)
			send_locked(tg, sig);
	}
	pthread_mutex_unlock(&k->lock);
	/* a SIGKILLed created-but-not-started process stops at once */
	if (r == 0 && sig == SIGKILL)
		start_dying(k);
	return r;
}

void kernel_ctl_release(struct kernel *k, const void *owner)
{
	pthread_mutex_lock(&k->lock);
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct thread_group *tg = k->tgs[i];

		if (!tg || tg->ctl_owner != owner || tg == k->init || tg->parent)
			continue;
		if (tg->zombie) {
			process_free_zombie_locked(k, tg);
		} else if (!tg->ctl_unstarted) {
			tg->ctl_owner = NULL; /* freed when it exits */
		}
		/* a never-started one stays for a later Start or the shutdown */
	}
	pthread_mutex_unlock(&k->lock);
}

/* A task of @tg (its leader if alive), kernel.lock held. */
static struct task *tg_task_locked(struct kernel *k, struct thread_group *tg)
{
	if (k->tids[tg->tgid] && k->tids[tg->tgid]->tg == tg)
		return k->tids[tg->tgid];
	for (int i = 1; i < KERNEL_PID_MAX; i++)
		if (k->tids[i] && k->tids[i]->tg == tg)
			return k->tids[i];
	return NULL;
}

static char tg_state_locked(struct kernel *k, struct thread_group *tg)
{
	if (tg->zombie)
		return 'Z';
	if (tg->sig.stopped || k->frozen || tg->ctl_unstarted)
		return 'T';
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct task *o = k->tids[i];

		if (o && o->tg == tg && __atomic_load_n(&o->app_since, __ATOMIC_RELAXED))
			return 'R';
	}
	return 'S';
}

int kernel_ctl_ps(struct kernel *k, struct kernel_ps **ret, size_t *ret_n)
{
	struct kernel_ps *v = NULL;
	size_t n = 0, cap = 0;
	int r = 0;

	pthread_mutex_lock(&k->lock);
	for (int i = 1; i < KERNEL_PID_MAX && r == 0; i++) {
		struct thread_group *tg = k->tgs[i];
		struct kernel_ps *e;
		struct task *t;

		if (!tg)
			continue;
		if (n == cap) {
			struct kernel_ps *nv = realloc(v, (cap ? cap * 2 : 16) * sizeof(*v));

			if (!nv) {
				r = -ENOMEM;
				break;
			}
			v = nv;
			cap = cap ? cap * 2 : 16;
		}
		e = &v[n];
		memset(e, 0, sizeof(*e));
		e->pid = tg->tgid;
		e->ppid = tg->parent ? tg->parent->tgid : 0;
		t = tg_task_locked(k, tg);
		e->uid = t ? t->creds.ruid : 0;
		e->state = tg_state_locked(k, tg);
		memcpy(e->comm, tg->comm, sizeof(e->comm));
		e->comm[sizeof(e->comm) - 1] = 0;
		e->cmdline = malloc(tg->cmdline_len + 1);
		if (!e->cmdline) {
			r = -ENOMEM;
			break;
		}
		memcpy(e->cmdline, tg->cmdline ? tg->cmdline : "", tg->cmdline_len);
		e->cmdline[tg->cmdline_len] = 0;
		/* NUL-separated argv: spaces, without the last NUL */
		for (size_t j = 0; j < tg->cmdline_len; j++)
			if (!e->cmdline[j])
				e->cmdline[j] = j + 1 == tg->cmdline_len ? 0 : ' ';
		n++;
	}
	pthread_mutex_unlock(&k->lock);
	if (r < 0) {
		kernel_ctl_ps_free(v, n);
		return r;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

void kernel_ctl_ps_free(struct kernel_ps *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i].cmdline);
	free(v);
}

void kernel_ctl_pause(struct kernel *k)
{
	pthread_mutex_lock(&k->lock);
	k->frozen = 1;
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct task *o = k->tids[i];

		/* back into the Sentry, where task_main waits */
		if (o && o->ctx)
			(void)plat_ctx_interrupt(o->ctx);
	}
	pthread_mutex_unlock(&k->lock);
}

void kernel_ctl_resume(struct kernel *k)
{
	pthread_mutex_lock(&k->lock);
	k->frozen = 0;
	for (int i = 1; i < KERNEL_PID_MAX; i++)
		if (k->tids[i])
			pthread_cond_broadcast(&k->tids[i]->sigcond);
	pthread_mutex_unlock(&k->lock);
}

void kernel_ctl_stats(struct kernel *k, struct kernel_stats *ret)
{
	struct kernel_stats s = { 0 };

	pthread_mutex_lock(&k->lock);
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct thread_group *tg = k->tgs[i];
		struct task *o = k->tids[i];

		if (o) {
			s.nthreads++;
			s.cpu_user_ns += __atomic_load_n(&o->utime_ns, __ATOMIC_RELAXED);
			s.cpu_sys_ns += __atomic_load_n(&o->stime_ns, __ATOMIC_RELAXED);
		}
		if (!tg || (tg->zombie && !tg->parent)) /* in k->gone_* already */
			continue;
		s.cpu_user_ns += tg->dead_utime_ns + tg->cutime_ns;
		s.cpu_sys_ns += tg->dead_stime_ns + tg->cstime_ns;
		if (tg->zombie)
			continue;
		s.nprocs++;
		/* k->lock before mm->lock, as procfs does (exec swaps tg->mm under k->lock) */
		if (tg->mm && tg->ntasks > 0)
			s.mem_bytes += mm_account_kb(tg->mm) * 1024;
	}
	s.cpu_user_ns += k->gone_utime_ns;
	s.cpu_sys_ns += k->gone_stime_ns;
	s.paused = k->frozen;
	s.has_init = k->init != NULL;
	s.init_started = k->init && !k->init->ctl_unstarted;
	s.init_exited = k->init_exited;
	s.init_status = k->init_status;
	pthread_mutex_unlock(&k->lock);
	*ret = s;
}

int kernel_ctl_shutdown(struct kernel *k, int timeout_ms)
{
	uint64_t deadline = mono_ns() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms) * 1000000ULL;
	int r = 0;

	pthread_mutex_lock(&k->lock);
	while (k->ckpt_busy) /* as kernel_ctl_kill */
		pthread_cond_wait(&k->cond, &k->lock);
	k->shutting_down = 1;
	k->frozen = 0;
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		if (k->tgs[i] && !k->tgs[i]->zombie)
			send_locked(k->tgs[i], SIGKILL);
		if (k->tids[i])
			pthread_cond_broadcast(&k->tids[i]->sigcond);
	}
	pthread_mutex_unlock(&k->lock);
	/* never-started processes: start them so they die (SIGKILL pending) */
	start_dying(k);
	pthread_mutex_lock(&k->lock);
	while (k->ntasks > 0) {
		uint64_t now = mono_ns(), abs;
		struct timespec ts;

		if (now >= deadline) {
			r = -ETIMEDOUT;
			break;
		}
		abs = now_ns(CLOCK_REALTIME) + (deadline - now);
		ts = (struct timespec){ (time_t)(abs / NSEC_PER_SEC), (long)(abs % NSEC_PER_SEC) };
		pthread_cond_timedwait(&k->cond, &k->lock, &ts);
	}
	pthread_mutex_unlock(&k->lock);
	return r;
}
