/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ELF64 loader (x86-64).  This first version loads static executables
 * (ET_EXEC, and ET_DYN without PT_INTERP, i.e. static-pie) into a platform
 * address space and builds the initial stack.  PT_INTERP and the vDSO come
 * with the Sentry (issue 4).  The image is hostile: every header field is
 * bounds-checked before use.
 */
#ifndef CVISOR_SENTRY_LOADER_H
#define CVISOR_SENTRY_LOADER_H

#include <stddef.h>
#include <stdint.h>

struct plat_as;

#define LOADER_STACK_TOP 0x7d0000000000ULL
#define LOADER_STACK_SIZE (8ULL << 20) /* mapped lazily (MAP_NORESERVE) */
#define LOADER_ARGS_MAX (1ULL << 20)   /* argv + envp strings and vectors */
#define LOADER_PIE_BASE 0x555555554000ULL

/* One PT_LOAD segment as mapped: [start, end) page aligned; the first
 * @filesz_end - start bytes (rounded up to a page) come from the file at
 * @off, the rest up to @end is anonymous (bss). */
struct loader_seg {
	uint64_t start, filesz_end, end, off;
	int prot;
};

#define LOADER_SEG_MAX 16

struct loader_image {
	uint64_t entry;     /* initial rip */
	uint64_t sp;        /* initial rsp */
	uint64_t phdr;      /* AT_PHDR */
	uint64_t phnum;
	uint64_t brk_start; /* end of the highest segment, page aligned */
	uint64_t image_start; /* start of the lowest segment */
	struct loader_seg seg[LOADER_SEG_MAX]; /* in program header order */
	int nseg;
};

/*
 * Validate @img and compute the load layout without mapping anything.
 * Returns -ENOEXEC for anything that is not a loadable static x86-64 ELF.
 */
int loader_parse(const uint8_t *img, size_t len, struct loader_image *ret);

/* Load @img into @as and build argv/envp/auxv on a fresh stack. */
int loader_load(struct plat_as *as, const uint8_t *img, size_t len, const char *const *argv,
		const char *const *envp, struct loader_image *ret);

#endif
