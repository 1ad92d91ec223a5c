/* SPDX-License-Identifier: Apache-2.0 */
/* The schema's invariants for anonymous shared memory (ShmObject, and the
 * VMAs that map one): part of img_state_check (image.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "checkpoint/image.h"

#define SHM_OBJECTS_MAX 4096
#define SHM_SIZE_MAX (1ULL << 40)

static int fail(struct img_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct img_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

const Cvisor__Ckpt__ShmObject *img_shm_find(const ImgState *s, uint32_t id)
{
	for (size_t i = 0; id && i < s->n_shm_objects; i++)
		if (s->shm_objects[i]->id == id)
			return s->shm_objects[i];
	return NULL;
}

int img_shm_check(const ImgState *s, uint64_t npages, struct img_error *err)
{
	if (s->n_shm_objects > SHM_OBJECTS_MAX)
		return fail(err, "state: too many shared memory objects");
	for (size_t i = 0; i < s->n_shm_objects; i++) {
		const Cvisor__Ckpt__ShmObject *o = s->shm_objects[i];
		uint64_t prev = 0;

		if (!o->id || img_shm_find(s, o->id) != o || !o->size || o->size % IMG_PAGE ||
		    o->size > SHM_SIZE_MAX)
			return fail(err, "state: shared memory object %zu: bad id or size", i);
		for (size_t j = 0; j < o->n_runs; j++) {
			const Cvisor__Ckpt__PageRun *pr = o->runs[j];

			/* sorted, inside the object and inside pages.img */
			if (!pr->npages || pr->npages > npages || pr->page_index > npages - pr->npages ||
			    pr->addr % IMG_PAGE || pr->addr < prev || pr->addr >= o->size ||
			    pr->npages > (o->size - pr->addr) / IMG_PAGE)
				return fail(err, "state: shared memory %u: bad page run %zu", o->id, j);
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
			/* MM_VMA_SHARED (1), not MM_VMA_FILE (2); inside the object */
			if (!o || (v->kind & 3) != 1 || v->off % IMG_PAGE || v->off > o->size ||
			    v->end - v->start > o->size - v->off)
				return fail(err, "state: mm %u: VMA %zu: bad shared memory", m->id, j);
		}
	}
	return 0;
}
