/* SPDX-License-Identifier: Apache-2.0 */
/* The schema's invariants for anonymous shared memory (ShmObject, and the
 * VMAs that map one): part of img_state_check (image.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "checkpoint/image.h"

#define SHM_OBJECTS_MAX 4096
#define SHM_SIZE_MAX (1ULL << 40)
#define SYSV_SLOTS 256	    /* IPC_SLOTS (sentry/kernel/ipc_impl.h) */
#define SYSV_SHM_DEST 01000 /* <sys/shm.h>, without its _GNU_SOURCE */
#define SYSV_SHM_LOCKED 02000

const Cvisor__Ckpt__ShmObject *img_shm_find(const ImgState *s, uint32_t id)
{
	for (size_t i = 0; id && i < s->n_shm_objects; i++)
		if (s->shm_objects[i]->id == id)
			return s->shm_objects[i];
	return NULL;
}

/* SysV segments: unique slots (shmid's low 15 bits, 256 of them) and keys,
 * a fixed_size object at least as large as the segment, known mode bits. */
static int img_sysv_shm_check(const ImgState *s, struct img_error *err)
{
	if (s->n_sysv_shm > SYSV_SLOTS)
		return img_fail(err, -EBADMSG, "state: too many System V shared memory segments");
	for (size_t i = 0; i < s->n_sysv_shm; i++) {
		const Cvisor__Ckpt__SysvShm *g = s->sysv_shm[i];
		const Cvisor__Ckpt__ShmObject *o = img_shm_find(s, g->shm_id);

		if (g->id < 0 || (g->id & 0x7fff) >= SYSV_SLOTS || !o || !o->fixed_size ||
		    g->size < 1 || g->size > o->size || o->size - g->size >= IMG_PAGE ||
		    (g->mode & ~(0777u | SYSV_SHM_DEST | SYSV_SHM_LOCKED)) || g->seq > 0xffff)
			return img_fail(err, -EBADMSG,
					"state: System V shared memory segment %zu: bad fields", i);
		for (size_t j = 0; j < i; j++)
			if ((s->sysv_shm[j]->id & 0x7fff) == (g->id & 0x7fff) ||
			    (g->key != 0 && s->sysv_shm[j]->key == g->key) ||
			    s->sysv_shm[j]->shm_id == g->shm_id)
				return img_fail(err, -EBADMSG,
						"state: System V shared memory segment %zu twice",
						i);
	}
	return 0;
}

int img_shm_check(const ImgState *s, uint64_t npages, struct img_error *err)
{
	if (s->n_shm_objects > SHM_OBJECTS_MAX)
		return img_fail(err, -EBADMSG, "state: too many shared memory objects");
	for (size_t i = 0; i < s->n_shm_objects; i++) {
		const Cvisor__Ckpt__ShmObject *o = s->shm_objects[i];
		uint64_t prev = 0;

		if (!o->id || img_shm_find(s, o->id) != o || !o->size || o->size % IMG_PAGE ||
		    o->size > SHM_SIZE_MAX)
			return img_fail(err, -EBADMSG,
					"state: shared memory object %zu: bad id or size", i);
		for (size_t j = 0; j < o->n_runs; j++) {
			const Cvisor__Ckpt__PageRun *pr = o->runs[j];

			/* sorted, inside the object and inside pages.img */
			if (!pr->npages || pr->npages > npages ||
			    pr->page_index > npages - pr->npages || pr->addr % IMG_PAGE ||
			    pr->addr < prev || pr->addr >= o->size ||
			    pr->npages > (o->size - pr->addr) / IMG_PAGE)
				return img_fail(err, -EBADMSG,
						"state: shared memory %u: bad page run %zu", o->id,
						j);
			prev = pr->addr + pr->npages * IMG_PAGE;
		}
	}
	for (size_t i = 0; i < s->n_mms; i++) {
		const Cvisor__Ckpt__Mm *m = s->mms[i];

		for (size_t j = 0; j < m->n_vmas; j++) {
			const Cvisor__Ckpt__Vma *v = m->vmas[j];
			const Cvisor__Ckpt__ShmObject *o;

			if (!v->shm_id)
				continue;
			o = img_shm_find(s, v->shm_id);
			/* MM_VMA_SHARED (1), and MM_VMA_FILE (2) only for a SysV
			 * segment's (fixed_size) memory; inside the object */
			if (!o || !(v->kind & 1) || ((v->kind & 2) && !o->fixed_size) ||
			    v->off % IMG_PAGE || v->off > o->size ||
			    v->end - v->start > o->size - v->off)
				return img_fail(err, -EBADMSG,
						"state: mm %u: VMA %zu: bad shared memory", m->id,
						j);
		}
	}
	return img_sysv_shm_check(s, err);
}
