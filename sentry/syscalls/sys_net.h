/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the socket syscalls (sys_net.c, sys_net_msg.c).
 */
#ifndef CVISOR_SENTRY_SYSCALLS_SYS_NET_H
#define CVISOR_SENTRY_SYSCALLS_SYS_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include "lib/macro.h"
#include "sentry/vfs/file.h"

struct task;
struct sock;
struct sock_addr;

static inline void net_filep(struct file **f)
{
	file_put(*f);
}
#define _cleanup_file_ _cleanup_(net_filep)

/* The socket at @fd: a file reference in *@ret_f; -EBADF, -ENOTSOCK. */
int net_sock_get(struct task *t, int fd, struct file **ret_f, struct sock **ret_s);

#define SOCK_ARG(t, fd, f, s)                                    \
	do {                                                     \
		int _r = net_sock_get(t, fd, &(f), &(s));        \
		if (_r < 0)                                      \
			return _r;                               \
	} while (0)

/* O_NONBLOCK of the description now. */
int net_nonblocking(struct file *f);
/* move_addr_to_kernel: up to sockaddr_storage, -EINVAL / -EFAULT. */
int net_addr_in(struct task *t, uint64_t uaddr, int64_t ulen, struct sock_addr *a);
/* move_addr_to_user: copy what fits into @uaddr, store the full length. */
int net_addr_out(struct task *t, const struct sock_addr *a, uint64_t uaddr, uint64_t ulenp);
/* SIGPIPE for the calling thread (EPIPE without MSG_NOSIGNAL). */
void net_sigpipe(struct task *t);

#endif
