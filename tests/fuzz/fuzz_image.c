/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the checkpoint image reader (checkpoint/image.c).  The
 * first byte picks the part: even, a manifest (img_manifest_parse); odd,
 * state.pb (img_state_parse, with a pages.img size taken from the next
 * byte, in pages, and img_state_check_files with a files.img of as many
 * bytes).  Nothing may crash; what is accepted must keep the
 * invariants restore relies on. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_state(const ImgState *s, uint64_t pages_size, int files_ok)
{
	for (size_t i = 0; i < s->n_mms; i++)
		for (size_t j = 0; j < s->mms[i]->n_runs; j++) {
			const Cvisor__Ckpt__PageRun *r = s->mms[i]->runs[j];

			if ((r->page_index + r->npages) * IMG_PAGE > pages_size)
				abort();
		}
	for (size_t i = 0; i < s->n_groups; i++)
		for (size_t j = 0; j < s->groups[i]->n_tasks; j++)
			if (s->groups[i]->tasks[j]->regs.len != IMG_REGS_SIZE)
				abort();
	/* anonymous shared memory: runs inside the object and pages.img,
	 * the VMAs that map an object inside it */
	for (size_t i = 0; i < s->n_shm_objects; i++)
		for (size_t j = 0; j < s->shm_objects[i]->n_runs; j++) {
			const Cvisor__Ckpt__PageRun *r = s->shm_objects[i]->runs[j];

			if ((r->page_index + r->npages) * IMG_PAGE > pages_size ||
			    r->addr + r->npages * IMG_PAGE > s->shm_objects[i]->size)
				abort();
		}
	for (size_t i = 0; i < s->n_mms; i++)
		for (size_t j = 0; j < s->mms[i]->n_vmas; j++) {
			const Cvisor__Ckpt__Vma *v = s->mms[i]->vmas[j];
			const Cvisor__Ckpt__ShmObject *o = img_shm_find(s, v->shm_id);

			if (v->shm_id && (!o || v->off + (v->end - v->start) > o->size))
				abort();
		}
	for (size_t i = 0; i < s->n_sysv_shm; i++) {
		const Cvisor__Ckpt__ShmObject *o = img_shm_find(s, s->sysv_shm[i]->shm_id);

		if (!o || !o->fixed_size || s->sysv_shm[i]->size > o->size)
			abort();
	}
	/* in-memory files: absolute paths without "." or ".." components,
	 * bounded data */
	for (size_t i = 0, total = 0; i < s->n_fs_entries; i++) {
		const char *p = s->fs_entries[i]->path;

		const Cvisor__Ckpt__FsEntry *e = s->fs_entries[i];

		total += e->data.len;
		if (p[0] != '/' || strstr(p, "/../") || strstr(p, "/./") || strstr(p, "//") ||
		    total > IMG_FS_DATA_MAX)
			abort();
		/* data in files.img: within it, never both kinds */
		if (e->data_len && (e->data.len || e->data_len > IMG_FILES_MAX ||
				    e->kind != CVISOR__CKPT__FS_ENTRY__KIND__REGULAR))
			abort();
		if (files_ok && e->data_offset + e->data_len > pages_size)
			abort();
		if (strlen(p) >= 3 && !strcmp(p + strlen(p) - 3, "/.."))
			abort();
	}
}

static int same(const struct img_manifest *a, const struct img_manifest *b)
{
	return a->version == b->version && !strcmp(a->arch, b->arch) &&
	       a->xfeatures == b->xfeatures && a->created == b->created &&
	       a->state_size == b->state_size && a->state_hash == b->state_hash &&
	       a->pages_size == b->pages_size && a->pages_hash == b->pages_hash &&
	       a->pages_raw == b->pages_raw && a->pages_compress == b->pages_compress &&
	       a->has_files == b->has_files && a->files_size == b->files_size &&
	       a->files_hash == b->files_hash && a->files_raw == b->files_raw &&
	       a->files_compress == b->files_compress;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct img_error err;

	if (size < 2)
		return 0;
	if (data[0] % 2 == 0) {
		struct img_manifest m;

		if (img_manifest_parse((const char *)data + 1, size - 1, &m, &err) == 0) {
			char *text = NULL;
			size_t len;
			struct img_manifest m2;

			/* what parses formats and parses again to the same */
			if (img_manifest_format(&m, &text, &len) < 0 ||
			    img_manifest_parse(text, len, &m2, &err) < 0 || !same(&m, &m2))
				abort();
			/* parts as restore sees them */
			if (m.pages_raw % IMG_PAGE || m.files_raw > IMG_FILES_MAX ||
			    (m.pages_compress && m.pages_raw > IMG_RAW_MAX) ||
			    (!m.pages_compress && m.pages_raw != m.pages_size) ||
			    (!m.has_files && (m.files_size || m.version >= 2)))
				abort();
			free(text);
		}
	} else {
		ImgState *s = NULL;
		uint64_t pages_size = (uint64_t)data[1] * IMG_PAGE;

		if (img_state_parse(data + 2, size - 2, pages_size, &s, &err) == 0) {
			check_state(s, pages_size, img_state_check_files(s, pages_size, &err) == 0);
			img_state_free(s);
		}
	}
	return 0;
}
