/* SPDX-License-Identifier: Apache-2.0 */
/* Checkpoint: kernel objects -> cvisor.ckpt.Image and pages.img (ckpt.h). */
#include "sentry/kernel/ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint/image.h"
#include "lib/macro.h"
#include "lib/timeutil.h"
#include "platform/platform.h"
#include "sentry/fs/eventfd.h"
#include "sentry/fs/hostfd.h"
#include "sentry/fs/overlay.h"
#include "sentry/net/netfiles.h"
#include "sentry/net/socket.h"
#include "sentry/kernel/control.h"
#include "sentry/kernel/root_ctx.h"
#include "sentry/fs/pipe.h"
#include "sentry/fs/procfs.h"
#include "sentry/kernel/ipc_impl.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"

#define CHUNK (1u << 20)

struct ident {
	const void *key;
	uint32_t id;
};

struct saver {
	struct kernel *k;
	ImgState img;
	char *err;
	size_t errlen;
	int pages_fd;
	uint64_t next_page;   /* pages written */
	int files_fd;         /* files.img, or -1: file data inline */
	uint64_t files_off;   /* bytes written to files.img */
	uint64_t xfeatures;
	void **arena;         /* every allocation of the image, freed at the end */
	size_t narena, carena;
	struct ident *ids;    /* object pointer -> image id */
	size_t nids, cids;
	uint32_t next_id;
	uint8_t *buf;         /* CHUNK bytes for page copies */
	struct ckpt_socks *socks; /* AF_UNIX sockets met (ckpt_sock.c) */
	struct ckpt_inet *inet;   /* loopback inet sockets met (ckpt_inet.c) */
	struct ckpt_shm_set shm; /* anonymous shared memory (ckpt_shm.c) */
};

static int sv_fail(struct saver *s, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int sv_fail(struct saver *s, int r, const char *fmt, ...)
{
	va_list ap;

	if (s->err[0]) /* keep the first, innermost message */
		return r;
	va_start(ap, fmt);
	vsnprintf(s->err, s->errlen, fmt, ap);
	va_end(ap);
	return r;
}

static void *sv_keep(struct saver *s, void *p)
{
	if (!p)
		return NULL;
	if (s->narena == s->carena) {
		size_t nc = s->carena ? s->carena * 2 : 64;
		void **n = realloc(s->arena, nc * sizeof(*n));

		if (!n) {
			free(p);
			return NULL;
		}
		s->arena = n;
		s->carena = nc;
	}
	s->arena[s->narena++] = p;
	return p;
}

static void *sv_alloc(struct saver *s, size_t n)
{
	return sv_keep(s, calloc(1, n ? n : 1));
}

static void *tm_alloc(void *ctx, size_t n) /* ckpt_timers.c, ckpt_ipc.c */
{
	return sv_alloc(ctx, n);
}

static char *sv_strdup(struct saver *s, const char *str)
{
	return sv_keep(s, strdup(str ? str : ""));
}

/* Append @item to the array *@arr of *@n pointers (arena-backed growth). */
static int sv_push(struct saver *s, void ***arr, size_t *n, void *item)
{
	if (!item)
		return -ENOMEM;
	if ((*n & (*n - 1)) == 0) { /* 0, 1, 2, 4...: grow to the next power */
		void **nv = sv_alloc(s, (*n ? *n * 2 : 1) * sizeof(void *));

		if (!nv)
			return -ENOMEM;
		if (*n)
			memcpy(nv, *arr, *n * sizeof(void *));
		*arr = nv;
	}
	(*arr)[(*n)++] = item;
	return 0;
}
#define PUSH(s, arr, n, item) sv_push((s), (void ***)&(arr), &(n), (item))

/* The image id of object @key; *@created when it is new. */
static int sv_id(struct saver *s, const void *key, uint32_t *ret, int *created)
{
	for (size_t i = 0; i < s->nids; i++)
		if (s->ids[i].key == key) {
			*ret = s->ids[i].id;
			*created = 0;
			return 0;
		}
	if (s->nids == s->cids) {
		size_t nc = s->cids ? s->cids * 2 : 64;
		struct ident *n = realloc(s->ids, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->ids = n;
		s->cids = nc;
	}
	s->ids[s->nids++] = (struct ident){ key, ++s->next_id };
	*ret = s->next_id;
	*created = 1;
	return 0;
}

static int sv_bytes(struct saver *s, ProtobufCBinaryData *d, const void *src, size_t len)
{
	d->len = len;
	d->data = sv_alloc(s, len);
	if (!d->data)
		return -ENOMEM;
	if (len)
		memcpy(d->data, src, len);
	return 0;
}

/* ---- safe point ---- */

/* Freeze every task at the top of its loop (kernel.lock not held).  On
 * success the caller owns k->ckpt_busy and must call thaw(). */
static int freeze_all(struct saver *s, int *was_frozen)
{
	struct kernel *k = s->k;
	uint64_t deadline = mono_ns() + 10 * NSEC_PER_SEC;
	int r = 0;

	pthread_mutex_lock(&k->lock);
	if (k->ckpt_busy || k->shutting_down) {
		pthread_mutex_unlock(&k->lock);
		return sv_fail(s, -EBUSY, "a checkpoint, restore or shutdown is in progress");
	}
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct thread_group *tg = k->tgs[i];

		if (tg && tg->ctl_unstarted) {
			pthread_mutex_unlock(&k->lock);
			return sv_fail(s, -EBUSY, "process %d was created but never started", i);
		}
	}
	k->ckpt_busy = 1;
	*was_frozen = k->frozen;
	k->frozen = 1;
	k->ckpt_stopping = 1;
	for (int i = 1; i < KERNEL_PID_MAX; i++) {
		struct task *o = k->tids[i];

		if (o && o->ctx)
			(void)plat_ctx_interrupt(o->ctx);
		if (o)
			pthread_cond_broadcast(&o->sigcond);
	}
	while (k->nparked < k->ntasks) {
		uint64_t now = mono_ns(), abs;
		struct timespec ts;

		if (now >= deadline) {
			r = sv_fail(s, -EBUSY,
				    "%d of %d threads did not reach a safe point in 10 s "
				    "(stopped by job control, or in a call that does not restart)",
				    k->ntasks - k->nparked, k->ntasks);
			break;
		}
		abs = now_ns(CLOCK_REALTIME) + MIN(deadline - now, 100 * 1000000ULL);
		ts = (struct timespec){ (time_t)(abs / NSEC_PER_SEC), (long)(abs % NSEC_PER_SEC) };
		pthread_cond_timedwait(&k->cond, &k->lock, &ts);
		/* a task may have been between the check and its wait: again */
		for (int i = 1; i < KERNEL_PID_MAX; i++) {
			struct task *o = k->tids[i];

			if (o && o->ctx)
				(void)plat_ctx_interrupt(o->ctx);
			if (o)
				pthread_cond_broadcast(&o->sigcond);
		}
	}
	k->ckpt_stopping = 0;
	if (r < 0) {
		k->frozen = *was_frozen;
		k->ckpt_busy = 0;
		pthread_cond_broadcast(&k->cond);
		for (int i = 1; i < KERNEL_PID_MAX; i++)
			if (k->tids[i])
				pthread_cond_broadcast(&k->tids[i]->sigcond);
	}
	pthread_mutex_unlock(&k->lock);
	return r;
}

static void thaw(struct kernel *k, int frozen)
{
	pthread_mutex_lock(&k->lock);
	k->frozen = frozen;
	k->ckpt_busy = 0;
	pthread_cond_broadcast(&k->cond); /* kernel_ctl_kill waits for it */
	for (int i = 1; i < KERNEL_PID_MAX; i++)
		if (k->tids[i])
			pthread_cond_broadcast(&k->tids[i]->sigcond);
	pthread_mutex_unlock(&k->lock);
}

/* ---- memory ---- */

static int is_zero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)p;

	for (size_t i = 0; i < IMG_PAGE / 8; i++)
		if (w[i])
			return 0;
	return 1;
}

static int write_pages(struct saver *s, const uint8_t *p, size_t len)
{
	off_t off = (off_t)(s->next_page * IMG_PAGE);

	while (len > 0) {
		ssize_t n = pwrite(s->pages_fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return sv_fail(s, n < 0 ? -errno : -EIO, "pages.img: %s",
				       n < 0 ? strerror(errno) : "short write");
		p += n;
		len -= (size_t)n;
		off += n;
		s->next_page += (uint64_t)n / IMG_PAGE;
	}
	return 0;
}

/* Save the non-zero pages of [start, end) of @as as page runs of @m. */
static int save_range(struct saver *s, struct plat_as *as, Cvisor__Ckpt__Mm *m, uint64_t start,
		      uint64_t end)
{
	for (uint64_t a = start; a < end; a += CHUNK) {
		size_t len = (size_t)MIN((uint64_t)CHUNK, end - a);
		ssize_t n = plat_as_read(as, a, s->buf, len);
		size_t i = 0;

		if (n != (ssize_t)len)
			return sv_fail(s, n < 0 ? (int)n : -EIO,
				       "memory at 0x%llx of a process could not be read",
				       (unsigned long long)a);
		while (i < len) {
			size_t j;
			Cvisor__Ckpt__PageRun *pr;
			int r;

			if (is_zero(s->buf + i)) {
				i += IMG_PAGE;
				continue;
			}
			for (j = i; j < len && !is_zero(s->buf + j); j += IMG_PAGE)
				;
			pr = m->n_runs ? m->runs[m->n_runs - 1] : NULL;
			if (pr && pr->addr >= start && pr->addr + pr->npages * IMG_PAGE == a + i &&
			    pr->page_index + pr->npages == s->next_page) {
				/* continues the last run (across chunks): one mapping */
				pr->npages += (j - i) / IMG_PAGE;
				r = write_pages(s, s->buf + i, j - i);
				if (r < 0)
					return r;
				i = j;
				continue;
			}
			pr = sv_alloc(s, sizeof(*pr));
			if (!pr)
				return -ENOMEM;
			cvisor__ckpt__page_run__init(pr);
			pr->addr = a + i;
			pr->npages = (j - i) / IMG_PAGE;
			pr->page_index = s->next_page;
			r = write_pages(s, s->buf + i, j - i);
			if (r < 0)
				return r;
			r = PUSH(s, m->runs, m->n_runs, pr);
			if (r < 0)
				return r;
			i = j;
		}
	}
	return 0;
}

static int save_mm(struct saver *s, struct thread_group *tg, uint32_t *ret_id)
{
	struct mm *mm = tg->mm;
	Cvisor__Ckpt__Mm *m;
	uint32_t id;
	int created, r = 0;

	if (!mm || !tg->as)
		return sv_fail(s, -EINVAL, "process %d has no address space", tg->tgid);
	if (__atomic_load_n(&mm->users, __ATOMIC_RELAXED) > 1)
		return sv_fail(s, -EOPNOTSUPP,
			       "process %d shares its address space with another process "
			       "(CLONE_VM or vfork): not supported yet", tg->tgid);
	r = sv_id(s, mm, &id, &created);
	if (r < 0)
		return r;
	*ret_id = id;
	if (!created)
		return 0;
	m = sv_alloc(s, sizeof(*m));
	if (!m)
		return -ENOMEM;
	cvisor__ckpt__mm__init(m);
	m->id = id;
	pthread_mutex_lock(&mm->lock);
	m->brk_start = mm->brk_start;
	m->brk = mm->brk;
	for (size_t i = 0; i < mm->n && r == 0; i++) {
		const struct mm_vma *v = &mm->v[i];
		Cvisor__Ckpt__Vma *pv;

		/* anonymous shared memory and SysV segments: by object
		 * (ckpt_shm.c), no pages here */
		int shared_anon = (v->kind & MM_VMA_SHARED) && v->shm &&
				  ((!(v->kind & MM_VMA_FILE) && !v->shm->is_file) ||
				   ckpt_shm_has(&s->shm, v->shm));
		/* a read-only shared map of a root file system file (glibc's
		 * gconv cache, locale archives): by reference, no pages */
		int shared_ro = !shared_anon && (v->kind & MM_VMA_SHARED) &&
				(v->kind & MM_VMA_FILE) && !(v->prot & PROT_WRITE) &&
				(v->kind & MM_VMA_NOWRITE) && v->name[0] == '/' && v->shm &&
				v->shm->is_file;

		if ((v->kind & MM_VMA_SHARED) && !shared_ro && !shared_anon) {
			r = sv_fail(s, -EOPNOTSUPP,
				    "process %d: shared mapping 0x%llx-0x%llx %s (writable MAP_SHARED "
				    "memory is not saved yet)", tg->tgid,
				    (unsigned long long)v->start, (unsigned long long)v->end,
				    v->name);
			break;
		}
		pv = sv_alloc(s, sizeof(*pv));
		if (!pv) {
			r = -ENOMEM;
			break;
		}
		cvisor__ckpt__vma__init(pv);
		pv->start = v->start;
		pv->end = v->end;
		pv->prot = v->prot;
		pv->kind = v->kind;
		pv->dev = v->dev;
		pv->ino = v->ino;
		pv->off = v->off;
		pv->file_size = v->file_size;
		pv->name = sv_strdup(s, v->name);
		r = pv->name ? PUSH(s, m->vmas, m->n_vmas, pv) : -ENOMEM;
		if (r == 0 && shared_anon)
			r = ckpt_shm_id(&s->shm, v->shm, &pv->shm_id);
		if (r < 0 || shared_ro || shared_anon)
			continue; /* (r < 0 ends the loop) */
		/* private memory: read it (made readable for the copy) */
		if (!(v->prot & PROT_READ))
			r = plat_as_protect(tg->as, v->start, v->end - v->start,
					    v->prot | PROT_READ);
		if (r == 0)
			r = save_range(s, tg->as, m, v->start, v->end);
		if (!(v->prot & PROT_READ)) {
			int r2 = plat_as_protect(tg->as, v->start, v->end - v->start, v->prot);

			if (r == 0)
				r = r2;
		}
		if (r < 0)
			sv_fail(s, r, "process %d: memory 0x%llx-0x%llx: %s", tg->tgid,
				(unsigned long long)v->start, (unsigned long long)v->end,
				strerror(-r));
	}
	pthread_mutex_unlock(&mm->lock);
	if (r < 0)
		return r;
	return PUSH(s, s->img.mms, s->img.n_mms, m);
}

/* ---- files ---- */

static const char *const devices[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
				       "/dev/urandom" };

static int save_file(struct saver *s, struct task *t, struct file *f, int fd, uint32_t *ret_id);

/* The saver's side of ckpt_event.c (ckpt.h). */
struct ev_ctx {
	struct saver *s;
	struct task *t;
	int fd;
};
static void *ev_alloc(void *ctx, size_t n)
{
	return sv_alloc(((struct ev_ctx *)ctx)->s, n);
}
static int ev_file_id(void *ctx, struct file *f, int fd, uint32_t *ret_id)
{
	return save_file(((struct ev_ctx *)ctx)->s, ((struct ev_ctx *)ctx)->t, f, fd, ret_id);
}
static int ev_pipe(void *ctx, const void *key, Cvisor__Ckpt__Pipe **ret, int *created)
{
	struct saver *s = ((struct ev_ctx *)ctx)->s;
	Cvisor__Ckpt__Pipe *pp;
	uint32_t id;
	int r = sv_id(s, key, &id, created);

	if (r < 0)
		return r;
	for (size_t i = 0; i < s->img.n_pipes && !*created; i++)
		if (s->img.pipes[i]->id == id)
			*ret = s->img.pipes[i];
	if (!*created)
		return 0;
	pp = sv_alloc(s, sizeof(*pp));
	if (!pp)
		return -ENOMEM;
	cvisor__ckpt__pipe__init(pp);
	pp->id = id;
	*ret = pp;
	return PUSH(s, s->img.pipes, s->img.n_pipes, pp);
}
static int ev_fail(void *ctx, int r, const char *msg)
{
	struct ev_ctx *c = ctx;

	return sv_fail(c->s, r, "fd %d of process %d: %s", c->fd, c->t->tg->tgid, msg);
}

/* The image id of description @f, found at @fd of a table of @t. */
static int save_file(struct saver *s, struct task *t, struct file *f, int fd, uint32_t *ret_id)
{
	struct ev_ctx ec = { s, t, fd };
	const struct ckpt_event_saver ev = { s->k, &ec, ev_alloc, ev_file_id, ev_pipe, ev_fail };
	char path[4096];
	Cvisor__Ckpt__File *pf;
	struct stat st;
	uint32_t id;
	int created, n, r, sem = 0;

	r = sv_id(s, f, &id, &created);
	if (r < 0)
		return r;
	*ret_id = id;
	if (!created)
		return 0;
	pf = sv_alloc(s, sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	cvisor__ckpt__file__init(pf);
	pf->id = id;
	pthread_mutex_lock(&f->lock);
	pf->flags = f->flags;
	pf->pos = f->pos;
	pthread_mutex_unlock(&f->lock);
	n = procfs_file_path(t, f, path, sizeof(path));
	if (n < 0)
		snprintf(path, sizeof(path), "?");
	r = ckpt_event_save(&ev, f, path, pf); /* epoll, timerfd, signalfd, FIFOs... */
	if (r < 0 && r != -ENOENT)
		return sv_fail(s, r, "fd %d of process %d: %s: %s", fd, t->tg->tgid, path,
			       strerror(-r));
	if (r == 0) {
	} else if (pipe_file_is(f)) {
		const void *pid;
		void *data = NULL;
		size_t cap, len;
		uint32_t pipe_id;
		int pcreated;

		r = pipe_ckpt_save(f, &pid, &cap, &data, &len);
		if (r < 0)
			return sv_fail(s, r, "fd %d of process %d: %s: %s", fd, t->tg->tgid, path,
				       r == -EOPNOTSUPP ? "a FIFO or packet-mode pipe (not supported yet)"
							: strerror(-r));
		sv_keep(s, data);
		r = sv_id(s, pid, &pipe_id, &pcreated);
		if (r < 0)
			return r;
		pf->kind = CVISOR__CKPT__FILE__KIND__PIPE;
		pf->pipe_id = pipe_id;
		if (pcreated) {
			Cvisor__Ckpt__Pipe *pp = sv_alloc(s, sizeof(*pp));

			if (!pp)
				return -ENOMEM;
			cvisor__ckpt__pipe__init(pp);
			pp->id = pipe_id;
			pp->capacity = cap;
			pp->data.data = data;
			pp->data.len = len;
			r = PUSH(s, s->img.pipes, s->img.n_pipes, pp);
			if (r < 0)
				return r;
		}
	} else if (ckpt_inet_is(f)) {
		pf->kind = CVISOR__CKPT__FILE__KIND__INET_SOCKET;
		r = ckpt_inet_save_file(&s->inet, f, &pf->inet_sock_id);
		if (r < 0)
			return r;
	} else if (sock_of(f)) {
		char why[200];

		pf->kind = CVISOR__CKPT__FILE__KIND__UNIX_SOCKET;
		r = ckpt_sock_save_file(&s->socks, s->k, f, &pf->unix_sock_id, why, sizeof(why));
		if (r < 0)
			return sv_fail(s, r, "fd %d of process %d: %s", fd, t->tg->tgid,
				       r == -EOPNOTSUPP ? why : strerror(-r));
	} else if (eventfd_ckpt_get(f, &pf->counter, &sem) == 0) {
		pf->kind = CVISOR__CKPT__FILE__KIND__EVENTFD;
		pf->semaphore = sem != 0;
	} else if (hostfd_file_is(f)) {
		if (fd > 2)
			return sv_fail(s, -EOPNOTSUPP,
				       "fd %d of process %d: a host file first seen above fd 2 "
				       "(only stdio can be reconnected on restore)", fd, t->tg->tgid);
		pf->kind = CVISOR__CKPT__FILE__KIND__STDIO;
		pf->stdio_slot = fd;
	} else {
		memset(&st, 0, sizeof(st));
		if (f->path.v) /* what fstat(2) reports */
			vnode_stat(f->path.v, &st);
		if (!f->path.v || !(st.st_mode & S_IFMT))
			return sv_fail(s, -EOPNOTSUPP,
				       "fd %d of process %d: %s is not supported by checkpoint yet", fd,
				       t->tg->tgid, path);
		if (strstr(path, " (deleted)") || path[0] != '/')
			return sv_fail(s, -EOPNOTSUPP,
				       "fd %d of process %d: %s: unlinked files are not saved yet", fd,
				       t->tg->tgid, path);
		if (S_ISREG(st.st_mode)) {
			pf->kind = CVISOR__CKPT__FILE__KIND__REGULAR;
			pf->size = (uint64_t)st.st_size;
			pf->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
		} else if (S_ISDIR(st.st_mode)) {
			pf->kind = CVISOR__CKPT__FILE__KIND__DIRECTORY;
		} else if (S_ISCHR(st.st_mode)) {
			int ok = 0;

			for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
				ok |= !strcmp(path, devices[i]);
			if (!ok)
				return sv_fail(s, -EOPNOTSUPP,
					       "fd %d of process %d: device %s is not supported by "
					       "checkpoint yet", fd, t->tg->tgid, path);
			pf->kind = CVISOR__CKPT__FILE__KIND__DEVICE;
		} else {
			return sv_fail(s, -EOPNOTSUPP,
				       "fd %d of process %d: %s (mode 0%o) is not supported by "
				       "checkpoint yet", fd, t->tg->tgid, path, (unsigned)st.st_mode);
		}
		pf->path = sv_strdup(s, path);
		if (!pf->path)
			return -ENOMEM;
	}
	return PUSH(s, s->img.files, s->img.n_files, pf);
}

/* A file in flight in an AF_UNIX message (ckpt_sock.c): saved as any open
 * file description, its path as the first task sees it. */
static int save_inflight(void *ctx, struct file *f, uint32_t *ret_id)
{
	struct saver *s = ctx;
	struct task *t = NULL;
	char *colon;
	int r;

	for (size_t i = 0; i < s->nids; i++)
		if (s->ids[i].key == f) { /* also open in an fd table */
			*ret_id = s->ids[i].id;
			return 0;
		}
	for (int i = 1; i < KERNEL_PID_MAX && !t; i++)
		t = s->k->tids[i];
	if (!t)
		return -ESRCH;
	if (hostfd_file_is(f))
		return sv_fail(s, -EOPNOTSUPP,
			       "a host file in flight in an AF_UNIX message, open in no fd table "
			       "(SCM_RIGHTS: not saved)");
	r = save_file(s, t, f, -1, ret_id);
	colon = r < 0 ? strchr(s->err, ':') : NULL;
	if (colon && !strncmp(s->err, "fd -1 ", 6)) { /* name it by where it is */
		char msg[512];

		snprintf(msg, sizeof(msg), "a file in flight in an AF_UNIX message (SCM_RIGHTS)%s",
			 colon);
		snprintf(s->err, s->errlen, "%s", msg);
	}
	return r;
}

static int save_fdt(struct saver *s, struct task *t, uint32_t *ret_id)
{
	struct fd_table *ft = t->fdt;
	Cvisor__Ckpt__FdTable *pt;
	uint32_t id;
	int created, r = 0;

	r = sv_id(s, ft, &id, &created);
	if (r < 0)
		return r;
	*ret_id = id;
	if (!created)
		return 0;
	pt = sv_alloc(s, sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	cvisor__ckpt__fd_table__init(pt);
	pt->id = id;
	/* the tasks are parked: the table does not change under us */
	for (int fd = 0; fd < FDT_MAX && r == 0; fd++) {
		struct file *f;
		Cvisor__Ckpt__Fd *pfd;
		int cloexec;

		pthread_mutex_lock(&ft->lock);
		f = ft->v[fd].file ? file_get(ft->v[fd].file) : NULL;
		cloexec = ft->v[fd].cloexec;
		pthread_mutex_unlock(&ft->lock);
		if (!f)
			continue;
		pfd = sv_alloc(s, sizeof(*pfd));
		if (!pfd) {
			file_put(f);
			return -ENOMEM;
		}
		cvisor__ckpt__fd__init(pfd);
		pfd->fd = fd;
		pfd->cloexec = cloexec != 0;
		r = save_file(s, t, f, fd, &pfd->file_id);
		file_put(f);
		if (r == 0)
			r = PUSH(s, pt->fds, pt->n_fds, pfd);
	}
	if (r < 0)
		return r;
	return PUSH(s, s->img.fd_tables, s->img.n_fd_tables, pt);
}

static int save_fs(struct saver *s, struct task *t, uint32_t *ret_id)
{
	struct fs_context *fs = t->fs;
	Cvisor__Ckpt__FsContext *pc;
	char cwd[4096], root[4096];
	uint32_t id;
	int created, r;

	r = sv_id(s, fs, &id, &created);
	if (r < 0)
		return r;
	*ret_id = id;
	if (!created)
		return 0;
	pc = sv_alloc(s, sizeof(*pc));
	if (!pc)
		return -ENOMEM;
	cvisor__ckpt__fs_context__init(pc);
	pc->id = id;
	pthread_mutex_lock(&fs->lock);
	r = vfs_path_string(s->k->root, fs->cwd, cwd, sizeof(cwd));
	if (r >= 0)
		r = vfs_path_string(s->k->root, fs->root, root, sizeof(root));
	pc->umask = fs->umask;
	pthread_mutex_unlock(&fs->lock);
	if (r < 0)
		return sv_fail(s, r, "process %d: its working directory has no path", t->tg->tgid);
	pc->cwd = sv_strdup(s, cwd);
	pc->root = sv_strdup(s, root);
	if (!pc->cwd || !pc->root)
		return -ENOMEM;
	return PUSH(s, s->img.fs_contexts, s->img.n_fs_contexts, pc);
}

/* ---- tasks and processes ---- */

static int save_pending(struct saver *s, const struct sigpending *p, Cvisor__Ckpt__SigPending **ret)
{
	Cvisor__Ckpt__SigPending *pp = sv_alloc(s, sizeof(*pp));
	int r;

	if (!pp)
		return -ENOMEM;
	cvisor__ckpt__sig_pending__init(pp);
	pp->set = p->set;
	for (const struct sigq *q = p->head; q; q = q->next) {
		ProtobufCBinaryData *d;

		if (pp->n_infos % 64 == 0) {
			ProtobufCBinaryData *nv = sv_alloc(s, (pp->n_infos + 64) * sizeof(*nv));

			if (!nv)
				return -ENOMEM;
			if (pp->n_infos)
				memcpy(nv, pp->infos, pp->n_infos * sizeof(*nv));
			pp->infos = nv;
		}
		d = &pp->infos[pp->n_infos];
		r = sv_bytes(s, d, &q->info, sizeof(q->info));
		if (r < 0)
			return r;
		pp->n_infos++;
	}
	*ret = pp;
	return 0;
}

static int save_task(struct saver *s, struct task *t, Cvisor__Ckpt__ThreadGroup *g)
{
	Cvisor__Ckpt__Task *pt = sv_alloc(s, sizeof(*pt));
	Cvisor__Ckpt__Creds *c = sv_alloc(s, sizeof(*c));
	const struct plat_fpstate *fp = &t->cpu->fp;
	int r;

	if (!pt || !c)
		return -ENOMEM;
	cvisor__ckpt__task__init(pt);
	cvisor__ckpt__creds__init(c);
	pt->tid = t->tid;
	c->ruid = t->creds.ruid, c->euid = t->creds.euid, c->suid = t->creds.suid;
	c->fsuid = t->creds.fsuid;
	c->rgid = t->creds.rgid, c->egid = t->creds.egid, c->sgid = t->creds.sgid;
	c->fsgid = t->creds.fsgid;
	c->n_groups = (size_t)t->creds.ngroups;
	c->groups = sv_alloc(s, sizeof(uint32_t) * (size_t)t->creds.ngroups);
	if (!c->groups)
		return -ENOMEM;
	memcpy(c->groups, t->creds.groups, sizeof(uint32_t) * (size_t)t->creds.ngroups);
	pt->creds = c;
	r = sv_bytes(s, &pt->regs, &t->cpu->regs, sizeof(t->cpu->regs));
	if (r == 0)
		r = sv_bytes(s, &pt->fpstate, fp->data, MIN(fp->size, (uint32_t)PLAT_FP_MAX));
	if (r < 0)
		return r;
	if (fp->size >= 520) {
		uint64_t bv, sw = 0;

		memcpy(&bv, fp->data + 512, 8);
		uint32_t magic;

		memcpy(&magic, fp->data + 464, 4);
		if (magic == 0x46505853U) /* FP_XSTATE_MAGIC1: xfeatures at +8 */
			memcpy(&sw, fp->data + 464 + 8, 8);
		s->xfeatures |= bv | sw;
	}
	pt->sigmask = t->sig.mask;
	r = save_pending(s, &t->sig.pending, &pt->pending);
	if (r < 0)
		return r;
	pt->alt_sp = t->sig.alt_sp;
	pt->alt_size = t->sig.alt_size;
	pt->alt_flags = t->sig.alt_flags;
	pt->clear_child_tid = t->clear_child_tid;
	pt->robust_list = t->robust_list;
	pt->pdeathsig = t->pdeathsig;
	pt->no_new_privs = t->no_new_privs;
	pt->nice = t->nice;
	pt->sched_policy = t->sched_policy;
	pt->n_affinity = ARRAY_SIZE(t->affinity);
	pt->affinity = sv_alloc(s, sizeof(t->affinity));
	if (!pt->affinity)
		return -ENOMEM;
	memcpy(pt->affinity, t->affinity, sizeof(t->affinity));
	pt->restart_clock = t->restart.clock;
	pt->restart_deadline_ns = t->restart.deadline_ns;
	pt->restart_rem_addr = t->restart.rem_addr;
	pt->syscall_restart = t->sys_restart;
	pt->saved_mask_valid = t->saved_mask_valid != 0;
	pt->saved_mask = t->saved_mask;
	ckpt_cpu_save_task(t, pt);
	r = save_fdt(s, t, &pt->fd_table_id);
	if (r == 0)
		r = save_fs(s, t, &pt->fs_id);
	if (r == 0)
		r = PUSH(s, g->tasks, g->n_tasks, pt);
	return r;
}

static int save_group(struct saver *s, struct thread_group *tg)
{
	struct kernel *k = s->k;
	Cvisor__Ckpt__ThreadGroup *g;
	uint64_t deadline = 0, interval = 0;
	struct task *leader = k->tids[tg->tgid];
	int r;

	if ((tg->zombie || tg->ntasks == 0) && tg->parent && tg->zombie) {
		g = sv_alloc(s, sizeof(*g));
		if (!g)
			return -ENOMEM;
		cvisor__ckpt__thread_group__init(g);
		g->tgid = tg->tgid;
		g->parent_tgid = tg->parent->tgid;
		g->pgid = tg->pgid;
		g->sid = tg->sid;
		g->exit_signal = tg->exit_signal;
		g->zombie = true;
		g->exit_status = tg->exit_status;
		pthread_mutex_lock(&s->k->lock);
		ckpt_cpu_save_group_locked(tg, g);
		pthread_mutex_unlock(&s->k->lock);
		g->comm = sv_strdup(s, tg->comm);
		g->exe = sv_strdup(s, "");
		if (!g->comm || !g->exe)
			return -ENOMEM;
		return PUSH(s, s->img.groups, s->img.n_groups, g);
	}
	if (tg->zombie || tg->ntasks == 0)
		return sv_fail(s, -EOPNOTSUPP,
			       "process %d has exited (pid 1 or a control process: its status "
			       "is not saved yet)", tg->tgid);
	if (!leader || leader->tg != tg)
		return sv_fail(s, -EOPNOTSUPP,
			       "process %d: its main thread has exited (not saved yet)", tg->tgid);
	if (tg->ctty)
		return sv_fail(s, -EOPNOTSUPP,
			       "process %d has a controlling terminal (not saved yet)", tg->tgid);
	if (tg->sig.stopped)
		return sv_fail(s, -EOPNOTSUPP, "process %d is stopped by job control", tg->tgid);
	g = sv_alloc(s, sizeof(*g));
	if (!g)
		return -ENOMEM;
	cvisor__ckpt__thread_group__init(g);
	ktimer_get(&tg->itimer_real, &deadline, &interval);
	g->itimer_real_deadline = deadline;
	g->itimer_real_interval = interval;
	pthread_mutex_lock(&k->lock);
	g->itimer_virt_left = tg->itimer_virt.left;
	g->itimer_virt_interval = tg->itimer_virt.interval;
	g->itimer_prof_left = tg->itimer_prof.left;
	g->itimer_prof_interval = tg->itimer_prof.interval;
	ckpt_cpu_save_group_locked(tg, g);
	r = ckpt_timers_save_group_locked(tg, g, tm_alloc, s);
	pthread_mutex_unlock(&k->lock);
	if (r < 0)
		return r;
	g->tgid = tg->tgid;
	g->parent_tgid = tg->parent ? tg->parent->tgid : 0;
	g->pgid = tg->pgid;
	g->sid = tg->sid;
	g->exit_signal = tg->exit_signal;
	g->brk_start = tg->brk_start;
	g->comm = sv_strdup(s, tg->comm);
	g->exe = sv_strdup(s, tg->exe);
	g->oom_score_adj = tg->oom_score_adj;
	g->child_subreaper = tg->child_subreaper;
	g->did_exec = tg->did_exec;
	g->ctl_process = tg->ctl_owner != NULL;
	if (!g->comm || !g->exe)
		return -ENOMEM;
	r = sv_bytes(s, &g->cmdline, tg->cmdline, tg->cmdline ? tg->cmdline_len : 0);
	if (r == 0)
		r = sv_bytes(s, &g->environ, tg->environ, tg->environ ? tg->environ_len : 0);
	if (r < 0)
		return r;
	g->n_auxv = tg->auxv_n;
	g->auxv = sv_alloc(s, sizeof(tg->auxv));
	if (!g->auxv)
		return -ENOMEM;
	memcpy(g->auxv, tg->auxv, sizeof(tg->auxv));
	for (int i = 0; i < 16; i++) {
		Cvisor__Ckpt__Rlimit *l = sv_alloc(s, sizeof(*l));

		if (!l)
			return -ENOMEM;
		cvisor__ckpt__rlimit__init(l);
		l->cur = tg->rlim[i].cur;
		l->max = tg->rlim[i].max;
		r = PUSH(s, g->rlimits, g->n_rlimits, l);
		if (r < 0)
			return r;
	}
	for (int i = 0; i < SIG_MAX; i++) {
		Cvisor__Ckpt__SigAction *a = sv_alloc(s, sizeof(*a));

		if (!a)
			return -ENOMEM;
		cvisor__ckpt__sig_action__init(a);
		a->handler = tg->sig.act[i].handler;
		a->flags = tg->sig.act[i].flags;
		a->restorer = tg->sig.act[i].restorer;
		a->mask = tg->sig.act[i].mask;
		r = PUSH(s, g->actions, g->n_actions, a);
		if (r < 0)
			return r;
	}
	r = save_pending(s, &tg->sig.shared, &g->shared_pending);
	if (r == 0)
		r = save_mm(s, tg, &g->mm_id);
	/* the leader first, then the other threads by tid */
	if (r == 0)
		r = save_task(s, leader, g);
	for (int i = 1; i < KERNEL_PID_MAX && r == 0; i++) {
		struct task *o = k->tids[i];

		if (o && o->tg == tg && o != leader)
			r = save_task(s, o, g);
	}
	if (r < 0)
		return r;
	return PUSH(s, s->img.groups, s->img.n_groups, g);
}

/* @tg, then its descendants (parents come before children in the image). */
static int save_tree(struct saver *s, struct thread_group *tg, int depth)
{
	int r;

	if (depth > 1024)
		return sv_fail(s, -ELOOP, "process tree too deep");
	r = save_group(s, tg);
	for (struct thread_group *c = tg->children; c && r == 0; c = c->sibling)
		r = save_tree(s, c, depth + 1);
	return r;
}

/* ---- in-memory file systems (FsEntry) ---- */

struct fs_walk {
	struct saver *s;
	struct kernel_root_ctx c;
	struct vnode *ovl;               /* the overlay root for its upper tree, else NULL */
	struct mount *mnt;               /* the mount the tree is seen through */
	const char *const *runtime_etc;  /* NULL, or /etc names to skip (unchanged) */
	uint64_t data;                   /* bytes saved */
};

/* Is the directory at @path (in the sandbox) covered by another mount than
 * the walked one?  Then what the upper tree has under it is hidden. */
static int covered(struct fs_walk *w, const char *path)
{
	struct path p;
	int r;

	if (vfs_walk(&w->c.t, AT_FDCWD, path, 0, &p) < 0)
		return 0;
	r = p.mnt != w->mnt;
	path_put(&p);
	return r;
}

static int save_file_data(struct fs_walk *w, struct vnode *v, Cvisor__Ckpt__FsEntry *e,
			  const char *path)
{
	struct saver *s = w->s;
	struct file *f = NULL;
	struct stat st;
	uint64_t size, done = 0;
	int64_t off = 0;
	int r;

	vnode_stat(v, &st);
	size = (uint64_t)st.st_size;
	if (s->files_fd >= 0)
		return ckpt_save_file_data(s->files_fd, &s->files_off, v, &w->c.t, e, path,
					   s->err, s->errlen);
	if (size > IMG_FS_DATA_MAX || w->data + size > IMG_FS_DATA_MAX)
		return sv_fail(s, -EFBIG, "%s: the in-memory files exceed %llu MiB", path,
			       (unsigned long long)(IMG_FS_DATA_MAX >> 20));
	e->data.data = sv_alloc(s, size);
	if (!e->data.data)
		return -ENOMEM;
	r = v->ops->open ? v->ops->open(v, O_RDONLY, &f) : -EINVAL;
	if (r < 0)
		return sv_fail(s, r, "%s: cannot read it: %s", path, strerror(-r));
	f->path.v = vnode_get(v); /* as vfs_open: the file keeps a reference */
	while (done < size) {
		ssize_t n = f->ops->read ? f->ops->read(f, &w->c.t, e->data.data + done,
							 size - done, &off)
					 : -EINVAL;
		if (n <= 0) {
			file_put(f);
			return sv_fail(s, n < 0 ? (int)n : -EIO, "%s: cannot read it", path);
		}
		done += (uint64_t)n;
	}
	file_put(f);
	e->data.len = size;
	w->data += size;
	return 0;
}

/* Save the children of @dir (a tmpfs directory) seen at @path ("" for /). */
static int save_fs_dir(struct fs_walk *w, struct vnode *dir, const char *path, int depth)
{
	struct saver *s = w->s;
	struct vnode_names ns = { 0 };
	int r;

	if (depth > 256)
		return sv_fail(s, -ELOOP, "%s: directories nested too deep", path);
	r = vnode_read_names(dir, &ns);
	for (size_t i = 0; i < ns.n && r == 0; i++) {
		Cvisor__Ckpt__FsEntry *e;
		struct vnode *v = NULL;
		char full[VFS_PATH_MAX];
		int kind = 0, skip = 0;
		struct stat st;

		if ((size_t)snprintf(full, sizeof(full), "%s/%s", path, ns.v[i]) >= sizeof(full)) {
			r = sv_fail(s, -ENAMETOOLONG, "%s/%s: path too long", path, ns.v[i]);
			break;
		}
		r = dir->ops->lookup(dir, ns.v[i], &v);
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r < 0)
			break;
		vnode_stat(v, &st); /* the fields under the vnode's lock */
		if (w->ovl)
			kind = overlay_upper_kind(w->ovl, v);
		if (w->runtime_etc && !strcmp(path, "/etc"))
			for (const char *const *n = w->runtime_etc; *n; n++)
				skip |= !strcmp(*n, ns.v[i]); /* as the runtime wrote it */
		if (!skip && S_ISDIR(st.st_mode) && covered(w, full))
			skip = 1; /* a mount point: the new sandbox makes its own */
		if (skip) {
			vnode_put(v);
			continue;
		}
		e = sv_alloc(s, sizeof(*e));
		r = e ? PUSH(s, s->img.fs_entries, s->img.n_fs_entries, e) : -ENOMEM;
		if (r == 0 && s->img.n_fs_entries > IMG_FS_ENTRIES_MAX)
			r = sv_fail(s, -EFBIG, "more than %d files in the in-memory file systems",
				    IMG_FS_ENTRIES_MAX);
		if (r == 0) {
			cvisor__ckpt__fs_entry__init(e);
			e->path = sv_strdup(s, full);
			e->mode = st.st_mode & 07777;
			e->uid = st.st_uid;
			e->gid = st.st_gid;
			e->atime_ns = (int64_t)st.st_atim.tv_sec * 1000000000 + st.st_atim.tv_nsec;
			e->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
			if (!e->path)
				r = -ENOMEM;
		}
		if (r < 0) {
		} else if (kind == OVERLAY_WHITEOUT) {
			e->kind = CVISOR__CKPT__FS_ENTRY__KIND__WHITEOUT;
			e->mode = 0;
		} else if (S_ISDIR(st.st_mode)) {
			e->kind = kind == OVERLAY_OPAQUE ? CVISOR__CKPT__FS_ENTRY__KIND__OPAQUE_DIRECTORY
							 : CVISOR__CKPT__FS_ENTRY__KIND__DIRECTORY;
			r = save_fs_dir(w, v, full, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			e->kind = CVISOR__CKPT__FS_ENTRY__KIND__REGULAR;
			if (st.st_nlink > 1)
				r = sv_fail(s, -EOPNOTSUPP,
					    "%s: a hard-linked file in memory (not saved yet)", full);
			else
				r = save_file_data(w, v, e, full);
		} else if (S_ISLNK(st.st_mode)) {
			char target[VFS_PATH_MAX];
			int n = v->ops->readlink ? v->ops->readlink(v, target, sizeof(target) - 1)
						 : -EINVAL;

			e->kind = CVISOR__CKPT__FS_ENTRY__KIND__SYMLINK;
			if (n <= 0 || n >= (int)sizeof(target) - 1) {
				r = sv_fail(s, n < 0 ? n : -EINVAL, "%s: cannot read the symlink", full);
			} else {
				target[n] = 0;
				e->target = sv_strdup(s, target);
				if (!e->target)
					r = -ENOMEM;
			}
		} else if (S_ISFIFO(st.st_mode)) {
			e->kind = CVISOR__CKPT__FS_ENTRY__KIND__FIFO; /* data: with its open ends */
			if (st.st_nlink > 1)
				r = sv_fail(s, -EOPNOTSUPP,
					    "%s: a hard-linked FIFO in memory (not saved yet)", full);
		} else if (S_ISSOCK(st.st_mode)) {
			e->kind = CVISOR__CKPT__FS_ENTRY__KIND__SOCKET;
			r = ckpt_sock_note_node(&s->socks, full);
		} else {
			r = sv_fail(s, -EOPNOTSUPP, "%s: a device in memory (not saved yet)", full);
		}
		vnode_put(v);
	}
	vnode_names_free(&ns);
	if (r < 0 && !s->err[0])
		sv_fail(s, r, "%s: %s", path[0] ? path : "/", strerror(-r));
	return r;
}

/* The contents of the in-memory file systems: the root overlay's upper
 * layer, then the tmpfs mounts /tmp and /dev/shm. */
static int save_memory_fs(struct saver *s)
{
	static const char *const dirs[] = { "/tmp", "/dev/shm" };
	struct kernel *k = s->k;
	const char *runtime_files[4];
	struct fs_walk w = { .s = s };
	struct vnode *up = NULL;
	int r;

	r = kernel_root_ctx_init(k, &w.c);
	if (r < 0)
		return r;
	/* /etc/hosts, hostname and resolv.conf as the runtime wrote them at
	 * boot are skipped (the restored sandbox writes its own); when the
	 * application changed one, all three are saved and override them */
	if (netfiles_unchanged(k, runtime_files))
		w.runtime_etc = runtime_files;
	if (overlay_upper_root(k->root.v, &up) == 0) {
		w.ovl = k->root.v;
		w.mnt = k->root.mnt;
		r = save_fs_dir(&w, up, "", 1);
		vnode_put(up);
	}
	w.ovl = NULL;
	w.runtime_etc = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(dirs) && r == 0; i++) {
		struct path p;

		if (vfs_walk(&w.c.t, AT_FDCWD, dirs[i], 0, &p) < 0)
			continue;
		if (p.mnt != k->root.mnt && p.v == p.mnt->root && p.mnt->fstype &&
		    !strcmp(p.mnt->fstype, "tmpfs")) {
			w.mnt = p.mnt;
			r = save_fs_dir(&w, p.v, dirs[i], 1);
		}
		path_put(&p);
	}
	kernel_root_ctx_fini(&w.c);
	return r;
}

/* OCI tmpfs mounts (binds.c: a kernel_bind without an attach name): their
 * contents are not saved either. */
static int check_tmpfs_mounts(struct saver *s)
{
	static const char *const own[] = { "/", "/dev", "/tmp", "/dev/shm" };
	struct kernel *k = s->k;

	for (int i = 0; i < k->nmounts; i++) {
		const struct mount *m = k->mounts[i];
		struct kernel_dirent *v = NULL;
		bool skip = !m->fstype || strcmp(m->fstype, "tmpfs") || !m->target;
		size_t n = 0;

		for (size_t j = 0; j < ARRAY_SIZE(own) && !skip; j++)
			skip = !strcmp(m->target, own[j]);
		if (skip || kernel_file_list(k, m->target, &v, &n) < 0)
			continue;
		kernel_dirents_free(v, n);
		if (n > 0)
			return sv_fail(s, -EOPNOTSUPP,
				       "files in the tmpfs mounted at %s (tmpfs contents are not saved "
				       "yet)", m->target);
	}
	return 0;
}

static int check_kernel(struct saver *s)
{
	struct kernel *k = s->k;
	struct ipc_ns *ns = k->ipc;
	int r = save_memory_fs(s);

	if (r == 0)
		r = check_tmpfs_mounts(s);
	if (r < 0)
		return r;

	if (ns) {
		r = ckpt_shm_save_sysv(&s->shm, ns, &s->img); /* before any VMA */
		if (r == 0) /* message queues, semaphores: ckpt_ipc.c */
			r = ckpt_ipc_save(ns, &s->img, tm_alloc, s);
		if (r == 0)
			r = ckpt_ipc_save_sem(ns, &s->img, tm_alloc, s);
	}
	return r;
}

static void saver_free(struct saver *s)
{
	for (size_t i = 0; i < s->narena; i++)
		free(s->arena[i]);
	free(s->arena);
	free(s->ids);
	free(s->buf);
	ckpt_sock_save_free(s->socks);
	ckpt_inet_save_free(s->inet);
	ckpt_shm_set_free(&s->shm);
}

int kernel_ckpt_save(struct kernel *k, struct kernel_ckpt *c, char *err, size_t errlen)
{
	struct saver s = { .k = k, .err = err, .errlen = errlen, .pages_fd = c->pages_fd,
			   .files_fd = c->files_fd };
	int was_frozen = 0, r;
	size_t len;
	void *out;

	err[0] = 0;
	cvisor__ckpt__image__init(&s.img);
	s.buf = malloc(CHUNK);
	if (!s.buf)
		return -ENOMEM;
	r = freeze_all(&s, &was_frozen);
	if (r < 0) {
		saver_free(&s);
		return r;
	}
	r = check_kernel(&s);
	/* the tree is stable: every task is parked and new ones need a
	 * running task or the control socket (this thread) */
	s.img.hostname = sv_strdup(&s, k->hostname);
	s.img.boot_ns = k->boot_ns;
	s.img.saved_mono_ns = mono_ns();
	pthread_mutex_lock(&k->lock);
	s.img.next_tid = k->next_tid;
	s.img.init_tgid = k->init ? k->init->tgid : 0;
	pthread_mutex_unlock(&k->lock);
	if (!s.img.hostname && r == 0)
		r = -ENOMEM;
	for (int i = 1; i < KERNEL_PID_MAX && r == 0; i++) {
		struct thread_group *tg = k->tgs[i];

		if (tg && !tg->parent)
			r = save_tree(&s, tg, 0);
	}
	if (r == 0 && s.img.n_groups == 0)
		r = sv_fail(&s, -ESRCH, "the sandbox has no process to checkpoint");
	if (r == 0)
		r = ckpt_sock_save_finish(s.socks, k, &s.img, save_inflight, &s, err, errlen);
	if (r == 0)
		r = ckpt_inet_save_finish(s.inet, &s.img, err, errlen);
	if (r == 0)
		r = ckpt_shm_save(&s.shm, s.pages_fd, &s.next_page, &s.img, err, errlen);
	if (r == 0) {
		struct img_error ie = { { 0 } };

		/* what a reader will check, checked now */
		r = img_state_check(&s.img, s.next_page * IMG_PAGE, &ie);
		if (r < 0)
			sv_fail(&s, r, "internal: the saved state is invalid: %s", ie.msg);
	}
	if (r == 0) {
		len = cvisor__ckpt__image__get_packed_size(&s.img);
		out = len > KERNEL_CKPT_STATE_MAX ? NULL : malloc(len ? len : 1);
		if (len > KERNEL_CKPT_STATE_MAX) {
			r = sv_fail(&s, -EFBIG,
				    "the saved state is too large (%zu MiB, at most %u: in-memory "
				    "files count in it)",
				    len >> 20, KERNEL_CKPT_STATE_MAX >> 20);
		} else if (!out) {
			r = -ENOMEM;
		} else {
			cvisor__ckpt__image__pack(&s.img, out);
			c->state = out;
			c->state_len = len;
			c->xfeatures = s.xfeatures;
			c->pages_bytes = s.next_page * IMG_PAGE;
			c->files_bytes = s.files_off;
		}
	}
	if (r < 0 && !err[0])
		snprintf(err, errlen, "%s", strerror(-r));
	/* on failure the sandbox goes on as if nothing happened */
	thaw(k, r < 0 || c->leave_running ? was_frozen : 1);
	saver_free(&s);
	return r;
}
