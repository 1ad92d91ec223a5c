/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Interim memory management: the VMA list of a thread group and the
 * brk/mmap/munmap/mprotect/madvise syscalls over it, until sentry/mm (with
 * mremap, file-backed shared mappings, per-VMA backing objects and the
 * memfd backend for checkpoints) replaces it.
 *
 * What it does: anonymous private and shared memory, private file mappings
 * (the file's bytes are copied in: correct for what programs map privately,
 * text and data), top-down placement, brk, /proc/pid/maps.  What it does
 * not: MAP_SHARED file mappings (ENODEV), mremap (ENOSYS: glibc falls back),
 * mlock, shared futex keys across processes.
 */
#ifndef CVISOR_SENTRY_MM_INTERIM_H
#define CVISOR_SENTRY_MM_INTERIM_H

#include <stddef.h>
#include <stdint.h>

struct thread_group;
struct vma_set;

/* A fresh set for a just-loaded image [@image_start, @image_end) and the
 * stack [@stack_start, @stack_end). */
struct vma_set *vmas_new(uint64_t image_start, uint64_t image_end, uint64_t stack_start,
			 uint64_t stack_end);
struct vma_set *vmas_copy(const struct vma_set *s);
/* Record an already-mapped range (the program interpreter); -EEXIST if it
 * overlaps what is there. */
int vmas_add(struct vma_set *s, uint64_t start, uint64_t end, int prot);
void vmas_free(struct vma_set *s);

/* /proc/pid/maps text; returns a malloc'd string (NULL on ENOMEM). */
char *vmas_maps_text(struct vma_set *s, size_t *ret_len);

#endif
