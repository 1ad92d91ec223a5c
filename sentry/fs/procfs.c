/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs: generated from the Sentry's own state, never from the host's
 * /proc.  Vnodes are made on lookup (not cached); a file's text is
 * generated when it is opened, so a reader sees one consistent snapshot.
 *
 *   /proc/self -> <pid>, /proc/thread-self -> <pid>/task/<tid>
 *   /proc/<pid>/{stat,status,cmdline,comm,exe,cwd,root,fd/,mounts}
 *   /proc/{mounts -> self/mounts, uptime, loadavg, version, filesystems,
 *          meminfo, cpuinfo, stat, sys/kernel/{hostname,osrelease,ostype}}
 */
#include "procfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/itimer.h"
#include "sentry/kernel/task.h"
#include "sentry/syscalls/mm_interim.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"

enum pkind {
	PR_ROOT, PR_SELF, PR_THREAD_SELF, PR_PID, PR_PID_FILE, PR_PID_LINK, PR_FD_DIR, PR_FD_LINK,
	PR_FILE, PR_SYS, PR_SYS_KERNEL, PR_MOUNTS_LINK,
};

struct pnode {
	struct kernel *k;
	enum pkind kind;
	int32_t pid;
	int fd;
	char name[32];
};

static const struct vnode_ops proc_vops;
static dev_t proc_dev;

static const char *const pid_files[] = { "stat", "status", "cmdline", "comm", "mounts",
					 "environ", "maps" };
static const char *const pid_links[] = { "exe", "cwd", "root" };
static const char *const top_files[] = { "uptime", "loadavg", "version", "filesystems",
					 "meminfo", "cpuinfo", "stat" };
static const char *const sys_files[] = { "hostname", "osrelease", "ostype" };

static struct vnode *pnew(struct kernel *k, enum pkind kind, int32_t pid, int fd,
			  const char *name, mode_t mode)
{
	struct vnode *v = vnode_new(&proc_vops, proc_dev, mode);
	struct pnode *p = calloc(1, sizeof(*p));

	if (!v || !p) {
		free(p);
		vnode_put(v);
		return NULL;
	}
	p->k = k;
	p->kind = kind;
	p->pid = pid;
	p->fd = fd;
	snprintf(p->name, sizeof(p->name), "%s", name);
	v->priv = p;
	return v;
}

struct vnode *procfs_create_root(struct kernel *k)
{
	if (!proc_dev)
		proc_dev = vfs_new_dev();
	return pnew(k, PR_ROOT, 0, -1, "", S_IFDIR | 0555);
}

static struct pnode *pn(struct vnode *v)
{
	return v->priv;
}

/* The thread group of @pid (kernel.lock held), or NULL. */
static struct thread_group *tg_of(struct kernel *k, int32_t pid)
{
	if (pid <= 0 || pid >= KERNEL_PID_MAX)
		return NULL;
	return k->tgs[pid];
}

/* Any live task of @pid (kernel.lock held). */
static struct task *task_of(struct kernel *k, int32_t pid)
{
	struct thread_group *tg = tg_of(k, pid);

	if (!tg)
		return NULL;
	if (k->tids[pid] && k->tids[pid]->tg == tg)
		return k->tids[pid];
	for (int i = 1; i < KERNEL_PID_MAX; i++)
		if (k->tids[i] && k->tids[i]->tg == tg)
			return k->tids[i];
	return NULL;
}

/* The pid of the task looking (for "self"): the current thread's task. */
static __thread struct task *proc_current;

void procfs_set_current(struct task *t)
{
	proc_current = t;
}

static int in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, list[i]))
			return 1;
	return 0;
}

static int parse_num(const char *s, int32_t *ret)
{
	long v = 0;

	if (!*s || (*s == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*ret = (int32_t)v;
	return 0;
}

static int proc_lookup(struct vnode *dir, const char *name, struct vnode **ret)
{
	struct pnode *d = pn(dir);
	struct kernel *k = d->k;
	struct vnode *v = NULL;
	int32_t num;
	int alive;

	switch (d->kind) {
	case PR_ROOT:
		if (!strcmp(name, "self"))
			v = pnew(k, PR_SELF, 0, -1, name, S_IFLNK | 0777);
		else if (!strcmp(name, "thread-self"))
			v = pnew(k, PR_THREAD_SELF, 0, -1, name, S_IFLNK | 0777);
		else if (!strcmp(name, "mounts"))
			v = pnew(k, PR_MOUNTS_LINK, 0, -1, name, S_IFLNK | 0777);
		else if (!strcmp(name, "sys"))
			v = pnew(k, PR_SYS, 0, -1, name, S_IFDIR | 0555);
		else if (in_list(name, top_files, ARRAY_SIZE(top_files)))
			v = pnew(k, PR_FILE, 0, -1, name, S_IFREG | 0444);
		else if (parse_num(name, &num) == 0) {
			pthread_mutex_lock(&k->lock);
			alive = tg_of(k, num) != NULL;
			pthread_mutex_unlock(&k->lock);
			if (!alive)
				return -ENOENT;
			v = pnew(k, PR_PID, num, -1, name, S_IFDIR | 0555);
		} else
			return -ENOENT;
		break;
	case PR_SYS:
		if (strcmp(name, "kernel"))
			return -ENOENT;
		v = pnew(k, PR_SYS_KERNEL, 0, -1, name, S_IFDIR | 0555);
		break;
	case PR_SYS_KERNEL:
		if (!in_list(name, sys_files, ARRAY_SIZE(sys_files)))
			return -ENOENT;
		v = pnew(k, PR_FILE, 0, -1, name, S_IFREG | 0444);
		break;
	case PR_PID:
		if (in_list(name, pid_files, ARRAY_SIZE(pid_files)))
			v = pnew(k, PR_PID_FILE, d->pid, -1, name,
				 S_IFREG | (strcmp(name, "environ") ? 0444 : 0400));
		else if (in_list(name, pid_links, ARRAY_SIZE(pid_links)))
			v = pnew(k, PR_PID_LINK, d->pid, -1, name, S_IFLNK | 0777);
		else if (!strcmp(name, "fd"))
			v = pnew(k, PR_FD_DIR, d->pid, -1, name, S_IFDIR | 0500);
		else
			return -ENOENT;
		break;
	case PR_FD_DIR: {
		struct task *t;
		struct file *f = NULL;

		if (parse_num(name, &num) < 0)
			return -ENOENT;
		pthread_mutex_lock(&k->lock);
		t = task_of(k, d->pid);
		if (t)
			f = fdt_lookup(t->fdt, num);
		pthread_mutex_unlock(&k->lock);
		if (!f)
			return -ENOENT;
		file_put(f);
		v = pnew(k, PR_FD_LINK, d->pid, num, name, S_IFLNK | 0700);
		break;
	}
	default:
		return -ENOTDIR;
	}
	if (!v)
		return -ENOMEM;
	/* Not linked anywhere: the child holds its parent (released with it). */
	v->parent = vnode_get(dir);
	*ret = v;
	return 0;
}

static int emit(vfs_dirent_fn fn, void *ctx, uint64_t *cookie, uint64_t want, const char *name,
		unsigned type)
{
	uint64_t c = (*cookie)++;

	if (c < want)
		return 0;
	return fn(ctx, name, c + 1000, type, c + 1);
}

static int proc_readdir(struct vnode *dir, uint64_t want, vfs_dirent_fn fn, void *ctx)
{
	struct pnode *d = pn(dir);
	struct kernel *k = d->k;
	uint64_t c = 0;
	char buf[16];

	if (emit(fn, ctx, &c, want, ".", DT_DIR) || emit(fn, ctx, &c, want, "..", DT_DIR))
		return 0;
	switch (d->kind) {
	case PR_ROOT: {
		static const char *const links[] = { "self", "thread-self", "mounts" };

		for (size_t i = 0; i < ARRAY_SIZE(links); i++)
			if (emit(fn, ctx, &c, want, links[i], DT_LNK))
				return 0;
		for (size_t i = 0; i < ARRAY_SIZE(top_files); i++)
			if (emit(fn, ctx, &c, want, top_files[i], DT_REG))
				return 0;
		if (emit(fn, ctx, &c, want, "sys", DT_DIR))
			return 0;
		for (int pid = 1; pid < KERNEL_PID_MAX; pid++) {
			int alive;

			pthread_mutex_lock(&k->lock);
			alive = k->tgs[pid] != NULL;
			pthread_mutex_unlock(&k->lock);
			if (!alive)
				continue;
			snprintf(buf, sizeof(buf), "%d", pid);
			/* cookies of pids are stable: 100 + pid */
			if (100 + (uint64_t)pid >= want && fn(ctx, buf, 1000 + (uint64_t)pid, DT_DIR,
							      101 + (uint64_t)pid))
				return 0;
		}
		return 0;
	}
	case PR_SYS:
		emit(fn, ctx, &c, want, "kernel", DT_DIR);
		return 0;
	case PR_SYS_KERNEL:
		for (size_t i = 0; i < ARRAY_SIZE(sys_files); i++)
			if (emit(fn, ctx, &c, want, sys_files[i], DT_REG))
				return 0;
		return 0;
	case PR_PID:
		for (size_t i = 0; i < ARRAY_SIZE(pid_files); i++)
			if (emit(fn, ctx, &c, want, pid_files[i], DT_REG))
				return 0;
		for (size_t i = 0; i < ARRAY_SIZE(pid_links); i++)
			if (emit(fn, ctx, &c, want, pid_links[i], DT_LNK))
				return 0;
		emit(fn, ctx, &c, want, "fd", DT_DIR);
		return 0;
	case PR_FD_DIR: {
		struct task *t;
		struct fd_table *fdt = NULL;

		pthread_mutex_lock(&k->lock);
		t = task_of(k, d->pid);
		if (t)
			fdt = fdt_get(t->fdt);
		pthread_mutex_unlock(&k->lock);
		if (!fdt)
			return 0;
		for (int fd = 0; fd < FDT_MAX; fd++) {
			struct file *f = fdt_lookup(fdt, fd);

			if (!f)
				continue;
			file_put(f);
			snprintf(buf, sizeof(buf), "%d", fd);
			if (2 + (uint64_t)fd >= want &&
			    fn(ctx, buf, 2000 + (uint64_t)fd, DT_LNK, 3 + (uint64_t)fd))
				break;
		}
		fdt_put(fdt);
		return 0;
	}
	default:
		return -ENOTDIR;
	}
}

static int path_of_file(struct task *viewer, struct file *f, char *buf, size_t len)
{
	struct path root;
	struct stat st;
	int r;

	if (!f->path.v) {
		/* No VFS path: name it by kind, as Linux does ("pipe:[ino]"). */
		if (f->ops->fstat && f->ops->fstat(f, &st) == 0 && S_ISFIFO(st.st_mode))
			snprintf(buf, len, "pipe:[%llu]", (unsigned long long)st.st_ino);
		else
			snprintf(buf, len, "anon_inode:[hostfd]");
		return (int)strlen(buf);
	}
	pthread_mutex_lock(&viewer->fs->lock);
	root = path_get(viewer->fs->root);
	pthread_mutex_unlock(&viewer->fs->lock);
	r = vfs_path_string(root, f->path, buf, len);
	path_put(&root);
	return r < 0 ? r : r - 1;
}

static int proc_readlink(struct vnode *v, char *buf, size_t len)
{
	struct pnode *p = pn(v);
	struct kernel *k = p->k;
	struct task *me = proc_current, *t;
	char tmp[VFS_PATH_MAX];
	int n = -ENOENT;

	switch (p->kind) {
	case PR_SELF:
		if (!me)
			return -ENOENT;
		n = snprintf(tmp, sizeof(tmp), "%d", me->tg->tgid);
		break;
	case PR_THREAD_SELF:
		if (!me)
			return -ENOENT;
		n = snprintf(tmp, sizeof(tmp), "%d/task/%d", me->tg->tgid, me->tid);
		break;
	case PR_MOUNTS_LINK:
		n = snprintf(tmp, sizeof(tmp), "self/mounts");
		break;
	case PR_PID_LINK: {
		struct path target = { 0 };

		pthread_mutex_lock(&k->lock);
		t = task_of(k, p->pid);
		if (t && !strcmp(p->name, "exe")) {
			n = t->tg->exe ? snprintf(tmp, sizeof(tmp), "%s", t->tg->exe) : -ENOENT;
		} else if (t) {
			pthread_mutex_lock(&t->fs->lock);
			target = path_get(!strcmp(p->name, "cwd") ? t->fs->cwd : t->fs->root);
			pthread_mutex_unlock(&t->fs->lock);
		}
		pthread_mutex_unlock(&k->lock);
		if (target.v && me) {
			struct path root;

			pthread_mutex_lock(&me->fs->lock);
			root = path_get(me->fs->root);
			pthread_mutex_unlock(&me->fs->lock);
			n = vfs_path_string(root, target, tmp, sizeof(tmp));
			n = n < 0 ? n : n - 1;
			path_put(&root);
		}
		if (target.v)
			path_put(&target);
		break;
	}
	case PR_FD_LINK: {
		struct file *f = NULL;

		pthread_mutex_lock(&k->lock);
		t = task_of(k, p->pid);
		if (t)
			f = fdt_lookup(t->fdt, p->fd);
		pthread_mutex_unlock(&k->lock);
		if (!f || !me) {
			file_put(f);
			return -ENOENT;
		}
		n = path_of_file(me, f, tmp, sizeof(tmp));
		file_put(f);
		break;
	}
	default:
		return -EINVAL;
	}
	if (n < 0)
		return n;
	if ((size_t)n > len)
		n = (int)len;
	memcpy(buf, tmp, (size_t)n);
	return n;
}

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
	tg = tg_of(k, p->pid);
	t = task_of(k, p->pid);
	if (!tg) {
		pthread_mutex_unlock(&k->lock);
		return;
	}
	/* Reading one's own state, one is running. */
	char state = tg->zombie ? 'Z' : (proc_current && proc_current->tg == tg) ? 'R'
				       : tg->sig.stopped ? 'T' : 'S';
	int32_t ppid = tg->parent ? tg->parent->tgid : 0;
	if (!strcmp(p->name, "stat")) {
		uint64_t ut, st; /* CPU time in clock ticks (itimer.h) */

		task_cputime_tg_locked(tg, &ut, &st);
		put(g, "%d (%s) %c %d %d %d 0 -1 4194560 0 0 0 0 %llu %llu %llu %llu 20 0 %d 0 0 0 0 "
		       "0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 %d\n",
		    tg->tgid, tg->comm, state, ppid, tg->pgid, tg->sid,
		    (unsigned long long)(ut / 10000000), (unsigned long long)(st / 10000000),
		    (unsigned long long)(tg->cutime_ns / 10000000),
		    (unsigned long long)(tg->cstime_ns / 10000000), tg->ntasks,
		    tg->zombie ? WEXITSTATUS(tg->exit_status) : 0);
	} else if (!strcmp(p->name, "status")) {
		put(g, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
		       "PPid:\t%d\nTracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
		       "FDSize:\t%d\nThreads:\t%d\nSigQ:\t0/63704\nSeccomp:\t0\n",
		    tg->comm, t ? t->fs->umask : 022, state,
		    state == 'Z' ? "zombie" : state == 'R' ? "running" : state == 'T' ? "stopped"
										  : "sleeping",
		    tg->tgid, tg->tgid, ppid, t ? t->creds.ruid : 0, t ? t->creds.euid : 0,
		    t ? t->creds.suid : 0, t ? t->creds.fsuid : 0, t ? t->creds.rgid : 0,
		    t ? t->creds.egid : 0, t ? t->creds.sgid : 0, t ? t->creds.fsgid : 0, FDT_MAX,
		    tg->ntasks);
	} else if (!strcmp(p->name, "cmdline")) {
		if (tg->cmdline && tg->cmdline_len) {
			put(g, "%s", "");
			char *nb = realloc(g->buf, g->len + tg->cmdline_len + 1);
			if (nb) {
				g->buf = nb;
				memcpy(g->buf + g->len, tg->cmdline, tg->cmdline_len);
				g->len += tg->cmdline_len;
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
	else if (!strcmp(p->name, "maps") && tg->vmas) {
		size_t len;
		char *text = vmas_maps_text(tg->vmas, &len);

		if (text) {
			put(g, "%s", text);
			free(text);
		}
	}
	/* environ: empty until the loader keeps it */
	pthread_mutex_unlock(&k->lock);
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

struct iter {
	struct file *f;
	vfs_dirent_fn fn;
	void *ctx;
};

static int iter_cb(void *p, const char *name, uint64_t ino, unsigned type, uint64_t next)
{
	struct iter *it = p;
	int stop = it->fn(it->ctx, name, ino, type, next);

	if (!stop)
		it->f->pos = (int64_t)next;
	return stop;
}

static int dir_iterate(struct file *f, vfs_dirent_fn fn, void *ctx)
{
	struct iter it = { f, fn, ctx };

	return proc_readdir(f->path.v, (uint64_t)f->pos, iter_cb, &it);
}

static int64_t dir_llseek(struct file *f, int64_t off, int whence, int64_t cur)
{
	(void)f;
	(void)cur;
	return whence == SEEK_SET && off >= 0 ? off : -EINVAL;
}

static const struct file_ops dir_fops = {
	.iterate = dir_iterate,
	.llseek = dir_llseek,
};

static int proc_open(struct vnode *v, unsigned flags, struct file **ret)
{
	struct pnode *p = pn(v);
	struct gen *g;
	struct file *f;

	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	if (S_ISDIR(v->mode)) {
		f = file_new(&dir_fops, NULL, flags & O_ACCMODE);
		if (!f)
			return -ENOMEM;
		*ret = f;
		return 0;
	}
	g = calloc(1, sizeof(*g));
	if (!g || !(g->buf = malloc(g->cap = 1024))) {
		free(g);
		return -ENOMEM;
	}
	g->buf[0] = 0;
	if (p->kind == PR_PID_FILE)
		gen_pid(p->k, p, g);
	else
		gen_top(p->k, p, g);
	f = file_new(&gen_fops, g, flags & O_ACCMODE);
	if (!f) {
		free(g->buf);
		free(g);
		return -ENOMEM;
	}
	*ret = f;
	return 0;
}

static void proc_release(struct vnode *v)
{
	free(v->priv);
	vnode_put(v->parent);
	v->parent = NULL;
}

static const struct vnode_ops proc_vops = {
	.lookup = proc_lookup,
	.readdir = proc_readdir,
	.readlink = proc_readlink,
	.open = proc_open,
	.release = proc_release,
};
