/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Confinement of the Sentry process (DESIGN.md §1–2, docs/security.md).
 *
 * Two stages, called by the launcher (`cvisor do`, `cvisor demo`):
 *
 *  1. confine_spawn_sentry(), while the launcher is still single-threaded
 *     and after it started the Gofer: a child enters new user, mount, pid,
 *     ipc, uts, net (not with CONFINE_HOST_NET) and cgroup namespaces (the invoking uid and gid are
 *     mapped to root inside, nothing else is mapped) and forks the Sentry,
 *     pid 1 of the new pid namespace.  Three host processes result:
 *         launcher ── ns keeper ── Sentry (comm "cvisor-sentry")
 *     The launcher returns 1 from the call once the Sentry has exited, with
 *     the Sentry's exit status; the Sentry returns 0 and goes on with the
 *     kernel's setup (platform and stub holder, Gofer connection, stdio).
 *     The ns keeper only waits; every process below the launcher dies with
 *     its parent (PR_SET_PDEATHSIG).
 *
 *  2. confine_lock(), in the Sentry after setup and before the first
 *     application instruction: chroot into an empty read-only tmpfs, drop
 *     every capability (bounding, ambient, effective, permitted,
 *     inheritable), set no_new_privs, and install the seccomp allow-list of
 *     host syscalls on all Sentry threads (TSYNC).  Anything outside the
 *     list kills the Sentry (CONFINE_SECCOMP_KILL).
 *
 * The stub holder is cloned by the platform before stage 2 and forks every
 * stub, so stubs do not inherit the Sentry's filter; they have their own
 * (platform/stub/stub_filter.c) and nested namespaces owned by the
 * Sentry's user namespace, which is what lets the capability-less Sentry
 * ptrace them and use process_vm_readv/writev on them.
 *
 * Errors: negative errno.
 */
#ifndef CVISOR_SENTRY_CONFINE_H
#define CVISOR_SENTRY_CONFINE_H

#include <stddef.h>

enum confine_seccomp_mode {
	CONFINE_SECCOMP_KILL = 0,  /* default: a forbidden syscall kills the Sentry */
	CONFINE_SECCOMP_LOG = 1,   /* debug: allowed, but logged to the audit log */
	CONFINE_SECCOMP_ERRNO = 2, /* debug: fails with ENOSYS */
};

/* Flags of confine_spawn_sentry(), confine_lock() and
 * confine_seccomp_install(). */
enum {
	/* Host network mode (docs/security.md "Host network mode"): the
	 * Sentry stays in the host's network namespace instead of a new empty
	 * one, and its filter also allows the host socket calls of
	 * sentry/net/hostinet.c (confine_hostnet_syscalls()). */
	CONFINE_HOST_NET = 1u << 0,
};

/* CVISOR_SECCOMP=log|errno selects a debug mode; anything else (or unset)
 * is CONFINE_SECCOMP_KILL. */
enum confine_seccomp_mode confine_seccomp_mode_from_env(void);

/* Stage 1 (see above).  Returns 0 in the Sentry, 1 in the launcher with
 * *ret_status set to the Sentry's exit status (128 + signal if it was
 * killed), negative errno on failure (in the launcher, nothing created). */
int confine_spawn_sentry(unsigned flags, int *ret_status);

/* Stage 2 (see above).  Not undone on failure: the caller must exit. */
int confine_lock(enum confine_seccomp_mode mode, unsigned flags);

/* End the confined Sentry: flush stdio, then _exit(@status) without
 * at-exit handlers.  LeakSanitizer's at-exit check (sanitizer builds) needs
 * /proc/self/maps and a ptrace-ing helper process, which the empty root and
 * the allow-list refuse; run with --no-confine to leak-check the Sentry. */
_Noreturn void confine_exit(int status);

/* The seccomp part of stage 2 alone (no_new_privs must be set or the
 * caller must have CAP_SYS_ADMIN). */
int confine_seccomp_install(enum confine_seccomp_mode mode, unsigned flags);

/* Names of the host syscalls the filter allows in some form (sorted as in
 * docs/security.md: by name); *ret points to a static array. */
size_t confine_allowed_syscalls(const char *const **ret);

/* The syscalls CONFINE_HOST_NET adds (docs/security.md lists them in their
 * own table, sorted by name); *ret points to a static array. */
size_t confine_hostnet_syscalls(const char *const **ret);

/* The ioctl requests the filter allows (the `ioctl` row of
 * docs/security.md names each); *ret points to a static array. */
size_t confine_allowed_ioctls(const unsigned long **ret);

#endif
