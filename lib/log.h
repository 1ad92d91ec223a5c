/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Logging for the code that handles an error (binaries, top-level drivers).
 * Library code does not log: it returns a negative errno and lets the caller
 * decide.  Each file that logs defines LOG_PREFIX before including this.
 */
#ifndef CVISOR_LIB_LOG_H
#define CVISOR_LIB_LOG_H

#include <errno.h>

enum log_level {
	LOG_LVL_ERROR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

#ifndef LOG_PREFIX
#define LOG_PREFIX "cvisor"
#endif

void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);

/*
 * Where lines go: @fd (default 2, stderr; the caller keeps ownership) and
 * in which format: plain "prefix: message" lines, or one JSON object per
 * line {"level":"error","msg":"prefix: message","time":"RFC 3339"} as
 * runc's --log-format json (what containerd reads back on failure).
 * Errors also go to stderr when @fd is not 2.
 */
void log_set_output(int fd, int json);

/*
 * Print one line to stderr if @lvl is enabled.  If @err is non-zero, ": "
 * and strerror(|err|) are appended.  Returns -|err| (or -EIO when err == 0)
 * so that callers can write `return log_error_errno(r, "...")`.
 */
int log_emit(enum log_level lvl, const char *prefix, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define log_error_errno(err, ...) log_emit(LOG_LVL_ERROR, LOG_PREFIX, (err), __VA_ARGS__)
#define log_warn_errno(err, ...) log_emit(LOG_LVL_WARN, LOG_PREFIX, (err), __VA_ARGS__)
#define log_error(...) ((void)log_emit(LOG_LVL_ERROR, LOG_PREFIX, 0, __VA_ARGS__))
#define log_warn(...) ((void)log_emit(LOG_LVL_WARN, LOG_PREFIX, 0, __VA_ARGS__))
#define log_info(...) ((void)log_emit(LOG_LVL_INFO, LOG_PREFIX, 0, __VA_ARGS__))
#define log_debug(...) ((void)log_emit(LOG_LVL_DEBUG, LOG_PREFIX, 0, __VA_ARGS__))

#endif
