/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AF_NETLINK sockets, NETLINK_ROUTE only (other protocols are
 * EPROTONOSUPPORT), served by the Sentry: the "kernel" end answers
 * RTM_GETLINK / RTM_GETADDR from the sandbox's interface table (netif.h),
 * enough for getifaddrs(), if_nameindex() and `ip addr`.
 *
 * A socket is a struct nlsock (struct sock first, socket.h).  Messages
 * to the kernel (nl_pid 0) are processed synchronously inside the send,
 * their answers queued on the sender as datagrams (a dump packs its
 * messages into datagrams of at most NL_DUMP_SIZE bytes, NLMSG_DONE in the
 * last one).  Messages to another socket's port id are queued on it.
 *
 * Port ids are sandbox-wide, as in one Linux network namespace: autobind
 * (on bind with nl_pid 0, connect or the first send) takes the caller's
 * tgid if free, else -4096, -4097, ...
 *
 * Every application message is hostile: lengths and alignment
 * are checked as Linux's netlink_rcv_skb does.
 *
 * Locking: one lock (nl_lock in netlink.c) for every netlink socket.
 */
#ifndef CVISOR_SENTRY_NET_NETLINK_H
#define CVISOR_SENTRY_NET_NETLINK_H

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "socket.h"

struct task;
struct nlsock;

#define NL_BUF_DEFAULT 212992 /* net.core.rmem_default / wmem_default */
#define NL_DUMP_SIZE 4096     /* bytes of dump messages per datagram */

/* AF_NETLINK in socket.c's family table (every network mode). */
extern const struct sock_family netlink_family;

/* ---- between netlink.c and the protocol (netlink_route.c) ---- */

/* Queue @len bytes on @s as one datagram from the kernel (nl_lock held).
 * -ENOBUFS (and the socket's error set) when its receive buffer is full. */
int netlink_queue_locked(struct nlsock *s, const void *buf, size_t len);
/* The socket's port id and NETLINK_CAP_ACK (nl_lock held). */
uint32_t netlink_portid_locked(struct nlsock *s);
int netlink_cap_ack_locked(struct nlsock *s);

/* NETLINK_ROUTE: process the messages in @buf sent by @s (nl_lock held),
 * queueing answers on @s.  @t: the sender (credentials). */
void netlink_route_input_locked(struct task *t, struct nlsock *s, const uint8_t *buf, size_t len);

#endif
