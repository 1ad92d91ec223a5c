/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mremap, msync, mincore over the VMA set (sentry/mm/mm.h).
 *
 * mremap moves memory the way the backend allows: shared memory (an mm_shm
 * memfd) is simply mapped again at the new place; private memory (anonymous,
 * or a private file mapping whose bytes were copied in) is copied page by
 * page through the platform into fresh anonymous memory.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/macro.h"
#include "sentry/kernel/task.h"
#include "sentry/loader/loader.h"
#include "sentry/mm/mm.h"
#include "syscall_handlers.h"

#define LOG_PREFIX "sys_mremap: "
#define PAGE MM_PAGE
#define MMAP_TOP (LOADER_STACK_TOP - LOADER_STACK_SIZE - (1ULL << 30)) /* as sys_mm.c */
#define COPY_CHUNK 65536

/* Make sure the memfd behind @v holds [off, off + len). */
static int shm_cover(const struct mm_vma *v, uint64_t off, uint64_t len)
{
	struct stat st;

	if (fstat(v->shm->fd, &st) < 0)
		return -ENOMEM;
	if ((uint64_t)st.st_size >= off + len || v->shm->is_file)
		return 0; /* a file mapping never resizes its file */
	return ftruncate(v->shm->fd, (off_t)(off + len)) < 0 ? -ENOMEM : 0;
}

/* Copy @len bytes of private memory from @src to @dst in the stub; both are
 * readable/writable for the duration. */
static int copy_pages(struct plat_as *as, uint64_t src, uint64_t dst, uint64_t len)
{
	_cleanup_free_ uint8_t *buf = malloc(COPY_CHUNK);

	if (!buf)
		return -ENOMEM;
	for (uint64_t done = 0; done < len;) {
		size_t n = (size_t)MIN((uint64_t)COPY_CHUNK, len - done);

		if (plat_as_read(as, src + done, buf, n) != (ssize_t)n ||
		    plat_as_write(as, dst + done, buf, n) != (ssize_t)n)
			return -EFAULT;
		done += n;
	}
	return 0;
}

/*
 * Move [addr, addr + old_len) of the VMA @vi to [dst, dst + new_len), which
 * is free.  Growth past old_len reads as zeros (anonymous) or continues the
 * memfd (shared).  With @keep_old (MREMAP_DONTUNMAP) the old range stays
 * mapped, emptied if private.
 */
static int move_range(struct task *t, struct mm *s, size_t vi, uint64_t addr, uint64_t old_len,
		      uint64_t dst, uint64_t new_len, int keep_old)
{
	struct plat_as *as = t->tg->as;
	struct mm_vma nv = s->v[vi];
	int r;

	nv.start = dst;
	nv.end = dst + new_len;
	if ((nv.kind & MM_VMA_FILE) || nv.shm)
		nv.off += addr - s->v[vi].start;
	if (nv.shm && (nv.kind & MM_VMA_SHARED)) {
		r = shm_cover(&nv, nv.off, new_len);
		if (r == 0)
			r = plat_as_map(as, dst, new_len, nv.prot, PLAT_MAP_SHARED, nv.shm->fd, nv.off);
	} else {
		r = plat_as_map(as, dst, new_len, PROT_READ | PROT_WRITE, PLAT_MAP_PRIVATE, -1, 0);
		if (r == 0 && !(nv.prot & PROT_READ))
			r = plat_as_protect(as, addr, old_len, PROT_READ);
		if (r == 0)
			r = copy_pages(as, addr, dst, MIN(old_len, new_len));
		if (r == 0 && nv.prot != (PROT_READ | PROT_WRITE))
			r = plat_as_protect(as, dst, new_len, nv.prot);
		if (r < 0) {
			/* leave the source as it was */
			plat_as_protect(as, addr, old_len, nv.prot);
			plat_as_unmap(as, dst, new_len);
			return r;
		}
	}
	if (r < 0)
		return r;
	mm_shm_get(nv.shm);
	if (keep_old) {
		if (!nv.shm || !(nv.kind & MM_VMA_SHARED))
			r = plat_as_map(as, addr, old_len, nv.prot, PLAT_MAP_PRIVATE, -1, 0);
	} else {
		r = plat_as_unmap(as, addr, old_len);
		if (r == 0)
			r = mm_vma_unmap(s, addr, addr + old_len);
	}
	if (r < 0) {
		mm_shm_put(nv.shm);
		return r;
	}
	return mm_vma_insert(s, &nv);
}

/* Grow the VMA @vi, which ends at @end, in place to @new_end. */
static int grow_in_place(struct task *t, struct mm *s, size_t vi, uint64_t end, uint64_t new_end)
{
	struct mm_vma nv = s->v[vi];
	int r;

	nv.start = end;
	nv.end = new_end;
	if ((nv.kind & MM_VMA_FILE) || nv.shm)
		nv.off += end - s->v[vi].start;
	if (nv.shm) { /* shared memory, or a file's memfd mapped privately */
		r = shm_cover(&nv, nv.off, new_end - end);
		if (r == 0)
			r = plat_as_map(t->tg->as, end, new_end - end, nv.prot,
					(nv.kind & MM_VMA_SHARED) ? PLAT_MAP_SHARED
								  : PLAT_MAP_PRIVATE,
					nv.shm->fd, nv.off);
	} else {
		r = plat_as_map(t->tg->as, end, new_end - end, nv.prot, PLAT_MAP_PRIVATE, -1, 0);
	}
	if (r < 0)
		return r;
	mm_shm_get(nv.shm);
	return mm_vma_insert(s, &nv);
}

static int64_t do_mremap(struct task *t, struct mm *s, uint64_t addr, uint64_t old_len,
			 uint64_t new_len, unsigned flags, uint64_t new_addr)
{
	uint64_t limit = plat_app_limit();
	struct mm_vma *v = mm_vma_find(s, addr);
	size_t vi;
	int r;

	if (!v)
		return -EFAULT;
	vi = (size_t)(v - s->v);
	if (old_len == 0 && !v->shm)
		return -EINVAL; /* a second view exists only of shared memory */
	if (new_len > old_len && t->tg->rlim[RLIMIT_AS].cur != RLIM_INFINITY &&
	    mm_vma_bytes(s, 0, 0) + (new_len - old_len) > t->tg->rlim[RLIMIT_AS].cur)
		return -ENOMEM; /* RLIMIT_AS (a DONTUNMAP copy counts a bit less) */
	if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
		if (flags & MREMAP_FIXED) {
			if (new_addr & (PAGE - 1))
				return -EINVAL;
			if (new_addr < PLAT_APP_MIN || new_len > limit || new_addr > limit - new_len)
				return -EINVAL;
			if (addr + old_len > new_addr && new_addr + new_len > addr)
				return -EINVAL;
		}
		if (old_len > v->end - addr)
			return -EFAULT;
		if (flags & MREMAP_FIXED) {
			if (mm_vma_overlaps(s, new_addr, new_addr + new_len)) {
				r = plat_as_unmap(t->tg->as, new_addr, new_len);
				if (r == 0)
					r = mm_vma_unmap(s, new_addr, new_addr + new_len);
				if (r < 0)
					return r;
			}
		} else {
			new_addr = mm_vma_find_gap(s, new_len, PLAT_APP_MIN, MMAP_TOP);
			if (!new_addr)
				return -ENOMEM;
		}
		v = mm_vma_find(s, addr); /* the list may have changed */
		if (!v)
			return -EFAULT;
		if (old_len > new_len && !(flags & MREMAP_DONTUNMAP)) {
			r = plat_as_unmap(t->tg->as, addr + new_len, old_len - new_len);
			if (r == 0)
				r = mm_vma_unmap(s, addr + new_len, addr + old_len);
			if (r < 0)
				return r;
			old_len = new_len;
			v = mm_vma_find(s, addr);
		}
		r = move_range(t, s, (size_t)(v - s->v), addr, old_len ? old_len : new_len,
			       new_addr, new_len, (flags & MREMAP_DONTUNMAP) || old_len == 0);
		return r < 0 ? r : (int64_t)new_addr;
	}
	if (old_len >= new_len) { /* shrink (or nothing) in place */
		if (old_len > new_len) {
			r = plat_as_unmap(t->tg->as, addr + new_len, old_len - new_len);
			if (r == 0)
				r = mm_vma_unmap(s, addr + new_len, addr + old_len);
			if (r < 0)
				return r;
		}
		return (int64_t)addr;
	}
	if (old_len > v->end - addr)
		return -EFAULT;
	/* grow: in place when the VMA ends with the range and room follows */
	if (old_len && v->end == addr + old_len && addr + new_len <= limit &&
	    addr + new_len > addr && !mm_vma_overlaps(s, addr + old_len, addr + new_len)) {
		r = grow_in_place(t, s, vi, addr + old_len, addr + new_len);
		return r < 0 ? r : (int64_t)addr;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	new_addr = mm_vma_find_gap(s, new_len, PLAT_APP_MIN, MMAP_TOP);
	if (!new_addr)
		return -ENOMEM;
	r = move_range(t, s, vi, addr, old_len ? old_len : new_len, new_addr, new_len,
		       old_len == 0);
	return r < 0 ? r : (int64_t)new_addr;
}

int64_t sys_mremap(struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[0], old_len = a[1], new_len = a[2], new_addr = a[4];
	unsigned flags = (unsigned)a[3];
	struct mm *s = t->tg->mm;
	int64_t r;

	if (!s)
		return -ENOMEM;
	if (flags & ~(unsigned)(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	if (addr & (PAGE - 1))
		return -EINVAL;
	if (old_len > plat_app_limit() || new_len > plat_app_limit())
		return -EINVAL;
	old_len = ALIGN_UP(old_len, PAGE);
	new_len = ALIGN_UP(new_len, PAGE);
	if (new_len == 0)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	r = do_mremap(t, s, addr, old_len, new_len, flags, new_addr);
	pthread_mutex_unlock(&s->lock);
	return r;
}

int64_t sys_msync(struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[0], len = a[1];
	int flags = (int)a[2];
	struct mm *s = t->tg->mm;
	int r = 0;

	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if (addr & (PAGE - 1))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	len = ALIGN_UP(len, PAGE);
	if (addr + len < addr)
		return -ENOMEM;
	if (len == 0 || !s)
		return 0;
	/* Shared memory is a memfd and private memory has no file to write
	 * back to: nothing to flush, but holes are reported. */
	pthread_mutex_lock(&s->lock);
	if (!mm_vma_covered(s, addr, addr + len))
		r = -ENOMEM;
	pthread_mutex_unlock(&s->lock);
	return r;
}

int64_t sys_mincore(struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[0], len = a[1], vec = a[2];
	struct mm *s = t->tg->mm;
	uint8_t ones[4096];
	uint64_t pages;
	int r = 0;

	if (addr & (PAGE - 1))
		return -EINVAL;
	if (addr >= plat_app_limit() || len > plat_app_limit() - addr)
		return -ENOMEM;
	pages = ALIGN_UP(len, PAGE) / PAGE;
	if (pages == 0 || !s)
		return 0;
	pthread_mutex_lock(&s->lock);
	if (!mm_vma_covered(s, addr, addr + pages * PAGE))
		r = -ENOMEM;
	pthread_mutex_unlock(&s->lock);
	if (r < 0)
		return r;
	/* The stub's residency is not known here: mapped counts as resident. */
	memset(ones, 1, sizeof(ones));
	for (uint64_t done = 0; done < pages;) {
		size_t n = (size_t)MIN((uint64_t)sizeof(ones), pages - done);

		if (plat_as_write(t->tg->as, vec + done, ones, n) != (ssize_t)n)
			return -EFAULT;
		done += n;
	}
	return 0;
}
