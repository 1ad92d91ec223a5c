/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sockets of every family: one operations table per family, one file type.
 *
 * A socket is a struct file whose ops are sock_fops and whose priv is a
 * struct sock embedded (first member or anywhere: container_of) in the
 * family's own object.  The syscall layer (sentry/syscalls/sys_net*.c)
 * copies arguments between the application and the Sentry and calls
 * s->ops; every op works on Sentry memory and returns a negative errno.
 *
 * Families: a struct sock_family per (family, network mode) in the table of
 * socket.c (one line each): AF_UNIX (unix_ops.c), AF_INET/AF_INET6 on the
 * Sentry's loopback stack (inet*.c) when the sandbox's mode is NET_NONE, and
 * the host network (hostinet.c) for NET_HOST; AF_NETLINK (netlink.c).
 * sock_create() picks the first entry whose family matches and whose
 * @modes include the kernel's net mode.
 *
 * Adding a family: write its sock_ops and a struct sock_family with
 * create() (validates type and protocol: -ESOCKTNOSUPPORT,
 * -EPROTONOSUPPORT), which allocates the object, sets its struct sock with
 * sock_init() and makes the file with sock_file_new(); add one line to the
 * table in socket.c.  Ops left NULL answer as Linux's sock_no_* do
 * (-EOPNOTSUPP; poll: never ready; ioctl: -ENOTTY).  An ioctl the family
 * answers with -ENOTTY falls to the interface requests (SIOCGIFCONF,
 * SIOCGIFINDEX, ... as dev_ioctl: the loopback interface lo); a family
 * with other interfaces (hostinet) answers them itself.
 *
 * Addresses: struct sock_addr is what the application passed, copied in
 * unvalidated (len 0..sizeof(sockaddr_storage)); each family validates its
 * own (-EINVAL, -EAFNOSUPPORT).  Returned names are copied out truncated to
 * the caller's buffer with the full length reported, by the syscall layer.
 *
 * Blocking: ops receive @nonblock (the file's O_NONBLOCK; send and recv
 * also honour MSG_DONTWAIT in @flags) and block interruptibly themselves
 * (-ERESTARTSYS, -EINTR with a timeout, -EAGAIN), at most 50 ms at a time
 * between checks of task_interrupted().  Every state change that can make
 * a socket readable or writable must call vfs_notify() (sentry/vfs/
 * notify.h) so that poll/select/epoll re-scan; a family whose readiness
 * comes from outside (host sockets) needs a thread that watches it and
 * calls vfs_notify().
 *
 * The network mode: enum net_mode of sentry/kernel/kernel.h, set per
 * sandbox with kernel_set_net_mode() (or kernel_opts.net_mode) before the
 * application starts.
 */
#ifndef CVISOR_SENTRY_NET_SOCKET_H
#define CVISOR_SENTRY_NET_SOCKET_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

struct file;
struct task;
struct sock;

/* A socket address as the application gave it or will see it. */
struct sock_addr {
	socklen_t len;
	struct sockaddr_storage ss;
};

/* SO_PEERCRED / SCM_CREDENTIALS layout (struct ucred). */
struct sock_cred {
	int32_t pid;
	uint32_t uid, gid;
};

/* SOL_SOCKET ancillary data of one message (AF_UNIX uses it; other
 * families ignore it).  Sending: @files are references handed to the
 * socket layer (taken over on success, left to the caller on error).
 * Receiving: references for the caller to install or put. */
struct sock_ctl {
	struct file **files;
	int nfiles;
	int has_cred;
	struct sock_cred cred;
	/* Families but AF_UNIX: the whole control buffer of a send, as the
	 * application gave it; the family checks it (sock_cmsg_check) where
	 * Linux does and reads its own levels (IPPROTO_IP, IPPROTO_IPV6). */
	const uint8_t *raw;
	size_t rawlen;
};
void sock_ctl_release(struct sock_ctl *c);

/* One control message a receive hands back (IP_TTL, IPV6_HOPLIMIT...). */
struct sock_cmsg {
	int level, type;
	unsigned len;
	uint8_t data[24];
};
#define SOCK_CMSG_MAX 4

/* What a receive found besides the data. */
struct sock_recv_info {
	struct sock_addr from; /* sender's name (len 0: none) */
	struct sock_ctl ctl;   /* files (MSG_PEEK: new references) and creds */
	int truncated;         /* datagram longer than the buffer (MSG_TRUNC) */
	size_t full_len;       /* the datagram's length */
	struct sock_cmsg cmsg[SOCK_CMSG_MAX]; /* put before SOL_SOCKET ones */
	int ncmsg;
};

struct sock_ops {
	int (*bind)(struct task *t, struct sock *s, const struct sock_addr *a);
	int (*listen)(struct task *t, struct sock *s, int backlog);
	/* connect(2); AF_UNSPEC on a datagram socket disconnects. */
	int (*connect)(struct task *t, struct sock *s, const struct sock_addr *a, int nonblock);
	/* accept4(2): the new socket's file (@fflags: O_NONBLOCK) and the
	 * peer's name. */
	int (*accept)(struct task *t, struct sock *s, unsigned fflags, int nonblock,
		      struct file **ret, struct sock_addr *ret_peer);
	/* Send @len bytes (to @to when not NULL; @ctl may be NULL).  Returns
	 * bytes queued or a negative errno (-EPIPE: the caller raises
	 * SIGPIPE unless MSG_NOSIGNAL).  Stream sockets may queue less than
	 * @len only when interrupted or non-blocking. */
	ssize_t (*send)(struct task *t, struct sock *s, const void *buf, size_t len, int flags,
			int nonblock, const struct sock_addr *to, struct sock_ctl *ctl);
	/* Receive up to @len bytes; @info (never NULL, zeroed by the caller)
	 * gets the rest; the caller releases info->ctl.  With MSG_TRUNC on a
	 * datagram, returns the datagram's full length. */
	ssize_t (*recv)(struct task *t, struct sock *s, void *buf, size_t len, int flags,
			int nonblock, struct sock_recv_info *info);
	int (*shutdown)(struct task *t, struct sock *s, int how);
	/* getsockname (@peer 0) / getpeername (@peer 1). */
	int (*getname)(struct sock *s, int peer, struct sock_addr *ret);
	/* Options of any level; @val holds *@len bytes in (at most
	 * SOCK_OPT_MAX) and out. */
	int (*getsockopt)(struct task *t, struct sock *s, int level, int name, void *val,
			  socklen_t *len);
	int (*setsockopt)(struct task *t, struct sock *s, int level, int name, const void *val,
			  socklen_t len);
	/* ioctl(2) on the socket: copies its argument itself. */
	int64_t (*ioctl)(struct task *t, struct sock *s, unsigned cmd, uint64_t arg);
	/* Readiness now (POLLIN/POLLOUT/POLLHUP/POLLERR/POLLRDHUP...). */
	unsigned (*poll)(struct sock *s);
	/* The file is gone: take the socket down and free it. */
	void (*release)(struct sock *s);
};

/* Option values the syscall layer moves (TCP_INFO fits). */
#define SOCK_OPT_MAX 256

/* The part of every socket object that is common to all families. */
struct sock {
	const struct sock_ops *ops;
	int family, type, protocol; /* type: the base type, no flags */
	uint64_t ino;               /* st_ino, "socket:[ino]" */
};

struct sock_family {
	int family;
	unsigned modes; /* 1u << enum net_mode (kernel.h) for each mode served */
	/* socket(2): @type is the base type, @proto as given. */
	int (*create)(struct task *t, int type, int proto, unsigned fflags, struct file **ret);
	/* socketpair(2); NULL: -EOPNOTSUPP. */
	int (*socketpair)(struct task *t, int type, int proto, unsigned fflags,
			  struct file **ret_a, struct file **ret_b);
};

/* socket(2) after the generic checks: the family's socket for @t's
 * sandbox (-EAFNOSUPPORT when no family serves it in this mode).
 * @type may carry SOCK_NONBLOCK/SOCK_CLOEXEC (the latter is the caller's). */
int sock_create(struct task *t, int family, int type, int proto, struct file **ret);
int sock_socketpair(struct task *t, int family, int type, int proto, struct file **ret_a,
		    struct file **ret_b);

/* Fill the common part of a new socket. */
void sock_init(struct sock *s, const struct sock_ops *ops, int family, int type, int proto);
/* A file for @s (@fflags: O_NONBLOCK).  On success the file owns @s:
 * ops->release runs when it goes; on failure @s is still the caller's. */
int sock_file_new(struct sock *s, unsigned fflags, struct file **ret);
/* The socket behind @f, or NULL if @f is not a socket. */
struct sock *sock_of(struct file *f);

/* Helpers for families. */
/* An option value of type int (-EINVAL if shorter, as Linux). */
int sock_opt_int(const void *val, socklen_t len, int *ret);
/* Store @v of @vlen bytes as an option result, truncated to *@len. */
void sock_opt_put(void *val, socklen_t *len, const void *v, size_t vlen);
/* sock_cmsg_send: -EINVAL for a malformed header or a SOL_SOCKET message
 * other than SCM_RIGHTS/SCM_CREDENTIALS (which inet ignores). */
int sock_cmsg_check(const uint8_t *buf, size_t len);
/* SO_RCVTIMEO/SO_SNDTIMEO conversions (0 = none). */
int sock_timeo_in(const void *val, socklen_t len, uint64_t *ret_ns);
void sock_timeo_out(uint64_t ns, void *val, socklen_t *len);

/* Blocking, as every family does it: wait on @cond (with @lock held) for a
 * change, at most 50 ms and never past @deadline (CLOCK_MONOTONIC ns, 0:
 * none; sock_deadline() makes one from a SO_*TIMEO).  -EAGAIN once the
 * deadline passed; a signal gives -ERESTARTSYS, or -EINTR with a timeout
 * (Linux's sock_intr_errno); -EINTR when the task must stop; else 0 (the
 * caller re-checks).  The wait is not the task's CPU time. */
int sock_wait(struct task *t, pthread_cond_t *cond, pthread_mutex_t *lock, uint64_t deadline);
uint64_t sock_deadline(uint64_t timeo_ns);

#endif
