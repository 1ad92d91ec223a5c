/* SPDX-License-Identifier: Apache-2.0 */
/* procfs: the text of the generated files (per process and system-wide). */
#include "procfs_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
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
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"

/* ---- generated files ---- */

struct gen {
	char *buf;
	size_t len, cap;
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
	else if (!strcmp(p->name, "maps") && tg->mm) {
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
		put(g, "nodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\nnodev\tpipefs\n");
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

static const struct file_ops gen_fops = {
	.read = gen_read,
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
	if (p->kind == PR_PID_FILE)
		gen_pid(p->k, p, g);
	else if (p->kind == PR_FDINFO)
		gen_fdinfo(p->k, p, g);
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
