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
/* The same without waiting: *ret_ready is the read end of the Gofer's
 * ready pipe, for launch_gofer_ready() (which closes it): 0 once the
 * Gofer serves, -EIO if it died first.  Lets the caller overlap its own
 * start-up with the Gofer's. */
int launch_gofer_async(const char *rootfs, pid_t *ret_pid, int *ret_ready);
int launch_gofer_ready(int ready_fd);

/* Reap the Gofer after the Sentry has gone: it exits when its socket
 * closes; SIGKILL after about a second. */
void launch_gofer_reap(pid_t pid);

#endif
