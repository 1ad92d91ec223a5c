/* SPDX-License-Identifier: Apache-2.0 */
/* Starting the helper processes of a sandbox (shared by `cvisor do` and
 * `cvisor boot`). */
#ifndef CVISOR_RUNTIME_LAUNCH_H
#define CVISOR_RUNTIME_LAUNCH_H

#include <sys/types.h>

/* Start `cvisor gofer --ro` (this executable) serving @rootfs on one end
 * of a socketpair; returns the other end once the Gofer is ready, its pid
 * in *ret_pid.  Call while single-threaded (fork). */
int launch_gofer(const char *rootfs, pid_t *ret_pid);

/* Reap the Gofer after the Sentry has gone: it exits when its socket
 * closes; SIGKILL after about a second. */
void launch_gofer_reap(pid_t pid);

#endif
