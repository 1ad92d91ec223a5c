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
 * System V segments (shmget) are SysvShm entries whose memory is a
 * fixed_size ShmObject: their attachments are VMAs of that object, and
 * restore puts each segment back in its slot with its id, key, owner,
 * mode and times (so shmat/shmdt/shmctl work on) after everything else.
 *
 * Not here: shared maps of files (mm_shm.is_file), refused by the saver.
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
#include "sentry/kernel/ipc_impl.h"
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
		bool *f;

		if (!n)
			return -ENOMEM;
		set->shm = n;
		f = realloc(set->fixed, nc * sizeof(*f));
		if (!f)
			return -ENOMEM;
		set->fixed = f;
		set->cap = nc;
	}
	set->fixed[set->n] = false;
	set->shm[set->n++] = mm_shm_get(shm);
	*ret = (uint32_t)set->n;
	return 0;
}

bool ckpt_shm_has(const struct ckpt_shm_set *set, const struct mm_shm *shm)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->shm[i] == shm)
			return true;
	return false;
}

int ckpt_shm_save_sysv(struct ckpt_shm_set *set, struct ipc_ns *ns,
		       struct Cvisor__Ckpt__Image *img)
{
	int r = 0;

	pthread_mutex_lock(&ns->lock);
	img->ipc_seq = ns->seq;
	for (int slot = 0; slot < IPC_SLOTS && r == 0; slot++) {
		struct ipc_shm_ckpt c;
		Cvisor__Ckpt__SysvShm *g, **n;
		uint32_t id;

		if (ipc_shm_ckpt_get(ns, slot, &c) < 0)
			continue;
		r = ckpt_shm_id(set, c.mem, &id);
		if (r < 0)
			break;
		set->fixed[id - 1] = true;
		g = calloc(1, sizeof(*g));
		n = g ? realloc(set->sysv, (set->nsysv + 1) * sizeof(*n)) : NULL;
		if (!n) {
			free(g);
			r = -ENOMEM;
			break;
		}
		set->sysv = n;
		cvisor__ckpt__sysv_shm__init(g);
		g->key = c.perm.__key;
		g->id = c.id;
		g->uid = c.perm.uid, g->gid = c.perm.gid;
		g->cuid = c.perm.cuid, g->cgid = c.perm.cgid;
		g->mode = c.perm.mode;
		g->seq = c.perm.__seq;
		g->size = c.size;
		g->atime = c.atime, g->dtime = c.dtime, g->ctime = c.ctime;
		g->cpid = c.cpid, g->lpid = c.lpid;
		g->shm_id = id;
		set->sysv[set->nsysv++] = g;
	}
	pthread_mutex_unlock(&ns->lock);
	img->sysv_shm = set->sysv;
	img->n_sysv_shm = set->nsysv;
	return r;
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
static int save_one(struct mm_shm *shm, uint32_t id, bool fixed, int pages_fd, uint64_t *next_page,
		    uint8_t *buf, Cvisor__Ckpt__ShmObject *o, char *err, size_t errlen)
{
	struct stat st;
	uint64_t size;
	int r;

	cvisor__ckpt__shm_object__init(o);
	o->id = id;
	o->fixed_size = fixed;
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
		r = save_one(set->shm[i], (uint32_t)i + 1, set->fixed[i], pages_fd, next_page, buf,
			     &set->objs[i],
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
	free(set->fixed);
	for (size_t i = 0; i < set->nsysv; i++)
		free(set->sysv[i]);
	free(set->sysv);
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
		if (r == 0) {
			v[i]->is_file = o->fixed_size; /* a SysV segment's: never grown */
			r = fill(v[i], o, pages_fd, buf);
		}
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

int ckpt_shm_restore_sysv(const struct Cvisor__Ckpt__Image *img, struct mm_shm **v,
			  struct ipc_ns *ns, char *err, size_t errlen)
{
	size_t i;
	int r = 0;

	if (!img->n_sysv_shm)
		return 0;
	pthread_mutex_lock(&ns->lock);
	for (i = 0; i < img->n_sysv_shm && r == 0; i++) {
		const Cvisor__Ckpt__SysvShm *g = img->sysv_shm[i];
		struct mm_shm *mem = ckpt_shm_restored(img, v, g->shm_id);
		struct ipc_shm_ckpt c = { .id = g->id, .ctime = g->ctime, .atime = g->atime,
					  .dtime = g->dtime, .size = g->size, .mem = mem,
					  .cpid = g->cpid, .lpid = g->lpid };

		c.perm.__key = g->key;
		c.perm.uid = g->uid, c.perm.gid = g->gid;
		c.perm.cuid = g->cuid, c.perm.cgid = g->cgid;
		c.perm.mode = (unsigned short)g->mode;
		c.perm.__seq = (unsigned short)g->seq;
		r = mem ? ipc_shm_ckpt_add(ns, &c) : -EINVAL;
		mm_shm_put(mem);
		if (r < 0)
			snprintf(err, errlen, "System V shared memory %d: %s", g->id, strerror(-r));
	}
	if (r < 0) { /* take out the ones added: nothing is left behind */
		for (size_t j = 0; j + 1 < i; j++) {
			int slot = img->sysv_shm[j]->id & ((1 << IPC_SEQ_SHIFT) - 1);
			struct ipc_obj *o = ns->objs[IPC_K_SHM][slot];

			ipc_remove(ns, o);
			ipc_shm_free(o);
		}
	} else {
		ns->seq = img->ipc_seq & 0xffff;
	}
	pthread_mutex_unlock(&ns->lock);
	return r;
}
