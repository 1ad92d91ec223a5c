/* SPDX-License-Identifier: Apache-2.0 */
#include "syscalls.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* One bit per syscall number: already reported as unknown. */
static uint64_t unknown_seen[SYSCALL_NR_MAX / 64];

int64_t syscall_dispatch(struct task *t, uint64_t nr, const uint64_t a[6], int *ret_first_unknown)
{
	uint64_t bit, old;

	if (nr < SYSCALL_NR_MAX && syscall_table[nr].fn)
		return syscall_table[nr].fn(t, a);
	if (ret_first_unknown) {
		*ret_first_unknown = 0;
		if (nr < SYSCALL_NR_MAX) {
			bit = 1ULL << (nr % 64);
			old = __atomic_fetch_or(&unknown_seen[nr / 64], bit, __ATOMIC_RELAXED);
			*ret_first_unknown = !(old & bit);
		}
	}
	return -ENOSYS;
}

const char *syscall_name(uint64_t nr)
{
	return nr < SYSCALL_NR_MAX ? syscall_table[nr].name : NULL;
}

size_t syscall_format(char *buf, size_t len, uint64_t nr, const uint64_t a[6], int64_t ret)
{
	const char *name = syscall_name(nr);
	const char *fmt = name ? syscall_table[nr].args : "-";
	size_t n = 0;
	int i = 0;

	if (len == 0)
		return 0;
#define PUT(...)                                                                            \
	do {                                                                                \
		int _w = snprintf(buf + n, len - n, __VA_ARGS__);                           \
		if (_w > 0)                                                                 \
			n = (size_t)_w >= len - n ? len - 1 : n + (size_t)_w;              \
	} while (0)
	if (name)
		PUT("%s(", name);
	else
		PUT("syscall_%" PRIu64 "(", nr);
	if (strcmp(fmt, "-") != 0) {
		for (const char *f = fmt; *f && i < 6; f++) {
			if (*f == ',')
				continue;
			if (i > 0)
				PUT(", ");
			switch (*f) {
			case 'd':
				PUT("%" PRId64, (int64_t)a[i]);
				break;
			case 'u':
				PUT("%" PRIu64, a[i]);
				break;
			case 'o':
				PUT("0%" PRIo64, a[i]);
				break;
			default: /* x p s */
				PUT("0x%" PRIx64, a[i]);
			}
			i++;
		}
	}
	if (ret < 0 && ret > -4096)
		PUT(") = -1 %s (%s)", strerrorname_np((int)-ret) ? strerrorname_np((int)-ret) : "?",
		    strerror((int)-ret));
	else
		PUT(") = %" PRId64, ret);
#undef PUT
	return n;
}
