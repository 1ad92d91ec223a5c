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
	return syscall_format_mem(buf, len, nr, a, ret, NULL, NULL);
}

/* Up to 48 bytes of the string at @addr, quoted and escaped like strace. */
static size_t format_str(char *buf, size_t len, uint64_t addr, syscall_mem_reader rd, void *ctx)
{
	char s[49];
	long got = addr ? rd(ctx, addr, s, sizeof(s) - 1) : -1;
	size_t n = 0, i;

	if (got <= 0)
		return (size_t)snprintf(buf, len, "0x%" PRIx64, addr);
	n += (size_t)snprintf(buf, len, "\"");
	for (i = 0; i < (size_t)got && s[i] && n + 6 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			n += (size_t)snprintf(buf + n, len - n, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	if (n + 5 < len)
		n += (size_t)snprintf(buf + n, len - n, "\"%s", i == (size_t)got && got == 48 ? "..." : "");
	return n < len ? n : len - 1;
}

size_t syscall_format_mem(char *buf, size_t len, uint64_t nr, const uint64_t a[6], int64_t ret,
			  syscall_mem_reader rd, void *ctx)
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
			case 'd': /* an int in a register: AT_FDCWD is -100, not 4294967196 */
				if (a[i] >> 32 == 0 && (int32_t)a[i] < 0)
					PUT("%" PRId32, (int32_t)a[i]);
				else
					PUT("%" PRId64, (int64_t)a[i]);
				break;
			case 's':
				if (rd && n < len - 1)
					n += format_str(buf + n, len - n, a[i], rd, ctx);
				else
					PUT("0x%" PRIx64, a[i]);
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
