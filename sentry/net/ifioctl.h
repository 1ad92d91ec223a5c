/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The interface ioctls of sockets (SIOCGIF*), answered from the sandbox's
 * interface table (netif.h).
 *
 * Linux splits them in two: the device ioctls (dev_ioctl: flags, mtu,
 * index, name, hardware address, SIOCGIFCONF) work on a socket of any
 * family, the address ones (devinet_ioctl: SIOCGIFADDR, NETMASK, BRDADDR,
 * DSTADDR) only on AF_INET sockets.  Set ioctls are EPERM: the sandbox has
 * no CAP_NET_ADMIN over its interfaces.
 */
#ifndef CVISOR_SENTRY_NET_IFIOCTL_H
#define CVISOR_SENTRY_NET_IFIOCTL_H

#include <stdint.h>

struct task;

/* The device ioctls, for a socket of any family: the result (0 or a
 * negative errno), -ENOTTY when @cmd is none of them. */
int64_t if_ioctl(struct task *t, unsigned cmd, uint64_t arg);
/* AF_INET sockets: the address ioctls, then if_ioctl(). */
int64_t if_inet_ioctl(struct task *t, unsigned cmd, uint64_t arg);

#endif
