/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers of the pseudo-terminal guests (g_pty_*.c): printable escapes of
 * what a master reads, reads with a deadline. */
#ifndef CVISOR_TESTS_GUEST_PTY_COMMON_H
#define CVISOR_TESTS_GUEST_PTY_COMMON_H

#include "common.h"
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/wait.h>

/* @s[0..n) with control characters as \r \n \b \xNN. */
static inline const char *esc(const char *s, long n)
{
	static char out[4][1024];
	static unsigned next;
	char *o = out[next++ % 4];
	size_t k = 0;

	for (long i = 0; i < n && k < sizeof(out[0]) - 8; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r')
			k += (size_t)sprintf(o + k, "\\r");
		else if (c == '\n')
			k += (size_t)sprintf(o + k, "\\n");
		else if (c == '\b')
			k += (size_t)sprintf(o + k, "\\b");
		else if (c < 32 || c >= 127)
			k += (size_t)sprintf(o + k, "\\x%02x", c);
		else
			o[k++] = (char)c;
	}
	o[k] = 0;
	return o;
}

/* Everything @fd yields until @ms of quiet (poll; five times that for the
 * first byte), up to @len bytes. */
static inline long drain(int fd, char *buf, size_t len, int ms)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long n;

		if (poll(&p, 1, got ? ms : 5 * ms) <= 0 || !(p.revents & POLLIN))
			break;
		n = read(fd, buf + got, len - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return (long)got;
}

/* Read from @fd until @want appears (or @ms of quiet); returns bytes. */
static inline long read_until(int fd, char *buf, size_t len, const char *want, int ms)
{
	size_t got = 0;

	buf[0] = 0;
	while (got < len - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long n;

		if (poll(&p, 1, ms) <= 0 || !(p.revents & POLLIN))
			break;
		n = read(fd, buf + got, len - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		buf[got] = 0;
		if (strstr(buf, want))
			break;
	}
	return (long)got;
}

/* Read until @n bytes came (or @ms without any). */
static inline long read_n(int fd, char *buf, size_t n, int ms)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long r;

		if (poll(&p, 1, ms) <= 0 || !(p.revents & POLLIN))
			break;
		r = read(fd, buf + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return (long)got;
}

/* Linux hands pty input to the line discipline from a work queue: wait
 * (up to 2 s) until FIONREAD on @fd reaches @want. */
static inline int wait_inq(int fd, int want)
{
	int n = -1;

	for (int i = 0; i < 200; i++) {
		if (ioctl(fd, FIONREAD, &n) == 0 && n >= want)
			break;
		usleep(10000);
	}
	return n;
}

#endif
