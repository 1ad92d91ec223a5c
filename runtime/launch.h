/* SPDX-License-Identifier: Apache-2.0 */
/* Starting the helper processes of a sandbox (shared by `cvisor do` and
 * `cvisor boot`). */
#ifndef CVISOR_RUNTIME_LAUNCH_H
#define CVISOR_RUNTIME_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sentry/kernel/kernel.h"

/* A host directory the Gofer serves besides the rootfs, under the attach
 * name launch_bind_aname(index) ("/bind0", "/bind1", ...). */
struct launch_bind {
	const char *src;  /* host directory (no ':'); NULL: a Sentry tmpfs */
	const char *dest; /* absolute path in the sandbox */
	bool ro;
	bool nosuid, nodev, noexec; /* the Sentry's mount flags */
};
#define LAUNCH_BINDS_MAX 48
#define LAUNCH_ANAME_MAX 16
void launch_bind_aname(size_t index, char buf[LAUNCH_ANAME_MAX]);

/* Parse "SRC:DEST[:OPTS]" (the `cvisor boot --bind` and `cvisor do -v`
 * syntax; @spec is modified in place, @ret points into it), OPTS a comma
 * list of ro, rw, nosuid, nodev, noexec.  SRC cannot contain ':'; DEST
 * must be absolute. */
int launch_bind_parse(char *spec, struct launch_bind *ret);

/* The bind mounts of a `cvisor boot --bind` / `cvisor do -v` command line:
 * what the Gofer serves (@v) and what the kernel mounts (@k). */
struct launch_binds {
	struct launch_bind v[LAUNCH_BINDS_MAX];
	struct kernel_bind k[LAUNCH_BINDS_MAX];
	char anames[LAUNCH_BINDS_MAX][LAUNCH_ANAME_MAX];
	char *real[LAUNCH_BINDS_MAX]; /* the sources, resolved on the host */
	size_t n;
};
/* Parse @spec (launch_bind_parse; it must outlive @b) and add it; SRC is
 * resolved with realpath() and must be a directory (-ENOTDIR). */
int launch_binds_add(struct launch_binds *b, char *spec);
/* Add a tmpfs mount "DEST[:OPTS]" (`--tmpfs`): no Gofer export, a fresh
 * Sentry tmpfs (mode 1777) mounted at DEST in the same order as binds. */
int launch_binds_add_tmpfs(struct launch_binds *b, char *spec);
void launch_binds_clear(struct launch_binds *b);

/* Start `cvisor gofer --ro` (this executable) serving @rootfs, and each of
 * @binds, on one end of a socketpair; returns the other end once the
 * Gofer is ready, its pid in *ret_pid.  Call while single-threaded (fork). */
int launch_gofer(const char *rootfs, const struct launch_bind *binds, size_t nbinds,
		 pid_t *ret_pid);
/* The same without waiting: *ret_ready is the read end of the Gofer's
 * ready pipe, for launch_gofer_ready() (which closes it): 0 once the
 * Gofer serves, -EIO if it died first.  Lets the caller overlap its own
 * start-up with the Gofer's. */
int launch_gofer_async(const char *rootfs, const struct launch_bind *binds, size_t nbinds,
		       pid_t *ret_pid, int *ret_ready);
int launch_gofer_ready(int ready_fd);

/* Reap the Gofer after the Sentry has gone: it exits when its socket
 * closes; SIGKILL after about a second. */
void launch_gofer_reap(pid_t pid);

#endif
