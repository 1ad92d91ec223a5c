/* SPDX-License-Identifier: Apache-2.0 */
/* /dev/null and /dev/zero: reads, writes, seeks, mmap, device numbers. */
#include "common.h"
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

int main(void)
{
	static char buf[65536];
	struct stat st;
	int nul, zero, ok = 1;
	char *m;

	g_start();
	nul = open("/dev/null", O_RDWR);
	zero = open("/dev/zero", O_RDWR);
	t_yes("both open", nul >= 0 && zero >= 0);

	fstat(nul, &st);
	say("/dev/null: chr %s major %u minor %u mode 0%o\n", S_ISCHR(st.st_mode) ? "yes" : "no",
	    major(st.st_rdev), minor(st.st_rdev), st.st_mode & 0777);
	fstat(zero, &st);
	say("/dev/zero: chr %s major %u minor %u mode 0%o\n", S_ISCHR(st.st_mode) ? "yes" : "no",
	    major(st.st_rdev), minor(st.st_rdev), st.st_mode & 0777);

	t_eq("write 64 KiB to /dev/null", write(nul, buf, sizeof(buf)), 65536);
	t_eq("read /dev/null: EOF", read(nul, buf, sizeof(buf)), 0);
	t_eq("pwrite /dev/null", pwrite(nul, buf, 10, 12345), 10);
	t_eq("lseek /dev/null returns 0", lseek(nul, 1000, SEEK_SET), 0);
	t_eq("lseek SEEK_END too", lseek(nul, 5, SEEK_END), 0);

	memset(buf, 0x55, sizeof(buf));
	t_eq("read 64 KiB of /dev/zero", read(zero, buf, sizeof(buf)), 65536);
	for (size_t i = 0; i < sizeof(buf); i++)
		ok &= buf[i] == 0;
	t_yes("all zero", ok);
	t_eq("write to /dev/zero is accepted", write(zero, "abc", 3), 3);
	t_eq("pread /dev/zero at an offset", pread(zero, buf, 7, 1 << 30), 7);
	t_eq("lseek /dev/zero returns 0", lseek(zero, 1234, SEEK_SET), 0);
	t_err("read /dev/zero into a bad buffer", read(zero, G_BADPTR, 16), EFAULT);

	/* private and shared mappings of /dev/zero are zeroed anonymous memory */
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, zero, 0);
	t_yes("mmap private /dev/zero", m != MAP_FAILED && m[0] == 0 && m[8191] == 0);
	m[5] = 1;
	munmap(m, 8192);
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, zero, 0);
	t_yes("mmap shared /dev/zero", m != MAP_FAILED && m[0] == 0);
	if (fork() == 0) {
		m[0] = 'S';
		_exit(0);
	}
	wait(NULL);
	t_yes("shared /dev/zero mapping is shared with the child", m[0] == 'S');
	t_err("mmap /dev/null", mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, nul, 0) == MAP_FAILED ? -1 : 0,
	      ENODEV);

	/* open flags, and path checks */
	int ro = open("/dev/null", O_RDONLY);
	t_err("write to a read-only /dev/null fd", write(ro, "x", 1), EBADF);
	t_err("/dev/null is not a directory", open("/dev/null/x", O_RDONLY), ENOTDIR);
	t_err("O_DIRECTORY on /dev/zero", open("/dev/zero", O_RDONLY | O_DIRECTORY), ENOTDIR);
	t_err("ftruncate /dev/null", ftruncate(nul, 0), EINVAL);
	t_ok("O_TRUNC on /dev/null is ignored", open("/dev/null", O_WRONLY | O_TRUNC));
	return g_finish();
}
