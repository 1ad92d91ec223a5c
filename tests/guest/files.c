/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Freestanding guest: files and directories.  Creates its own "work"
 * directory and runs everything in it, printing results (sizes, modes, link
 * counts, sorted listings, errno values) that must be the same on any Linux
 * file system and in the sandbox's tmpfs.
 */
#include "guest.h"

#define NR_read 0
#define NR_write 1
#define NR_open 2
#define NR_close 3
#define NR_stat 4
#define NR_fstat 5
#define NR_lstat 6
#define NR_lseek 8
#define NR_access 21
#define NR_rename 82
#define NR_mkdir 83
#define NR_rmdir 84
#define NR_link 86
#define NR_unlink 87
#define NR_symlink 88
#define NR_readlink 89
#define NR_truncate 76
#define NR_ftruncate 77
#define NR_getcwd 79
#define NR_chdir 80
#define NR_fchdir 81
#define NR_umask 95
#define NR_getdents64 217
#define NR_openat 257
#define NR_unlinkat 263

#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_EXCL 0200
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000

static long sc4(long nr, long a, long b, long c, long d)
{
	long r;
	register long r10 __asm__("r10") = d;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
			 : "rcx", "r11", "memory");
	return r;
}

static void show(const char *what, long v)
{
	char buf[32];
	unsigned long n;

	g_puts(what);
	g_puts(" = ");
	if (v < 0) {
		g_puts("-");
		v = -v;
	}
	n = g_utoa((unsigned long)v, buf);
	buf[n++] = '\n';
	g_write(1, buf, n);
}

struct kstat {
	unsigned long dev, ino, nlink;
	unsigned mode, uid, gid, pad;
	unsigned long rdev;
	long size, blksize, blocks;
	long times[6];
	long unused[3];
};

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* List a directory: names sorted, "." and ".." included. */
static void list(const char *dir)
{
	static char buf[4096], names[64][64];
	int n = 0, fd = (int)sc4(NR_open, (long)dir, O_DIRECTORY, 0, 0);
	long got;

	while ((got = sc4(NR_getdents64, fd, (long)buf, sizeof(buf), 0)) > 0) {
		for (long off = 0; off < got;) {
			unsigned short reclen = *(unsigned short *)(buf + off + 16);
			const char *nm = buf + off + 19;
			int i = 0;

			off += reclen;
			if (n >= 64)
				continue;
			while (nm[i] && i < 63)
				names[n][i] = nm[i], i++;
			names[n][i] = 0;
			n++;
		}
	}
	sc4(NR_close, fd, 0, 0, 0);
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0; j--) {
			const char *x = names[j - 1], *y = names[j];
			int k = 0;

			while (x[k] && x[k] == y[k])
				k++;
			if ((unsigned char)x[k] <= (unsigned char)y[k])
				break;
			for (int m = 0; m < 64; m++) {
				char c = names[j][m];

				names[j][m] = names[j - 1][m];
				names[j - 1][m] = c;
			}
		}
	g_puts("ls ");
	g_puts(dir);
	g_puts(":");
	for (int i = 0; i < n; i++) {
		g_puts(" ");
		g_puts(names[i]);
	}
	g_puts("\n");
}

GUEST_MAIN(guest_main);

void guest_main(void)
{
	struct kstat st;
	char buf[256];
	long fd, r;

	sc4(NR_umask, 022, 0, 0, 0);
	show("mkdir work", sc4(NR_mkdir, (long)"work", 0755, 0, 0));
	show("chdir work", sc4(NR_chdir, (long)"work", 0, 0, 0));
	r = sc4(NR_getcwd, (long)buf, sizeof(buf), 0, 0);
	show("getcwd ends in /work", r > 5 && streq(buf + r - 6, "/work"));
	show("getcwd small buffer", sc4(NR_getcwd, (long)buf, 2, 0, 0));

	fd = sc4(NR_open, (long)"a.txt", O_CREAT | O_RDWR | O_EXCL, 0666, 0);
	show("create", fd >= 0);
	show("write", sc4(NR_write, fd, (long)"hello world", 11, 0));
	show("lseek set 6", sc4(NR_lseek, fd, 6, 0, 0));
	show("read", sc4(NR_read, fd, (long)buf, sizeof(buf), 0));
	show("read data ok", buf[0] == 'w' && buf[4] == 'd');
	show("lseek end", sc4(NR_lseek, fd, 0, 2, 0));
	show("lseek past end", sc4(NR_lseek, fd, 100, 1, 0));
	show("write hole", sc4(NR_write, fd, (long)"!", 1, 0));
	sc4(NR_fstat, fd, (long)&st, 0, 0);
	show("size with hole", st.size);
	show("mode (umask 022)", st.mode);
	show("nlink", (long)st.nlink);
	show("lseek negative", sc4(NR_lseek, fd, -1000, 0, 0));
	show("ftruncate", sc4(NR_ftruncate, fd, 5, 0, 0));
	sc4(NR_fstat, fd, (long)&st, 0, 0);
	show("size after ftruncate", st.size);
	sc4(NR_close, fd, 0, 0, 0);
	show("create excl again", sc4(NR_open, (long)"a.txt", O_CREAT | O_EXCL | O_WRONLY, 0644, 0));
	fd = sc4(NR_open, (long)"a.txt", O_WRONLY | O_APPEND, 0, 0);
	sc4(NR_write, fd, (long)"++", 2, 0);
	sc4(NR_close, fd, 0, 0, 0);
	sc4(NR_stat, (long)"a.txt", (long)&st, 0, 0);
	show("size after append", st.size);
	fd = sc4(NR_open, (long)"a.txt", O_WRONLY | O_TRUNC, 0, 0);
	sc4(NR_fstat, fd, (long)&st, 0, 0);
	show("size after O_TRUNC", st.size);
	sc4(NR_close, fd, 0, 0, 0);
	show("truncate path", sc4(NR_truncate, (long)"a.txt", 3000, 0, 0));
	sc4(NR_stat, (long)"a.txt", (long)&st, 0, 0);
	show("size after truncate", st.size);

	show("open missing", sc4(NR_open, (long)"nope", 0, 0, 0));
	show("open file as dir", sc4(NR_open, (long)"a.txt", O_DIRECTORY, 0, 0));
	show("open through file", sc4(NR_open, (long)"a.txt/x", 0, 0, 0));
	show("open dir for write", sc4(NR_open, (long)".", O_WRONLY, 0, 0));
	show("open bad ptr", sc4(NR_open, 16, 0, 0, 0));
	{
		static char longname[300];

		for (int i = 0; i < 299; i++)
			longname[i] = 'x';
		show("name too long", sc4(NR_open, (long)longname, 0, 0, 0));
	}

	show("mkdir d", sc4(NR_mkdir, (long)"d", 0750, 0, 0));
	show("mkdir d again", sc4(NR_mkdir, (long)"d", 0750, 0, 0));
	show("mkdir in missing", sc4(NR_mkdir, (long)"x/y", 0750, 0, 0));
	sc4(NR_stat, (long)"d", (long)&st, 0, 0);
	show("dir mode", st.mode);
	show("dir nlink", (long)st.nlink);
	show("mkdir d/e", sc4(NR_mkdir, (long)"d/e", 0755, 0, 0));
	sc4(NR_stat, (long)"d", (long)&st, 0, 0);
	show("dir nlink with subdir", (long)st.nlink);
	show("rmdir non-empty", sc4(NR_rmdir, (long)"d", 0, 0, 0));
	show("rmdir file", sc4(NR_rmdir, (long)"a.txt", 0, 0, 0));
	show("unlink dir", sc4(NR_unlink, (long)"d", 0, 0, 0));
	show("rmdir dot", sc4(NR_rmdir, (long)"d/.", 0, 0, 0));
	show("rename dir into itself", sc4(NR_rename, (long)"d", (long)"d/e/f", 0, 0));
	show("rename file over dir", sc4(NR_rename, (long)"a.txt", (long)"d", 0, 0));
	show("rename dir over file", sc4(NR_rename, (long)"d", (long)"a.txt", 0, 0));
	show("rename file", sc4(NR_rename, (long)"a.txt", (long)"d/b.txt", 0, 0));
	show("old name gone", sc4(NR_access, (long)"a.txt", 0, 0, 0));
	show("new name there", sc4(NR_access, (long)"d/b.txt", 0, 0, 0));

	show("link", sc4(NR_link, (long)"d/b.txt", (long)"c.txt", 0, 0));
	sc4(NR_stat, (long)"c.txt", (long)&st, 0, 0);
	show("nlink after link", (long)st.nlink);
	show("link to dir", sc4(NR_link, (long)"d", (long)"dd", 0, 0));
	show("symlink", sc4(NR_symlink, (long)"d/b.txt", (long)"s", 0, 0));
	r = sc4(NR_readlink, (long)"s", (long)buf, sizeof(buf), 0);
	show("readlink len", r);
	show("readlink data ok", r == 7 && buf[0] == 'd' && buf[6] == 't');
	show("readlink on file", sc4(NR_readlink, (long)"c.txt", (long)buf, sizeof(buf), 0));
	sc4(NR_lstat, (long)"s", (long)&st, 0, 0);
	show("lstat is link", (st.mode & 0170000) == 0120000);
	sc4(NR_stat, (long)"s", (long)&st, 0, 0);
	show("stat follows", (st.mode & 0170000) == 0100000 && st.size == 3000);
	show("symlink loop", sc4(NR_symlink, (long)"loop", (long)"loop", 0, 0));
	show("open loop", sc4(NR_open, (long)"loop", 0, 0, 0));
	show("open nofollow", sc4(NR_open, (long)"s", O_NOFOLLOW, 0, 0));
	show("dotdot walk", sc4(NR_access, (long)"d/e/../b.txt", 0, 0, 0));
	show("symlink dir walk", sc4(NR_symlink, (long)"d/e", (long)"se", 0, 0));
	show("through link then ..", sc4(NR_access, (long)"se/../b.txt", 0, 0, 0));

	list(".");
	list("d");

	fd = sc4(NR_open, (long)"d", O_DIRECTORY, 0, 0);
	show("fchdir", sc4(NR_fchdir, fd, 0, 0, 0));
	sc4(NR_close, fd, 0, 0, 0);
	r = sc4(NR_getcwd, (long)buf, sizeof(buf), 0, 0);
	show("getcwd ends in /work/d", r > 7 && streq(buf + r - 8, "/work/d"));
	show("openat relative", (fd = sc4(NR_openat, -100, (long)"b.txt", 0, 0)) >= 0);
	sc4(NR_close, fd, 0, 0, 0);
	sc4(NR_chdir, (long)"..", 0, 0, 0);

	show("unlinkat removedir", sc4(NR_unlinkat, -100, (long)"d/e", 0x200, 0));
	show("unlink c", sc4(NR_unlink, (long)"c.txt", 0, 0, 0));
	show("unlink missing", sc4(NR_unlink, (long)"c.txt", 0, 0, 0));
	sc4(NR_stat, (long)"d/b.txt", (long)&st, 0, 0);
	show("nlink after unlink", (long)st.nlink);

	fd = sc4(NR_open, (long)"/dev/zero", 0, 0, 0);
	buf[0] = 1;
	show("read /dev/zero", sc4(NR_read, fd, (long)buf, 8, 0));
	show("zeros", buf[0] == 0 && buf[7] == 0);
	sc4(NR_close, fd, 0, 0, 0);
	fd = sc4(NR_open, (long)"/dev/null", O_RDWR, 0, 0);
	show("write /dev/null", sc4(NR_write, fd, (long)buf, 8, 0));
	show("read /dev/null", sc4(NR_read, fd, (long)buf, 8, 0));
	sc4(NR_close, fd, 0, 0, 0);
	fd = sc4(NR_open, (long)"/dev/full", O_WRONLY, 0, 0);
	show("write /dev/full", sc4(NR_write, fd, (long)buf, 8, 0));
	sc4(NR_close, fd, 0, 0, 0);
	g_exit_group(0);
}
