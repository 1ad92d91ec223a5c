/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small helpers every module uses: cleanup attributes, ownership transfer,
 * array sizes, alignment.  No dependencies beyond libc.
 */
#ifndef CVISOR_LIB_MACRO_H
#define CVISOR_LIB_MACRO_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define _unused_ __attribute__((unused))
#define _noreturn_ __attribute__((noreturn))
#define _must_check_ __attribute__((warn_unused_result))

static inline void freep(void *p)
{
	free(*(void **)p);
}

/* close() that keeps errno and never retries on EINTR (Linux closes anyway). */
static inline int safe_close(int fd)
{
	if (fd >= 0) {
		int saved = errno;
		close(fd);
		errno = saved;
	}
	return -EBADF;
}

static inline void closep(int *fd)
{
	*fd = safe_close(*fd);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
/* fds start at -EBADF so that an unset fd is never closed. */
#define _cleanup_close_ _cleanup_(closep)

/* Take ownership of a pointer/fd out of a cleanup variable. */
#define TAKE_PTR(p)                                 \
	({                                          \
		__typeof__(p) *_pp = &(p);          \
		__typeof__(p) _tmp = *_pp;          \
		*_pp = NULL;                        \
		_tmp;                               \
	})
#define TAKE_FD(fd)                \
	({                         \
		int *_pfd = &(fd); \
		int _tmp = *_pfd;  \
		*_pfd = -EBADF;    \
		_tmp;              \
	})

/* Map a libc-style -1/errno result to a negative errno. */
static inline int neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

#endif
