/* SPDX-License-Identifier: Apache-2.0 */
/* Interim memory management (see mm_interim.h). */
#include "mm_interim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/macro.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/loader/loader.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "syscall_handlers.h"

#define PAGE 4096ULL
#define MMAP_TOP (LOADER_STACK_TOP - LOADER_STACK_SIZE - (1ULL << 30)) /* 1 GiB gap */

enum { VMA_SHARED = 1, VMA_FILE = 2, VMA_STACK = 4, VMA_HEAP = 8 };

struct vma {
	uint64_t start, end;
	int prot;
	unsigned kind;
	uint64_t ino, off; /* files, for /proc/pid/maps */
	char name[64];
};

/* Sorted, non-overlapping.  Protected by its own lock (threads of one
 * group call mmap concurrently); the platform call happens under it too so
 * that the host layout and the list never disagree. */
struct vma_set {
	pthread_mutex_t lock;
	struct vma *v;
	size_t n, cap;
	uint64_t brk_start, brk;
};

static int vmas_reserve(struct vma_set *s, size_t extra)
{
	if (s->n + extra <= s->cap)
		return 0;
	size_t cap = MAX(s->cap * 2, s->n + extra + 8);
	struct vma *v = realloc(s->v, cap * sizeof(*v));

	if (!v)
		return -ENOMEM;
	s->v = v;
	s->cap = cap;
	return 0;
}

static int insert(struct vma_set *s, const struct vma *nv)
{
	size_t i = 0;

	if (vmas_reserve(s, 1) < 0)
		return -ENOMEM;
	while (i < s->n && s->v[i].start < nv->start)
		i++;
	memmove(s->v + i + 1, s->v + i, (s->n - i) * sizeof(*s->v));
	s->v[i] = *nv;
	s->n++;
	return 0;
}

/* Remove [start, end) from the list, splitting VMAs that straddle it. */
static int carve(struct vma_set *s, uint64_t start, uint64_t end)
{
	if (vmas_reserve(s, 1) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < s->n;) {
		struct vma *v = &s->v[i];

		if (v->end <= start || v->start >= end) {
			i++;
			continue;
		}
		if (v->start < start && v->end > end) { /* split in two */
			struct vma tail = *v;

			tail.start = end;
			if (tail.kind & VMA_FILE)
				tail.off += end - v->start;
			v->end = start;
			memmove(s->v + i + 2, s->v + i + 1, (s->n - i - 1) * sizeof(*s->v));
			s->v[i + 1] = tail;
			s->n++;
			return 0;
		}
		if (v->start < start) {
			v->end = start;
			i++;
		} else if (v->end > end) {
			if (v->kind & VMA_FILE)
				v->off += end - v->start;
			v->start = end;
			i++;
		} else {
			memmove(s->v + i, s->v + i + 1, (s->n - i - 1) * sizeof(*s->v));
			s->n--;
		}
	}
	return 0;
}

static int overlaps(const struct vma_set *s, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].start < end && s->v[i].end > start)
			return 1;
	return 0;
}

/* Highest free range of @len below MMAP_TOP (top-down, like Linux). */
static uint64_t find_gap(const struct vma_set *s, uint64_t len)
{
	uint64_t top = MMAP_TOP;

	for (size_t i = s->n; i-- > 0;) {
		const struct vma *v = &s->v[i];

		if (v->start >= top)
			continue;
		if (v->end <= top && top - v->end >= len)
			return top - len;
		top = MIN(top, v->start);
	}
	return top >= len + PLAT_APP_MIN ? top - len : 0;
}

struct vma_set *vmas_new(uint64_t image_start, uint64_t image_end, uint64_t stack_start,
			 uint64_t stack_end)
{
	struct vma_set *s = calloc(1, sizeof(*s));
	struct vma img = { .start = image_start, .end = image_end, .prot = PROT_READ };
	struct vma stack = { .start = stack_start, .end = stack_end,
			     .prot = PROT_READ | PROT_WRITE, .kind = VMA_STACK };

	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	snprintf(stack.name, sizeof(stack.name), "[stack]");
	if ((image_end > image_start && insert(s, &img) < 0) ||
	    (stack_end > stack_start && insert(s, &stack) < 0)) {
		vmas_free(s);
		return NULL;
	}
	s->brk_start = s->brk = image_end;
	return s;
}

int vmas_add(struct vma_set *s, uint64_t start, uint64_t end, int prot)
{
	struct vma v = { .start = start, .end = end, .prot = prot };
	int r;

	pthread_mutex_lock(&s->lock);
	r = overlaps(s, start, end) ? -EEXIST : insert(s, &v);
	pthread_mutex_unlock(&s->lock);
	return r;
}

struct vma_set *vmas_copy(const struct vma_set *src)
{
	struct vma_set *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_lock((pthread_mutex_t *)&src->lock);
	s->v = malloc((src->n ? src->n : 1) * sizeof(*s->v));
	if (s->v) {
		memcpy(s->v, src->v, src->n * sizeof(*s->v));
		s->n = s->cap = src->n;
		s->brk_start = src->brk_start;
		s->brk = src->brk;
	}
	pthread_mutex_unlock((pthread_mutex_t *)&src->lock);
	if (!s->v) {
		free(s);
		return NULL;
	}
	return s;
}

void vmas_free(struct vma_set *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	free(s->v);
	free(s);
}

char *vmas_maps_text(struct vma_set *s, size_t *ret_len)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n; i++) {
		const struct vma *v = &s->v[i];
		char line[256];
		int n = snprintf(line, sizeof(line), "%012llx-%012llx %c%c%c%c %08llx 00:00 %-10llu %s%s\n",
				 (unsigned long long)v->start, (unsigned long long)v->end,
				 (v->prot & PROT_READ) ? 'r' : '-', (v->prot & PROT_WRITE) ? 'w' : '-',
				 (v->prot & PROT_EXEC) ? 'x' : '-', (v->kind & VMA_SHARED) ? 's' : 'p',
				 (unsigned long long)v->off, (unsigned long long)v->ino,
				 v->name[0] ? "    " : "", v->name);

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
	pthread_mutex_unlock(&s->lock);
	buf[len] = 0;
	*ret_len = len;
	return buf;
}

int64_t sys_brk(struct task *t, const uint64_t a[6])
{
	struct vma_set *s = t->tg->vmas;
	uint64_t want = a[0], ret;

	if (!s)
		return 0;
	pthread_mutex_lock(&s->lock);
	ret = s->brk;
	if (want >= s->brk_start && want < LOADER_STACK_TOP - LOADER_STACK_SIZE) {
		uint64_t old_end = ALIGN_UP(s->brk, PAGE), new_end = ALIGN_UP(want, PAGE);
		int r = 0;

		if (new_end > old_end) {
			if (overlaps(s, old_end, new_end))
				r = -ENOMEM;
			else
				r = plat_as_map(t->tg->as, old_end, new_end - old_end,
						PROT_READ | PROT_WRITE, PLAT_MAP_PRIVATE, -1, 0);
			if (r == 0) {
				/* grow the heap VMA or add one */
				struct vma *last = NULL;

				for (size_t i = 0; i < s->n; i++)
					if ((s->v[i].kind & VMA_HEAP) && s->v[i].end == old_end)
						last = &s->v[i];
				if (last)
					last->end = new_end;
				else {
					struct vma h = { .start = old_end, .end = new_end,
							 .prot = PROT_READ | PROT_WRITE, .kind = VMA_HEAP };

					snprintf(h.name, sizeof(h.name), "[heap]");
					r = insert(s, &h);
				}
			}
		} else if (new_end < old_end) {
			r = plat_as_unmap(t->tg->as, new_end, old_end - new_end);
			if (r == 0)
				r = carve(s, new_end, old_end);
		}
		if (r == 0)
			ret = s->brk = want;
	}
	pthread_mutex_unlock(&s->lock);
	return (int64_t)ret;
}

#define MAP_KNOWN                                                                           \
	(MAP_SHARED | MAP_PRIVATE | MAP_SHARED_VALIDATE | MAP_FIXED | MAP_ANONYMOUS |       \
	 MAP_GROWSDOWN | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED | MAP_NORESERVE |      \
	 MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_FIXED_NOREPLACE)

/* Private file mapping: anonymous memory filled with the file's bytes. */
static int fill_from_file(struct task *t, struct file *f, uint64_t addr, uint64_t len,
			  uint64_t off)
{
	uint8_t *buf = malloc(65536);
	uint64_t done = 0;
	int64_t pos = (int64_t)off;

	if (!buf)
		return -ENOMEM;
	while (done < len) {
		ssize_t n = f->ops->read(f, t, buf, MIN((uint64_t)65536, len - done), &pos);

		if (n < 0) {
			free(buf);
			return (int)n;
		}
		if (n == 0)
			break; /* past EOF: zeros (Linux: SIGBUS beyond the last page) */
		if (plat_as_write(t->tg->as, addr + done, buf, (size_t)n) != n) {
			free(buf);
			return -EFAULT;
		}
		done += (uint64_t)n;
	}
	free(buf);
	return 0;
}

int64_t sys_mmap(struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[0], len = a[1], off = a[5];
	int prot = (int)a[2], flags = (int)a[3], fd = (int)a[4];
	struct vma_set *s = t->tg->vmas;
	struct file *f = NULL;
	struct vma nv = { 0 };
	int r = 0, type = flags & (MAP_SHARED | MAP_PRIVATE | MAP_SHARED_VALIDATE);
	int hostfd = -1;

	if (!s)
		return -ENOMEM;
	if (len == 0 || (off & (PAGE - 1)))
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE && (flags & ~MAP_KNOWN))
		return -EOPNOTSUPP;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (len > plat_app_limit())
		return -ENOMEM;
	len = ALIGN_UP(len, PAGE);
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && (addr & (PAGE - 1)))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		f = fdt_lookup(t->fdt, fd);
		if (!f)
			return -EBADF;
		if (!file_readable(f) || !f->ops->read) {
			file_put(f);
			return -EACCES;
		}
		if (type != MAP_PRIVATE) {
			file_put(f);
			return -ENODEV; /* shared file mappings: with sentry/mm */
		}
	}

	pthread_mutex_lock(&s->lock);
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr < PLAT_APP_MIN || addr + len > plat_app_limit() || addr + len < addr) {
			r = -ENOMEM;
			goto out;
		}
		if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) &&
		    overlaps(s, addr, addr + len)) {
			r = -EEXIST;
			goto out;
		}
	} else {
		addr = ALIGN_DOWN(addr, PAGE);
		if (!addr || addr < PLAT_APP_MIN || addr + len > MMAP_TOP ||
		    overlaps(s, addr, addr + len))
			addr = find_gap(s, len);
		if (!addr) {
			r = -ENOMEM;
			goto out;
		}
	}
	if (type != MAP_PRIVATE) {
		/* shared anonymous: a memfd, shared with children by fork */
		hostfd = memfd_create("cvisor-shm", MFD_CLOEXEC);
		if (hostfd < 0 || ftruncate(hostfd, (off_t)len) < 0) {
			r = -ENOMEM;
			goto out;
		}
		nv.kind |= VMA_SHARED;
	}
	r = plat_as_map(t->tg->as, addr, len,
			(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) | (f ? PROT_WRITE : 0),
			type != MAP_PRIVATE ? PLAT_MAP_SHARED : PLAT_MAP_PRIVATE, hostfd, 0);
	if (r == 0 && f) {
		r = fill_from_file(t, f, addr, len, off);
		if (r == 0 && !(prot & PROT_WRITE))
			r = plat_as_protect(t->tg->as, addr, len,
					    prot & (PROT_READ | PROT_WRITE | PROT_EXEC));
		if (r == 0) {
			nv.kind |= VMA_FILE;
			nv.off = off;
			nv.ino = f->path.v ? f->path.v->ino : 0;
		}
	}
	if (r == 0) {
		nv.start = addr;
		nv.end = addr + len;
		nv.prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
		r = carve(s, addr, addr + len);
		if (r == 0)
			r = insert(s, &nv);
	}
out:
	pthread_mutex_unlock(&s->lock);
	safe_close(hostfd);
	file_put(f);
	return r < 0 ? r : (int64_t)addr;
}

int64_t sys_munmap(struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[0], len = ALIGN_UP(a[1], PAGE);
	struct vma_set *s = t->tg->vmas;
	int r;

	if ((addr & (PAGE - 1)) || a[1] == 0 || !s)
		return -EINVAL;
	if (addr >= plat_app_limit() || len > plat_app_limit() - addr)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	r = overlaps(s, addr, addr + len) ? plat_as_unmap(t->tg->as, addr, len) : 0;
	if (r == 0)
		r = carve(s, addr, addr + len);
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* Is [start, end) fully covered by VMAs? */
static int covered(const struct vma_set *s, uint64_t start, uint64_t end)
{
	uint64_t at = start;

	for (size_t i = 0; i < s->n && at < end; i++) {
		if (s->v[i].end <= at)
			continue;
		if (s->v[i].start > at)
			return 0;
		at = s->v[i].end;
	}
	return at >= end;
}

int64_t sys_mprotect(struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[0], len = ALIGN_UP(a[1], PAGE);
	int prot = (int)a[2];
	struct vma_set *s = t->tg->vmas;
	int r;

	if ((addr & (PAGE - 1)) || !s)
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (addr >= plat_app_limit() || len > plat_app_limit() - addr)
		return -ENOMEM;
	pthread_mutex_lock(&s->lock);
	if (!covered(s, addr, addr + len)) {
		pthread_mutex_unlock(&s->lock);
		return -ENOMEM;
	}
	r = plat_as_protect(t->tg->as, addr, len, prot & (PROT_READ | PROT_WRITE | PROT_EXEC));
	if (r == 0) {
		/* split at the edges, then set */
		for (size_t i = 0; i < s->n && r == 0; i++) {
			struct vma *v = &s->v[i];

			if (v->end <= addr || v->start >= addr + len)
				continue;
			if (v->start < addr || v->end > addr + len) {
				struct vma piece = *v;

				piece.start = MAX(v->start, addr);
				piece.end = MIN(v->end, addr + len);
				if (piece.kind & VMA_FILE)
					piece.off += piece.start - v->start;
				piece.prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
				r = carve(s, piece.start, piece.end);
				if (r == 0)
					r = insert(s, &piece);
				i = (size_t)-1; /* the list changed: rescan */
				continue;
			}
			v->prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

int64_t sys_madvise(struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[0], len = ALIGN_UP(a[1], PAGE);
	int advice = (int)a[2];
	struct vma_set *s = t->tg->vmas;
	int r = 0;

	if ((addr & (PAGE - 1)) || !s)
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_FREE: case MADV_DONTFORK: case MADV_DOFORK: case MADV_MERGEABLE:
	case MADV_UNMERGEABLE: case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_DONTDUMP:
	case MADV_DODUMP: case MADV_COLD: case MADV_PAGEOUT:
		break;
	case MADV_DONTNEED:
		/* Private memory reads back as zeros: give it fresh pages. */
		pthread_mutex_lock(&s->lock);
		for (size_t i = 0; i < s->n && r == 0; i++) {
			struct vma *v = &s->v[i];
			uint64_t st = MAX(v->start, addr), en = MIN(v->end, addr + len);

			if (st >= en || (v->kind & (VMA_SHARED | VMA_FILE)))
				continue;
			r = plat_as_map(t->tg->as, st, en - st, v->prot, PLAT_MAP_PRIVATE, -1, 0);
		}
		pthread_mutex_unlock(&s->lock);
		break;
	default:
		return -EINVAL;
	}
	pthread_mutex_lock(&s->lock);
	if (r == 0 && len && !covered(s, addr, addr + len))
		r = -ENOMEM;
	pthread_mutex_unlock(&s->lock);
	return r;
}
