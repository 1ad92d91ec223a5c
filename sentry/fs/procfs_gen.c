/* SPDX-License-Identifier: Apache-2.0 */
/* procfs: the text of the generated files (per process and system-wide). */
#include "procfs_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "sentry/fs/tty.h"
#include "sentry/kernel/itimer.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/net/netif.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"

/* ---- generated files ---- */

struct gen {
	char *buf;
	size_t len, cap;
	struct kernel *k; /* oom_score_adj writes: the process they set */
	int32_t pid;
};

static void put(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(g->buf + g->len, g->cap - g->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < g->cap - g->len) {
			g->len += (size_t)n;
			return;
		}
		char *nb = realloc(g->buf, g->cap * 2 + (size_t)n);
		if (!nb)
			return;
		g->buf = nb;
		g->cap = g->cap * 2 + (size_t)n;
	}
}

/* @s with space, tab, newline and backslash as octal escapes (Linux's
 * mangle() in mountinfo): mount points come from the application. */
static void put_escaped(struct gen *g, const char *s)
{
	for (; s && *s; s++)
		if (strchr(" \t\n\\", *s))
			put(g, "\\%03o", (unsigned char)*s);
		else
			put(g, "%c", *s);
}

/* mountinfo: ids are mount table positions + 1 (fdinfo's mnt_id 1 is "/"),
 * the root mount is its own parent. */
static void gen_mountinfo(struct kernel *k, struct gen *g)
{
	for (int i = 0; i < k->nmounts; i++) {
		struct mount *m = k->mounts[i];
		int parent = i + 1;

		for (int j = 0; j < k->nmounts; j++)
			if (m->parent && k->mounts[j] == m->parent)
				parent = j + 1;
		put(g, "%d %d %u:%u / ", i + 1, parent, major(m->root->dev), minor(m->root->dev));
		put_escaped(g, m->target);
		put(g, " %s%s%s%s,relatime - %s ", (m->flags & MS_RDONLY) ? "ro" : "rw",
		    (m->flags & MS_NOSUID) ? ",nosuid" : "", (m->flags & MS_NODEV) ? ",nodev" : "",
		    (m->flags & MS_NOEXEC) ? ",noexec" : "", m->fstype);
		put_escaped(g, m->source);
		put(g, " %s\n", (m->flags & MS_RDONLY) ? "ro" : "rw");
	}
}

/* limits: Linux's table (fs/proc/base.c layout), from the group's rlimits. */
static void gen_limits(struct thread_group *tg, struct gen *g)
{
	static const struct {
		const char *name, *unit;
	} lim[] = {
		[RLIMIT_CPU] = { "Max cpu time", "seconds" },
		[RLIMIT_FSIZE] = { "Max file size", "bytes" },
		[RLIMIT_DATA] = { "Max data size", "bytes" },
		[RLIMIT_STACK] = { "Max stack size", "bytes" },
		[RLIMIT_CORE] = { "Max core file size", "bytes" },
		[RLIMIT_RSS] = { "Max resident set", "bytes" },
		[RLIMIT_NPROC] = { "Max processes", "processes" },
		[RLIMIT_NOFILE] = { "Max open files", "files" },
		[RLIMIT_MEMLOCK] = { "Max locked memory", "bytes" },
		[RLIMIT_AS] = { "Max address space", "bytes" },
		[RLIMIT_LOCKS] = { "Max file locks", "locks" },
		[RLIMIT_SIGPENDING] = { "Max pending signals", "signals" },
		[RLIMIT_MSGQUEUE] = { "Max msgqueue size", "bytes" },
		[RLIMIT_NICE] = { "Max nice priority", NULL },
		[RLIMIT_RTPRIO] = { "Max realtime priority", NULL },
		[RLIMIT_RTTIME] = { "Max realtime timeout", "us" },
	};

	_Static_assert(ARRAY_SIZE(lim) <= ARRAY_SIZE(tg->rlim), "rlimits kept");
	put(g, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (size_t i = 0; i < ARRAY_SIZE(lim); i++) {
		uint64_t v[2] = { tg->rlim[i].cur, tg->rlim[i].max };

		put(g, "%-25s ", lim[i].name);
		for (int j = 0; j < 2; j++)
			if (v[j] == UINT64_MAX)
				put(g, "%-20s ", "unlimited");
			else
				put(g, "%-20llu ", (unsigned long long)v[j]);
		if (lim[i].unit)
			put(g, "%-10s", lim[i].unit);
		put(g, "\n");
	}
}

/*
 * statm, in pages: size resident shared text lib data dt.  The Sentry does
 * not see which pages the host made resident, so resident is the mapped
 * size (an upper bound) and shared the file and shared mappings; text is
 * the program's executable file mappings, data the private writable ones
 * (the stack included, as Linux's data_vm + stack_vm); lib and dt are 0 as
 * in Linux.
 */
static void gen_statm(struct thread_group *tg, struct gen *g)
{
	uint64_t size = 0, shared = 0, text = 0, data = 0;
	struct mm *m = tg->mm;

	if (m) {
		pthread_mutex_lock(&m->lock);
		for (size_t i = 0; i < m->n; i++) {
			const struct mm_vma *v = &m->v[i];
			uint64_t len = v->end - v->start;

			size += len;
			if (v->kind & (MM_VMA_FILE | MM_VMA_SHARED))
				shared += len;
			if ((v->kind & MM_VMA_FILE) && (v->prot & PROT_EXEC) && tg->exe &&
			    !strcmp(v->name, tg->exe))
				text += len;
			if ((v->prot & PROT_WRITE) && !(v->kind & MM_VMA_SHARED))
				data += len;
		}
		pthread_mutex_unlock(&m->lock);
	}
	put(g, "%llu %llu %llu %llu 0 %llu 0\n", (unsigned long long)(size / MM_PAGE),
	    (unsigned long long)(size / MM_PAGE), (unsigned long long)(shared / MM_PAGE),
	    (unsigned long long)(text / MM_PAGE), (unsigned long long)(data / MM_PAGE));
}

static void gen_pid(struct kernel *k, struct pnode *p, struct gen *g)
{
	struct thread_group *tg;
	struct task *t;

	pthread_mutex_lock(&k->lock);
	tg = procfs_tg_of(k, p->pid);
	t = procfs_task_of(k, p->pid);
	if (!tg) {
		pthread_mutex_unlock(&k->lock);
		return;
	}
	/* Reading one's own state, one is running. */
	char state = tg->zombie ? 'Z' : (procfs_current() && procfs_current()->tg == tg) ? 'R'
				       : tg->sig.stopped ? 'T' : 'S';
	int32_t ppid = tg->parent ? tg->parent->tgid : 0;
	if (!strcmp(p->name, "stat")) {
		uint64_t ut, st; /* CPU time in clock ticks (itimer.h) */
		unsigned tty_nr;
		int32_t tpgid;

		task_cputime_tg_locked(tg, &ut, &st);
		tty_tg_stat_locked(tg, &tty_nr, &tpgid);
		put(g, "%d (%s) %c %d %d %d %u %d 4194560 0 0 0 0 %llu %llu %llu %llu 20 0 %d 0 0 0 0 "
		       "0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 %d\n",
		    tg->tgid, tg->comm, state, ppid, tg->pgid, tg->sid, tty_nr, tpgid,
		    (unsigned long long)(ut / 10000000), (unsigned long long)(st / 10000000),
		    (unsigned long long)(tg->cutime_ns / 10000000),
		    (unsigned long long)(tg->cstime_ns / 10000000), tg->ntasks,
		    tg->zombie ? WEXITSTATUS(tg->exit_status) : 0);
	} else if (!strcmp(p->name, "status")) {
		put(g, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
		       "PPid:\t%d\nTracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
		       "FDSize:\t%d\nGroups:\t",
		    tg->comm, t ? t->fs->umask : 022, state,
		    state == 'Z' ? "zombie" : state == 'R' ? "running" : state == 'T' ? "stopped"
										  : "sleeping",
		    tg->tgid, tg->tgid, ppid, t ? t->creds.ruid : 0, t ? t->creds.euid : 0,
		    t ? t->creds.suid : 0, t ? t->creds.fsuid : 0, t ? t->creds.rgid : 0,
		    t ? t->creds.egid : 0, t ? t->creds.sgid : 0, t ? t->creds.fsgid : 0, FDT_MAX);
		for (int i = 0; t && i < t->creds.ngroups; i++)
			put(g, i ? " %u" : "%u", t->creds.groups[i]);
		put(g, "\nThreads:\t%d\nSigQ:\t0/63704\n", tg->ntasks);
		{
			/* bit sig - 1 for each signal, as Linux prints them */
			uint64_t ign = 0, cgt = 0;

			for (int i = 0; i < SIG_MAX; i++) {
				uint64_t h = tg->sig.act[i].handler;

				if (h == (uint64_t)(uintptr_t)SIG_IGN)
					ign |= 1ULL << i;
				else if (h != (uint64_t)(uintptr_t)SIG_DFL)
					cgt |= 1ULL << i;
			}
			put(g, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n"
			       "SigIgn:\t%016llx\nSigCgt:\t%016llx\n",
			    (unsigned long long)(t ? t->sig.pending.set : 0),
			    (unsigned long long)tg->sig.shared.set,
			    (unsigned long long)(t ? t->sig.mask : 0), (unsigned long long)ign,
			    (unsigned long long)cgt);
		}
		put(g, "Seccomp:\t0\n");
	} else if (!strcmp(p->name, "cmdline") || !strcmp(p->name, "environ")) {
		/* a zombie has no memory left to show */
		int env = p->name[0] == 'e';
		const char *src = env ? tg->environ : tg->cmdline;
		size_t n = env ? tg->environ_len : tg->cmdline_len;

		if (src && n && !tg->zombie) {
			char *nb = realloc(g->buf, g->len + n + 1);

			if (nb) {
				g->buf = nb;
				memcpy(g->buf + g->len, src, n);
				g->len += n;
				g->cap = g->len + 1;
			}
		}
	} else if (!strcmp(p->name, "comm")) {
		put(g, "%s\n", tg->comm);
	} else if (!strcmp(p->name, "mounts")) {
		for (int i = 0; i < k->nmounts; i++) {
			struct mount *m = k->mounts[i];

			put(g, "%s %s %s %s 0 0\n", m->source, m->target, m->fstype,
			    (m->flags & MS_RDONLY) ? "ro" : "rw");
		}
	}
	else if (!strcmp(p->name, "mountinfo")) {
		gen_mountinfo(k, g);
	} else if (!strcmp(p->name, "limits")) {
		gen_limits(tg, g);
	} else if (!strcmp(p->name, "statm")) {
		if (!tg->zombie)
			gen_statm(tg, g);
		else
			put(g, "0 0 0 0 0 0 0\n");
	} else if (!strcmp(p->name, "oom_score")) {
		put(g, "0\n");
	} else if (!strcmp(p->name, "oom_score_adj")) {
		put(g, "%d\n", tg->oom_score_adj);
	} else if (!strcmp(p->name, "auxv")) {
		size_t n = tg->zombie ? 0 : tg->auxv_n * sizeof(tg->auxv[0]);
		char *nb = n ? realloc(g->buf, n + 1) : NULL;

		if (nb) {
			g->buf = nb;
			memcpy(g->buf, tg->auxv, n);
			g->len = n;
			g->cap = n + 1;
		}
	} else if (!strcmp(p->name, "maps") && tg->mm) {
		size_t len;
		char *text = mm_maps_text(tg->mm, &len);

		if (text) {
			put(g, "%s", text);
			free(text);
		}
	}
	pthread_mutex_unlock(&k->lock);
}

/* fdinfo/N: position, flags (O_CLOEXEC from the fd), mount and inode. */
static void gen_fdinfo(struct kernel *k, struct pnode *p, struct gen *g)
{
	struct file *f = NULL;
	struct stat st;
	unsigned flags;
	int64_t pos;
	int cloexec = 0;
	struct task *t;

	pthread_mutex_lock(&k->lock);
	t = procfs_task_of(k, p->pid);
	if (t) {
		f = fdt_lookup(t->fdt, p->fd);
		cloexec = fdt_get_cloexec(t->fdt, p->fd) > 0;
	}
	pthread_mutex_unlock(&k->lock);
	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	pos = f->pos;
	flags = f->flags;
	pthread_mutex_unlock(&f->lock);
	memset(&st, 0, sizeof(st));
	if (f->path.v)
		vnode_stat(f->path.v, &st);
	else if (f->ops->fstat)
		f->ops->fstat(f, &st);
	put(g, "pos:\t%lld\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n", (long long)pos,
	    flags | (cloexec ? O_CLOEXEC : 0), f->path.v ? 1 : 0, (unsigned long long)st.st_ino);
	file_put(f);
}

static void gen_top(struct kernel *k, struct pnode *p, struct gen *g)
{
	uint64_t up = mono_ns() - k->boot_ns;

	if (!strcmp(p->name, "uptime"))
		put(g, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(up / NSEC_PER_SEC),
		    (unsigned long long)(up % NSEC_PER_SEC / 10000000),
		    (unsigned long long)(up / NSEC_PER_SEC),
		    (unsigned long long)(up % NSEC_PER_SEC / 10000000));
	else if (!strcmp(p->name, "loadavg"))
		put(g, "0.00 0.00 0.00 1/1 1\n");
	else if (!strcmp(p->name, "version") || !strcmp(p->name, "osrelease"))
		put(g, !strcmp(p->name, "version") ? "Linux version 6.1.0 (cvisor) #1 SMP cvisor\n"
						    : "6.1.0\n");
	else if (!strcmp(p->name, "ostype"))
		put(g, "Linux\n");
	else if (!strcmp(p->name, "hostname"))
		put(g, "%s\n", k->hostname);
	else if (!strcmp(p->name, "filesystems"))
		put(g, "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\nnodev\tpipefs\n");
	else if (!strcmp(p->name, "meminfo")) {
		struct sysinfo si;

		sysinfo(&si);
		put(g, "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n"
		       "Buffers:               0 kB\nCached:                0 kB\n"
		       "SwapTotal:             0 kB\nSwapFree:              0 kB\n",
		    si.totalram * si.mem_unit / 1024, si.freeram * si.mem_unit / 1024,
		    si.freeram * si.mem_unit / 1024);
	} else if (!strcmp(p->name, "cpuinfo")) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		for (long i = 0; i < n; i++)
			put(g, "processor\t: %ld\nvendor_id\t: cvisor\nmodel name\t: cvisor vCPU\n"
			       "flags\t\t: fpu sse sse2\n\n",
			    i);
	} else if (!strcmp(p->name, "stat")) {
		put(g, "cpu  0 0 0 0 0 0 0 0 0 0\nbtime %llu\nprocesses 0\nprocs_running 1\n",
		    (unsigned long long)(now_ns(CLOCK_REALTIME) / NSEC_PER_SEC -
					 up / NSEC_PER_SEC));
	}
}

/* /proc/sys and /sys files (the same text every time). */
static void gen_sys(struct pnode *p, struct gen *g)
{
	if (!strcmp(p->name, "ngroups_max"))
		put(g, "65536\n");
	else if (!strcmp(p->name, "pid_max"))
		put(g, "%d\n", KERNEL_PID_MAX);
	else if (!strcmp(p->name, "overcommit_memory"))
		put(g, "0\n");
	else if (!strcmp(p->name, "version")) /* uname -v (sys_uname) */
		put(g, "#1 SMP cvisor\n");
	else if (p->kind == PR_SYSFS_FILE) {
		/* the CPUs sched_getaffinity and sysconf report */
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		if (n <= 1)
			put(g, "0\n");
		else
			put(g, "0-%ld\n", n - 1);
	} else
		gen_top(p->k, p, g);
}

/* /proc/net/<file>, /proc/sys/net/<dir>/<file>: netif.c's text. */
static void gen_net(struct pnode *p, struct gen *g)
{
	char dir[sizeof(p->name)], *slash, *text = NULL;

	snprintf(dir, sizeof(dir), "%s", p->name);
	slash = strrchr(dir, '/');
	if (!slash)
		return;
	*slash = 0;
	if (netif_proc_text(dir, slash + 1, &text) == 0)
		put(g, "%s", text);
	free(text);
}

static ssize_t gen_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *off)
{
	struct gen *g = f->priv;

	(void)t;
	if ((uint64_t)*off >= g->len)
		return 0;
	len = MIN(len, g->len - (size_t)*off);
	memcpy(buf, g->buf + *off, len);
	*off += (int64_t)len;
	return (ssize_t)len;
}

static int64_t gen_llseek(struct file *f, int64_t off, int whence, int64_t cur)
{
	struct gen *g = f->priv;
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? cur : (int64_t)g->len;

	if (whence > SEEK_END || base + off < 0)
		return -EINVAL;
	return base + off;
}

static void gen_release(struct file *f)
{
	struct gen *g = f->priv;

	free(g->buf);
	free(g);
}

/* oom_score_adj: "<n>\n", -1000..1000 (there is no OOM killer to use it). */
static ssize_t gen_write(struct file *f, struct task *t, const void *buf, size_t len,
			 int64_t *off)
{
	struct gen *g = f->priv;
	struct thread_group *tg;
	char tmp[24], *end;
	long v;

	(void)t;
	(void)off;
	if (len == 0)
		return 0;
	if (len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, len);
	tmp[len] = 0;
	errno = 0;
	v = strtol(tmp, &end, 10);
	if (end == tmp || errno || (*end && strcmp(end, "\n")))
		return -EINVAL;
	if (v < -1000 || v > 1000)
		return -EINVAL;
	pthread_mutex_lock(&g->k->lock);
	tg = procfs_tg_of(g->k, g->pid);
	if (tg)
		tg->oom_score_adj = (int)v;
	pthread_mutex_unlock(&g->k->lock);
	return tg ? (ssize_t)len : -ESRCH;
}

static const struct file_ops gen_fops = {
	.read = gen_read,
	.write = gen_write,
	.llseek = gen_llseek,
	.release = gen_release,
};

int procfs_gen_open(struct pnode *p, unsigned flags, struct file **ret)
{
	struct gen *g = calloc(1, sizeof(*g));
	struct file *f;

	if (!g || !(g->buf = malloc(g->cap = 1024))) {
		free(g);
		return -ENOMEM;
	}
	g->buf[0] = 0;
	g->k = p->k;
	g->pid = p->pid;
	if (p->kind == PR_PID_FILE)
		gen_pid(p->k, p, g);
	else if (p->kind == PR_FDINFO)
		gen_fdinfo(p->k, p, g);
	else if (p->kind == PR_SYS_FILE || p->kind == PR_SYSFS_FILE)
		gen_sys(p, g);
	else if (p->kind == PR_NET_FILE)
		gen_net(p, g);
	else
		gen_top(p->k, p, g);
	f = file_new(&gen_fops, g, flags);
	if (!f) {
		free(g->buf);
		free(g);
		return -ENOMEM;
	}
	*ret = f;
	return 0;
}
