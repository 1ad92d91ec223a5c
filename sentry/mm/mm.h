/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The memory manager: the layout of one address space as the Sentry sees it
 * (DESIGN.md 5).  Every VMA the application has lives here; the host page
 * tables of the stub are only a cache of it, and /proc/pid/maps is printed
 * from it.
 *
 * This header is the VMA set: a sorted array of non-overlapping VMAs with
 * the list operations (insert, unmap, protect, merge, gap search) that do
 * not touch the platform, so they can be unit tested.  The syscalls that
 * drive the platform live in sentry/syscalls/sys_mm.c and use these.
 *
 * Backing: anonymous private memory and private file mappings are host
 * anonymous private memory in the stub (file bytes are copied in).  Shared
 * memory (MAP_SHARED anonymous, /dev/zero) is a Sentry-owned memfd
 * (struct mm_shm) mapped shared into the stub; a VMA holds a reference and
 * the offset into it, so mremap can map it again elsewhere.
 *
 * Locking: struct mm's lock protects everything in it.  Callers of the
 * mm_vma_* functions hold it; the platform call that mirrors a list change
 * is made under it too, so the host layout and the list never disagree.
 */
#ifndef CVISOR_SENTRY_MM_MM_H
#define CVISOR_SENTRY_MM_MM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loader_image;
struct plat_as;

#define MM_PAGE 4096ULL

enum mm_vma_kind {
	MM_VMA_SHARED = 1u << 0, /* MAP_SHARED: 's' in maps, backed by an mm_shm */
	MM_VMA_FILE = 1u << 1,	 /* maps a file: dev/ino/off/name are the file's */
	MM_VMA_STACK = 1u << 2,	 /* the initial stack */
	MM_VMA_HEAP = 1u << 3,	 /* brk memory */
	MM_VMA_DONTFORK = 1u << 4, /* MADV_DONTFORK: not inherited by fork */
	MM_VMA_NOWRITE = 1u << 5,  /* shared map of a read-only fd: no PROT_WRITE */
	/* private and writable once (Linux's VM_ACCOUNT): never cleared, and
	 * keeps a VMA from merging with one that never was, as in Linux */
	MM_VMA_ACCOUNT = 1u << 6,
};

/* A Sentry-owned memfd backing shared memory.  Reference counted: one
 * reference per VMA that maps it (a split VMA holds two). */
struct mm_shm {
	int refs;     /* atomic */
	int fd;	      /* memfd, owned */
	bool is_file; /* a file's data (never resized by mm) vs anonymous memory */
};

/* Creates a memfd of @size bytes. */
int mm_shm_new(uint64_t size, struct mm_shm **ret);
/* Wraps @fd (taken over, also on error), the data of a file. */
int mm_shm_from_file(int fd, struct mm_shm **ret);
struct mm_shm *mm_shm_get(struct mm_shm *s);
void mm_shm_put(struct mm_shm *s);

/* One mapping.  Invariants: start < end, both page aligned; prot only
 * PROT_READ|PROT_WRITE|PROT_EXEC; off is the file (or shm) offset of start
 * and is meaningful only with MM_VMA_FILE or shm. */
struct mm_vma {
	uint64_t start, end;
	int prot;
	unsigned kind;	    /* enum mm_vma_kind */
	uint64_t dev, ino;  /* files, for /proc/pid/maps */
	uint64_t off;
	uint64_t file_size; /* files: size at mmap time (SIGBUS beyond EOF) */
	struct mm_shm *shm; /* shared memory backing, or NULL (a reference) */
	char name[256];	    /* file path, "[heap]", "[stack]" or "" */
};

/* Invariant: v[0..n) sorted by start, non-overlapping.  One mm may serve
 * several thread groups that share an address space (CLONE_VM without
 * CLONE_THREAD, vfork): @users counts those still running in it, @refs
 * the thread groups that point at it. */
struct mm {
	int refs;  /* atomic */
	int users; /* atomic */
	pthread_mutex_t lock;
	struct mm_vma *v;
	size_t n, cap;
	uint64_t brk_start, brk;
};

/* A fresh set for a just-loaded image [@image_start, @image_end) and the
 * stack [@stack_start, @stack_end).  NULL on ENOMEM. */
struct mm *mm_new(uint64_t image_start, uint64_t image_end, uint64_t stack_start,
		  uint64_t stack_end);
/* Replace the coarse image VMA of mm_new by the loaded segments of @li, as
 * Linux's ELF loader maps them: the file part of each named @name with the
 * file's @dev/@ino/offset, the bss part anonymous. */
int mm_set_image(struct mm *m, const struct loader_image *li, const char *name, uint64_t dev,
		 uint64_t ino);
/* A copy for fork (shared memory stays shared: references are taken). */
struct mm *mm_copy(struct mm *src);
/* Drop a reference; the last one frees the set (NULL is fine). */
void mm_free(struct mm *m);
/* Another thread group (CLONE_VM) starts using @m and its address space:
 * one more reference and one more user. */
struct mm *mm_share(struct mm *m);
/* A thread group stops using the address space of @m (exit, execve);
 * returns true when it was the last one, so the caller destroys the
 * address space.  The reference is dropped separately by mm_free. */
bool mm_unuse(struct mm *m);
/* fork: a copy-on-write copy of the address space @src_as that @src
 * describes, and the copy of @src for it, made under @src's lock so that
 * other threads cannot change the layout in between; MADV_DONTFORK ranges
 * are left out of both. */
int mm_fork(struct mm *src, struct plat_as *src_as, struct plat_as **ret_as, struct mm **ret);

/*
 * List operations; the caller holds m->lock.
 */
/* The VMA containing @addr, or NULL. */
struct mm_vma *mm_vma_find(struct mm *m, uint64_t addr);
/* Does any VMA intersect [start, end)? */
int mm_vma_overlaps(const struct mm *m, uint64_t start, uint64_t end);
/* Is [start, end) fully covered by VMAs (no holes)? */
int mm_vma_covered(const struct mm *m, uint64_t start, uint64_t end);
/* Highest free, page-aligned range of @len that ends at or below @top and
 * starts at or above @bottom; 0 when there is none. */
uint64_t mm_vma_find_gap(const struct mm *m, uint64_t len, uint64_t bottom, uint64_t top);
/* Remove [start, end), splitting VMAs that straddle its edges. */
int mm_vma_unmap(struct mm *m, uint64_t start, uint64_t end);
/* Insert @nv (its shm reference is taken over by the set, also on error),
 * replacing whatever overlapped it, and merge it with compatible
 * neighbours. */
int mm_vma_insert(struct mm *m, const struct mm_vma *nv);
/* Set the protection of [start, end) (which must be covered), splitting at
 * the edges and merging afterwards. */
int mm_vma_protect(struct mm *m, uint64_t start, uint64_t end, int prot);
/* Set and clear enum mm_vma_kind bits over [start, end), splitting at the
 * edges and merging afterwards. */
int mm_vma_set_kind(struct mm *m, uint64_t start, uint64_t end, unsigned set, unsigned clear);
/* The size of the accounted (writable private) VMAs, in KiB: an upper
 * bound of the resident set where the host's counters are out of reach.
 * Takes m->lock. */
uint64_t mm_account_kb(struct mm *m);
/* Bytes mapped in all (@start == @end) or in [start, end) (caller holds
 * m->lock): RLIMIT_AS checks. */
uint64_t mm_vma_bytes(const struct mm *m, uint64_t start, uint64_t end);
/* Merge every pair of adjacent compatible VMAs. */
void mm_vma_merge(struct mm *m);

/* /proc/pid/maps text, Linux's format; a malloc'd string (NULL on ENOMEM). */
char *mm_maps_text(struct mm *m, size_t *ret_len);

#endif
