/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host network mode (NET_HOST): AF_INET and AF_INET6 sockets of the
 * application are host sockets that the Sentry creates, owns and drives
 * on its behalf (gVisor's hostinet).  The application only ever holds a
 * Sentry socket file; the host fd never leaves the Sentry.
 *
 * Each call is served by the Sentry on a non-blocking host socket:
 * addresses are bounded Sentry copies the host protocol validates, data
 * moves through Sentry buffers, socket options are an allowlist
 * (hostinet.c), control messages are rebuilt (UDP's IP-level ones only,
 * never SOL_SOCKET), ioctl is FIONREAD/SIOCOUTQ.
 * Blocking calls poll the host fd in 50 ms slices, checking the task in
 * between, so a signal or a kill reaches a task blocked in accept or recv;
 * SO_RCVTIMEO/SO_SNDTIMEO are kept by the Sentry.  One watcher thread
 * waits on a host epoll set of every host socket (edge-triggered) and
 * calls vfs_notify() on each change, so poll/select/epoll in the sandbox
 * see host readiness at once.
 *
 * The Sentry must run with CONFINE_HOST_NET (sentry/kernel/confine.h):
 * in the host network namespace and with the socket calls in its filter.
 */
#ifndef CVISOR_SENTRY_NET_HOSTINET_H
#define CVISOR_SENTRY_NET_HOSTINET_H

#include "sentry/net/socket.h"

extern const struct sock_family hostinet_family;  /* AF_INET */
extern const struct sock_family hostinet6_family; /* AF_INET6 */

#endif
