/* SPDX-License-Identifier: Apache-2.0 */
/* The vDSO: AT_SYSINFO_EHDR points at an ELF shared object, listed as
 * [vdso] in /proc/self/maps, exporting the LINUX_2.6 time functions, which
 * agree with the system calls. */
#include "common.h"
#include <elf.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <time.h>

typedef int (*gettime_fn)(clockid_t, struct timespec *);

static void *vdso_sym(const uint8_t *base, const char *want)
{
	const Elf64_Ehdr *eh = (const void *)base;
	const Elf64_Phdr *ph = (const void *)(base + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	const Elf64_Sym *sym = NULL;
	const char *str = NULL;
	const uint32_t *hash = NULL;
	uint64_t load = 0;

	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && !load)
			load = (uint64_t)base + ph[i].p_offset - ph[i].p_vaddr;
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const void *)(base + ph[i].p_offset);
	}
	if (!dyn)
		return NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			sym = (const void *)(load + dyn->d_un.d_ptr);
		if (dyn->d_tag == DT_STRTAB)
			str = (const void *)(load + dyn->d_un.d_ptr);
		if (dyn->d_tag == DT_HASH)
			hash = (const void *)(load + dyn->d_un.d_ptr);
	}
	if (!sym || !str || !hash)
		return NULL;
	for (uint32_t i = 0; i < hash[1]; i++) /* nchain = number of symbols */
		if (sym[i].st_name && !strcmp(str + sym[i].st_name, want) && sym[i].st_value)
			return (void *)(load + sym[i].st_value);
	return NULL;
}

int main(void)
{
	const uint8_t *base = (const void *)getauxval(AT_SYSINFO_EHDR);
	char maps[65536];
	struct timespec a, b;
	gettime_fn fn;
	int fd, n;

	g_start();
	t_yes("AT_SYSINFO_EHDR present", base != NULL);
	if (!base)
		return g_finish();
	t_yes("ELF magic", memcmp(base, ELFMAG, SELFMAG) == 0);
	t_yes("a shared object", ((const Elf64_Ehdr *)base)->e_type == ET_DYN);
	fd = open("/proc/self/maps", O_RDONLY);
	n = fd >= 0 ? (int)read(fd, maps, sizeof(maps) - 1) : -1;
	maps[n > 0 ? n : 0] = 0;
	close(fd);
	t_yes("[vdso] in /proc/self/maps", strstr(maps, "[vdso]") != NULL);
	fn = (gettime_fn)vdso_sym(base, "__vdso_clock_gettime");
	t_yes("__vdso_clock_gettime exported", fn != NULL);
	t_yes("__vdso_gettimeofday exported", vdso_sym(base, "__vdso_gettimeofday") != NULL);
	t_yes("__vdso_time exported", vdso_sym(base, "__vdso_time") != NULL);
	t_yes("__vdso_getcpu exported", vdso_sym(base, "__vdso_getcpu") != NULL);
	if (fn) {
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
		t_eq("vdso clock_gettime", fn(CLOCK_MONOTONIC, &b), 0);
		t_yes("agrees with the syscall (within 1 s)",
		      b.tv_sec - a.tv_sec >= 0 && b.tv_sec - a.tv_sec <= 1);
		t_eq("bad clock id", fn(12345, &b), -EINVAL);
	}
	return g_finish();
}
