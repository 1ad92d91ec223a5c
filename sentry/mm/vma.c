/* SPDX-License-Identifier: Apache-2.0 */
/* The VMA set of an address space (see mm.h). */
#include "mm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/fdutil.h"
#include "lib/macro.h"
#include "platform/platform.h"
#include "sentry/loader/loader.h"

#define LOG_PREFIX "mm: "

int mm_shm_new(uint64_t size, struct mm_shm **ret)
{
	struct mm_shm *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->refs = 1;
	s->fd = memfd_create("cvisor-shm", MFD_CLOEXEC);
	if (s->fd < 0 || ftruncate(s->fd, (off_t)size) < 0) {
		safe_close(s->fd);
		free(s);
		return -ENOMEM;
	}
	*ret = s;
	return 0;
}

int mm_shm_from_file(int fd, struct mm_shm **ret)
{
	struct mm_shm *s = calloc(1, sizeof(*s));

	if (!s) {
		safe_close(fd);
		return -ENOMEM;
	}
	s->refs = 1;
	s->fd = fd;
	s->is_file = true;
	*ret = s;
	return 0;
}

struct mm_shm *mm_shm_get(struct mm_shm *s)
{
	if (s)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
	return s;
}

void mm_shm_put(struct mm_shm *s)
{
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	safe_close(s->fd);
	free(s);
}

static int reserve(struct mm *m, size_t extra)
{
	if (m->n + extra <= m->cap)
		return 0;
	size_t cap = MAX(m->cap * 2, m->n + extra + 8);
	struct mm_vma *v = realloc(m->v, cap * sizeof(*v));

	if (!v)
		return -ENOMEM;
	m->v = v;
	m->cap = cap;
	return 0;
}

static void drop_at(struct mm *m, size_t i)
{
	mm_shm_put(m->v[i].shm);
	memmove(m->v + i, m->v + i + 1, (m->n - i - 1) * sizeof(*m->v));
	m->n--;
}

/* Advance the start of @v to @start (offsets follow). */
static void cut_front(struct mm_vma *v, uint64_t start)
{
	if ((v->kind & MM_VMA_FILE) || v->shm)
		v->off += start - v->start;
	v->start = start;
}

struct mm *mm_new(uint64_t image_start, uint64_t image_end, uint64_t stack_start,
		  uint64_t stack_end)
{
	struct mm *m = calloc(1, sizeof(*m));
	struct mm_vma img = { .start = image_start, .end = image_end, .prot = PROT_READ };
	struct mm_vma stack = { .start = stack_start, .end = stack_end,
				.prot = PROT_READ | PROT_WRITE, .kind = MM_VMA_STACK | MM_VMA_ACCOUNT };

	if (!m)
		return NULL;
	m->refs = m->users = 1;
	pthread_mutex_init(&m->lock, NULL);
	snprintf(stack.name, sizeof(stack.name), "[stack]");
	if ((image_end > image_start && mm_vma_insert(m, &img) < 0) ||
	    (stack_end > stack_start && mm_vma_insert(m, &stack) < 0)) {
		mm_free(m);
		return NULL;
	}
	m->brk_start = m->brk = image_end;
	return m;
}

int mm_set_image(struct mm *m, const struct loader_image *li, const char *name, uint64_t dev,
		 uint64_t ino)
{
	int r = 0;

	pthread_mutex_lock(&m->lock);
	for (int i = 0; i < li->nseg && r == 0; i++) {
		const struct loader_seg *g = &li->seg[i];
		unsigned acct = (g->prot & PROT_WRITE) ? MM_VMA_ACCOUNT : 0;
		struct mm_vma file = { .start = g->start, .end = MIN(g->filesz_end, g->end),
				       .prot = g->prot, .kind = MM_VMA_FILE | acct, .dev = dev,
				       .ino = ino, .off = g->off };
		struct mm_vma bss = { .start = file.end, .end = g->end, .prot = g->prot,
				      .kind = acct };

		snprintf(file.name, sizeof(file.name), "%s", name ? name : "");
		if (file.end > file.start)
			r = mm_vma_insert(m, &file);
		if (r == 0 && bss.end > bss.start)
			r = mm_vma_insert(m, &bss);
	}
	pthread_mutex_unlock(&m->lock);
	return r;
}

/* The caller holds src->lock. */
static struct mm *copy_locked(const struct mm *src)
{
	struct mm *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->v = malloc((src->n ? src->n : 1) * sizeof(*m->v));
	if (!m->v) {
		free(m);
		return NULL;
	}
	m->refs = m->users = 1;
	pthread_mutex_init(&m->lock, NULL);
	memcpy(m->v, src->v, src->n * sizeof(*m->v));
	m->n = m->cap = src->n;
	for (size_t i = 0; i < m->n; i++)
		mm_shm_get(m->v[i].shm);
	m->brk_start = src->brk_start;
	m->brk = src->brk;
	return m;
}

struct mm *mm_copy(struct mm *src)
{
	struct mm *m;

	pthread_mutex_lock(&src->lock);
	m = copy_locked(src);
	pthread_mutex_unlock(&src->lock);
	return m;
}

int mm_fork(struct mm *src, struct plat_as *src_as, struct plat_as **ret_as, struct mm **ret)
{
	struct plat_as *as = NULL;
	struct mm *m = NULL;
	int r;

	/* under the lock: no other thread changes the layout in between */
	pthread_mutex_lock(&src->lock);
	r = plat_as_fork(src_as, &as);
	if (r == 0) {
		m = copy_locked(src);
		if (!m)
			r = -ENOMEM;
	}
	pthread_mutex_unlock(&src->lock);
	if (r < 0) {
		plat_as_destroy(as);
		return r;
	}
	for (size_t i = 0; i < m->n;) {
		if (m->v[i].kind & MM_VMA_DONTFORK) {
			plat_as_unmap(as, m->v[i].start, m->v[i].end - m->v[i].start);
			drop_at(m, i);
		} else {
			i++;
		}
	}
	*ret_as = as;
	*ret = m;
	return 0;
}

struct mm *mm_share(struct mm *m)
{
	__atomic_add_fetch(&m->refs, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&m->users, 1, __ATOMIC_RELAXED);
	return m;
}

bool mm_unuse(struct mm *m)
{
	return __atomic_sub_fetch(&m->users, 1, __ATOMIC_ACQ_REL) == 0;
}

void mm_free(struct mm *m)
{
	if (!m || __atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	for (size_t i = 0; i < m->n; i++)
		mm_shm_put(m->v[i].shm);
	pthread_mutex_destroy(&m->lock);
	free(m->v);
	free(m);
}

struct mm_vma *mm_vma_find(struct mm *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->v[mid].end <= addr)
			lo = mid + 1;
		else if (m->v[mid].start > addr)
			hi = mid;
		else
			return &m->v[mid];
	}
	return NULL;
}

int mm_vma_overlaps(const struct mm *m, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].start < end && m->v[i].end > start)
			return 1;
	return 0;
}

int mm_vma_covered(const struct mm *m, uint64_t start, uint64_t end)
{
	uint64_t at = start;

	for (size_t i = 0; i < m->n && at < end; i++) {
		if (m->v[i].end <= at)
			continue;
		if (m->v[i].start > at)
			return 0;
		at = m->v[i].end;
	}
	return at >= end;
}

uint64_t mm_vma_find_gap(const struct mm *m, uint64_t len, uint64_t bottom, uint64_t top)
{
	for (size_t i = m->n; i-- > 0;) {
		const struct mm_vma *v = &m->v[i];

		if (v->start >= top)
			continue;
		if (v->end <= top && top - v->end >= len)
			return top - len >= bottom ? top - len : 0;
		top = MIN(top, v->start);
	}
	return top >= len + bottom ? top - len : 0;
}

int mm_vma_unmap(struct mm *m, uint64_t start, uint64_t end)
{
	if (reserve(m, 1) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < m->n;) {
		struct mm_vma *v = &m->v[i];

		if (v->end <= start || v->start >= end) {
			i++;
			continue;
		}
		if (v->start < start && v->end > end) { /* split in two */
			struct mm_vma tail = *v;

			cut_front(&tail, end);
			mm_shm_get(tail.shm);
			v->end = start;
			memmove(m->v + i + 2, m->v + i + 1, (m->n - i - 1) * sizeof(*m->v));
			m->v[i + 1] = tail;
			m->n++;
			return 0;
		}
		if (v->start < start) {
			v->end = start;
			i++;
		} else if (v->end > end) {
			cut_front(v, end);
			i++;
		} else {
			drop_at(m, i);
		}
	}
	return 0;
}

/* Can @b (right after @a) become part of @a? */
static int compatible(const struct mm_vma *a, const struct mm_vma *b)
{
	if (a->end != b->start || a->prot != b->prot || a->kind != b->kind ||
	    a->shm != b->shm || a->dev != b->dev ||
	    a->ino != b->ino || a->file_size != b->file_size || strcmp(a->name, b->name))
		return 0;
	if ((a->kind & MM_VMA_FILE) || a->shm)
		return a->off + (a->end - a->start) == b->off;
	return 1;
}

void mm_vma_merge(struct mm *m)
{
	for (size_t i = 0; i + 1 < m->n;) {
		if (compatible(&m->v[i], &m->v[i + 1])) {
			m->v[i].end = m->v[i + 1].end;
			drop_at(m, i + 1);
		} else {
			i++;
		}
	}
}

int mm_vma_insert(struct mm *m, const struct mm_vma *nv)
{
	size_t i = 0;
	int r = mm_vma_unmap(m, nv->start, nv->end);

	if (r == 0)
		r = reserve(m, 1);
	if (r < 0) {
		mm_shm_put(nv->shm);
		return r;
	}
	while (i < m->n && m->v[i].start < nv->start)
		i++;
	memmove(m->v + i + 1, m->v + i, (m->n - i) * sizeof(*m->v));
	m->v[i] = *nv;
	m->n++;
	mm_vma_merge(m);
	return 0;
}

/* Make start and end VMA boundaries (where they fall inside one). */
static int split_at_edges(struct mm *m, uint64_t start, uint64_t end)
{
	/* room for both splits first, so nothing below fails halfway */
	if (reserve(m, 2) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < m->n; i++) {
		struct mm_vma *v = &m->v[i];
		uint64_t at;

		if (v->start < start && v->end > start)
			at = start;
		else if (v->start < end && v->end > end)
			at = end;
		else
			continue;
		struct mm_vma tail = *v;

		cut_front(&tail, at);
		mm_shm_get(tail.shm);
		v->end = at;
		memmove(m->v + i + 2, m->v + i + 1, (m->n - i - 1) * sizeof(*m->v));
		m->v[i + 1] = tail;
		m->n++;
	}
	return 0;
}

int mm_vma_protect(struct mm *m, uint64_t start, uint64_t end, int prot)
{
	int r = split_at_edges(m, start, end);

	if (r < 0)
		return r;
	for (size_t i = 0; i < m->n; i++) {
		struct mm_vma *v = &m->v[i];

		if (v->start < start || v->end > end)
			continue;
		v->prot = prot;
		if ((prot & PROT_WRITE) && !(v->kind & MM_VMA_SHARED))
			v->kind |= MM_VMA_ACCOUNT;
	}
	mm_vma_merge(m);
	return 0;
}

int mm_vma_set_kind(struct mm *m, uint64_t start, uint64_t end, unsigned set, unsigned clear)
{
	int r = split_at_edges(m, start, end);

	if (r < 0)
		return r;
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].start >= start && m->v[i].end <= end)
			m->v[i].kind = (m->v[i].kind & ~clear) | set;
	mm_vma_merge(m);
	return 0;
}

char *mm_maps_text(struct mm *m, size_t *ret_len)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->n; i++) {
		const struct mm_vma *v = &m->v[i];
		char line[256];
		/* Linux pads the name to column 73 (25 + 6 * sizeof(void *)). */
		int n = snprintf(line, sizeof(line), "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
				 (unsigned long long)v->start, (unsigned long long)v->end,
				 (v->prot & PROT_READ) ? 'r' : '-', (v->prot & PROT_WRITE) ? 'w' : '-',
				 (v->prot & PROT_EXEC) ? 'x' : '-', (v->kind & MM_VMA_SHARED) ? 's' : 'p',
				 (unsigned long long)v->off, (unsigned)((v->dev >> 8) & 0xfff),
				 (unsigned)((v->dev & 0xff) | ((v->dev >> 12) & 0xfff00)),
				 (unsigned long long)v->ino);

		if (v->name[0])
			n += snprintf(line + n, sizeof(line) - (size_t)n, "%*s%s", MAX(73 - n, 1), "",
				      v->name);
		n += snprintf(line + n, sizeof(line) - (size_t)n, "\n");
		n = MIN(n, (int)sizeof(line) - 1);
		if (len + (size_t)n + 1 > cap) {
			char *nb = realloc(buf, cap * 2 + (size_t)n);

			if (!nb)
				break;
			buf = nb;
			cap = cap * 2 + (size_t)n;
		}
		memcpy(buf + len, line, (size_t)n);
		len += (size_t)n;
	}
	pthread_mutex_unlock(&m->lock);
	buf[len] = 0;
	*ret_len = len;
	return buf;
}

uint64_t mm_account_kb(struct mm *m)
{
	uint64_t bytes = 0;

	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].kind & MM_VMA_ACCOUNT)
			bytes += m->v[i].end - m->v[i].start;
	pthread_mutex_unlock(&m->lock);
	return bytes / 1024;
}

uint64_t mm_vma_bytes(const struct mm *m, uint64_t start, uint64_t end)
{
	uint64_t bytes = 0;

	for (size_t i = 0; i < m->n; i++) {
		uint64_t s = m->v[i].start, e = m->v[i].end;

		if (start != end) {
			s = MAX(s, start);
			e = MIN(e, end);
		}
		if (e > s)
			bytes += e - s;
	}
	return bytes;
}
