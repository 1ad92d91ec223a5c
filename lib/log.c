/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIN_SZ(a, b) ((a) < (b) ? (a) : (b))

static enum log_level log_level = LOG_LVL_INFO;
static int log_fd = 2;
static int log_json;

void log_set_output(int fd, int json)
{
	log_fd = fd;
	log_json = json;
}

/* One JSON line: the message escaped as a JSON string. */
static void log_write_json(enum log_level lvl, const char *line)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	char out[2400], ts[64];
	struct timespec now;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	n = (size_t)snprintf(out, sizeof(out), "{\"level\":\"%s\",\"msg\":\"",
			     names[(unsigned)lvl < 4 ? lvl : 0]);
	for (const unsigned char *p = (const unsigned char *)line; *p && n < sizeof(out) - 80; p++) {
		if (*p == '"' || *p == '\\')
			n += (size_t)snprintf(out + n, sizeof(out) - n, "\\%c", *p);
		else if (*p < 0x20)
			n += (size_t)snprintf(out + n, sizeof(out) - n, "\\u%04x", *p);
		else
			out[n++] = (char)*p;
	}
	n += (size_t)snprintf(out + n, sizeof(out) - n, "\",\"time\":\"%s.%09ldZ\"}\n", ts,
			      now.tv_nsec);
	if (write(log_fd, out, MIN_SZ(n, sizeof(out) - 1)) < 0) {
		/* nowhere left to report it */
	}
}

void log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

enum log_level log_get_level(void)
{
	return log_level;
}

int log_emit(enum log_level lvl, const char *prefix, int err, const char *fmt, ...)
{
	int e = err < 0 ? -err : err;
	char line[1024];
	size_t n;
	va_list ap;

	if (lvl > log_level)
		return e ? -e : -EIO;

	n = (size_t)snprintf(line, sizeof(line), "%s: ", prefix);
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	n = strlen(line);
	if (e && n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, ": %s", strerror(e));
	if (log_fd != 2 && lvl == LOG_LVL_ERROR)
		fprintf(stderr, "%s\n", line); /* errors reach the user too, as runc's */
	if (log_json) {
		log_write_json(lvl, line);
	} else if (log_fd == 2) {
		fprintf(stderr, "%s\n", line);
	} else {
		dprintf(log_fd, "%s\n", line);
	}
	return e ? -e : -EIO;
}
