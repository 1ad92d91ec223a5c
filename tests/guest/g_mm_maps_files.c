/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/self/maps for files: the executable's segments (name, permissions,
 * offsets, the anonymous bss after them) and a mapped file's name, offset,
 * device and inode (addresses not printed). */
#include "common.h"
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define PG 4096ul

static char maps[65536];

int main(void)
{
	char exe[512], *line, *save = NULL, *p;
	int fd, after_exe = 0, nexe = 0;
	ssize_t n;
	struct stat st;

	g_start();
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return 2;
	exe[n] = 0;
	fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 3 * PG) != 0 || fstat(fd, &st) != 0)
		return 2;
	p = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, PG);
	if (p == MAP_FAILED)
		return 2;
	if (g_read_file("/proc/self/maps", maps, sizeof(maps)) <= 0)
		return 2;
	for (line = strtok_r(maps, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long a, b, off, ino;
		unsigned maj, min;
		char perms[8];
		int name = 0;

		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %n", &a, &b, perms, &off, &maj, &min,
			   &ino, &name) < 7)
			continue;
		if (name && !strcmp(line + name, exe)) {
			say("exe segment %s off %#lx\n", perms, off);
			nexe++;
			after_exe = 1;
			continue;
		}
		if (after_exe) { /* the bss right after the last segment */
			say("after exe: %s %s, offset %lu, inode %lu\n", perms,
			    name && line[name] ? line + name : "(anonymous)", off, ino);
			after_exe = 0;
		}
		if ((unsigned long)p == a) {
			int len = (int)strlen(line + name);

			say("file map: %s off %#lx, %lu pages\n", perms, off, (b - a) / PG);
			t_yes("named after the file", len >= 2 && !strcmp(line + name + len - 2, "/f"));
			t_yes("inode is the file's", ino == st.st_ino);
			t_yes("device is the file's", maj == major(st.st_dev) && min == minor(st.st_dev));
			t_eq("column of the name", name, 73);
		}
	}
	t_yes("executable listed", nexe > 0);
	return g_finish();
}
