/* SPDX-License-Identifier: Apache-2.0 */
/* memfd_create: a file with no name that maps shared across fork, sees
 * write() through its mapping, and the argument checks. */
#include "common.h"
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define PG 4096ul

int main(void)
{
	char name[300], buf[8], *p;
	struct stat st;
	int fd, st_child;

	g_start();
	fd = memfd_create("test", MFD_CLOEXEC);
	t_yes("memfd_create", fd >= 0);
	if (fd < 0)
		return 1;
	t_yes("close-on-exec set", fcntl(fd, F_GETFD) == FD_CLOEXEC);
	t_ok("fstat", fstat(fd, &st));
	t_yes("a regular file", S_ISREG(st.st_mode));
	t_eq("empty", st.st_size, 0);
	t_eq("no links", st.st_nlink, 0);
	t_eq("read-write", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	t_ok("ftruncate", ftruncate(fd, 2 * PG));
	t_eq("write", write(fd, "abc", 3), 3);
	p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	t_yes("mmap shared", p != MAP_FAILED);
	if (p == MAP_FAILED)
		return 1;
	t_yes("mapping shows write()", memcmp(p, "abc", 3) == 0);
	p[1] = 'B';
	t_eq("pread sees the mapping", pread(fd, buf, 3, 0), 3);
	t_yes("content", memcmp(buf, "aBc", 3) == 0);
	if (fork() == 0) {
		p[PG] = 'z';
		_exit(0);
	}
	wait(&st_child);
	t_eq("child's store visible", p[PG], 'z');
	t_eq("and through pread", pread(fd, buf, 1, PG) == 1 ? buf[0] : 0, 'z');
	t_ok("close", close(fd));
	t_eq("mapping outlives the fd", p[1], 'B');

	t_err("unknown flag", memfd_create("x", 0x100), EINVAL);
	t_err("EXEC with NOEXEC_SEAL", memfd_create("x", 0x10 | 0x8), EINVAL);
	t_err("bad name pointer", memfd_create(G_BADPTR, 0), EFAULT);
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	t_err("name too long", memfd_create(name, 0), EINVAL);
	name[249] = 0;
	fd = memfd_create(name, 0);
	t_yes("longest name", fd >= 0);
	t_yes("no close-on-exec without MFD_CLOEXEC", fd >= 0 && fcntl(fd, F_GETFD) == 0);
	return g_finish();
}
