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

/* The layout of @img: validates every program header, finds the load bias
 * (0 for ET_EXEC, LOADER_PIE_BASE for a PIE, just below LOADER_INTERP_TOP
 * for an @interp) and the PT_INTERP path. */
static int parse_layout(const uint8_t *img, size_t len, int interp, struct loader_image *ret)
{
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	uint64_t bias, lo = UINT64_MAX, hi = 0, phdr = 0, limit, interp_off = 0, interp_len = 0;
	struct loader_seg seg[LOADER_SEG_MAX];
	int r, nload = 0;

	r = check_ehdr(img, len, &eh);
	if (r < 0)
		return r;
	if (interp && eh->e_type != ET_DYN)
		return -ENOEXEC;
	ph = (const Elf64_Phdr *)(img + eh->e_phoff);

	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];

		if (p->p_type == PT_INTERP) {
			if (interp || interp_len || p->p_offset > len || p->p_filesz < 2 ||
			    p->p_filesz > LOADER_INTERP_MAX || p->p_filesz > len - p->p_offset)
				return -ENOEXEC;
			/* NUL-terminated, no NUL inside */
			if (img[p->p_offset + p->p_filesz - 1] != 0 ||
			    memchr(img + p->p_offset, 0, p->p_filesz - 1))
				return -ENOEXEC;
			interp_off = p->p_offset;
			interp_len = p->p_filesz - 1;
			continue;
		}
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
		lo = MIN(lo, ALIGN_DOWN(p->p_vaddr, PAGE));
		hi = MAX(hi, ALIGN_UP(p->p_vaddr + p->p_memsz, PAGE));
		if (!phdr && eh->e_phoff >= p->p_offset &&
		    eh->e_phoff - p->p_offset < p->p_filesz)
			phdr = p->p_vaddr + (eh->e_phoff - p->p_offset);
		if (nload >= LOADER_SEG_MAX)
			return -ENOEXEC;
		seg[nload] = (struct loader_seg){ /* unbiased until the bias is known */
			.start = ALIGN_DOWN(p->p_vaddr, PAGE),
			.filesz_end = ALIGN_UP(p->p_vaddr + p->p_filesz, PAGE),
			.end = ALIGN_UP(p->p_vaddr + p->p_memsz, PAGE),
			.off = ALIGN_DOWN(p->p_offset, PAGE),
			.prot = seg_prot(p->p_flags),
		};
		nload++;
	}
	if (nload == 0 || hi <= lo || eh->e_entry < lo || eh->e_entry >= hi)
		return -ENOEXEC;
	if (interp) {
		if (hi - lo > LOADER_INTERP_TOP - PLAT_APP_MIN)
			return -ENOEXEC;
		bias = LOADER_INTERP_TOP - (hi - lo) - lo;
		limit = LOADER_INTERP_TOP;
	} else {
		bias = eh->e_type == ET_DYN ? LOADER_PIE_BASE : 0;
		limit = LOADER_STACK_TOP - LOADER_STACK_SIZE;
	}
	if (lo + bias < PLAT_APP_MIN || hi + bias > limit || hi + bias < lo + bias)
		return -ENOEXEC;
	*ret = (struct loader_image){
		.entry = eh->e_entry + bias,
		.phdr = phdr ? phdr + bias : 0,
		.phnum = eh->e_phnum,
		.brk_start = hi + bias,
		.image_start = lo + bias,
		.bias = bias,
		.interp_off = interp_off,
		.interp_len = interp_len,
		.nseg = nload,
	};
	for (int i = 0; i < nload; i++) {
		seg[i].start += bias;
		seg[i].filesz_end += bias;
		seg[i].end += bias;
	}
	memcpy(ret->seg, seg, (size_t)nload * sizeof(seg[0]));
	return 0;
}

int loader_parse(const uint8_t *img, size_t len, struct loader_image *ret)
{
	return parse_layout(img, len, 0, ret);
}

/*
 * Map one PT_LOAD segment writable.  With a host @fd the file part is mapped
 * MAP_PRIVATE from the page cache (shared by every process running the
 * program, copied only where written) and the rest of its last page zeroed,
 * as Linux does; without one, the bytes are copied in.  The bss beyond the
 * file's pages is anonymous.
 */
static int map_segment(struct plat_as *as, const uint8_t *img, int fd, const Elf64_Phdr *p,
		       uint64_t bias)
{
	static const uint8_t zeros[PAGE];
	uint64_t start = ALIGN_DOWN(p->p_vaddr, PAGE) + bias;
	uint64_t end = ALIGN_UP(p->p_vaddr + p->p_memsz, PAGE) + bias;
	uint64_t file_end = ALIGN_UP(p->p_vaddr + p->p_filesz, PAGE) + bias;
	uint64_t data_end = p->p_vaddr + p->p_filesz + bias;
	ssize_t n;
	int r;

	if (fd < 0 || p->p_filesz == 0) {
		r = plat_as_map(as, start, end - start, PROT_READ | PROT_WRITE, PLAT_MAP_PRIVATE,
				-1, 0);
		if (r < 0 || p->p_filesz == 0)
			return r;
		n = plat_as_write(as, p->p_vaddr + bias, img + p->p_offset, p->p_filesz);
		return n == (ssize_t)p->p_filesz ? 0 : n < 0 ? (int)n : -EFAULT;
	}
	r = plat_as_map(as, start, file_end - start, PROT_READ | PROT_WRITE, PLAT_MAP_PRIVATE, fd,
			ALIGN_DOWN(p->p_offset, PAGE));
	if (r < 0)
		return r;
	/* The file's bytes past the segment share its last page: zero them
	 * when the segment extends into memory (bss) beyond them. */
	if (p->p_memsz > p->p_filesz && file_end > data_end) {
		n = plat_as_write(as, data_end, zeros, file_end - data_end);
		if (n != (ssize_t)(file_end - data_end))
			return n < 0 ? (int)n : -EFAULT;
	}
	if (end > file_end)
		r = plat_as_map(as, file_end, end - file_end, PROT_READ | PROT_WRITE,
				PLAT_MAP_PRIVATE, -1, 0);
	return r;
}

static int load_segments(struct plat_as *as, const uint8_t *img, int fd, uint64_t bias)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
	int r;

	/* Segments may share a page: map all writable, fill, then protect
	 * in order, so the later segment wins as with Linux's mmaps. */
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		r = map_segment(as, img, fd, &ph[i], bias);
		if (r < 0)
			return r;
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

extern const uint8_t loader_vdso_image[], loader_vdso_image_end[];

uint64_t loader_vdso_size(void)
{
	return ALIGN_UP((uint64_t)(loader_vdso_image_end - loader_vdso_image), PAGE);
}

/* Copy the vDSO image into a fresh mapping at LOADER_VDSO_ADDR. */
static int map_vdso(struct plat_as *as, struct loader_image *li)
{
	size_t len = (size_t)(loader_vdso_image_end - loader_vdso_image);
	uint64_t size = loader_vdso_size();
	int r;

	r = plat_as_map(as, LOADER_VDSO_ADDR, size, PROT_READ | PROT_WRITE, PLAT_MAP_PRIVATE, -1, 0);
	if (r < 0)
		return r;
	if (plat_as_write(as, LOADER_VDSO_ADDR, loader_vdso_image, len) != (ssize_t)len)
		return -EFAULT;
	r = plat_as_protect(as, LOADER_VDSO_ADDR, size, PROT_READ | PROT_EXEC);
	if (r < 0)
		return r;
	li->vdso_start = LOADER_VDSO_ADDR;
	li->vdso_end = LOADER_VDSO_ADDR + size;
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

static int build_stack(struct plat_as *as, struct loader_image *li, const char *const *argv,
		       const char *const *envp, uint64_t *ret_sp)
{
	const uint64_t size = LOADER_ARGS_MAX; /* argument area limit */
	const uint64_t top = LOADER_STACK_TOP;
	_cleanup_free_ uint8_t *buf = malloc(size);
	_cleanup_free_ uint64_t *vec = NULL;
	size_t argc = 0, envc = 0, nvec, k = 0, aux0;
	uint64_t off = size, random_addr, sp;
	uint8_t rnd[16];
	int r;

	if (!buf)
		return -ENOMEM;
	while (argv && argv[argc])
		argc++;
	while (envp && envp[envc])
		envc++;
	nvec = 1 + argc + 1 + envc + 1 + 2 * 24; /* room for every AUX() below */
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
	aux0 = k;
	if (li->vdso_start)
		AUX(AT_SYSINFO_EHDR, li->vdso_start);
	AUX(AT_PAGESZ, PAGE);
	AUX(AT_BASE, li->interp_base);
	AUX(AT_PHDR, li->phdr);
	AUX(AT_PHENT, sizeof(Elf64_Phdr));
	AUX(AT_PHNUM, li->phnum);
	AUX(AT_ENTRY, li->entry);
	AUX(AT_UID, li->uid);
	AUX(AT_EUID, li->euid);
	AUX(AT_GID, li->gid);
	AUX(AT_EGID, li->egid);
	AUX(AT_SECURE, li->uid != li->euid || li->gid != li->egid);
	AUX(AT_CLKTCK, 100);
	AUX(AT_RANDOM, random_addr);
	AUX(AT_HWCAP, getauxval(AT_HWCAP));
	if (argc > 0)
		AUX(AT_EXECFN, vec[1]); /* argv[0]'s string (Linux: the file name) */
	AUX(AT_NULL, 0);
#undef AUX
	li->auxv_n = (unsigned)MIN(k - aux0, (size_t)LOADER_AUXV_WORDS);
	memcpy(li->auxv, vec + aux0, li->auxv_n * sizeof(*vec));
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
	struct loader_file exe = { .img = img, .len = len, .fd = -1 };

	*ret = (struct loader_image){ 0 }; /* root */
	return loader_load_exec(as, &exe, NULL, argv, envp, ret);
}

int loader_load_exec(struct plat_as *as, const struct loader_file *exe,
		     const struct loader_file *interp, const char *const *argv,
		     const char *const *envp, struct loader_image *ret)
{
	struct loader_image li, ii;
	int r;

	r = parse_layout(exe->img, exe->len, 0, &li);
	if (r < 0)
		return r;
	li.uid = ret->uid;
	li.euid = ret->euid;
	li.gid = ret->gid;
	li.egid = ret->egid;
	if (li.interp_len && !interp)
		return -ENOEXEC; /* the caller must open the interpreter */
	r = load_segments(as, exe->img, exe->fd, li.bias);
	if (r < 0)
		return r;
	if (li.interp_len) {
		r = parse_layout(interp->img, interp->len, 1, &ii);
		if (r < 0)
			return r == -ENOEXEC ? -ELIBBAD : r;
		r = load_segments(as, interp->img, interp->fd, ii.bias);
		if (r < 0)
			return r;
		li.interp_base = ii.bias;
		li.interp_start = ii.image_start;
		li.interp_end = ii.brk_start;
		memcpy(li.interp_seg, ii.seg, sizeof(li.interp_seg));
		li.interp_nseg = ii.nseg;
		li.start = ii.entry;
	} else {
		li.start = li.entry;
	}
	r = map_vdso(as, &li);
	if (r < 0)
		return r;
	r = build_stack(as, &li, argv, envp, &li.sp);
	if (r < 0)
		return r;
	*ret = li;
	return 0;
}
