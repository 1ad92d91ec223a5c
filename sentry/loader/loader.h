/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ELF64 loader (x86-64).  Loads executables (ET_EXEC, and ET_DYN: static-pie
 * and PIE) into a platform address space, with their PT_INTERP program
 * interpreter (ld.so, loaded just below LOADER_INTERP_TOP, where Linux puts
 * it: at the top of the mmap area) when they name one, maps the vDSO
 * (sentry/loader/vdso: AT_SYSINFO_EHDR), and builds the initial stack.  Images are hostile: every
 * header field is bounds-checked before use.
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
/* The top of the mmap area (1 GiB below the stack): the interpreter is
 * loaded right under it, mmap(NULL) allocations go below. */
#define LOADER_INTERP_TOP (LOADER_STACK_TOP - LOADER_STACK_SIZE - (1ULL << 30))
#define LOADER_INTERP_MAX 4096 /* PT_INTERP path, with its NUL */
/* The vDSO: one read+execute mapping right above the stack. */
#define LOADER_VDSO_ADDR (LOADER_STACK_TOP + 0x10000ULL)

/* One PT_LOAD segment as mapped: [start, end) page aligned; the first
 * @filesz_end - start bytes (rounded up to a page) come from the file at
 * @off, the rest up to @end is anonymous (bss). */
struct loader_seg {
	uint64_t start, filesz_end, end, off;
	int prot;
};

#define LOADER_SEG_MAX 16

#define LOADER_AUXV_WORDS 48 /* 24 entries: room for every AT_* the loader writes */

struct loader_image {
	uint64_t entry;     /* initial rip */
	uint64_t sp;        /* initial rsp */
	uint64_t phdr;      /* AT_PHDR */
	uint64_t phnum;
	uint64_t brk_start; /* end of the highest segment, page aligned */
	uint64_t image_start; /* start of the lowest segment */
	struct loader_seg seg[LOADER_SEG_MAX]; /* in program header order */
	int nseg;
	uint64_t bias;      /* load bias of the image */
	/* PT_INTERP: the path's offset and length (no NUL) in the image; 0 for
	 * a static executable. */
	uint64_t interp_off, interp_len;
	/* Filled by loader_load_exec(): */
	uint64_t start;     /* initial rip: the interpreter's entry, or entry */
	uint64_t interp_base; /* AT_BASE (0 without an interpreter) */
	uint64_t interp_start, interp_end; /* its range, page aligned */
	struct loader_seg interp_seg[LOADER_SEG_MAX]; /* its segments, biased */
	int interp_nseg;
	uint64_t vdso_start, vdso_end; /* [vdso], page aligned (0: none) */
	/* The auxiliary vector written on the stack, AT_NULL included
	 * (type, value pairs; @auxv_n words): /proc/pid/auxv. */
	uint64_t auxv[LOADER_AUXV_WORDS];
	unsigned auxv_n;
	/* Set by the caller before loader_load_exec(), for the auxv:
	 * AT_UID AT_EUID AT_GID AT_EGID (AT_SECURE when they differ). */
	uint32_t uid, euid, gid, egid;
};

/* One file to load: its bytes and, if it has one, a host fd holding them
 * (segments are then mapped MAP_PRIVATE from it rather than copied). */
struct loader_file {
	const uint8_t *img;
	size_t len;
	int fd;
};

/*
 * Validate @img and compute the load layout without mapping anything.
 * Returns -ENOEXEC for anything that is not a loadable static x86-64 ELF.
 */
int loader_parse(const uint8_t *img, size_t len, struct loader_image *ret);

/* Load @img into @as and build argv/envp/auxv on a fresh stack. */
int loader_load(struct plat_as *as, const uint8_t *img, size_t len, const char *const *argv,
		const char *const *envp, struct loader_image *ret);

/* The size of the vDSO mapping at LOADER_VDSO_ADDR (whole pages). */
uint64_t loader_vdso_size(void);

/* Load @exe and, when it has PT_INTERP, @interp (the file its path names,
 * opened by the caller: loader_parse() gives the path); -ENOEXEC for a bad
 * executable, -ELIBBAD for a bad interpreter.  Start at ret->start.  The
 * credentials for the auxv are taken from *@ret (uid..egid). */
int loader_load_exec(struct plat_as *as, const struct loader_file *exe,
		     const struct loader_file *interp, const char *const *argv,
		     const char *const *envp, struct loader_image *ret);

#endif
