/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum log_level log_level = LOG_LVL_INFO;

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
	fprintf(stderr, "%s\n", line);
	return e ? -e : -EIO;
}
