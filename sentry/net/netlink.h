/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AF_NETLINK sockets, NETLINK_ROUTE only (other protocols are
 * EPROTONOSUPPORT), served by the Sentry: the "kernel" end answers
 * RTM_GETLINK / RTM_GETADDR from the sandbox's interface table (netif.h),
 * enough for getifaddrs(), if_nameindex() and `ip addr`.
 *
 * Each socket is one struct file whose priv is a struct nlsock.  Messages
 * to the kernel (nl_pid 0) are processed synchronously inside the send,
 * their answers queued on the sender as datagrams (a dump packs its
 * messages into datagrams of at most NL_DUMP_SIZE bytes, NLMSG_DONE in the
 * last one).  Messages to another socket's port id are queued on it.
 *
 * Port ids are sandbox-wide, as in one Linux network namespace: autobind
 * (on bind with nl_pid 0, connect or the first send) takes the caller's
 * tgid if free, else -4096, -4097, ...
 *
 * Everything here works on Sentry memory; the syscall layer copies names
 * and data.  Every application message is hostile: lengths and alignment
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

struct file;
struct task;
struct nlsock;

#define NL_BUF_DEFAULT 212992 /* net.core.rmem_default / wmem_default */
#define NL_DUMP_SIZE 4096     /* bytes of dump messages per datagram */

/* socket(AF_NETLINK, @type, @protocol): -ESOCKTNOSUPPORT for a type but
 * SOCK_RAW/SOCK_DGRAM, -EPROTONOSUPPORT for a protocol but NETLINK_ROUTE.
 * @fflags may carry O_NONBLOCK. */
int netlink_socket(int type, int protocol, unsigned fflags, struct file **ret);
/* The socket behind @f, or NULL. */
struct nlsock *netlink_sock(struct file *f);

/* bind(2)/connect(2) with @len bytes of the application's address. */
int netlink_bind(struct task *t, struct nlsock *s, const void *addr, size_t len);
int netlink_connect(struct task *t, struct nlsock *s, const void *addr, size_t len);
/* getsockname (@peer 0) / getpeername (@peer 1). */
int netlink_getname(struct nlsock *s, int peer, struct sockaddr_nl *ret);

/* sendmsg(2): @to NULL (with @tolen 0) for the connected destination.
 * Returns @len or a negative errno. */
ssize_t netlink_send(struct task *t, struct nlsock *s, const void *buf, size_t len, int flags,
		     const void *to, size_t tolen);
/* recvmsg(2): up to @len bytes of the next datagram (MSG_PEEK leaves it
 * queued, MSG_DONTWAIT or @nonblock do not wait); *@ret_truncated when it
 * was longer, *@ret_full its length, *@ret_from its sender.  Returns the
 * bytes copied. */
ssize_t netlink_recv(struct task *t, struct nlsock *s, void *buf, size_t len, int flags,
		     int nonblock, struct sockaddr_nl *ret_from, int *ret_truncated,
		     size_t *ret_full);

/* SOL_SOCKET and SOL_NETLINK options; @val holds *@len bytes in and out. */
int netlink_getsockopt(struct nlsock *s, int level, int name, void *val, socklen_t *len);
int netlink_setsockopt(struct nlsock *s, int level, int name, const void *val, socklen_t len);

/* ---- between netlink.c and the protocol (netlink_route.c) ---- */

/* Queue @len bytes on @s as one datagram from the kernel (nl_lock held).
 * -ENOBUFS (and the socket's error set) when its receive buffer is full. */
int netlink_queue_locked(struct nlsock *s, const void *buf, size_t len);
/* The socket's port id and NETLINK_CAP_ACK (nl_lock held). */
uint32_t netlink_portid_locked(struct nlsock *s);
int netlink_cap_ack_locked(struct nlsock *s);

/* NETLINK_ROUTE: process the messages in @buf sent by @s (nl_lock held),
 * queueing answers on @s.  @t: the sender (credentials). */
void rtnl_input_locked(struct task *t, struct nlsock *s, const uint8_t *buf, size_t len);

#endif
