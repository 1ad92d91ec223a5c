/* SPDX-License-Identifier: Apache-2.0 */
/* A pty pair in canonical mode: line editing (ERASE, KILL, WERASE, EOF),
 * echo, ICRNL and ONLCR, FIONREAD, the default termios. */
#include "pty_common.h"
#include <sys/sysmacros.h>

static void line(int m, int s, const char *label, const char *in)
{
	char buf[256];
	long n;

	write(m, in, strlen(in));
	n = read(s, buf, sizeof(buf));
	say("%s: slave read \"%s\"\n", label, n < 0 ? ename(errno) : esc(buf, n));
	n = drain(m, buf, sizeof(buf), 100);
	say("%s: echo \"%s\"\n", label, esc(buf, n));
}

int main(void)
{
	struct termios tio;
	struct stat st;
	char buf[256], name[64];
	int m, s, n, lock;
	unsigned ptn;

	g_start();
	m = posix_openpt(O_RDWR | O_NOCTTY);
	t_yes("posix_openpt", m >= 0);
	t_ok("TIOCGPTN", ioctl(m, TIOCGPTN, &ptn));
	t_ok("TIOCGPTLCK", ioctl(m, TIOCGPTLCK, &lock));
	t_eq("locked at first", lock, 1);
	snprintf(name, sizeof(name), "/dev/pts/%u", ptn);
	t_err("open locked slave", open(name, O_RDWR | O_NOCTTY), EIO);
	t_ok("grantpt", grantpt(m));
	t_ok("unlockpt", unlockpt(m));
	t_yes("ptsname is /dev/pts/<TIOCGPTN>", !strcmp(ptsname(m), name));
	s = open(name, O_RDWR | O_NOCTTY);
	t_yes("open slave", s >= 0);
	t_yes("isatty(slave)", isatty(s));
	t_yes("isatty(master)", isatty(m));
	t_yes("ttyname(slave) is the name", ttyname(s) && !strcmp(ttyname(s), name));
	t_ok("fstat slave", fstat(s, &st));
	t_yes("slave is a char device", S_ISCHR(st.st_mode));
	t_eq("slave major", major(st.st_rdev), 136);
	t_yes("slave minor is the index", minor(st.st_rdev) == ptn);
	t_ok("fstat master", fstat(m, &st));
	t_eq("master major", major(st.st_rdev), 5);
	t_eq("master minor", minor(st.st_rdev), 2);

	t_ok("tcgetattr", tcgetattr(s, &tio));
	say("iflag %o oflag %o cflag %o lflag %o\n", tio.c_iflag, tio.c_oflag, tio.c_cflag,
	    tio.c_lflag);
	say("cc intr %o quit %o erase %o kill %o eof %o min %d time %d werase %o\n",
	    tio.c_cc[VINTR], tio.c_cc[VQUIT], tio.c_cc[VERASE], tio.c_cc[VKILL], tio.c_cc[VEOF],
	    tio.c_cc[VMIN], tio.c_cc[VTIME], tio.c_cc[VWERASE]);
	t_eq("speed", cfgetospeed(&tio), B38400);

	line(m, s, "plain", "hello\n");
	line(m, s, "erase", "abx\177c\n");
	line(m, s, "kill", "xyz\025ok\n");
	line(m, s, "werase", "foo bar\027baz\n");
	line(m, s, "icrnl", "cr\r");
	line(m, s, "control echo", "a\001b\n");
	write(m, "abc\004", 4);
	n = (int)read(s, buf, sizeof(buf));
	say("eof after text: \"%s\"\n", esc(buf, n));
	write(m, "\004", 1);
	t_eq("eof alone reads 0", read(s, buf, sizeof(buf)), 0);

	/* one line per read, FIONREAD counts complete lines only */
	write(m, "one\ntwo\nthr", 11);
	t_eq("FIONREAD bytes (complete lines)", wait_inq(s, 8), 8);
	n = (int)read(s, buf, 2);
	say("short read: \"%s\"\n", esc(buf, n));
	n = (int)read(s, buf, sizeof(buf));
	say("rest of line: \"%s\"\n", esc(buf, n));
	n = (int)read(s, buf, sizeof(buf));
	say("next line: \"%s\"\n", esc(buf, n));
	write(m, "ee\n", 3);
	n = (int)read(s, buf, sizeof(buf));
	say("last line: \"%s\"\n", esc(buf, n));
	drain(m, buf, sizeof(buf), 100);

	/* output processing */
	write(s, "a\nb\tc\n", 6);
	n = (int)drain(m, buf, sizeof(buf), 100);
	say("onlcr: \"%s\"\n", esc(buf, n));
	t_ok("FIONREAD master", ioctl(m, FIONREAD, &n));
	t_eq("master empty", n, 0);
	tio.c_oflag &= ~(tcflag_t)OPOST;
	t_ok("tcsetattr -opost", tcsetattr(s, TCSANOW, &tio));
	write(s, "x\ny\n", 4);
	n = (int)drain(m, buf, sizeof(buf), 100);
	say("no opost: \"%s\"\n", esc(buf, n));
	tio.c_oflag |= OPOST;
	tio.c_lflag &= ~(tcflag_t)ECHO;
	tio.c_lflag |= ECHONL;
	t_ok("tcsetattr -echo echonl", tcsetattr(s, TCSANOW, &tio));
	line(m, s, "echonl", "quiet\n");
	tio.c_lflag &= ~(tcflag_t)ECHONL;
	tcsetattr(s, TCSANOW, &tio);
	line(m, s, "no echo", "secret\n");

	/* TCFLSH */
	write(m, "dropped\n", 8);
	wait_inq(s, 8);
	t_ok("tcflush(TCIFLUSH)", tcflush(s, TCIFLUSH));
	t_ok("FIONREAD after flush", ioctl(s, FIONREAD, &n));
	t_eq("nothing left", n, 0);
	t_ok("tcdrain", tcdrain(s));
	t_ok("TIOCOUTQ", ioctl(s, TIOCOUTQ, &n));
	t_eq("outq", n, 0);
	close(s);
	close(m);
	return g_finish();
}
