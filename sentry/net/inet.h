/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AF_INET and AF_INET6 on the sandbox's loopback, served entirely by the
 * Sentry (network mode NET_NONE): no host socket is ever made.
 *
 * The only interface is lo (index 1, 127.0.0.1/8 and ::1/128).  Addresses
 * are kept as IPv6 addresses, IPv4 ones v4-mapped (::ffff:a.b.c.d), so one
 * lookup serves both families and dual-stack AF_INET6 sockets.
 *
 * SOCK_STREAM (TCP): a connection is two struct isock that point at each
 * other; each receives into a byte ring (inet_tcp.c).  connect() completes
 * at once when a listener's accept queue has room (the server side is made
 * then and waits in the queue for accept), blocks (or, non-blocking, stays
 * "in progress") while it is full, and fails with ECONNREFUSED when nobody
 * listens.  close() with unread data resets the peer (ECONNRESET).
 * SOCK_DGRAM (UDP): messages go straight to the receiving socket's queue,
 * chosen by (address, port) as Linux does; they are dropped when its
 * buffer is full (inet_udp.c).
 *
 * Locking: one lock for all inet state (inet_lock); blocked calls wait on
 * one condition in 50 ms slices, like AF_UNIX.  Every change calls
 * vfs_notify() for poll/select/epoll.  Internals are for sentry/net/inet*.c.
 */
#ifndef CVISOR_SENTRY_NET_INET_H
#define CVISOR_SENTRY_NET_INET_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>

#include "socket.h"

extern const struct sock_family inet4_family, inet6_family;

/* Linux's defaults (tcp_wmem[1], tcp_rmem[1], wmem/rmem_default and _max,
 * SOCK_MIN_SNDBUF/RCVBUF, somaxconn, ip_local_port_range). */
#define INET_TCP_SNDBUF 16384
#define INET_TCP_RCVBUF 131072
#define INET_UDP_BUF 212992
#define INET_BUF_MAX 212992
#define INET_MIN_SNDBUF 4608
#define INET_MIN_RCVBUF 2304
#define INET_SOMAXCONN 4096
#define INET_PORT_LO 32768
#define INET_PORT_HI 60999
/* What one stream receive ring holds by default (Linux autotunes loopback
 * buffers up to megabytes); SO_RCVBUF lowers it. */
#define INET_STREAM_QMAX (1u << 20)
/* Memory all queues of the sandbox may hold (tcp_mem/udp_mem): past it,
 * rings do not grow (writers wait) and datagrams are dropped. */
#define INET_MEM_MAX ((size_t)256 << 20)

enum is_state { IS_CLOSED, IS_SYN_SENT, IS_LISTEN, IS_ESTABLISHED };

#define IS_RCV_SHUT 1u
#define IS_SEND_SHUT 2u

struct idgram {
	struct idgram *next;
	size_t len;
	struct in6_addr from, to;
	uint16_t from_port;
	int ttl, tos; /* IPv4: TTL and TOS; IPv6: hop limit and traffic class */
	uint8_t data[];
};

/* Integer options stored and returned (inet.c's table). */
enum {
	IO_KEEPALIVE, IO_BROADCAST, IO_OOBINLINE, IO_PRIORITY, IO_RCVLOWAT, IO_DONTROUTE,
	IO_TIMESTAMP, IO_TIMESTAMPNS, IO_NODELAY, IO_CORK, IO_KEEPIDLE, IO_KEEPINTVL,
	IO_KEEPCNT, IO_SYNCNT, IO_LINGER2, IO_DEFER_ACCEPT, IO_WINDOW_CLAMP, IO_QUICKACK,
	IO_USER_TIMEOUT, IO_NOTSENT_LOWAT, IO_FASTOPEN, IO_TOS, IO_TTL, IO_RECVTOS,
	IO_PKTINFO, IO_RECVERR, IO_MTU_DISCOVER, IO_MC_TTL, IO_MC_LOOP, IO_FREEBIND,
	IO_BIND_NO_PORT, IO_RECVTTL, IO_V6_HOPS, IO_V6_TCLASS, IO_V6_RECVPKTINFO,
	IO_V6_MC_HOPS, IO_V6_MC_LOOP, IO_V6_RECVTCLASS, IO_V6_RECVERR, IO_V6_MTU_DISCOVER,
	IO_V6_RECVHOPLIMIT, IO_UDPLITE_SEND, IO_UDPLITE_RECV, IO_COUNT
};

/*
 * Protected by inet_lock.  Lives while referenced: by its file (until
 * release), by a peer's @peer pointer, by a listener's accept queue.
 */
struct isock {
	struct sock sk;
	int refs;
	enum is_state state;
	int dead;       /* the file is gone */
	int connecting; /* non-blocking connect not yet confirmed (SS_CONNECTING) */
	int ss_connected; /* SS_CONNECTED: stays after a reset (EISCONN) */
	/* Local name; bound: the port is taken (in the bound list). */
	int bound, user_bound; /* user_bound: by bind(), kept on disconnect */
	struct in6_addr laddr; /* :: with lany4/lany6 for wildcards */
	int lany4, lany6;      /* accepts any IPv4 / any IPv6 destination */
	uint16_t lport;
	struct isock *bound_next;
	/* Remote name: TCP peer, UDP default destination. */
	int rset;
	struct in6_addr raddr;
	uint16_t rport;
	int v6only;
	/* TCP */
	struct isock *peer; /* referenced */
	uint8_t *rbuf;      /* receive ring */
	size_t rcap, rhead, rlen;
	unsigned shut;
	int fin;        /* the peer will send nothing more (EOF after data) */
	int peer_closed; /* the peer's socket is gone: the next send resets */
	int err;        /* SO_ERROR */
	int conn_laddr; /* laddr was a wildcard made concrete by connect */
	struct isock *syn_next; /* non-blocking connects waiting for room */
	int syn_pending;
	int backlog, nacc;
	struct isock *accq, **accq_tail, *acc_next;
	/* UDP */
	struct idgram *dq, **dq_tail;
	size_t dq_bytes;
	/* Options. */
	int reuseaddr, reuseport;
	int sndbuf, rcvbuf, rcvbuf_set;
	struct linger linger;
	uint64_t rcvtimeo, sndtimeo;
	int maxseg;
	int opt[IO_COUNT];
	uint32_t uid; /* creator, for SO_REUSEPORT groups */
};

extern pthread_mutex_t inet_lock;
extern size_t inet_mem; /* bytes of rings and queued datagrams (inet_lock) */

static inline struct isock *is_of(struct sock *sk)
{
	return (struct isock *)sk;
}

void is_ref(struct isock *s);
void is_unref(struct isock *s);
/* Wake blocked calls and pollers (inet_lock held). */
void is_wake(void);
/* Wait for a change (inet_lock held), as us_wait. */
int is_wait(struct task *t, uint64_t deadline);
uint64_t is_deadline(uint64_t timeo);
/* A new socket like @proto's (for accept) without a file. */
struct isock *is_new(int family, int type, int proto);
int is_file(struct isock *s, unsigned fflags, struct file **ret);
/* The loopback socket behind @f, or NULL (not a socket, or another family
 * or stack). */
struct isock *is_of_file(struct file *f);

/* Addresses. */
int is_v4(const struct in6_addr *a);
int is_loopback(const struct in6_addr *a);
/* The application's address for @s: -EINVAL / -EAFNOSUPPORT.  @bind
 * follows inet_bind's compatibility rules (AF_UNSPEC + INADDR_ANY). */
int is_addr_in(struct isock *s, const struct sock_addr *a, int bind, struct in6_addr *ret,
	       uint16_t *ret_port);
/* The name of (@a, @port) as @s's family shows it. */
void is_addr_out(struct isock *s, const struct in6_addr *a, uint16_t port,
		 struct sock_addr *ret);
/* Where a connect or send to @dst goes: -ENETUNREACH off loopback; the
 * unspecified address means loopback. */
int is_route(struct isock *s, struct in6_addr *dst);
/* May @s take @port with its address?  (inet_csk_bind_conflict) */
int is_port_free(const struct isock *s, uint16_t port);
/* Take an ephemeral port with the source for @dst (inet_lock held). */
int is_autobind_locked(struct isock *s, const struct in6_addr *dst);
void is_unbind_locked(struct isock *s);
/* Insert @s (bound to its lport, a child of a listener) (inet_lock held). */
void is_link_bound(struct isock *s);
/* Does (@a, @port) reach @s? 2: by its exact address, 1: wildcard, 0. */
int is_matches(const struct isock *s, const struct in6_addr *a, uint16_t port);
/* The bound sockets of a protocol (IPPROTO_*) (inet_lock held). */
struct isock *is_bound_list(int proto);

/* TCP (inet_tcp.c) and UDP (inet_udp.c) operations. */
int tcp_listen(struct task *t, struct sock *sk, int backlog);
int tcp_connect(struct task *t, struct sock *sk, const struct sock_addr *a, int nonblock);
int tcp_accept(struct task *t, struct sock *sk, unsigned fflags, int nonblock,
	       struct file **ret, struct sock_addr *ret_peer);
ssize_t tcp_send(struct task *t, struct sock *sk, const void *buf, size_t len, int flags,
		 int nonblock, const struct sock_addr *to, struct sock_ctl *ctl);
ssize_t tcp_recv(struct task *t, struct sock *sk, void *buf, size_t len, int flags,
		 int nonblock, struct sock_recv_info *info);
unsigned tcp_poll_locked(struct isock *s);
/* Take down a TCP socket whose file is gone or (@reset) an unaccepted
 * child (inet_lock held). */
void tcp_release_locked(struct isock *s, int reset);
int tcp_shutdown_locked(struct isock *s, int how);
/* A restored connect in progress (checkpoint: state IS_SYN_SENT,
 * connecting): queued last among the attempts waiting for room, and tried
 * at once (inet_lock held). */
void tcp_syn_restore_locked(struct isock *s);
/* struct tcp_info's tcpi_state. */
int tcp_state(const struct isock *s);

int udp_connect(struct task *t, struct sock *sk, const struct sock_addr *a, int nonblock);
ssize_t udp_send(struct task *t, struct sock *sk, const void *buf, size_t len, int flags,
		 int nonblock, const struct sock_addr *to, struct sock_ctl *ctl);
ssize_t udp_recv(struct task *t, struct sock *sk, void *buf, size_t len, int flags,
		 int nonblock, struct sock_recv_info *info);
unsigned udp_poll_locked(struct isock *s);
void udp_release_locked(struct isock *s);

/* Options (inet_opt.c). */
int inet_getsockopt(struct task *t, struct sock *sk, int level, int name, void *val,
		    socklen_t *len);
int inet_setsockopt(struct task *t, struct sock *sk, int level, int name, const void *val,
		    socklen_t len);
void inet_opts_init(struct isock *s);

#endif
