/* SPDX-License-Identifier: Apache-2.0 */
/* System V shared memory: shmget, shmat, shmdt, shmctl (ipc.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include "ipc_impl.h"
#include "lib/macro.h"
#include "platform/platform.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"
#include "task.h"

#define PAGE MM_PAGE
#define MMAP_TOP (LOADER_STACK_TOP - LOADER_STACK_SIZE - (1ULL << 30)) /* as sys_mm.c */
#define SHM_MIN 1ULL
#define SHM_MAX (1ULL << 36) /* SHMMAX: 64 GiB of address space, memory on touch */

struct ipc_shm {
	struct ipc_obj o; /* first */
	uint64_t size;
	struct mm_shm *mem; /* one reference of the segment's own */
	time_t atime, dtime;
	int32_t cpid, lpid;
};

static struct ipc_shm *shm_of(struct ipc_obj *o)
{
	return (struct ipc_shm *)o;
}

static uint64_t nattch(const struct ipc_shm *s)
{
	return (uint64_t)__atomic_load_n(&s->mem->refs, __ATOMIC_ACQUIRE) - 1;
}

void ipc_shm_free(struct ipc_obj *o)
{
	struct ipc_shm *s = shm_of(o);

	mm_shm_put(s->mem);
	free(s);
}

void ipc_shm_sweep(struct ipc_ns *ns)
{
	for (int i = 0; i < IPC_SLOTS; i++) {
		struct ipc_obj *o = ns->objs[IPC_K_SHM][i];

		if (o && (o->perm.mode & SHM_DEST) && nattch(shm_of(o)) == 0) {
			ipc_remove(ns, o);
			ipc_shm_free(o);
		}
	}
}

static int shm_fits(struct ipc_obj *o, void *ctx)
{
	return *(uint64_t *)ctx > shm_of(o)->size ? -EINVAL : 0;
}

static int shm_make(struct ipc_ns *ns, struct task *t, int32_t key, int flags, void *ctx)
{
	uint64_t size = *(uint64_t *)ctx;
	struct ipc_shm *s;
	int r;

	if (size < SHM_MIN || size > SHM_MAX)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	r = mm_shm_new(ALIGN_UP(size, PAGE), &s->mem);
	if (r < 0) {
		free(s);
		return r;
	}
	s->mem->is_file = true; /* a fixed size: mremap never grows it */
	s->size = size;
	s->cpid = t->tg->tgid;
	r = ipc_add(ns, t, &s->o, IPC_K_SHM, key, flags);
	if (r < 0) {
		ipc_shm_free(&s->o);
		return r;
	}
	return s->o.id;
}

int64_t ipc_shmget(struct task *t, int32_t key, uint64_t size, int flags)
{
	return ipc_get(t, IPC_K_SHM, key, flags, shm_fits, shm_make, &size);
}

/* Is @v an attachment of a SysV segment of @ns?  Returns the segment. */
static struct ipc_shm *segment_of(struct ipc_ns *ns, const struct mm_vma *v)
{
	if (!v->shm || !(v->kind & MM_VMA_SHARED))
		return NULL;
	for (int i = 0; i < IPC_SLOTS; i++) {
		struct ipc_obj *o = ns->objs[IPC_K_SHM][i];

		if (o && shm_of(o)->mem == v->shm)
			return shm_of(o);
	}
	return NULL;
}

int64_t ipc_shmat(struct task *t, int id, uint64_t addr, int flags)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct mm *m = t->tg->mm;
	struct ipc_shm *s;
	struct ipc_obj *o;
	struct mm_vma nv = { 0 };
	uint64_t len;
	int prot = PROT_READ, want = 4, r;

	if (!m)
		return -EINVAL;
	if (!(flags & SHM_RDONLY)) {
		prot |= PROT_WRITE;
		want |= 2;
	}
	if (flags & SHM_EXEC) {
		prot |= PROT_EXEC;
		want |= 1;
	}
	if (addr) {
		if (addr & (SHMLBA - 1)) {
			if (!(flags & SHM_RND))
				return -EINVAL;
			addr = ALIGN_DOWN(addr, SHMLBA);
		}
	} else if (flags & SHM_REMAP) {
		return -EINVAL;
	}
	pthread_mutex_lock(&ns->lock);
	ipc_shm_sweep(ns);
	o = ipc_find_id(ns, IPC_K_SHM, id);
	if (!o) {
		r = -EINVAL;
		goto out_ns;
	}
	s = shm_of(o);
	r = ipc_check(t, o, want);
	if (r < 0)
		goto out_ns;
	len = ALIGN_UP(s->size, PAGE);
	pthread_mutex_lock(&m->lock);
	if (addr) {
		if (addr < PLAT_APP_MIN || addr + len > plat_app_limit() || addr + len < addr) {
			r = -EINVAL;
			goto out_mm;
		}
		if (!(flags & SHM_REMAP) && mm_vma_overlaps(m, addr, addr + len)) {
			r = -EINVAL;
			goto out_mm;
		}
	} else {
		addr = mm_vma_find_gap(m, len, PLAT_APP_MIN, MMAP_TOP);
		if (!addr) {
			r = -ENOMEM;
			goto out_mm;
		}
	}
	r = plat_as_map(t->tg->as, addr, len, prot, PLAT_MAP_SHARED, s->mem->fd, 0);
	if (r < 0)
		goto out_mm;
	nv.start = addr;
	nv.end = addr + len;
	nv.prot = prot;
	nv.kind = MM_VMA_SHARED | MM_VMA_FILE | ((flags & SHM_RDONLY) ? MM_VMA_NOWRITE : 0);
	nv.shm = mm_shm_get(s->mem);
	nv.off = 0;
	nv.file_size = len;
	nv.ino = (uint64_t)(unsigned)o->id;
	/* as Linux: the segment's file in its internal shm mount is unlinked */
	snprintf(nv.name, sizeof(nv.name), "/SYSV%08x (deleted)", (unsigned)o->perm.__key);
	r = mm_vma_insert(m, &nv);
	if (r == 0) {
		s->atime = ipc_now();
		s->lpid = t->tg->tgid;
	}
out_mm:
	pthread_mutex_unlock(&m->lock);
out_ns:
	pthread_mutex_unlock(&ns->lock);
	return r < 0 ? r : (int64_t)addr;
}

int64_t ipc_shmdt(struct task *t, uint64_t addr)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct mm *m = t->tg->mm;
	struct ipc_shm *s = NULL;
	int r = -EINVAL;

	if (!m || (addr & (PAGE - 1)))
		return -EINVAL;
	pthread_mutex_lock(&ns->lock);
	pthread_mutex_lock(&m->lock);
	/* The attachment starting at @addr (offset 0 of a segment), then
	 * every piece of it up to the segment's size, as Linux. */
	for (size_t i = 0; i < m->n; i++) {
		struct mm_vma *v = &m->v[i];

		if (v->start == addr && v->off == 0 && (s = segment_of(ns, v)))
			break;
	}
	if (s) {
		uint64_t end = addr + ALIGN_UP(s->size, PAGE);

		r = 0;
		for (size_t i = 0; i < m->n && r == 0;) {
			struct mm_vma *v = &m->v[i];
			uint64_t vs = v->start, ve = v->end;

			if (vs >= end)
				break;
			if (ve <= addr || v->shm != s->mem || v->off != vs - addr) {
				i++;
				continue;
			}
			r = plat_as_unmap(t->tg->as, vs, ve - vs);
			if (r == 0)
				r = mm_vma_unmap(m, vs, ve); /* drops v: same i next */
		}
		s->dtime = ipc_now();
		s->lpid = t->tg->tgid;
	}
	pthread_mutex_unlock(&m->lock);
	ipc_shm_sweep(ns);
	pthread_mutex_unlock(&ns->lock);
	return r;
}

static void shm_stat(const struct ipc_shm *s, struct shmid_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ds->shm_perm = s->o.perm;
	ds->shm_segsz = s->size;
	ds->shm_atime = s->atime;
	ds->shm_dtime = s->dtime;
	ds->shm_ctime = s->o.ctime;
	ds->shm_cpid = s->cpid;
	ds->shm_lpid = s->lpid;
	ds->shm_nattch = nattch(s);
}

int64_t ipc_shmctl(struct task *t, int id, int cmd, uint64_t buf)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct shmid_ds ds;
	struct ipc_obj *o;
	struct ipc_shm *s;
	int64_t r = 0;

	if (id < 0 || cmd < 0)
		return -EINVAL;
	if (cmd == IPC_SET && task_copy_in(t, buf, &ds, sizeof(ds)) != sizeof(ds))
		return -EFAULT;
	pthread_mutex_lock(&ns->lock);
	ipc_shm_sweep(ns);
	o = ipc_find_id(ns, IPC_K_SHM, id);
	if (!o) {
		r = -EINVAL;
		goto out;
	}
	s = shm_of(o);
	switch (cmd) {
	case IPC_STAT:
		r = ipc_check(t, o, 4);
		if (r == 0) {
			shm_stat(s, &ds);
			if (task_copy_out(t, buf, &ds, sizeof(ds)) != sizeof(ds))
				r = -EFAULT;
		}
		break;
	case IPC_SET:
		if (!ipc_owner(t, o)) {
			r = -EPERM;
			break;
		}
		ipc_set_perm(o, &ds.shm_perm);
		break;
	case IPC_RMID:
		if (!ipc_owner(t, o)) {
			r = -EPERM;
			break;
		}
		/* gone by key at once; the memory lives until the last detach */
		o->perm.mode |= SHM_DEST;
		o->perm.__key = IPC_PRIVATE;
		ipc_shm_sweep(ns);
		break;
	case SHM_LOCK:
	case SHM_UNLOCK:
		if (!ipc_owner(t, o)) {
			r = -EPERM;
			break;
		}
		if (cmd == SHM_LOCK)
			o->perm.mode |= SHM_LOCKED;
		else
			o->perm.mode &= ~(mode_t)SHM_LOCKED;
		break;
	default:
		r = -EINVAL;
	}
out:
	pthread_mutex_unlock(&ns->lock);
	return r;
}

int ipc_shm_ckpt_get(struct ipc_ns *ns, int slot, struct ipc_shm_ckpt *out)
{
	struct ipc_obj *o = slot >= 0 && slot < IPC_SLOTS ? ns->objs[IPC_K_SHM][slot] : NULL;
	struct ipc_shm *s;

	if (!o)
		return -ENOENT;
	s = shm_of(o);
	*out = (struct ipc_shm_ckpt){ .perm = o->perm, .id = o->id, .ctime = o->ctime,
				      .atime = s->atime, .dtime = s->dtime, .size = s->size,
				      .mem = s->mem, .cpid = s->cpid, .lpid = s->lpid };
	return 0;
}

int ipc_shm_ckpt_add(struct ipc_ns *ns, const struct ipc_shm_ckpt *in)
{
	int slot = in->id & ((1 << IPC_SEQ_SHIFT) - 1);
	struct ipc_shm *s;

	if (in->id < 0 || slot >= IPC_SLOTS || in->size < SHM_MIN || in->size > SHM_MAX)
		return -EINVAL;
	if (ns->objs[IPC_K_SHM][slot])
		return -EEXIST;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->o.perm = in->perm;
	s->o.id = in->id;
	s->o.kind = IPC_K_SHM;
	s->o.ctime = in->ctime;
	s->size = in->size;
	s->mem = mm_shm_get(in->mem);
	s->atime = in->atime;
	s->dtime = in->dtime;
	s->cpid = in->cpid;
	s->lpid = in->lpid;
	ns->objs[IPC_K_SHM][slot] = &s->o;
	return 0;
}
