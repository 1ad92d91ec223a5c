/* SPDX-License-Identifier: Apache-2.0 */
/* A pty slave in raw mode: no echo or signals, VMIN/VTIME, O_NONBLOCK,
 * switching between canonical and raw with a partial line, TCSETSF. */
#include "pty_common.h"
#include <time.h>

static long ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

int main(void)
{
	struct termios tio, raw;
	struct timespec t0;
	char buf[256];
	int m, s, fl;
	long n;

	g_start();
	t_ok("openpty", openpty(&m, &s, NULL, NULL, NULL));
	tcgetattr(s, &tio);

	/* a partial canonical line becomes readable in raw mode */
	write(m, "part", 4);
	n = read_n(m, buf, 4, 2000); /* its echo: the line discipline has it */
	say("its echo: \"%s\"\n", esc(buf, n));
	raw = tio;
	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	t_ok("cfmakeraw + tcsetattr", tcsetattr(s, TCSANOW, &raw));
	n = read(s, buf, sizeof(buf));
	say("partial line in raw mode: \"%s\"\n", esc(buf, n));

	write(m, "\003\r\177x", 4);
	n = read_n(s, buf, 4, 2000);
	say("raw bytes: \"%s\"\n", esc(buf, n));
	t_eq("no echo in raw mode", drain(m, buf, sizeof(buf), 100), 0);
	write(s, "a\nb", 3);
	n = drain(m, buf, sizeof(buf), 100);
	say("raw output: \"%s\"\n", esc(buf, n));

	/* VMIN 3: one read gets everything there once 3 bytes came */
	raw.c_cc[VMIN] = 3;
	tcsetattr(s, TCSANOW, &raw);
	write(m, "12345", 5);
	wait_inq(s, 5);
	n = read(s, buf, sizeof(buf));
	say("vmin 3 read: \"%s\"\n", esc(buf, n));
	if (fork() == 0) {
		usleep(100000);
		write(m, "ab", 2);
		usleep(100000);
		write(m, "c", 1);
		_exit(0);
	}
	n = read(s, buf, sizeof(buf));
	say("vmin 3 waits for 3: \"%s\"\n", esc(buf, n));
	wait(NULL);

	/* VMIN 0 VTIME 0: polling */
	raw.c_cc[VMIN] = 0;
	tcsetattr(s, TCSANOW, &raw);
	t_eq("vmin 0 time 0, nothing there", read(s, buf, sizeof(buf)), 0);
	/* VMIN 0 VTIME 2: a 0.2 s timeout */
	raw.c_cc[VTIME] = 2;
	tcsetattr(s, TCSANOW, &raw);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	t_eq("vmin 0 time 2 times out", read(s, buf, sizeof(buf)), 0);
	n = ms_since(&t0);
	t_yes("after about 0.2 s", n >= 150 && n < 2000);
	write(m, "z", 1);
	t_eq("vmin 0 time 2 with data", read(s, buf, sizeof(buf)), 1);
	/* VMIN 2 VTIME 2: an inter-byte timer once a byte came */
	raw.c_cc[VMIN] = 2;
	tcsetattr(s, TCSANOW, &raw);
	write(m, "q", 1);
	t_eq("vmin 2 time 2 returns the one byte", read(s, buf, sizeof(buf)), 1);

	/* O_NONBLOCK */
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	tcsetattr(s, TCSANOW, &raw);
	fl = fcntl(s, F_GETFL);
	fcntl(s, F_SETFL, fl | O_NONBLOCK);
	t_err("nonblocking read", read(s, buf, sizeof(buf)), EAGAIN);
	fcntl(s, F_SETFL, fl);
	fl = fcntl(m, F_GETFL);
	fcntl(m, F_SETFL, fl | O_NONBLOCK);
	t_err("nonblocking master read", read(m, buf, sizeof(buf)), EAGAIN);
	fcntl(m, F_SETFL, fl);

	/* TCSETSF drops pending input; back to canonical mode */
	write(m, "junk", 4);
	wait_inq(s, 4);
	t_ok("tcsetattr TCSAFLUSH", tcsetattr(s, TCSAFLUSH, &tio));
	write(m, "fresh\n", 6);
	n = read(s, buf, sizeof(buf));
	say("after flush: \"%s\"\n", esc(buf, n));
	n = drain(m, buf, sizeof(buf), 100);
	say("echo: \"%s\"\n", esc(buf, n));

	/* poll readiness */
	{
		struct pollfd p[2] = { { .fd = s, .events = POLLIN | POLLOUT },
				       { .fd = m, .events = POLLIN | POLLOUT } };

		poll(p, 2, 0);
		say("idle: slave in %d out %d, master in %d out %d\n", !!(p[0].revents & POLLIN),
		    !!(p[0].revents & POLLOUT), !!(p[1].revents & POLLIN),
		    !!(p[1].revents & POLLOUT));
		write(m, "half", 4);
		poll(&p[1], 1, 2000); /* the echo */
		poll(p, 2, 0);
		say("half a line: slave in %d, master in %d (echo)\n",
		    !!(p[0].revents & POLLIN), !!(p[1].revents & POLLIN));
		write(m, "\n", 1);
		poll(p, 1, 2000);
		say("a line: slave in %d\n", !!(p[0].revents & POLLIN));
	}
	close(s);
	drain(m, buf, sizeof(buf), 50);
	{
		struct pollfd p = { .fd = m, .events = POLLIN };

		poll(&p, 1, 1000);
		say("slave closed: master hup %d\n", !!(p.revents & POLLHUP));
	}
	t_err("master read after slave close", read(m, buf, sizeof(buf)), EIO);
	close(m);
	return g_finish();
}
