/* SPDX-License-Identifier: Apache-2.0 */
/* Controlling terminals: /dev/tty without one (ENXIO), setsid + open of a
 * slave acquiring one (not with O_NOCTTY), TIOCSCTTY, TIOCNOTTY,
 * TIOCGSID, /proc/self/stat's tty_nr and tpgid, TIOCGPTPEER, /dev/pts
 * listing, ttyname through /proc/self/fd. */
#include "pty_common.h"
#include <dirent.h>
#include <sys/sysmacros.h>

static void stat_tty(int *tty_nr, int *tpgid)
{
	char buf[1024], *p;
	int fd = open("/proc/self/stat", O_RDONLY);
	long n = read(fd, buf, sizeof(buf) - 1);

	close(fd);
	buf[n > 0 ? n : 0] = 0;
	p = strrchr(buf, ')');
	*tty_nr = *tpgid = -2;
	if (p)
		sscanf(p + 2, "%*c %*d %*d %*d %d %d", tty_nr, tpgid);
}

static int in_dev_pts(const char *name)
{
	DIR *d = opendir("/dev/pts");
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d)))
		found |= !strcmp(e->d_name, name);
	if (d)
		closedir(d);
	return found;
}

static void child(const char *name, unsigned ptn)
{
	int fd, nr, tpgid, sid;

	t_yes("setsid", setsid() == getpid());
	t_err("/dev/tty without a terminal", open("/dev/tty", O_RDWR), ENXIO);
	stat_tty(&nr, &tpgid);
	say("stat without: tty_nr %d tpgid %d\n", nr, tpgid);
	fd = open(name, O_RDWR | O_NOCTTY);
	t_err("O_NOCTTY open does not acquire", open("/dev/tty", O_RDWR), ENXIO);
	t_err("TIOCGSID on a non-controlling tty", ioctl(fd, TIOCGSID, &sid), ENOTTY);
	t_err("TIOCGPGRP on a non-controlling tty", ioctl(fd, TIOCGPGRP, &sid), ENOTTY);
	t_ok("TIOCSCTTY", ioctl(fd, TIOCSCTTY, 0));
	t_ok("TIOCSCTTY again", ioctl(fd, TIOCSCTTY, 0));
	t_ok("/dev/tty now", open("/dev/tty", O_RDWR));
	t_ok("TIOCGSID", ioctl(fd, TIOCGSID, &sid));
	t_yes("session is ours", sid == getpid());
	t_yes("foreground group is ours", tcgetpgrp(fd) == getpgrp());
	stat_tty(&nr, &tpgid);
	t_yes("stat tty_nr is the slave",
	      nr == (int)((ptn & 0xff) | (136 << 8) | ((ptn & ~0xffu) << 12)));
	t_yes("stat tpgid is our group", tpgid == getpgrp());
	if (fork() == 0) {
		/* a child shares the terminal but may not TIOCNOTTY it away
		 * from the session */
		int nr2, tp2;

		stat_tty(&nr2, &tp2);
		t_yes("child's tty_nr", nr2 == nr);
		t_err("child TIOCSCTTY (not a leader)", ioctl(fd, TIOCSCTTY, 0), EPERM);
		t_ok("child TIOCNOTTY", ioctl(fd, TIOCNOTTY));
		t_err("child /dev/tty after TIOCNOTTY", open("/dev/tty", O_RDWR), ENXIO);
		_exit(g_failures ? 1 : 0);
	}
	wait(&sid);
	t_yes("child ok", WIFEXITED(sid) && WEXITSTATUS(sid) == 0);
	t_ok("leader keeps it", open("/dev/tty", O_RDWR));
	signal(SIGHUP, SIG_IGN);
	t_ok("leader TIOCNOTTY", ioctl(fd, TIOCNOTTY));
	t_err("/dev/tty after", open("/dev/tty", O_RDWR), ENXIO);
	close(fd);
	fd = open(name, O_RDWR);
	t_ok("plain open acquires again", open("/dev/tty", O_RDWR));
	stat_tty(&nr, &tpgid);
	t_yes("tpgid back", tpgid == getpgrp());
}

int main(void)
{
	char name[64], link[64], path[64];
	unsigned ptn;
	int m, p, st;
	long n;

	g_start();
	m = posix_openpt(O_RDWR | O_NOCTTY);
	grantpt(m);
	ioctl(m, TIOCGPTN, &ptn);
	snprintf(name, sizeof(name), "/dev/pts/%u", ptn);
	t_err("TIOCGPTPEER while locked", ioctl(m, TIOCGPTPEER, O_RDWR), EIO);
	unlockpt(m);
	t_yes("/dev/pts lists it", in_dev_pts(name + 9));
	t_yes("/dev/pts lists ptmx", in_dev_pts("ptmx"));
	p = (int)ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	t_yes("TIOCGPTPEER", p >= 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	t_yes("peer's /proc/self/fd link", !strcmp(link, name));
	t_yes("ttyname(peer)", ttyname(p) && !strcmp(ttyname(p), name));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", m);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	t_streq("master's link", link, "/dev/ptmx");
	t_yes("ttyname(master) is /dev/ptmx", ttyname(m) && !strcmp(ttyname(m), "/dev/ptmx"));
	if (fork() == 0) {
		child(name, ptn);
		_exit(g_failures ? 1 : 0);
	}
	wait(&st);
	t_yes("session child ok", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(p);
	close(m);
	t_err("/dev/pts/<n> after the master closed", access(name, F_OK), ENOENT);
	return g_finish();
}
