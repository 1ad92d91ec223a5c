/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs: generated from the Sentry's own state, never from the host's
 * /proc.  Vnodes are made on lookup (not cached); a file's text is
 * generated when it is opened, so a reader sees one consistent snapshot.
 *
 *   /proc/self -> <pid>, /proc/thread-self -> <pid>/task/<tid>
 *   /proc/<pid>/{stat,status,cmdline,environ,comm,exe,cwd,root,fd/,fdinfo/,
 *                mounts,mountinfo,maps,auxv,statm,limits,oom_score,oom_score_adj,
 *                ns/{cgroup,ipc,mnt,net,pid,time,user,uts},task/<tid>/...}
 *
 * fd/N, cwd and root are magic links: the walker jumps to the path they
 * stand for (so an unlinked file can be reopened), readlink gives its name.
 *   /proc/{mounts -> self/mounts, uptime, loadavg, version, filesystems,
 *          meminfo, cpuinfo, stat, sys/kernel/{hostname,osrelease,ostype,version,
 *          ngroups_max,pid_max}, sys/vm/overcommit_memory}
 *
 * The same vnode ops serve a minimal read-only sysfs for /sys:
 *   /sys/devices/system/cpu/{online,possible,present}
 */
#include "procfs.h"
#include "procfs_impl.h"

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
#include "sentry/fs/eventfd.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/itimer.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/net/netif.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"


static const struct vnode_ops proc_vops;
static dev_t proc_dev, sysfs_dev;

static const char *const pid_files[] = { "stat", "status", "cmdline", "comm", "mounts",
					 "environ", "maps", "auxv", "statm", "limits", "mountinfo",
					 "oom_score", "oom_score_adj" };
static const char *const ns_names[] = { "cgroup", "ipc", "mnt", "net", "pid", "time", "user",
					"uts" };
static const char *const pid_links[] = { "exe", "cwd", "root" };
static const char *const top_files[] = { "uptime", "loadavg", "version", "filesystems",
					 "meminfo", "cpuinfo", "stat" };
static const char *const sys_files[] = { "hostname", "osrelease", "ostype", "version",
					 "ngroups_max", "pid_max" };
static const char *const sysfs_dirs[] = { "", "devices", "devices/system", "devices/system/cpu" };
static const char *const cpu_files[] = { "online", "possible", "present" };

static struct vnode *pnew(struct kernel *k, enum pkind kind, int32_t pid, int fd,
			  const char *name, mode_t mode)
{
	struct vnode *v = vnode_new(&proc_vops, kind >= PR_SYSFS_DIR ? sysfs_dev : proc_dev, mode);
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

struct vnode *sysfs_create_root(struct kernel *k)
{
	if (!sysfs_dev)
		sysfs_dev = vfs_new_dev();
	return pnew(k, PR_SYSFS_DIR, 0, -1, "", S_IFDIR | 0555);
}

unsigned long procfs_ns_ino(const char *name)
{
	/* Linux's fixed inodes of its initial namespaces (mnt and net are
	 * allocated at boot, these are their usual values) */
	static const unsigned long inos[] = { 4026531835UL, 4026531839UL, 4026531841UL,
					      4026531840UL, 4026531836UL, 4026531834UL,
					      4026531837UL, 4026531838UL };

	_Static_assert(ARRAY_SIZE(inos) == ARRAY_SIZE(ns_names), "one inode per namespace");
	for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++)
		if (!strcmp(name, ns_names[i]))
			return inos[i];
	return 0;
}

/* "@dir/@name" (sysfs paths) in @buf; -1 when it does not fit. */
static int sysfs_join(const char *dir, const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s%s", dir, *dir ? "/" : "", name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static struct pnode *pn(struct vnode *v)
{
	return v->priv;
}

struct thread_group *procfs_tg_of(struct kernel *k, int32_t pid)
{
	if (pid <= 0 || pid >= KERNEL_PID_MAX)
		return NULL;
	return k->tgs[pid];
}

struct task *procfs_task_of(struct kernel *k, int32_t pid)
{
	struct thread_group *tg = procfs_tg_of(k, pid);

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

struct task *procfs_current(void)
{
	return proc_current;
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
		else if (!strcmp(name, "net"))
			v = pnew(k, PR_NET_DIR, 0, -1, "net", S_IFDIR | 0555);
		else if (in_list(name, top_files, ARRAY_SIZE(top_files)))
			v = pnew(k, PR_FILE, 0, -1, name, S_IFREG | 0444);
		else if (parse_num(name, &num) == 0) {
			pthread_mutex_lock(&k->lock);
			alive = procfs_tg_of(k, num) != NULL;
			pthread_mutex_unlock(&k->lock);
			if (!alive)
				return -ENOENT;
			v = pnew(k, PR_PID, num, -1, name, S_IFDIR | 0555);
		} else
			return -ENOENT;
		break;
	case PR_SYS:
		if (!strcmp(name, "kernel"))
			v = pnew(k, PR_SYS_KERNEL, 0, -1, name, S_IFDIR | 0555);
		else if (!strcmp(name, "vm"))
			v = pnew(k, PR_SYS_VM, 0, -1, name, S_IFDIR | 0555);
		else if (!strcmp(name, "net"))
			v = pnew(k, PR_NET_DIR, 0, -1, "sys/net", S_IFDIR | 0555);
		else
			return -ENOENT;
		break;
	case PR_NET_DIR: {
		char path[sizeof(d->name)];
		int kind = netif_proc_lookup(d->name, name);

		if (!kind || snprintf(path, sizeof(path), "%s/%s", d->name, name) >= (int)sizeof(path))
			return -ENOENT;
		v = pnew(k, kind == 2 ? PR_NET_DIR : PR_NET_FILE, 0, -1, path,
			 kind == 2 ? S_IFDIR | 0555 : S_IFREG | 0444);
		break;
	}
	case PR_SYS_KERNEL:
		if (!in_list(name, sys_files, ARRAY_SIZE(sys_files)))
			return -ENOENT;
		v = pnew(k, PR_SYS_FILE, 0, -1, name, S_IFREG | 0444);
		break;
	case PR_SYS_VM:
		if (strcmp(name, "overcommit_memory"))
			return -ENOENT;
		v = pnew(k, PR_SYS_FILE, 0, -1, name, S_IFREG | 0444);
		break;
	case PR_NS_DIR:
		if (!procfs_ns_ino(name))
			return -ENOENT;
		v = pnew(k, PR_NS_LINK, d->pid, -1, name, S_IFLNK | 0777);
		break;
	case PR_SYSFS_DIR: {
		char path[sizeof(d->name)];

		if (sysfs_join(d->name, name, path, sizeof(path)) < 0)
			return -ENOENT;
		if (in_list(path, sysfs_dirs, ARRAY_SIZE(sysfs_dirs)))
			v = pnew(k, PR_SYSFS_DIR, 0, -1, path, S_IFDIR | 0555);
		else if (!strcmp(d->name, "devices/system/cpu") &&
			 in_list(name, cpu_files, ARRAY_SIZE(cpu_files)))
			v = pnew(k, PR_SYSFS_FILE, 0, -1, name, S_IFREG | 0444);
		else
			return -ENOENT;
		break;
	}
	case PR_PID:
	case PR_TID:
		if (in_list(name, pid_files, ARRAY_SIZE(pid_files)))
			v = pnew(k, PR_PID_FILE, d->pid, -1, name,
				 S_IFREG | (!strcmp(name, "environ") || !strcmp(name, "auxv") ? 0400
					    : !strcmp(name, "oom_score_adj")		    ? 0644
											    : 0444));
		else if (!strcmp(name, "ns"))
			v = pnew(k, PR_NS_DIR, d->pid, -1, name, S_IFDIR | 0511);
		else if (!strcmp(name, "net")) /* one network namespace */
			v = pnew(k, PR_NET_DIR, 0, -1, "net", S_IFDIR | 0555);
		else if (in_list(name, pid_links, ARRAY_SIZE(pid_links)))
			v = pnew(k, PR_PID_LINK, d->pid, -1, name, S_IFLNK | 0777);
		else if (!strcmp(name, "fd"))
			v = pnew(k, PR_FD_DIR, d->pid, -1, name, S_IFDIR | 0500);
		else if (!strcmp(name, "fdinfo"))
			v = pnew(k, PR_FDINFO_DIR, d->pid, -1, name, S_IFDIR | 0500);
		else if (!strcmp(name, "task") && d->kind == PR_PID)
			v = pnew(k, PR_TASK_DIR, d->pid, -1, name, S_IFDIR | 0555);
		else
			return -ENOENT;
		break;
	case PR_TASK_DIR:
		if (parse_num(name, &num) < 0)
			return -ENOENT;
		pthread_mutex_lock(&k->lock);
		alive = num < KERNEL_PID_MAX && k->tids[num] && k->tids[num]->tg == procfs_tg_of(k, d->pid);
		pthread_mutex_unlock(&k->lock);
		if (!alive)
			return -ENOENT;
		v = pnew(k, PR_TID, d->pid, num, name, S_IFDIR | 0555);
		break;
	case PR_FDINFO_DIR:
	case PR_FD_DIR: {
		struct task *t;
		struct file *f = NULL;

		if (parse_num(name, &num) < 0)
			return -ENOENT;
		pthread_mutex_lock(&k->lock);
		t = procfs_task_of(k, d->pid);
		if (t)
			f = fdt_lookup(t->fdt, num);
		pthread_mutex_unlock(&k->lock);
		if (!f)
			return -ENOENT;
		file_put(f);
		if (d->kind == PR_FD_DIR)
			v = pnew(k, PR_FD_LINK, d->pid, num, name, S_IFLNK | 0700);
		else
			v = pnew(k, PR_FDINFO, d->pid, num, name, S_IFREG | 0400);
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
		if (emit(fn, ctx, &c, want, "sys", DT_DIR) || emit(fn, ctx, &c, want, "net", DT_DIR))
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
		if (emit(fn, ctx, &c, want, "kernel", DT_DIR) ||
		    emit(fn, ctx, &c, want, "net", DT_DIR))
			return 0;
		emit(fn, ctx, &c, want, "vm", DT_DIR);
		return 0;
	case PR_NET_DIR: {
		const char *name;
		int kind;

		for (size_t i = 0; netif_proc_entry(d->name, i, &name, &kind) == 0; i++)
			if (emit(fn, ctx, &c, want, name, kind == 2 ? DT_DIR : DT_REG))
				return 0;
		return 0;
	}
	case PR_SYS_KERNEL:
		for (size_t i = 0; i < ARRAY_SIZE(sys_files); i++)
			if (emit(fn, ctx, &c, want, sys_files[i], DT_REG))
				return 0;
		return 0;
	case PR_SYS_VM:
		emit(fn, ctx, &c, want, "overcommit_memory", DT_REG);
		return 0;
	case PR_NS_DIR:
		for (size_t i = 0; i < ARRAY_SIZE(ns_names); i++)
			if (emit(fn, ctx, &c, want, ns_names[i], DT_LNK))
				return 0;
		return 0;
	case PR_SYSFS_DIR: {
		size_t dl = strlen(d->name);

		/* the directories one level below, then the files */
		for (size_t i = 1; i < ARRAY_SIZE(sysfs_dirs); i++) {
			const char *s = sysfs_dirs[i], *rest;

			if (dl && (strncmp(s, d->name, dl) || s[dl] != '/'))
				continue;
			rest = s + (dl ? dl + 1 : 0);
			if (strchr(rest, '/'))
				continue;
			if (emit(fn, ctx, &c, want, rest, DT_DIR))
				return 0;
		}
		if (!strcmp(d->name, "devices/system/cpu"))
			for (size_t i = 0; i < ARRAY_SIZE(cpu_files); i++)
				if (emit(fn, ctx, &c, want, cpu_files[i], DT_REG))
					return 0;
		return 0;
	}
	case PR_PID:
	case PR_TID:
		for (size_t i = 0; i < ARRAY_SIZE(pid_files); i++)
			if (emit(fn, ctx, &c, want, pid_files[i], DT_REG))
				return 0;
		for (size_t i = 0; i < ARRAY_SIZE(pid_links); i++)
			if (emit(fn, ctx, &c, want, pid_links[i], DT_LNK))
				return 0;
		if (emit(fn, ctx, &c, want, "fd", DT_DIR) ||
		    emit(fn, ctx, &c, want, "fdinfo", DT_DIR) ||
		    emit(fn, ctx, &c, want, "ns", DT_DIR) ||
		    emit(fn, ctx, &c, want, "net", DT_DIR))
			return 0;
		if (d->kind == PR_PID)
			emit(fn, ctx, &c, want, "task", DT_DIR);
		return 0;
	case PR_TASK_DIR:
		for (int tid = 1; tid < KERNEL_PID_MAX; tid++) {
			int mine;

			pthread_mutex_lock(&k->lock);
			mine = k->tids[tid] && k->tids[tid]->tg == procfs_tg_of(k, d->pid);
			pthread_mutex_unlock(&k->lock);
			if (!mine)
				continue;
			snprintf(buf, sizeof(buf), "%d", tid);
			if (2 + (uint64_t)tid >= want &&
			    fn(ctx, buf, 3000 + (uint64_t)tid, DT_DIR, 3 + (uint64_t)tid))
				return 0;
		}
		return 0;
	case PR_FDINFO_DIR:
	case PR_FD_DIR: {
		struct task *t;
		struct fd_table *fdt = NULL;

		pthread_mutex_lock(&k->lock);
		t = procfs_task_of(k, d->pid);
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
			    fn(ctx, buf, 2000 + (uint64_t)fd, d->kind == PR_FD_DIR ? DT_LNK : DT_REG,
			       3 + (uint64_t)fd))
				break;
		}
		fdt_put(fdt);
		return 0;
	}
	default:
		return -ENOTDIR;
	}
}

struct ino_search {
	uint64_t ino;
	char name[VFS_NAME_MAX + 1];
	int found;
};

static int ino_cb(void *ctx, const char *name, uint64_t ino, unsigned type, uint64_t next)
{
	struct ino_search *s = ctx;

	(void)type;
	(void)next;
	if (ino != s->ino || !strcmp(name, ".") || !strcmp(name, ".."))
		return 0;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->found = 1;
	return 1;
}

/*
 * "/name" of @f in the directory it was opened from (its name then, a new
 * name there after a rename, " (deleted)" once unlinked) appended at @buf;
 * @at_root: the directory is "/" (no extra slash).  Returns the length.
 */
static int name_in_dir(struct file *f, char *buf, size_t len, int at_root)
{
	struct vnode *dir = f->dir.v, *v = NULL;
	struct ino_search s = { .ino = f->path.v->ino };
	char old[VFS_NAME_MAX + 1];
	int gone;

	pthread_mutex_lock(&f->lock);
	snprintf(old, sizeof(old), "%s", f->name);
	pthread_mutex_unlock(&f->lock);
	if (dir->ops->lookup && dir->ops->lookup(dir, old, &v) == 0) {
		s.found = v->ino == f->path.v->ino && v->dev == f->path.v->dev;
		if (s.found)
			snprintf(s.name, sizeof(s.name), "%s", old);
		vnode_put(v);
	}
	if (!s.found && dir->ops->readdir) {
		dir->ops->readdir(dir, 0, ino_cb, &s);
		/* renamed within the directory: remember the new name, which
		 * an unlink later shows with " (deleted)" */
		char *nn = s.found ? strdup(s.name) : NULL;

		if (nn) {
			pthread_mutex_lock(&f->lock);
			free(f->name);
			f->name = nn;
			pthread_mutex_unlock(&f->lock);
		}
	}
	pthread_mutex_lock(&f->path.v->lock);
	gone = f->path.v->nlink == 0;
	pthread_mutex_unlock(&f->path.v->lock);
	int n = snprintf(buf, len, "%s%s%s", at_root ? "" : "/", s.found ? s.name : old,
			 gone ? " (deleted)" : "");

	return n < 0 ? 0 : (int)MIN((size_t)n, len - 1);
}

static int path_of_file(struct task *viewer, struct file *f, char *buf, size_t len)
{
	struct path root;
	struct stat st;
	int r;

	if (!f->path.v) {
		/* No VFS path: name it by kind, as Linux does ("pipe:[ino]"). */
		int ok = f->ops->fstat && f->ops->fstat(f, &st) == 0;

		if (ok && S_ISFIFO(st.st_mode))
			snprintf(buf, len, "pipe:[%llu]", (unsigned long long)st.st_ino);
		else if (ok && S_ISSOCK(st.st_mode))
			snprintf(buf, len, "socket:[%llu]", (unsigned long long)st.st_ino);
		else if (epoll_file_is(f))
			snprintf(buf, len, "anon_inode:[eventpoll]");
		else if (timerfd_file_is(f))
			snprintf(buf, len, "anon_inode:[timerfd]");
		else if (signalfd_file_is(f))
			snprintf(buf, len, "anon_inode:[signalfd]");
		else if (ok && (st.st_mode & S_IFMT) == 0)
			snprintf(buf, len, "anon_inode:[eventfd]");
		else
			snprintf(buf, len, "anon_inode:[hostfd]");
		return (int)strlen(buf);
	}
	pthread_mutex_lock(&viewer->fs->lock);
	root = path_get(viewer->fs->root);
	pthread_mutex_unlock(&viewer->fs->lock);
	if (S_ISDIR(f->path.v->mode) || !f->dir.v) {
		r = vfs_path_string(root, f->path, buf, len);
		path_put(&root);
		return r < 0 ? r : r - 1;
	}
	r = vfs_path_string(root, f->dir, buf, len);
	path_put(&root);
	if (r < 0)
		return r;
	return r - 1 + name_in_dir(f, buf + r - 1, len - (size_t)(r - 1), r == 2);
}

int procfs_file_path(struct task *viewer, struct file *f, char *buf, size_t len)
{
	return path_of_file(viewer, f, buf, len);
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
	case PR_NS_LINK:
		n = snprintf(tmp, sizeof(tmp), "%s:[%lu]", p->name, procfs_ns_ino(p->name));
		break;
	case PR_PID_LINK: {
		struct path target = { 0 };

		pthread_mutex_lock(&k->lock);
		t = procfs_task_of(k, p->pid);
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
		t = procfs_task_of(k, p->pid);
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

/* fd/N, cwd, root: the path itself (-ENOENT: use the readlink text). */
static int proc_magic_link(struct vnode *v, struct path *ret)
{
	struct pnode *p = pn(v);
	struct kernel *k = p->k;
	struct file *f = NULL;
	struct task *t;
	int r = -ENOENT;

	if (p->kind != PR_FD_LINK && (p->kind != PR_PID_LINK || !strcmp(p->name, "exe")))
		return -ENOENT;
	pthread_mutex_lock(&k->lock);
	t = procfs_task_of(k, p->pid);
	if (t && p->kind == PR_FD_LINK) {
		f = fdt_lookup(t->fdt, p->fd);
	} else if (t) {
		pthread_mutex_lock(&t->fs->lock);
		*ret = path_get(!strcmp(p->name, "cwd") ? t->fs->cwd : t->fs->root);
		pthread_mutex_unlock(&t->fs->lock);
		r = 0;
	}
	pthread_mutex_unlock(&k->lock);
	if (f) {
		if (f->path.v) {
			*ret = path_get(f->path);
			r = 0;
		}
		file_put(f);
	}
	return r;
}

/* Nothing can be created in procfs: the name is not there (ENOENT). */
static int proc_create(struct vnode *dir, const char *name, mode_t mode, dev_t rdev,
		       const struct creds *c, struct vnode **ret)
{
	(void)dir;
	(void)name;
	(void)mode;
	(void)rdev;
	(void)c;
	(void)ret;
	return -ENOENT;
}


static int64_t dir_llseek(struct file *f, int64_t off, int whence, int64_t cur)
{
	(void)f;
	(void)cur;
	return whence == SEEK_SET && off >= 0 ? off : -EINVAL;
}

static const struct file_ops dir_fops = {
	.iterate = file_dir_iterate,
	.llseek = dir_llseek,
};

static int proc_open(struct vnode *v, unsigned flags, struct file **ret)
{
	struct file *f;

	if ((flags & O_ACCMODE) != O_RDONLY &&
	    (pn(v)->kind != PR_PID_FILE || strcmp(pn(v)->name, "oom_score_adj")))
		return -EACCES;
	if (!S_ISDIR(v->mode))
		return procfs_gen_open(pn(v), flags & O_ACCMODE, ret);
	f = file_new(&dir_fops, NULL, flags & O_ACCMODE);
	if (!f)
		return -ENOMEM;
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
	.create = proc_create,
	.magic_link = proc_magic_link,
	.readdir = proc_readdir,
	.readlink = proc_readlink,
	.open = proc_open,
	.release = proc_release,
};
