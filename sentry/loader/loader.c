/* SPDX-License-Identifier: Apache-2.0 */
#include "loader.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>

#include "lib/macro.h"
#include "platform/platform.h"

#define PAGE 4096ULL
#define MAX_PHNUM 64

static int seg_prot(uint32_t flags)
{
	return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
	       ((flags & PF_X) ? PROT_EXEC : 0);
}

static int check_ehdr(const uint8_t *img, size_t len, const Elf64_Ehdr **ret)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;

	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 || (eh->e_type != ET_EXEC && eh->e_type != ET_DYN))
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phnum > MAX_PHNUM)
		return -ENOEXEC;
	if (eh->e_phoff > len || (size_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff)
		return -ENOEXEC;
	if (eh->e_phoff % 8)
		return -ENOEXEC;
	*ret = eh;
	return 0;
}

int loader_parse(const uint8_t *img, size_t len, struct loader_image *ret)
{
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	uint64_t bias, lo = UINT64_MAX, hi = 0, phdr = 0;
	struct loader_seg seg[LOADER_SEG_MAX];
	int r, nload = 0;

	r = check_ehdr(img, len, &eh);
	if (r < 0)
		return r;
	ph = (const Elf64_Phdr *)(img + eh->e_phoff);
	bias = eh->e_type == ET_DYN ? LOADER_PIE_BASE : 0;

	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		uint64_t start, end;

		if (p->p_type == PT_INTERP)
			return -ENOEXEC; /* dynamic executables: issue 4 */
		if (p->p_type == PT_PHDR)
			phdr = p->p_vaddr;
		if (p->p_type != PT_LOAD)
			continue;
		if (p->p_filesz > p->p_memsz || p->p_offset > len || p->p_filesz > len - p->p_offset)
			return -ENOEXEC;
		if ((p->p_vaddr % PAGE) != (p->p_offset % PAGE))
			return -ENOEXEC;
		if (p->p_memsz > plat_app_limit() || p->p_vaddr > plat_app_limit() - p->p_memsz)
			return -ENOEXEC;
		start = ALIGN_DOWN(p->p_vaddr, PAGE) + bias;
		end = ALIGN_UP(p->p_vaddr + p->p_memsz, PAGE) + bias;
		if (start < PLAT_APP_MIN || end > LOADER_STACK_TOP - LOADER_STACK_SIZE || end < start)
			return -ENOEXEC;
		lo = MIN(lo, start);
		hi = MAX(hi, end);
		if (!phdr && eh->e_phoff >= p->p_offset &&
		    eh->e_phoff - p->p_offset < p->p_filesz)
			phdr = p->p_vaddr + (eh->e_phoff - p->p_offset);
		if (nload >= LOADER_SEG_MAX)
			return -ENOEXEC;
		seg[nload] = (struct loader_seg){
			.start = start,
			.filesz_end = ALIGN_UP(p->p_vaddr + p->p_filesz, PAGE) + bias,
			.end = end,
			.off = ALIGN_DOWN(p->p_offset, PAGE),
			.prot = seg_prot(p->p_flags),
		};
		nload++;
	}
	if (nload == 0 || eh->e_entry + bias < lo || eh->e_entry + bias >= hi)
		return -ENOEXEC;
	*ret = (struct loader_image){
		.entry = eh->e_entry + bias,
		.phdr = phdr ? phdr + bias : 0,
		.phnum = eh->e_phnum,
		.brk_start = hi,
		.image_start = lo,
		.nseg = nload,
	};
	memcpy(ret->seg, seg, (size_t)nload * sizeof(seg[0]));
	return 0;
}

static int load_segments(struct plat_as *as, const uint8_t *img, uint64_t bias)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
	int r;

	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		uint64_t start, end;
		ssize_t n;

		if (p->p_type != PT_LOAD)
			continue;
		start = ALIGN_DOWN(p->p_vaddr, PAGE) + bias;
		end = ALIGN_UP(p->p_vaddr + p->p_memsz, PAGE) + bias;
		/* Segments may share a page: map writable, fill, then protect. */
		r = plat_as_map(as, start, end - start, PROT_READ | PROT_WRITE, PLAT_MAP_PRIVATE, -1,
				0);
		if (r < 0)
			return r;
		if (p->p_filesz) {
			n = plat_as_write(as, p->p_vaddr + bias, img + p->p_offset, p->p_filesz);
			if (n != (ssize_t)p->p_filesz)
				return n < 0 ? (int)n : -EFAULT;
		}
	}
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		uint64_t start, end;

		if (p->p_type != PT_LOAD)
			continue;
		start = ALIGN_DOWN(p->p_vaddr, PAGE) + bias;
		end = ALIGN_UP(p->p_vaddr + p->p_memsz, PAGE) + bias;
		r = plat_as_protect(as, start, end - start, seg_prot(p->p_flags));
		if (r < 0)
			return r;
	}
	return 0;
}

/* Push @len bytes at the top of the stack image being built in @buf. */
static int push(uint8_t *buf, uint64_t *off, const void *src, size_t len)
{
	if (len > *off)
		return -E2BIG;
	*off -= len;
	memcpy(buf + *off, src, len);
	return 0;
}

static int build_stack(struct plat_as *as, const struct loader_image *li, const char *const *argv,
		       const char *const *envp, uint64_t *ret_sp)
{
	const uint64_t size = LOADER_ARGS_MAX; /* argument area limit */
	const uint64_t top = LOADER_STACK_TOP;
	_cleanup_free_ uint8_t *buf = malloc(size);
	_cleanup_free_ uint64_t *vec = NULL;
	size_t argc = 0, envc = 0, nvec, k = 0;
	uint64_t off = size, random_addr, sp;
	uint8_t rnd[16];
	int r;

	if (!buf)
		return -ENOMEM;
	while (argv && argv[argc])
		argc++;
	while (envp && envp[envc])
		envc++;
	nvec = 1 + argc + 1 + envc + 1 + 2 * 16;
	vec = calloc(nvec, sizeof(*vec));
	if (!vec)
		return -ENOMEM;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return -EIO;
	if ((r = push(buf, &off, rnd, sizeof(rnd))) < 0)
		return r;
	random_addr = top - size + off;
	/* Strings: envp then argv, remembering their guest addresses. */
	vec[k++] = argc;
	for (size_t i = 0; i < argc; i++) {
		if ((r = push(buf, &off, argv[i], strlen(argv[i]) + 1)) < 0)
			return r;
		vec[k++] = top - size + off;
	}
	vec[k++] = 0;
	for (size_t i = 0; i < envc; i++) {
		if ((r = push(buf, &off, envp[i], strlen(envp[i]) + 1)) < 0)
			return r;
		vec[k++] = top - size + off;
	}
	vec[k++] = 0;
#define AUX(t, v) (vec[k++] = (t), vec[k++] = (v))
	AUX(AT_PAGESZ, PAGE);
	AUX(AT_PHDR, li->phdr);
	AUX(AT_PHENT, sizeof(Elf64_Phdr));
	AUX(AT_PHNUM, li->phnum);
	AUX(AT_ENTRY, li->entry);
	AUX(AT_UID, 0);
	AUX(AT_EUID, 0);
	AUX(AT_GID, 0);
	AUX(AT_EGID, 0);
	AUX(AT_SECURE, 0);
	AUX(AT_CLKTCK, 100);
	AUX(AT_RANDOM, random_addr);
	AUX(AT_HWCAP, getauxval(AT_HWCAP));
	if (argc > 0)
		AUX(AT_EXECFN, vec[1]); /* argv[0]'s string (Linux: the file name) */
	AUX(AT_NULL, 0);
#undef AUX
	off = ALIGN_DOWN(off, 16);
	if ((k & 1) && off >= 8)
		off -= 8; /* rsp % 16 == 0 at entry */
	if ((r = push(buf, &off, vec, k * sizeof(*vec))) < 0)
		return r;

	r = plat_as_map(as, top - LOADER_STACK_SIZE, LOADER_STACK_SIZE, PROT_READ | PROT_WRITE,
			PLAT_MAP_PRIVATE, -1, 0);
	if (r < 0)
		return r;
	sp = top - size + off;
	if (plat_as_write(as, sp, buf + off, size - off) != (ssize_t)(size - off))
		return -EFAULT;
	*ret_sp = sp;
	return 0;
}

int loader_load(struct plat_as *as, const uint8_t *img, size_t len, const char *const *argv,
		const char *const *envp, struct loader_image *ret)
{
	struct loader_image li;
	uint64_t bias;
	int r;

	r = loader_parse(img, len, &li);
	if (r < 0)
		return r;
	bias = ((const Elf64_Ehdr *)img)->e_type == ET_DYN ? LOADER_PIE_BASE : 0;
	r = load_segments(as, img, bias);
	if (r < 0)
		return r;
	r = build_stack(as, &li, argv, envp, &li.sp);
	if (r < 0)
		return r;
	*ret = li;
	return 0;
}
