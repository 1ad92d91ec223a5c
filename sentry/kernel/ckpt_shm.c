/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Anonymous shared memory in checkpoint images (ckpt.h): every memfd that
 * backs MAP_SHARED|MAP_ANONYMOUS or shared /dev/zero memory is one
 * ShmObject, however many VMAs of however many processes (fork) map it;
 * its non-zero pages go to pages.img, read straight from the memfd (the
 * Sentry's own fd: no platform call).  Restore makes one new memfd per
 * object with the data copied in and maps every VMA from it, so processes
 * that shared the memory share it again.
 *
 * Not here: SysV shm segments and shared maps of files (mm_shm.is_file),
 * refused by the saver.
 */
#include "sentry/kernel/ckpt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint/image.h"
#include "lib/macro.h"
#include "sentry/mm/mm.h"

#define BUF (1u << 20)

int ckpt_shm_id(struct ckpt_shm_set *set, struct mm_shm *shm, uint32_t *ret)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->shm[i] == shm) {
			*ret = (uint32_t)i + 1;
			return 0;
		}
	if (set->n == set->cap) {
		size_t nc = set->cap ? set->cap * 2 : 8;
		struct mm_shm **n = realloc(set->shm, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		set->shm = n;
		set->cap = nc;
	}
	set->shm[set->n++] = mm_shm_get(shm);
	*ret = (uint32_t)set->n;
	return 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 8)
		if (*(const uint64_t *)(const void *)(p + i))
			return 0;
	return 1;
}

static int pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* Read [off, off + len) of @fd (zeros past its end). */
static int pread_full(int fd, void *buf, size_t len, off_t off)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pread(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0) {
			memset(p, 0, len);
			return 0;
		}
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

static int add_run(Cvisor__Ckpt__ShmObject *o, uint64_t off, uint64_t npages, uint64_t index)
{
	Cvisor__Ckpt__PageRun *pr = calloc(1, sizeof(*pr));
	Cvisor__Ckpt__PageRun **n;

	if (!pr)
		return -ENOMEM;
	n = realloc(o->runs, (o->n_runs + 1) * sizeof(*n));
	if (!n) {
		free(pr);
		return -ENOMEM;
	}
	cvisor__ckpt__page_run__init(pr);
	pr->addr = off;
	pr->npages = npages;
	pr->page_index = index;
	o->runs = n;
	o->runs[o->n_runs++] = pr;
	return 0;
}

/* One object: its size and its non-zero pages appended to pages.img. */
static int save_one(struct mm_shm *shm, uint32_t id, int pages_fd, uint64_t *next_page,
		    uint8_t *buf, Cvisor__Ckpt__ShmObject *o, char *err, size_t errlen)
{
	struct stat st;
	uint64_t size;
	int r;

	cvisor__ckpt__shm_object__init(o);
	o->id = id;
	if (fstat(shm->fd, &st) < 0)
		return -errno;
	size = ((uint64_t)st.st_size + IMG_PAGE - 1) & ~(IMG_PAGE - 1);
	o->size = size;
	for (uint64_t a = 0; a < size; a += BUF) {
		size_t len = (size_t)MIN((uint64_t)BUF, size - a);

		r = pread_full(shm->fd, buf, len, (off_t)a);
		if (r < 0) {
			snprintf(err, errlen, "shared memory %u: %s", id, strerror(-r));
			return r;
		}
		for (size_t i = 0; i < len;) {
			size_t j;

			if (all_zero(buf + i, IMG_PAGE)) {
				i += IMG_PAGE;
				continue;
			}
			for (j = i + IMG_PAGE; j < len && !all_zero(buf + j, IMG_PAGE); j += IMG_PAGE)
				;
			r = pwrite_all(pages_fd, buf + i, j - i, (off_t)(*next_page * IMG_PAGE));
			if (r == 0)
				r = add_run(o, a + i, (j - i) / IMG_PAGE, *next_page);
			if (r < 0) {
				snprintf(err, errlen, "pages.img: %s", strerror(-r));
				return r;
			}
			*next_page += (j - i) / IMG_PAGE;
			i = j;
		}
	}
	return 0;
}

int ckpt_shm_save(struct ckpt_shm_set *set, int pages_fd, uint64_t *next_page,
		  struct Cvisor__Ckpt__Image *img, char *err, size_t errlen)
{
	uint8_t *buf;
	int r = 0;

	if (!set->n)
		return 0;
	buf = malloc(BUF);
	set->objs = calloc(set->n, sizeof(*set->objs));
	set->ptrs = calloc(set->n, sizeof(*set->ptrs));
	if (!buf || !set->objs || !set->ptrs) {
		free(buf);
		return -ENOMEM;
	}
	for (size_t i = 0; i < set->n && r == 0; i++) {
		set->ptrs[i] = &set->objs[i];
		r = save_one(set->shm[i], (uint32_t)i + 1, pages_fd, next_page, buf, &set->objs[i],
			     err, errlen);
		set->nobjs = i + 1;
	}
	free(buf);
	if (r < 0)
		return r;
	img->shm_objects = set->ptrs;
	img->n_shm_objects = set->n;
	return 0;
}

void ckpt_shm_set_free(struct ckpt_shm_set *set)
{
	for (size_t i = 0; i < set->nobjs; i++) {
		for (size_t j = 0; j < set->objs[i].n_runs; j++)
			free(set->objs[i].runs[j]);
		free(set->objs[i].runs);
	}
	free(set->objs);
	free(set->ptrs);
	for (size_t i = 0; i < set->n; i++)
		mm_shm_put(set->shm[i]);
	free(set->shm);
	memset(set, 0, sizeof(*set));
}

/* ---- restore ---- */

static int fill(struct mm_shm *shm, const Cvisor__Ckpt__ShmObject *o, int pages_fd, uint8_t *buf)
{
	for (size_t j = 0; j < o->n_runs; j++) {
		const Cvisor__Ckpt__PageRun *pr = o->runs[j];
		uint64_t len = pr->npages * IMG_PAGE;

		for (uint64_t d = 0; d < len; d += BUF) {
			size_t n = (size_t)MIN((uint64_t)BUF, len - d);
			int r = pread_full(pages_fd, buf, n, (off_t)(pr->page_index * IMG_PAGE + d));

			if (r == 0)
				r = pwrite_all(shm->fd, buf, n, (off_t)(pr->addr + d));
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int ckpt_shm_restore(const struct Cvisor__Ckpt__Image *img, int pages_fd, struct mm_shm ***ret,
		     char *err, size_t errlen)
{
	struct mm_shm **v;
	uint8_t *buf;
	int r = 0;

	*ret = NULL;
	if (!img->n_shm_objects)
		return 0;
	v = calloc(img->n_shm_objects, sizeof(*v));
	buf = malloc(BUF);
	if (!v || !buf) {
		free(v);
		free(buf);
		return -ENOMEM;
	}
	for (size_t i = 0; i < img->n_shm_objects && r == 0; i++) {
		const Cvisor__Ckpt__ShmObject *o = img->shm_objects[i];

		r = mm_shm_new(o->size, &v[i]);
		if (r == 0)
			r = fill(v[i], o, pages_fd, buf);
		if (r < 0)
			snprintf(err, errlen, "shared memory %u (%llu bytes): %s", o->id,
				 (unsigned long long)o->size, strerror(-r));
	}
	free(buf);
	if (r < 0) {
		ckpt_shm_restore_free(img, v);
		return r;
	}
	*ret = v;
	return 0;
}

struct mm_shm *ckpt_shm_restored(const struct Cvisor__Ckpt__Image *img, struct mm_shm **v,
				 uint32_t id)
{
	for (size_t i = 0; v && i < img->n_shm_objects; i++)
		if (img->shm_objects[i]->id == id)
			return v[i] ? mm_shm_get(v[i]) : NULL;
	return NULL;
}

void ckpt_shm_restore_free(const struct Cvisor__Ckpt__Image *img, struct mm_shm **v)
{
	for (size_t i = 0; v && i < img->n_shm_objects; i++)
		mm_shm_put(v[i]);
	free(v);
}
