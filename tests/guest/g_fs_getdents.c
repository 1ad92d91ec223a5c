/* SPDX-License-Identifier: Apache-2.0 */
/* getdents64: all names exactly once over many small reads, d_type,
 * rewind with lseek, errors.  Names are sorted before printing. */
#include "common.h"
#include <dirent.h>
#include <stdint.h>

struct dent {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static char names[64][32];
static int types[64];
static int nnames;

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static long list(int fd, size_t bufsize)
{
	char buf[4096];
	long n, total = 0;

	nnames = 0;
	while ((n = syscall(SYS_getdents64, fd, buf, bufsize)) > 0) {
		for (long off = 0; off < n;) {
			struct dent *d = (struct dent *)(buf + off);
			if (nnames < 64) {
				snprintf(names[nnames], sizeof(names[0]), "%s", d->name);
				types[nnames++] = d->type;
			}
			off += d->reclen;
		}
		total++;
	}
	return n < 0 ? -1 : total;
}

static int type_of(const char *name)
{
	for (int i = 0; i < nnames; i++)
		if (strcmp(names[i], name) == 0)
			return types[i];
	return -1;
}

int main(void)
{
	char name[32], buf[64];
	int fd, i;
	long calls;

	g_start();
	mkdir("d", 0755);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "d/file%02d", i);
		g_write_file(name, "x");
	}
	mkdir("d/sub", 0755);
	symlink("file00", "d/link");

	fd = open("d", O_RDONLY | O_DIRECTORY);
	calls = list(fd, 128);
	t_yes("several calls with a 128-byte buffer", calls > 5);
	t_eq("entries", nnames, 44);
	t_yes("d_type: . and sub DIR, file REG, link LNK",
	      type_of(".") == DT_DIR && type_of("..") == DT_DIR && type_of("sub") == DT_DIR &&
		      type_of("file07") == DT_REG && type_of("link") == DT_LNK);
	qsort(names, (size_t)nnames, sizeof(names[0]), cmp);
	say("sorted:");
	for (i = 0; i < nnames; i++)
		say(" %s", names[i]);
	say("\n");
	t_eq("at the end: 0", syscall(SYS_getdents64, fd, buf, sizeof(buf)), 0);

	t_eq("rewind with lseek(0)", lseek(fd, 0, SEEK_SET), 0);
	list(fd, 4096);
	t_eq("entries after rewind", nnames, 44);

	/* removing entries is reflected on the next full listing */
	unlink("d/file00");
	rmdir("d/sub");
	lseek(fd, 0, SEEK_SET);
	list(fd, 4096);
	t_eq("entries after unlinking two", nnames, 42);
	t_eq("removed names gone", type_of("file00") + type_of("sub"), -2);

	lseek(fd, 0, SEEK_SET);
	t_err("buffer too small for one entry", syscall(SYS_getdents64, fd, buf, 8), EINVAL);
	t_err("bad buffer", syscall(SYS_getdents64, fd, G_BADPTR, 4096), EFAULT);
	close(fd);
	fd = open("d/file01", O_RDONLY);
	t_err("getdents on a file", syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOTDIR);
	t_err("getdents on a closed fd", syscall(SYS_getdents64, 99, buf, sizeof(buf)), EBADF);

	/* empty directory: only . and .. */
	mkdir("empty", 0755);
	fd = open("empty", O_RDONLY | O_DIRECTORY);
	list(fd, 4096);
	qsort(names, (size_t)nnames, sizeof(names[0]), cmp);
	t_yes("empty dir lists . and ..", nnames == 2 && !strcmp(names[0], ".") && !strcmp(names[1], ".."));

	/* readdir(3) on top of it agrees */
	DIR *dir = opendir("d");
	int n = 0;
	while (readdir(dir))
		n++;
	closedir(dir);
	t_eq("readdir count", n, 42);
	return g_finish();
}
