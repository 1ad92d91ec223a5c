/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/self/fd and fdinfo: links name the open files, the listing
 * follows opens and closes, fdinfo shows pos and flags. */
#include "common.h"
#include <dirent.h>

static char link_buf[4096];

static const char *fd_link(int fd)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link_buf, sizeof(link_buf) - 1);
	if (n < 0)
		return ename(errno);
	link_buf[n] = 0;
	return link_buf;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int seen[64] = { 0 }, dirfd_no = dirfd(d);

	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && atoi(e->d_name) < 64)
			seen[atoi(e->d_name)] = 1;
	closedir(d);
	say("open fds (without the listing's own):");
	for (int i = 0; i < 64; i++)
		if (seen[i] && i != dirfd_no)
			say(" %d", i);
	say("\n");
}

int main(void)
{
	char buf[512];
	int fd, p[2], nul;

	g_start();
	list_fds();
	fd = open("file", O_RDWR | O_CREAT | O_APPEND, 0644);
	pipe(p);
	nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
	mkdir("dir", 0755);
	int dfd = open("dir", O_RDONLY | O_DIRECTORY);
	list_fds();

	t_yes("file link is the absolute path", fd_link(fd)[0] == '/' && ends_with(fd_link(fd), "/file"));
	t_yes("pipe link looks like pipe:[N]", strncmp(fd_link(p[0]), "pipe:[", 6) == 0);
	t_yes("both pipe ends name the same pipe", ({
		char a[64];
		snprintf(a, sizeof(a), "%s", fd_link(p[0]));
		strcmp(a, fd_link(p[1])) == 0;
	}));
	t_streq("/dev/null link", fd_link(nul), "/dev/null");
	t_yes("directory link", ends_with(fd_link(dfd), "/dir"));
	t_streq("closed fd", fd_link(40), "ENOENT");
	rename("file", "moved");
	t_yes("link follows a rename", ends_with(fd_link(fd), "/moved"));
	unlink("moved");
	t_yes("unlinked file gets (deleted)", ends_with(fd_link(fd), "/moved (deleted)"));

	write(fd, "12345", 5);
	snprintf(buf, sizeof(buf), "/proc/self/fdinfo/%d", fd);
	char info[512];
	g_read_file(buf, info, sizeof(info));
	t_yes("fdinfo pos: 5", strncmp(info, "pos:\t5\n", 7) == 0);
	unsigned flags = 0;
	char *f = strstr(info, "flags:\t");
	t_yes("fdinfo has flags", f && sscanf(f + 7, "%o", &flags) == 1);
	t_oct("flags show O_RDWR|O_APPEND (no cloexec)",
	      flags & (O_ACCMODE | O_APPEND | O_CLOEXEC), O_RDWR | O_APPEND);
	snprintf(buf, sizeof(buf), "/proc/self/fdinfo/%d", nul);
	g_read_file(buf, info, sizeof(info));
	f = strstr(info, "flags:\t");
	sscanf(f + 7, "%o", &flags);
	t_oct("cloexec shown in flags", flags & (O_ACCMODE | O_CLOEXEC), O_WRONLY | O_CLOEXEC);

	/* opening /proc/self/fd/N reopens the file */
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd);
	int again = open(buf, O_RDONLY);
	t_ok("reopen an unlinked file via /proc/self/fd", again);
	t_eq("its own offset starts at 0", lseek(again, 0, SEEK_CUR), 0);
	t_eq("same data", read(again, info, sizeof(info)), 5);

	close(p[0]);
	close(p[1]);
	close(again);
	list_fds();
	return g_finish();
}
