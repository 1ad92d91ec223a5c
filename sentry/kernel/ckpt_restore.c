/* SPDX-License-Identifier: Apache-2.0 */
/* Restore: cvisor.ckpt.Image -> kernel objects in a fresh kernel (ckpt.h). */
#include "sentry/kernel/ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint/image.h"
#include "lib/macro.h"
#include "platform/platform.h"
#include "sentry/fs/eventfd.h"
#include "sentry/fs/hostfd.h"
#include "sentry/fs/pipe.h"
#include "sentry/kernel/itimer.h"
#include "sentry/kernel/ptimer.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/process.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"

#define CANONICAL(a) ((a) < (1ULL << 47))

struct rs_mm {
	uint32_t id;
	struct mm *mm;
	struct plat_as *as;
	int used; /* by a thread group already */
};

struct restorer {
	struct kernel *k;
	const ImgState *img;
	char *err;
	size_t errlen;
	int pages_fd;
	/* a task that never runs, for path walks: root, the kernel's root */
	struct task helper;
	struct thread_group helper_tg;
	void **pipes;              /* per img->pipes[i] */
	struct file **files;       /* per img->files[i] */
	struct fd_table **fdts;    /* per img->fd_tables[i] */
	struct fs_context **fss;   /* per img->fs_contexts[i] */
	struct rs_mm *mms;         /* per img->mms[i] */
	struct mm_shm **shm;       /* per img->shm_objects[i] (ckpt_shm.c) */
	struct thread_group **tgs; /* per img->groups[i] */
	struct task **tasks;       /* all, in image order */
	size_t ntasks;
};

static int rs_fail(struct restorer *s, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int rs_fail(struct restorer *s, int r, const char *fmt, ...)
{
	va_list ap;

	if (s->err[0])
		return r;
	va_start(ap, fmt);
	vsnprintf(s->err, s->errlen, fmt, ap);
	va_end(ap);
	return r;
}

static size_t index_of_file(const ImgState *img, uint32_t id)
{
	for (size_t i = 0; i < img->n_files; i++)
		if (img->files[i]->id == id)
			return i;
	return SIZE_MAX; /* img_state_check made this impossible */
}

/* ---- files ---- */

static int open_path(struct restorer *s, const Cvisor__Ckpt__File *pf, struct file **ret)
{
	unsigned flags = pf->flags & ~(unsigned)(O_CREAT | O_EXCL | O_TRUNC);
	struct file *f = NULL;
	struct stat st;
	int r;

	if (pf->kind == CVISOR__CKPT__FILE__KIND__DIRECTORY)
		flags |= O_DIRECTORY;
	r = vfs_open(&s->helper, AT_FDCWD, pf->path, flags | O_NOFOLLOW | O_NOCTTY, 0, &f);
	if (r < 0)
		return rs_fail(s, r, "file %s: %s", pf->path, strerror(-r));
	if (pf->kind == CVISOR__CKPT__FILE__KIND__REGULAR) {
		int64_t mt;

		memset(&st, 0, sizeof(st));
		r = f->path.v ? (vnode_stat(f->path.v, &st), 0) : -EINVAL;
		mt = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		if (r < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != pf->size ||
		    mt != pf->mtime_ns) {
			file_put(f);
			return rs_fail(s, -ESTALE,
				       "file %s changed since the checkpoint (size %lld mtime %lld, "
				       "saved %llu %lld; file contents are not in the image)",
				       pf->path, (long long)st.st_size, (long long)mt,
				       (unsigned long long)pf->size, (long long)pf->mtime_ns);
		}
	}
	pthread_mutex_lock(&f->lock);
	/* F_GETFL as saved (O_DIRECTORY, O_CLOEXEC, ... included: the
	 * description was opened with them), not the O_NOFOLLOW added here
	 * unless it was saved */
	f->flags = (f->flags & O_ACCMODE) |
		   (pf->flags & ~(unsigned)(O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_NOCTTY));
	f->pos = pf->pos;
	pthread_mutex_unlock(&f->lock);
	*ret = f;
	return 0;
}

static int make_files(struct restorer *s, const int stdio[3])
{
	const ImgState *img = s->img;
	int r = 0;

	for (size_t i = 0; i < img->n_pipes; i++) {
		const Cvisor__Ckpt__Pipe *pp = img->pipes[i];

		r = pipe_ckpt_new(pp->capacity, pp->data.data, pp->data.len, &s->pipes[i]);
		if (r == 0)
			r = ckpt_event_restore_pipe(s->pipes[i], pp); /* packets */
		if (r < 0)
			return rs_fail(s, r, "pipe %u: %s", pp->id, strerror(-r));
	}
	for (size_t i = 0; i < img->n_files && r == 0; i++) {
		const Cvisor__Ckpt__File *pf = img->files[i];
		unsigned acc = pf->flags & O_ACCMODE;

		/* epoll, timerfd, signalfd, FIFOs: ckpt_event.c */
		r = ckpt_event_restore_file(&s->helper, img, pf, &s->files[i], s->err, s->errlen);
		if (r != -ENOENT) {
			if (r < 0)
				rs_fail(s, r, "file %u: %s", pf->id, strerror(-r));
			continue;
		}
		r = 0;
		switch (pf->kind) {
		case CVISOR__CKPT__FILE__KIND__PIPE:
			for (size_t j = 0; j < img->n_pipes; j++)
				if (img->pipes[j]->id == pf->pipe_id)
					r = pipe_ckpt_open(s->pipes[j],
							   pf->flags & (O_ACCMODE | FILE_SETFL_MASK),
							   &s->files[i]);
			break;
		case CVISOR__CKPT__FILE__KIND__EVENTFD:
			r = eventfd_file_new(pf->counter, pf->semaphore ? EFD_SEMAPHORE : 0,
					     &s->files[i]);
			if (r == 0) {
				pthread_mutex_lock(&s->files[i]->lock);
				s->files[i]->flags = O_RDWR | (pf->flags & FILE_SETFL_MASK);
				pthread_mutex_unlock(&s->files[i]->lock);
			}
			break;
		case CVISOR__CKPT__FILE__KIND__UNIX_SOCKET: /* by ckpt_sock_restore, next */
		case CVISOR__CKPT__FILE__KIND__INET_SOCKET: /* by ckpt_inet_restore */
			break;
		case CVISOR__CKPT__FILE__KIND__STDIO: {
			int hfd = stdio[pf->stdio_slot];

			if (hfd < 0) {
				Cvisor__Ckpt__File null = *pf;

				null.kind = CVISOR__CKPT__FILE__KIND__DEVICE;
				null.path = (char *)"/dev/null";
				r = open_path(s, &null, &s->files[i]);
				break;
			}
			hfd = fcntl(hfd, F_DUPFD_CLOEXEC, 3);
			if (hfd < 0) {
				r = -errno;
				break;
			}
			s->files[i] = hostfd_file(hfd, acc | (pf->flags & O_APPEND));
			if (!s->files[i]) {
				close(hfd);
				r = -ENOMEM;
			}
			break;
		}
		default:
			r = open_path(s, pf, &s->files[i]);
			break;
		}
		if (r < 0)
			rs_fail(s, r, "file %u: %s", pf->id, strerror(-r));
	}
	return r;
}

static int make_fd_tables(struct restorer *s)
{
	const ImgState *img = s->img;

	for (size_t i = 0; i < img->n_fd_tables; i++) {
		const Cvisor__Ckpt__FdTable *pt = img->fd_tables[i];

		s->fdts[i] = fdt_new();
		if (!s->fdts[i])
			return -ENOMEM;
		for (size_t j = 0; j < pt->n_fds; j++) {
			size_t fi = index_of_file(img, pt->fds[j]->file_id);
			int fd;

			if (pt->fds[j]->fd >= FDT_MAX)
				return rs_fail(s, -EMFILE, "fd %d above the table size",
					       pt->fds[j]->fd);
			fd = fdt_install(s->fdts[i], pt->fds[j]->fd, s->files[fi],
					 pt->fds[j]->cloexec);
			if (fd != pt->fds[j]->fd)
				return rs_fail(s, fd < 0 ? fd : -EBADF, "fd %d could not be restored",
					       pt->fds[j]->fd);
		}
	}
	return 0;
}

static int walk_dir(struct restorer *s, const char *path, struct path *ret)
{
	int r = vfs_walk(&s->helper, AT_FDCWD, path, WALK_FOLLOW | WALK_DIRECTORY, ret);

	if (r < 0)
		return rs_fail(s, r, "directory %s: %s", path, strerror(-r));
	return 0;
}

static int make_fs(struct restorer *s)
{
	const ImgState *img = s->img;

	for (size_t i = 0; i < img->n_fs_contexts; i++) {
		const Cvisor__Ckpt__FsContext *pc = img->fs_contexts[i];
		struct fs_context *fs = fs_context_new(s->k->root);
		struct path p;
		int r;

		if (!fs)
			return -ENOMEM;
		s->fss[i] = fs;
		fs->umask = pc->umask & 0777;
		r = walk_dir(s, pc->cwd, &p);
		if (r < 0)
			return r;
		path_put(&fs->cwd);
		fs->cwd = p;
		if (strcmp(pc->root, "/")) {
			r = walk_dir(s, pc->root, &p);
			if (r < 0)
				return r;
			path_put(&fs->root);
			fs->root = p;
		}
	}
	return 0;
}

/* ---- memory ---- */

/* The shm of a read-only shared file mapping saved by reference: the file
 * reopened by path, unchanged (same inode and size), its host fd. */
static int shared_file(struct restorer *s, const Cvisor__Ckpt__Vma *pv, struct mm_shm **ret)
{
	struct file *f = NULL;
	struct stat st;
	int r, hfd;

	r = vfs_open(&s->helper, AT_FDCWD, pv->name, O_RDONLY | O_NOFOLLOW | O_NOCTTY, 0, &f);
	if (r < 0)
		return rs_fail(s, r, "shared mapping of %s: %s", pv->name, strerror(-r));
	memset(&st, 0, sizeof(st));
	if (f->path.v)
		vnode_stat(f->path.v, &st);
	if (!f->path.v || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != pv->file_size ||
	    (uint64_t)st.st_ino != pv->ino) {
		file_put(f);
		return rs_fail(s, -ESTALE, "shared mapping of %s: the file changed since the "
				       "checkpoint", pv->name);
	}
	/* as mmap(2) finds it (sys_mm.c) */
	hfd = f->path.v->ops->mmap_fd ? f->path.v->ops->mmap_fd(f->path.v) : -EOPNOTSUPP;
	if (hfd == -EOPNOTSUPP && f->ops->mmap_fd)
		hfd = f->ops->mmap_fd(f);
	file_put(f);
	if (hfd < 0)
		return rs_fail(s, hfd, "shared mapping of %s: no host file to map", pv->name);
	r = mm_shm_from_file(hfd, ret);
	return r < 0 ? rs_fail(s, r, "shared mapping of %s: %s", pv->name, strerror(-r)) : 0;
}

static int make_mm(struct restorer *s, const Cvisor__Ckpt__Mm *pm, struct rs_mm *out)
{
	int r;

	out->id = pm->id;
	out->mm = mm_new(0, 0, 0, 0);
	if (!out->mm)
		return -ENOMEM;
	out->mm->brk_start = pm->brk_start;
	out->mm->brk = pm->brk;
	r = plat_as_create(s->k->plat, &out->as);
	if (r < 0)
		return rs_fail(s, r, "address space: %s", strerror(-r));
	pthread_mutex_lock(&out->mm->lock);
	for (size_t i = 0; i < pm->n_vmas && r == 0; i++) {
		const Cvisor__Ckpt__Vma *pv = pm->vmas[i];
		struct mm_vma v = { .start = pv->start, .end = pv->end, .prot = pv->prot,
				    .kind = pv->kind, .dev = pv->dev, .ino = pv->ino, .off = pv->off,
				    .file_size = pv->file_size };
		int shared = (pv->kind & MM_VMA_SHARED) != 0;

		if (pv->end > plat_app_limit()) {
			r = rs_fail(s, -EINVAL, "mapping 0x%llx-0x%llx above this platform's limit",
				    (unsigned long long)pv->start, (unsigned long long)pv->end);
			break;
		}
		snprintf(v.name, sizeof(v.name), "%s", pv->name);
		if (shared && pv->shm_id) { /* anonymous shared memory (ckpt_shm.c) */
			v.shm = ckpt_shm_restored(s->img, s->shm, pv->shm_id);
			if (!v.shm) {
				r = rs_fail(s, -EINVAL, "shared memory %u is missing", pv->shm_id);
				break;
			}
		} else if (shared) { /* checked: read-only, a file, by reference */
			r = shared_file(s, pv, &v.shm);
			if (r < 0)
				break;
		}
		r = mm_vma_insert(out->mm, &v); /* takes the shm reference */
		if (r == 0 && shared)
			r = plat_as_map(out->as, pv->start, pv->end - pv->start, pv->prot,
					PLAT_MAP_SHARED, mm_vma_find(out->mm, pv->start)->shm->fd,
					pv->off);
		else if (r == 0)
			r = plat_as_map(out->as, v.start, v.end - v.start, v.prot, PLAT_MAP_PRIVATE,
					-1, 0);
	}
	/* the saved pages: the image mapped privately (lazy, COW, page cache
	 * shared by every restore of one image) */
	for (size_t i = 0; i < pm->n_runs && r == 0; i++) {
		const Cvisor__Ckpt__PageRun *pr = pm->runs[i];
		struct mm_vma *v = mm_vma_find(out->mm, pr->addr);

		if (!v) {
			r = -EINVAL;
			break;
		}
		r = plat_as_map(out->as, pr->addr, pr->npages * IMG_PAGE, v->prot, PLAT_MAP_PRIVATE,
				s->pages_fd, pr->page_index * IMG_PAGE);
	}
	pthread_mutex_unlock(&out->mm->lock);
	if (r < 0)
		return rs_fail(s, r, "memory of mm %u: %s", pm->id, strerror(-r));
	return 0;
}

/* ---- tasks ---- */

static void fill_pending(struct sigpending *p, const Cvisor__Ckpt__SigPending *pp, int *ok)
{
	if (!pp)
		return;
	for (size_t i = 0; i < pp->n_infos; i++) {
		struct sigq *q = calloc(1, sizeof(*q));
		int sig;

		if (!q) {
			*ok = 0;
			return;
		}
		memcpy(&q->info, pp->infos[i].data, sizeof(q->info));
		sig = q->info.si_signo;
		if (sig < 1 || sig > SIG_MAX || (sig < SIGRTMIN && (p->set & SIG_BIT(sig)))) {
			free(q); /* nonsense or a duplicate standard signal */
			continue;
		}
		if (p->tail)
			p->tail->next = q;
		else
			p->head = q;
		p->tail = q;
		p->set |= SIG_BIT(sig);
	}
}

static size_t find_id(uint32_t want, size_t n, uint32_t (*get)(const ImgState *, size_t),
		      const ImgState *img)
{
	for (size_t i = 0; i < n; i++)
		if (get(img, i) == want)
			return i;
	return SIZE_MAX;
}
static uint32_t fdt_id(const ImgState *img, size_t i) { return img->fd_tables[i]->id; }
static uint32_t fs_id(const ImgState *img, size_t i) { return img->fs_contexts[i]->id; }

static int make_task(struct restorer *s, struct thread_group *tg, const Cvisor__Ckpt__Task *pt,
		     struct task **ret)
{
	const ImgState *img = s->img;
	struct task *t = calloc(1, sizeof(*t));
	struct plat_cpu fresh;
	int ok = 1, r;

	if (!t || !(t->cpu = calloc(1, sizeof(*t->cpu)))) {
		free(t);
		return -ENOMEM;
	}
	t->k = s->k;
	t->tg = tg;
	t->tid = pt->tid;
	pthread_cond_init(&t->sigcond, NULL);
	*ret = t; /* partially built: the caller frees it (free_task) */
	r = plat_ctx_create(tg->as, &t->ctx);
	if (r < 0)
		return rs_fail(s, r, "thread %d: %s", pt->tid, strerror(-r));
	memcpy(&t->cpu->regs, pt->regs.data, sizeof(t->cpu->regs));
	/* segments are not the image's to choose */
	plat_cpu_init(&fresh, 0, 0);
	t->cpu->regs.cs = fresh.regs.cs;
	t->cpu->regs.ss = fresh.regs.ss;
	t->cpu->regs.ds = fresh.regs.ds;
	t->cpu->regs.es = fresh.regs.es;
	t->cpu->regs.fs = fresh.regs.fs;
	t->cpu->regs.gs = fresh.regs.gs;
	t->cpu->regs.eflags = (t->cpu->regs.eflags & 0xcd5) | 0x202; /* arith flags, DF; IF */
	if (!CANONICAL(t->cpu->regs.fs_base) || !CANONICAL(t->cpu->regs.gs_base))
		return rs_fail(s, -EINVAL, "thread %d: bad TLS base", pt->tid);
	t->cpu->fp.size = (uint32_t)pt->fpstate.len;
	memcpy(t->cpu->fp.data, pt->fpstate.data, pt->fpstate.len);
	t->creds.ruid = pt->creds->ruid, t->creds.euid = pt->creds->euid;
	t->creds.suid = pt->creds->suid, t->creds.fsuid = pt->creds->fsuid;
	t->creds.rgid = pt->creds->rgid, t->creds.egid = pt->creds->egid;
	t->creds.sgid = pt->creds->sgid, t->creds.fsgid = pt->creds->fsgid;
	t->creds.ngroups = (int)pt->creds->n_groups;
	if (pt->creds->n_groups)
		memcpy(t->creds.groups, pt->creds->groups, pt->creds->n_groups * sizeof(uint32_t));
	t->sig.mask = pt->sigmask & ~SIG_UNBLOCKABLE;
	fill_pending(&t->sig.pending, pt->pending, &ok);
	t->sig.alt_sp = pt->alt_sp;
	t->sig.alt_size = pt->alt_size;
	t->sig.alt_flags = pt->alt_flags == SS_DISABLE ? SS_DISABLE : 0;
	t->clear_child_tid = pt->clear_child_tid;
	t->robust_list = pt->robust_list;
	t->pdeathsig = pt->pdeathsig >= 0 && pt->pdeathsig <= SIG_MAX ? pt->pdeathsig : 0;
	t->no_new_privs = !!pt->no_new_privs;
	t->nice = pt->nice;
	t->sched_policy = pt->sched_policy;
	memcpy(t->affinity, pt->affinity, pt->n_affinity * sizeof(uint64_t));
	t->restart.clock = pt->restart_clock;
	t->restart.deadline_ns = pt->restart_deadline_ns;
	t->restart.rem_addr = pt->restart_rem_addr;
	t->sys_restart = pt->syscall_restart; /* checked by img_state_check */
	t->saved_mask_valid = pt->saved_mask_valid && pt->syscall_restart;
	t->saved_mask = pt->saved_mask & ~SIG_UNBLOCKABLE;
	t->fdt = fdt_get(s->fdts[find_id(pt->fd_table_id, img->n_fd_tables, fdt_id, img)]);
	t->fs = fs_context_get(s->fss[find_id(pt->fs_id, img->n_fs_contexts, fs_id, img)]);
	itimer_task_init(t);
	ckpt_cpu_restore_task(t, pt);
	return ok ? 0 : -ENOMEM;
}

static void free_task(struct task *t)
{
	if (!t)
		return;
	plat_ctx_destroy(t->ctx);
	fdt_put(t->fdt);
	fs_context_put(t->fs);
	signal_free_pending(&t->sig.pending);
	pthread_cond_destroy(&t->sigcond);
	free(t->cpu);
	free(t);
}

static int make_group(struct restorer *s, const Cvisor__Ckpt__ThreadGroup *g,
		      struct thread_group **ret)
{
	const ImgState *img = s->img;
	struct thread_group *tg = calloc(1, sizeof(*tg));
	struct rs_mm *m = NULL;
	int ok = 1, r = 0;

	if (!tg)
		return -ENOMEM;
	*ret = tg;
	if (g->zombie) { /* only what wait(2) and /proc report */
		tg->k = s->k;
		tg->tgid = g->tgid;
		tg->pgid = g->pgid;
		tg->sid = g->sid;
		tg->exit_signal = g->exit_signal;
		tg->zombie = 1;
		tg->exiting = 1;
		tg->exit_status = g->exit_status;
		tg->vfork_done = 1;
		snprintf(tg->comm, sizeof(tg->comm), "%s", g->comm);
		task_rlimits_default(tg);
		itimer_tg_init(tg);
		ckpt_cpu_restore_group(tg, g);
		return 0;
	}
	for (size_t i = 0; i < img->n_mms; i++)
		if (s->mms[i].id == g->mm_id)
			m = &s->mms[i];
	if (!m || m->used)
		return rs_fail(s, -EINVAL, "process %d: its address space is shared", g->tgid);
	m->used = 1;
	tg->k = s->k;
	tg->tgid = g->tgid;
	tg->as = m->as;
	tg->mm = m->mm;
	m->as = NULL;
	m->mm = NULL;
	tg->brk_start = g->brk_start;
	snprintf(tg->comm, sizeof(tg->comm), "%s", g->comm);
	tg->exe = strdup(g->exe);
	tg->cmdline = malloc(g->cmdline.len ? g->cmdline.len : 1);
	tg->environ = malloc(g->environ.len ? g->environ.len : 1);
	if (!tg->exe || !tg->cmdline || !tg->environ)
		return -ENOMEM;
	memcpy(tg->cmdline, g->cmdline.data, g->cmdline.len);
	tg->cmdline_len = g->cmdline.len;
	memcpy(tg->environ, g->environ.data, g->environ.len);
	tg->environ_len = g->environ.len;
	for (int i = 0; i < 16; i++) {
		tg->rlim[i].cur = g->rlimits[i]->cur;
		tg->rlim[i].max = g->rlimits[i]->max;
	}
	memcpy(tg->auxv, g->auxv, g->n_auxv * sizeof(uint64_t));
	tg->auxv_n = (unsigned)g->n_auxv;
	tg->oom_score_adj = g->oom_score_adj;
	for (int i = 0; i < SIG_MAX; i++)
		tg->sig.act[i] = (struct k_sigaction){ g->actions[i]->handler, g->actions[i]->flags,
						       g->actions[i]->restorer,
						       g->actions[i]->mask };
	fill_pending(&tg->sig.shared, g->shared_pending, &ok);
	tg->pgid = g->pgid;
	tg->sid = g->sid;
	tg->exit_signal = g->exit_signal;
	tg->did_exec = !!g->did_exec;
	tg->child_subreaper = !!g->child_subreaper;
	itimer_tg_init(tg);
	tg->itimer_virt.left = g->itimer_virt_left;
	tg->itimer_virt.interval = g->itimer_virt_interval;
	tg->itimer_prof.left = g->itimer_prof_left;
	tg->itimer_prof.interval = g->itimer_prof_interval;
	tg->cpu_timers_armed = g->itimer_virt_left || g->itimer_prof_left;
	ckpt_cpu_restore_group(tg, g);
	r = ckpt_timers_restore_group(tg, g);
	for (size_t i = 0; i < g->n_tasks && r == 0; i++) {
		struct task *t = NULL;

		r = make_task(s, tg, g->tasks[i], &t);
		s->tasks[s->ntasks++] = t;
	}
	if (r == 0 && !ok)
		r = -ENOMEM;
	return r;
}

static void free_group(struct thread_group *tg)
{
	if (!tg)
		return;
	signal_free_pending(&tg->sig.shared);
	ptimer_tg_exit(tg); /* never armed */
	if (tg->as)
		plat_as_destroy(tg->as);
	mm_free(tg->mm);
	free(tg->exe);
	free(tg->cmdline);
	free(tg->environ);
	free(tg);
}

/* ---- the whole ---- */

static int kernel_is_empty_locked(struct kernel *k)
{
	if (k->ntasks || k->init)
		return 0;
	for (int i = 1; i < KERNEL_PID_MAX; i++)
		if (k->tgs[i] || k->tids[i])
			return 0;
	return 1;
}

static int alloc_arrays(struct restorer *s)
{
	const ImgState *img = s->img;
	size_t nt = 0;

	for (size_t i = 0; i < img->n_groups; i++)
		nt += img->groups[i]->n_tasks;
	s->pipes = calloc(img->n_pipes + 1, sizeof(*s->pipes));
	s->files = calloc(img->n_files + 1, sizeof(*s->files));
	s->fdts = calloc(img->n_fd_tables + 1, sizeof(*s->fdts));
	s->fss = calloc(img->n_fs_contexts + 1, sizeof(*s->fss));
	s->mms = calloc(img->n_mms + 1, sizeof(*s->mms));
	s->tgs = calloc(img->n_groups + 1, sizeof(*s->tgs));
	s->tasks = calloc(nt + 1, sizeof(*s->tasks));
	if (!s->pipes || !s->files || !s->fdts || !s->fss || !s->mms || !s->tgs || !s->tasks)
		return -ENOMEM;
	return 0;
}

/* Drop what the restorer still owns (on success: only the build
 * references of files, tables and contexts; tasks and groups belong to
 * the kernel then). */
static void restorer_free(struct restorer *s, int success)
{
	const ImgState *img = s->img;

	ckpt_shm_restore_free(img, s->shm); /* the VMAs hold their own references */
	s->shm = NULL;

	if (!success) {
		for (size_t i = 0; s->tasks && i < s->ntasks; i++)
			free_task(s->tasks[i]);
		for (size_t i = 0; s->tgs && i < img->n_groups; i++)
			free_group(s->tgs[i]);
	}
	for (size_t i = 0; s->mms && i < img->n_mms; i++) {
		if (s->mms[i].as)
			plat_as_destroy(s->mms[i].as);
		mm_free(s->mms[i].mm);
	}
	for (size_t i = 0; s->files && i < img->n_files; i++)
		if (s->files[i])
			file_put(s->files[i]);
	for (size_t i = 0; s->fdts && i < img->n_fd_tables; i++)
		fdt_put(s->fdts[i]);
	for (size_t i = 0; s->fss && i < img->n_fs_contexts; i++)
		fs_context_put(s->fss[i]);
	for (size_t i = 0; s->pipes && i < img->n_pipes; i++)
		pipe_ckpt_put(s->pipes[i]);
	free(s->pipes);
	free(s->files);
	free(s->fdts);
	free(s->fss);
	free(s->mms);
	free(s->tgs);
	free(s->tasks);
	if (s->helper.fs)
		fs_context_put(s->helper.fs);
	pthread_cond_destroy(&s->helper.sigcond);
}

static struct thread_group *tg_by_tgid(struct restorer *s, int32_t tgid)
{
	for (size_t i = 0; i < s->img->n_groups; i++)
		if (s->tgs[i] && s->tgs[i]->tgid == tgid)
			return s->tgs[i];
	return NULL;
}

int kernel_ckpt_restore(struct kernel *k, const void *state, size_t len, int pages_fd,
			int files_fd, const int stdio[3], char *err, size_t errlen)
{
	struct restorer s = { .k = k, .err = err, .errlen = errlen, .pages_fd = pages_fd };
	struct img_error ie = { { 0 } };
	ImgState *img = NULL;
	struct stat st;
	int r;

	err[0] = 0;
	if (fstat(pages_fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "pages.img: not a regular file");
		return -EINVAL;
	}
	/* the control socket is hostile: everything is checked again */
	r = img_state_parse(state, len, (uint64_t)st.st_size, &img, &ie);
	/* files.img: every entry's data inside it */
	if (r == 0 && (r = ckpt_check_files_fd(img, files_fd, &ie)) < 0)
		img_state_free(img);
	if (r < 0) {
		snprintf(err, errlen, "%s", ie.msg);
		return r;
	}
	s.img = img;
	pthread_mutex_lock(&k->lock);
	if (k->ckpt_busy || k->shutting_down || !kernel_is_empty_locked(k)) {
		pthread_mutex_unlock(&k->lock);
		img_state_free(img);
		snprintf(err, errlen, "restore needs a freshly booted sandbox with no process");
		return -EBUSY;
	}
	k->ckpt_busy = 1;
	pthread_mutex_unlock(&k->lock);

	/* the helper: root, the kernel's root as / and cwd */
	s.helper_tg.k = k;
	task_rlimits_default(&s.helper_tg);
	s.helper.k = k;
	s.helper.tg = &s.helper_tg;
	pthread_cond_init(&s.helper.sigcond, NULL);
	s.helper.fs = fs_context_new(k->root);
	r = s.helper.fs ? alloc_arrays(&s) : -ENOMEM;
	if (r == 0) /* files first: reopened by path below */
		r = kernel_ckpt_restore_fs(k, img, files_fd, err, errlen);
	if (r == 0)
		r = make_files(&s, stdio);
	if (r == 0) /* loopback inet sockets: may be in flight below */
		r = ckpt_inet_restore(img, s.files, err, errlen);
	if (r == 0) /* with the files in flight in their messages */
		r = ckpt_sock_restore(k, img, s.files, err, errlen);
	if (r == 0) /* the epoll interest lists, once their files exist */
		r = ckpt_event_restore_links(img, s.files, err, errlen);
	if (r == 0)
		r = make_fd_tables(&s);
	if (r == 0)
		r = make_fs(&s);
	if (r == 0)
		r = ckpt_shm_restore(img, pages_fd, &s.shm, err, errlen);
	for (size_t i = 0; i < img->n_mms && r == 0; i++)
		r = make_mm(&s, img->mms[i], &s.mms[i]);
	for (size_t i = 0; i < img->n_groups && r == 0; i++)
		r = make_group(&s, img->groups[i], &s.tgs[i]);
	if (r == 0) /* undoes itself on failure */
		r = ckpt_ipc_restore(img, k->ipc, err, errlen);
	if (r == 0) { /* last: undoes itself on failure */
		r = ckpt_shm_restore_sysv(img, s.shm, k->ipc, err, errlen);
		if (r < 0)
			ckpt_ipc_restore_undo(img, k->ipc);
	}
	if (r < 0) {
		if (!err[0])
			snprintf(err, errlen, "%s", strerror(-r));
		restorer_free(&s, 0);
		pthread_mutex_lock(&k->lock);
		k->ckpt_busy = 0;
		pthread_cond_broadcast(&k->cond);
		pthread_mutex_unlock(&k->lock);
		img_state_free(img);
		return r;
	}

	/* everything exists: register it at once, then start the tasks */
	pthread_mutex_lock(&k->lock);
	for (size_t i = 0; i < img->n_groups; i++) {
		const Cvisor__Ckpt__ThreadGroup *g = img->groups[i];
		struct thread_group *tg = s.tgs[i], *parent = tg_by_tgid(&s, g->parent_tgid);

		if (parent && g->parent_tgid) {
			tg->parent = parent;
			tg->sibling = parent->children;
			parent->children = tg;
		}
		if (g->ctl_process)
			tg->ctl_owner = k; /* waited for over the control socket */
		tg->ntasks = (int)g->n_tasks;
		k->tgs[tg->tgid] = tg;
		if (tg->tgid == img->init_tgid)
			k->init = tg;
	}
	for (size_t i = 0; i < s.ntasks; i++)
		k->tids[s.tasks[i]->tid] = s.tasks[i];
	k->next_tid = img->next_tid >= 2 ? img->next_tid : 2;
	snprintf(k->hostname, sizeof(k->hostname), "%s", img->hostname);
	/* CLOCK_MONOTONIC is the host's: it has moved forward since the
	 * checkpoint; uptime continues from the saved boot time when that is
	 * in the past of this host */
	if (img->boot_ns && img->boot_ns < k->boot_ns)
		k->boot_ns = img->boot_ns;
	pthread_mutex_unlock(&k->lock);
	/* alarms: absolute on CLOCK_MONOTONIC, which moved on meanwhile (a
	 * deadline already past fires at once) */
	for (size_t i = 0; i < img->n_groups; i++)
		if (!img->groups[i]->zombie && img->groups[i]->itimer_real_deadline)
			ktimer_set(&s.tgs[i]->itimer_real, img->groups[i]->itimer_real_deadline,
				   img->groups[i]->itimer_real_interval, NULL, NULL);
	for (size_t i = 0; i < img->n_groups; i++)
		if (!img->groups[i]->zombie)
			ptimer_arm_restored(s.tgs[i]);
	r = 0;
	for (size_t i = 0; i < s.ntasks; i++) {
		int e = task_start(s.tasks[i]);

		if (e < 0 && r == 0) {
			/* kill what was restored; the rest starts only to die */
			r = e;
			snprintf(err, errlen, "starting thread %d: %s", s.tasks[i]->tid,
				 strerror(-e));
			pthread_mutex_lock(&k->lock);
			for (size_t j = 0; j < img->n_groups; j++) {
				siginfo_t info = { .si_signo = SIGKILL };

				signal_send_tg_locked(s.tgs[j], &info);
			}
			pthread_mutex_unlock(&k->lock);
		}
	}
	pthread_mutex_lock(&k->lock);
	k->ckpt_busy = 0;
	pthread_cond_broadcast(&k->cond);
	pthread_mutex_unlock(&k->lock);
	restorer_free(&s, 1);
	img_state_free(img);
	return r;
}
