/* SPDX-License-Identifier: Apache-2.0 */
/* Advisory locks: fcntl record locks (seen from a child, split and merged
 * ranges, released by any close, blocking F_SETLKW, EDEADLK), open file
 * description locks and flock(). */
#include "common.h"
#include <sys/file.h>
#include <sys/wait.h>

static int setlk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

/* F_GETLK for a write lock on [start, start+len): "type start len", or
 * "free"; whether l_pid is @pid goes to *pid_ok. */
static const char *getlk(int fd, int cmd, off_t start, off_t len, pid_t pid, int *pid_ok)
{
	static char out[64];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	if (fcntl(fd, cmd, &fl) < 0)
		return ename(errno);
	if (pid_ok)
		*pid_ok = fl.l_pid == pid;
	if (fl.l_type == F_UNLCK)
		return "free";
	snprintf(out, sizeof(out), "%s %lld %lld", fl.l_type == F_RDLCK ? "read" : "write",
		 (long long)fl.l_start, (long long)fl.l_len);
	return out;
}

/* Run @fn in a child; its exit status. */
static int in_child(int (*fn)(void))
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(fn());
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

static pid_t parent;

static int child_view(void)
{
	int fd = open("data", O_RDWR), ok = 0;
	const char *s;

	s = getlk(fd, F_GETLK, 0, 10, parent, &ok);
	if (strcmp(s, "read 0 10") || !ok)
		return 1;
	if (setlk(fd, F_SETLK, F_WRLCK, 5, 1) != -1 || (errno != EAGAIN && errno != EACCES))
		return 2;
	if (setlk(fd, F_SETLK, F_RDLCK, 5, 1)) /* readers share */
		return 3;
	if (strcmp(getlk(fd, F_GETLK, 20, 0, parent, &ok), "write 20 0") || !ok)
		return 4;
	if (setlk(fd, F_SETLK, F_WRLCK, 10, 10)) /* the gap is free */
		return 5;
	return 0;
}

static int child_waits(void)
{
	int fd = open("data", O_RDWR);

	/* blocks until the parent unlocks */
	if (setlk(fd, F_SETLKW, F_WRLCK, 0, 1))
		return 1;
	return 0;
}

int main(void)
{
	int fd, fd2, p[2], st, ok = 0;
	pid_t pid;
	char c;

	g_start();
	parent = getpid();
	g_write_file("data", "0123456789abcdefghijklmnopqrstuvwxyz");
	fd = open("data", O_RDWR);

	t_ok("read lock 0..9", setlk(fd, F_SETLK, F_RDLCK, 0, 10));
	t_ok("write lock from 20 to EOF", setlk(fd, F_SETLK, F_WRLCK, 20, 0));
	t_streq("our own locks never conflict", getlk(fd, F_GETLK, 0, 0, 0, NULL), "free");
	t_eq("a child sees them (0 = as expected)", in_child(child_view), 0);

	/* splitting: unlock the middle of 0..9, the child sees two pieces */
	t_ok("unlock 3..5", setlk(fd, F_SETLK, F_UNLCK, 3, 3));
	pid = fork();
	if (pid == 0) {
		int f = open("data", O_RDWR), a = 0, b = 0, cc = 0;
		int r = strcmp(getlk(f, F_GETLK, 0, 6, parent, &a), "read 0 3") ||
			strcmp(getlk(f, F_GETLK, 3, 3, parent, &b), "free") ||
			strcmp(getlk(f, F_GETLK, 6, 1, parent, &cc), "read 6 4") || !a || !cc;
		_exit(r);
	}
	waitpid(pid, &st, 0);
	t_eq("split into 0..2 and 6..9 (0 = yes)", WEXITSTATUS(st), 0);

	/* merging: relock 3..5 as read, one range 0..9 again */
	setlk(fd, F_SETLK, F_RDLCK, 3, 3);
	pid = fork();
	if (pid == 0)
		_exit(strcmp(getlk(open("data", O_RDONLY), F_GETLK, 0, 0, parent, NULL), "read 0 10"));
	waitpid(pid, &st, 0);
	t_eq("merged back into 0..9 (0 = yes)", WEXITSTATUS(st), 0);

	/* any close of the file drops our POSIX locks */
	fd2 = open("data", O_RDONLY);
	close(fd2);
	pid = fork();
	if (pid == 0)
		_exit(strcmp(getlk(open("data", O_RDONLY), F_GETLK, 0, 0, parent, NULL), "free"));
	waitpid(pid, &st, 0);
	t_eq("closing another fd released them (0 = yes)", WEXITSTATUS(st), 0);

	/* F_SETLKW waits for the holder */
	t_ok("write lock byte 0", setlk(fd, F_SETLK, F_WRLCK, 0, 1));
	pipe(p);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		int r = child_waits();
		write(p[1], "w", 1);
		_exit(r);
	}
	close(p[1]);
	usleep(100 * 1000);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	t_err("the child is still waiting", read(p[0], &c, 1), EAGAIN);
	fcntl(p[0], F_SETFL, 0);
	setlk(fd, F_SETLK, F_UNLCK, 0, 1);
	t_eq("after the unlock it gets the lock", read(p[0], &c, 1), 1);
	waitpid(pid, &st, 0);
	t_eq("child status", WEXITSTATUS(st), 0);
	close(p[0]);

	/* deadlock: we hold byte 0 and want byte 1, the child holds byte 1
	 * and waits for byte 0 */
	t_ok("write lock byte 0 again", setlk(fd, F_SETLK, F_WRLCK, 0, 1));
	pipe(p);
	pid = fork();
	if (pid == 0) {
		int f = open("data", O_RDWR);

		close(p[0]);
		setlk(f, F_SETLK, F_WRLCK, 1, 1);
		write(p[1], "h", 1);
		_exit(setlk(f, F_SETLKW, F_WRLCK, 0, 1) ? 1 : 0);
	}
	close(p[1]);
	read(p[0], &c, 1);
	usleep(100 * 1000); /* the child is now waiting for byte 0 */
	t_err("F_SETLKW that would deadlock", setlk(fd, F_SETLKW, F_WRLCK, 1, 1), EDEADLK);
	setlk(fd, F_SETLK, F_UNLCK, 0, 1);
	waitpid(pid, &st, 0);
	t_eq("the child got byte 0 after our unlock", WEXITSTATUS(st), 0);
	close(p[0]);

	/* argument errors */
	t_err("F_GETLK with F_UNLCK", ({
		struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };
		fcntl(fd, F_GETLK, &fl);
	}), EINVAL);
	t_err("bad l_type", setlk(fd, F_SETLK, 7, 0, 1), EINVAL);
	t_err("bad whence", ({
		struct flock fl = { .l_type = F_RDLCK, .l_whence = 9 };
		fcntl(fd, F_SETLK, &fl);
	}), EINVAL);
	t_err("negative start", setlk(fd, F_SETLK, F_RDLCK, -5, 1), EINVAL);
	t_err("write lock on a read-only fd", setlk(open("data", O_RDONLY), F_SETLK, F_WRLCK, 0, 1), EBADF);
	t_err("bad pointer", fcntl(fd, F_SETLK, G_BADPTR), EFAULT);

	/* OFD locks: two descriptions in one process conflict */
	int a = open("data", O_RDWR), b = open("data", O_RDWR);
	t_ok("OFD write lock on a", setlk(a, F_OFD_SETLK, F_WRLCK, 0, 4));
	t_err("OFD write lock on b", setlk(b, F_OFD_SETLK, F_WRLCK, 2, 1), EAGAIN);
	t_streq("OFD_GETLK from b", getlk(b, F_OFD_GETLK, 0, 0, -1, &ok), "write 0 4");
	t_yes("its l_pid is -1", ok);
	t_err("OFD with l_pid set", ({
		struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_pid = 1 };
		fcntl(a, F_OFD_SETLK, &fl);
	}), EINVAL);
	t_err("a POSIX lock of ours conflicts with it", setlk(fd, F_SETLK, F_WRLCK, 0, 1), EAGAIN);
	close(a);
	t_ok("closing a released it", setlk(b, F_OFD_SETLK, F_WRLCK, 2, 1));
	close(b);

	/* flock */
	a = open("data", O_RDONLY);
	b = open("data", O_RDONLY);
	t_ok("flock LOCK_SH on a", flock(a, LOCK_SH));
	t_ok("flock LOCK_SH on b", flock(b, LOCK_SH | LOCK_NB));
	t_err("flock LOCK_EX|LOCK_NB on b", flock(b, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	t_ok("unlock a", flock(a, LOCK_UN));
	t_ok("now b can upgrade", flock(b, LOCK_EX | LOCK_NB));
	fd2 = dup(b);
	close(b);
	t_err("the dup keeps it", flock(a, LOCK_SH | LOCK_NB), EWOULDBLOCK);
	t_ok("flock and fcntl locks do not interact", setlk(fd, F_SETLK, F_WRLCK, 0, 0));
	close(fd2);
	t_ok("last close released it", flock(a, LOCK_EX | LOCK_NB));
	t_err("flock bad operation", flock(a, 0), EINVAL);
	t_err("flock bad fd", flock(99, LOCK_SH), EBADF);
	return g_finish();
}
