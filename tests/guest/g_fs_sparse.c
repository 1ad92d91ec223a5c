/* SPDX-License-Identifier: Apache-2.0 */
/* Sparse files: writes and truncates far past the end, reads of the hole,
 * a mapping across the 2 GiB and 4 GiB boundaries (CPython's test_mmap). */
#include "common.h"
#include <sys/mman.h>

#define GIB (1LL << 30)

static void around(int fd, long long boundary)
{
	static const char tail[] = "  DEARdear  ";
	long long start = boundary - 6;
	char buf[16] = {0};
	char label[64];
	struct stat st;
	char *m;

	snprintf(label, sizeof(label), "pwrite at %lld GiB - 6", boundary / GIB);
	t_eq(label, pwrite(fd, tail, 12, start), 12);
	fstat(fd, &st);
	t_eq("size", st.st_size, start + 12);
	t_eq("pread across the boundary", pread(fd, buf, 12, start), 12);
	t_streq("bytes", buf, tail);
	t_eq("pread in the hole", pread(fd, buf, 4, boundary / 2), 4);
	t_yes("hole reads zeros", !buf[0] && !buf[1] && !buf[2] && !buf[3]);
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	t_yes("mmap the whole file", m != MAP_FAILED);
	if (m != MAP_FAILED) {
		t_yes("mapped bytes", memcmp(m + start, tail, 12) == 0);
		t_yes("mapped hole is zero", m[boundary / 2] == 0);
		munmap(m, (size_t)st.st_size);
	}
}

int main(void)
{
	struct stat st;
	char c = 'x';
	int fd;

	g_start();
	fd = open("sparse", O_RDWR | O_CREAT | O_TRUNC, 0644);
	t_yes("open", fd >= 0);
	around(fd, 2 * GIB);
	around(fd, 4 * GIB);
	t_ok("ftruncate to 6 GiB", ftruncate(fd, 6 * GIB));
	fstat(fd, &st);
	t_eq("size after ftruncate", st.st_size, 6 * GIB);
	t_eq("pwrite at the new end", pwrite(fd, &c, 1, 6 * GIB), 1);
	t_ok("ftruncate back to 10", ftruncate(fd, 10));
	fstat(fd, &st);
	t_eq("size after shrinking", st.st_size, 10);
	close(fd);
	unlink("sparse");
	return g_finish();
}
