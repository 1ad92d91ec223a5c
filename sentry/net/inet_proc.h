/* SPDX-License-Identifier: Apache-2.0 */
/* The loopback stack's sockets as /proc/net/{tcp,udp,tcp6,udp6} lines. */
#ifndef CVISOR_SENTRY_NET_INET_PROC_H
#define CVISOR_SENTRY_NET_INET_PROC_H

#include <stdio.h>

/* Append one line per TCP (@tcp) or UDP socket holding a port, of the v6
 * (@v6) or v4 file, to @f. */
void inet_proc_sockets(FILE *f, int tcp, int v6);

#endif
