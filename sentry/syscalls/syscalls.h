/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Syscall dispatch.  The table is generated from syscalls.tbl; handlers are
 * `int64_t sys_<name>(struct task *t, const uint64_t a[6])` and return the
 * guest value (a negative errno for errors, host errors translated
 * explicitly).
 */
#ifndef CVISOR_SENTRY_SYSCALLS_H
#define CVISOR_SENTRY_SYSCALLS_H

#include <stddef.h>
#include <stdint.h>

struct task;

#define SYSCALL_NR_MAX 512

enum syscall_status {
	SC_ENOSYS = 0,
	SC_PARTIAL,
	SC_SUPPORTED,
};

typedef int64_t (*syscall_fn)(struct task *t, const uint64_t a[6]);

struct syscall_desc {
	const char *name;     /* NULL for numbers the table does not list */
	enum syscall_status status;
	syscall_fn fn;        /* NULL when status == SC_ENOSYS */
	const char *args;     /* argument formats, see syscalls.tbl */
	const char *note;
};

extern const struct syscall_desc syscall_table[SYSCALL_NR_MAX];

/*
 * Serve syscall @nr for @t.  Numbers without a handler return -ENOSYS; the
 * first time a given number is seen, *ret_first_unknown is set to 1 so that
 * the caller can log it once (library code does not log).
 */
int64_t syscall_dispatch(struct task *t, uint64_t nr, const uint64_t a[6], int *ret_first_unknown);

/* Name of @nr, or NULL. */
const char *syscall_name(uint64_t nr);

/*
 * Format "name(arg, ...) = ret" for --strace into @buf; strings are not read
 * (pointers print as hex) — the caller may decode them.  Returns the length
 * (truncated to @len - 1).
 */
size_t syscall_format(char *buf, size_t len, uint64_t nr, const uint64_t a[6], int64_t ret);

/* The same, with string arguments ('s') read through @rd (the
 * application's memory) and shown quoted; unreadable ones stay hex. */
typedef long (*syscall_mem_reader)(void *ctx, uint64_t addr, void *buf, size_t len);
size_t syscall_format_mem(char *buf, size_t len, uint64_t nr, const uint64_t a[6], int64_t ret,
			  syscall_mem_reader rd, void *ctx);

#endif
