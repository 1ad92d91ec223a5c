/* SPDX-License-Identifier: Apache-2.0 */
/* inotify: events of create, open, modify, attrib, close, delete and rename
 * (cookies), on a directory and on files; IN_ONESHOT, IN_MASK_ADD,
 * IN_ONLYDIR, IN_IGNORED, FIONREAD, read sizes and errors. */
#include "common.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>

static const struct {
	unsigned bit;
	const char *name;
} bits[] = {
	{ IN_ACCESS, "ACCESS" },	   { IN_MODIFY, "MODIFY" },
	{ IN_ATTRIB, "ATTRIB" },	   { IN_CLOSE_WRITE, "CLOSE_WRITE" },
	{ IN_CLOSE_NOWRITE, "CLOSE_NOWRITE" }, { IN_OPEN, "OPEN" },
	{ IN_MOVED_FROM, "MOVED_FROM" },   { IN_MOVED_TO, "MOVED_TO" },
	{ IN_CREATE, "CREATE" },	   { IN_DELETE, "DELETE" },
	{ IN_DELETE_SELF, "DELETE_SELF" }, { IN_MOVE_SELF, "MOVE_SELF" },
	{ IN_IGNORED, "IGNORED" },	   { IN_ISDIR, "ISDIR" },
	{ IN_Q_OVERFLOW, "Q_OVERFLOW" },
};

static uint32_t last_cookie;

/* Print every queued event (non-blocking fd). */
static void drain(int fd, const char *label)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n;

	say("-- %s\n", label);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			char line[256];
			size_t o = 0;

			o += (size_t)snprintf(line + o, sizeof(line) - o, "wd=%d", e->wd);
			for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
				if (e->mask & bits[i].bit)
					o += (size_t)snprintf(line + o, sizeof(line) - o, " %s",
							      bits[i].name);
			if (e->len)
				o += (size_t)snprintf(line + o, sizeof(line) - o, " '%s'", e->name);
			if (e->cookie) {
				o += (size_t)snprintf(line + o, sizeof(line) - o, " cookie%s",
						      e->cookie == last_cookie ? "=prev" : "");
				last_cookie = e->cookie;
			}
			say("%s\n", line);
			p += sizeof(*e) + e->len;
		}
	}
	if (n < 0 && errno != EAGAIN)
		say("read: %s\n", ename(errno));
}

int main(void)
{
	int in, wd, wf, fd, n;
	char small[8];

	g_start();
	mkdir("d", 0755);
	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	t_yes("inotify_init1", in >= 0);
	t_eq("cloexec", fcntl(in, F_GETFD), FD_CLOEXEC);
	wd = inotify_add_watch(in, "d", IN_ALL_EVENTS);
	t_eq("watch d", wd, 1);
	t_err("nothing queued", read(in, small, sizeof(small)), EAGAIN);

	fd = open("d/a", O_CREAT | O_WRONLY, 0644);
	write(fd, "hello", 5);
	write(fd, "again", 5);
	close(fd);
	drain(in, "create, write twice, close");

	t_ok("FIONREAD empty", ioctl(in, FIONREAD, &n));
	t_eq("0 bytes", n, 0);
	fd = open("d/a", O_RDONLY);
	t_ok("FIONREAD", ioctl(in, FIONREAD, &n));
	t_eq("one event, no padding beyond 16", n, 32);
	t_err("buffer too small", read(in, small, sizeof(small)), EINVAL);
	read(fd, small, 2);
	close(fd);
	drain(in, "open, read, close");

	chmod("d/a", 0600);
	truncate("d/a", 1);
	drain(in, "chmod, truncate");

	wf = inotify_add_watch(in, "d/a", IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF);
	t_eq("watch d/a", wf, 2);
	rename("d/a", "d/b");
	drain(in, "rename in d");
	mkdir("e", 0755);
	t_eq("watch e", inotify_add_watch(in, "e", IN_MOVED_TO | IN_CREATE), 3);
	rename("d/b", "e/c");
	drain(in, "rename d -> e");
	unlink("e/c");
	drain(in, "unlink the watched file");

	mkdir("d/sub", 0755);
	rmdir("d/sub");
	symlink("x", "d/ln");
	unlink("d/ln");
	drain(in, "mkdir, rmdir, symlink, unlink");

	/* IN_ONESHOT: one event, then IN_IGNORED */
	close(open("d/o", O_CREAT | O_WRONLY, 0644));
	drain(in, "make d/o");
	t_eq("oneshot watch", inotify_add_watch(in, "d/o", IN_ATTRIB | IN_ONESHOT), 4);
	chmod("d/o", 0600);
	chmod("d/o", 0644);
	drain(in, "two chmods, oneshot");

	/* IN_MASK_ADD, and a second add_watch returning the same wd */
	t_eq("watch d/o for MODIFY", inotify_add_watch(in, "d/o", IN_MODIFY), 5);
	t_eq("same wd, ATTRIB added", inotify_add_watch(in, "d/o", IN_ATTRIB | IN_MASK_ADD), 5);
	t_ok("rm_watch d", inotify_rm_watch(in, wd));
	fd = open("d/o", O_WRONLY);
	write(fd, "x", 1);
	fchmod(fd, 0600);
	close(fd);
	drain(in, "write, fchmod of d/o (d no longer watched)");
	t_eq("replace the mask", inotify_add_watch(in, "d/o", IN_ATTRIB), 5);
	fd = open("d/o", O_WRONLY);
	write(fd, "x", 1);
	fchmod(fd, 0644);
	close(fd);
	drain(in, "after replacing: only ATTRIB");

	t_err("rm_watch unknown", inotify_rm_watch(in, 99), EINVAL);
	t_err("rm_watch again", inotify_rm_watch(in, wd), EINVAL);
	t_err("IN_ONLYDIR on a file", inotify_add_watch(in, "d/o", IN_ONLYDIR | IN_ATTRIB), ENOTDIR);
	t_err("no bits", inotify_add_watch(in, "d", 0), EINVAL);
	t_err("missing path", inotify_add_watch(in, "nope", IN_ATTRIB), ENOENT);
	t_err("not inotify", inotify_add_watch(1, "d", IN_ATTRIB), EINVAL);
	t_err("bad fd", inotify_add_watch(99, "d", IN_ATTRIB), EBADF);
	t_err("bad flags", inotify_init1(0x1), EINVAL);
	t_eq("IN_MASK_CREATE on a watched file", inotify_add_watch(in, "d/o", IN_ATTRIB | IN_MASK_CREATE) < 0 ? errno : 0, EEXIST);
	drain(in, "end");
	close(in);
	return g_finish();
}
