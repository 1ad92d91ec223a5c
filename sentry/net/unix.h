/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AF_UNIX sockets served entirely by the Sentry (never host sockets).
 *
 * Each socket is one socket file (socket.h) whose struct sock is embedded
 * in a struct usock (unix.c); unix_ops.c adapts the functions below to the
 * generic struct sock_ops.
 * SOCK_STREAM keeps no message boundaries; SOCK_DGRAM and SOCK_SEQPACKET
 * do.  Names are either file-system paths (a S_IFSOCK vnode created through
 * the directory's create op; the binding is keyed by the vnode's device and
 * inode number) or abstract names (a leading NUL byte) in a table of the
 * Sentry process, i.e. of the sandbox.
 *
 * Every function here works on Sentry memory: the syscall layer
 * (sentry/syscalls/sys_net.c) copies addresses, data and control messages
 * from and to the application and installs received descriptors.
 *
 * Locking: one lock for all AF_UNIX state (connections touch two or three
 * sockets at once; contention is low).  Blocked calls wait on one condition
 * in 50 ms slices and give up with -EINTR / -ERESTARTSYS like pipes.
 * Files carried in SCM_RIGHTS messages are put outside that lock; cycles
 * of sockets held only by such messages are collected (unix_gc.c).
 */
#ifndef CVISOR_SENTRY_NET_UNIX_H
#define CVISOR_SENTRY_NET_UNIX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "socket.h"

struct file;
struct task;
struct usock;

/* Linux's defaults: net.core.wmem_default, net.unix.max_dgram_qlen. */
#define UNIX_BUF_DEFAULT 212992
#define UNIX_BUF_MAX (2 * 212992)
#define UNIX_BUF_MIN 4608
#define UNIX_DGRAM_QLEN 10
#define UNIX_SOMAXCONN 4096
#define UNIX_SCM_MAX_FD 253

/* A socket name as the application sees it: len bytes of sa (2 = unnamed). */
struct unix_addr {
	socklen_t len;
	struct sockaddr_un sa;
};

/* What a receive found besides the data. */
struct unix_recv_info {
	struct unix_addr from; /* sender's name (len 0: unnamed) */
	struct sock_ctl ctl;   /* files (MSG_PEEK: new references) and creds */
	int truncated;         /* datagram longer than the buffer (MSG_TRUNC) */
	size_t full_len;       /* the datagram's length */
};

/* The family (socket.c's table) and its operations (unix_ops.c). */
extern const struct sock_family unix_family;
extern const struct sock_ops unix_sock_ops;

/* The socket behind @f, or NULL if @f is not an AF_UNIX socket. */
struct usock *unix_sock(struct file *f);
int unix_type(struct usock *s);

/* The credentials a socket records for @t (pid = tgid, euid, egid). */
struct sock_cred unix_task_cred(struct task *t);

/* socket(2): @type is the base type (validated by the caller); @fflags may
 * carry O_NONBLOCK. */
int unix_socket(int type, unsigned fflags, struct file **ret);
/* socketpair(2): two connected sockets, each with @cred as SO_PEERCRED. */
int unix_socketpair(int type, unsigned fflags, struct sock_cred cred, struct file **ret_a,
		    struct file **ret_b);

/* bind(2) of a validated name; path names are created relative to @t's
 * cwd.  len == sizeof(sa_family_t) autobinds an abstract name. */
int unix_bind(struct task *t, struct usock *s, const struct unix_addr *a);
int unix_listen(struct task *t, struct usock *s, int backlog);
/* connect(2); AF_UNSPEC on a datagram socket disconnects. */
int unix_connect(struct task *t, struct usock *s, const struct unix_addr *a, int nonblock);
/* accept4(2): the new socket's file (@fflags: O_NONBLOCK) and the peer's
 * name. */
int unix_accept(struct task *t, struct usock *s, unsigned fflags, int nonblock,
		struct file **ret, struct unix_addr *ret_peer);

/* Send @len bytes (to @to when not NULL).  Returns bytes queued or a
 * negative errno (-EPIPE: the caller raises SIGPIPE). */
ssize_t unix_send(struct task *t, struct usock *s, const void *buf, size_t len, int flags,
		  int nonblock, const struct unix_addr *to, struct sock_ctl *ctl);
/* Receive up to @len bytes; @info (may be NULL) gets the rest.  The caller
 * owns info->ctl.files afterwards (sock_ctl_release). */
ssize_t unix_recv(struct task *t, struct usock *s, void *buf, size_t len, int flags,
		  int nonblock, struct unix_recv_info *info);

int unix_shutdown(struct usock *s, int how);
/* getsockname (@peer 0) / getpeername (@peer 1). */
int unix_getname(struct usock *s, int peer, struct unix_addr *ret);
/* SOL_SOCKET options; @val holds *@len bytes in and out. */
int unix_getsockopt(struct usock *s, int level, int name, void *val, socklen_t *len);
int unix_setsockopt(struct usock *s, int level, int name, const void *val, socklen_t len);
/* Readiness, FIONREAD/TIOCOUTQ, and the file's end (sock_ops). */
unsigned unix_poll(struct sock *sk);
int64_t unix_ioctl(struct task *t, struct sock *sk, unsigned cmd, uint64_t arg);
void unix_release(struct sock *sk);

#endif
