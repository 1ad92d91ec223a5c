/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Sentry side of the control socket (`cvisor boot`): accepts
 * connections on a listening socket and serves each on its own thread,
 * turning requests into sentry/kernel/control.h calls.
 */
#ifndef CVISOR_RUNTIME_CONTROL_SERVER_H
#define CVISOR_RUNTIME_CONTROL_SERVER_H

struct kernel;
struct ctl_server;

/* Before confinement: allocates what serving needs (a wake-up pipe). */
int ctl_server_new(struct kernel *k, int listen_fd, struct ctl_server **ret);
/* Serve until a Shutdown request has been answered (every process is
 * gone then); returns 0, or a negative errno if accepting failed. */
int ctl_server_run(struct ctl_server *s);

#define CTL_MAX_CONNS 64

#endif
