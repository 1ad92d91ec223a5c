/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals of the AF_UNIX implementation shared by unix.c (objects,
 * queues, data transfer, file operations) and unix_name.c (names,
 * connections, options).  Not for use outside sentry/net/, but for the
 * checkpoint of sockets (sentry/kernel/ckpt_sock.c).
 */
#ifndef CVISOR_SENTRY_NET_UNIX_IMPL_H
#define CVISOR_SENTRY_NET_UNIX_IMPL_H

#include <pthread.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "unix.h"

struct vnode;

#define US_RCV_SHUT 1u  /* no more data will arrive / be read */
#define US_SEND_SHUT 2u /* no more data may be sent */

enum us_state { US_UNCONN, US_LISTEN, US_CONN };

/* One queued message (stream: one write's worth, consumed from @off). */
struct uchunk {
	struct uchunk *next;
	struct usock *sender; /* referenced; charged @charge bytes of wmem */
	size_t charge;
	size_t len, off;
	struct sock_ctl ctl;   /* files owned by the chunk */
	struct unix_addr from; /* sender's name when sent (len 0: unnamed) */
	uint8_t data[];
};

/*
 * Everything below is protected by unix_lock.  A usock lives while it has
 * references: its file (or, before accept, the listener's queue), and each
 * socket whose peer pointer names it.  @dead is set when the file goes.
 */
struct usock {
	struct sock sk; /* family, type, st_ino; set once */
	int refs;
	int type;
	enum us_state state;
	int dead;
	struct usock *peer;           /* referenced */
	struct uchunk *rq, **rq_tail; /* receive queue */
	size_t rq_bytes;
	int rq_count;
	size_t wmem;                  /* bytes sent, still queued somewhere */
	unsigned shut;                /* US_RCV_SHUT | US_SEND_SHUT */
	int err;                      /* SO_ERROR, cleared when read */
	/* Name: addr.len 0 = unbound. */
	struct unix_addr addr;
	struct vnode *bound_v;        /* path names: the socket inode */
	dev_t bound_dev;
	uint64_t bound_ino;
	struct usock *bound_next;     /* list of named sockets */
	/* Listeners: embryo sockets waiting for accept (a reference each). */
	int backlog;
	struct usock *accq, **accq_tail, *acc_next;
	int nacc;
	struct sock_cred cred;        /* of the creator at listen/connect */
	struct sock_cred peercred;    /* SO_PEERCRED */
	int has_peercred;
	int passcred, reuseaddr, keepalive;
	/* Accepted and reported, without effect on AF_UNIX (as on Linux). */
	int broadcast, oobinline, priority, rcvlowat;
	struct linger linger;
	int sndbuf, rcvbuf;
	uint64_t rcvtimeo, sndtimeo;  /* ns; 0 = none */
	/* Garbage collection (unix_gc.c): the socket's file while it lives
	 * (not referenced), how many queued messages carry it, the list of
	 * sockets that have a file, and the collector's scratch state. */
	struct file *file;
	int inflight;
	struct usock *all_next, **all_pprev;
	int gc_candidate, gc_alive, gc_cnt;
};

/* Sockets with a file, and how many socket files are in flight. */
extern struct usock *us_all;
extern int us_inflight_total;

extern pthread_mutex_t unix_lock;

struct usock *us_new(int type);
void us_ref(struct usock *s);
/* Drop a reference (unix_lock held); frees at zero. */
void us_unref(struct usock *s);
/* Wake every waiter (unix_lock held). */
void us_wake(void);
/* Wait for a change (unix_lock held): 0, -EAGAIN past @deadline (ns of
 * CLOCK_MONOTONIC, 0 = none), -EINTR / -ERESTARTSYS. */
int us_wait(struct task *t, uint64_t deadline);
uint64_t us_deadline(uint64_t timeo);
/* A file for @s, taking over one reference. */
int us_file(struct usock *s, unsigned fflags, struct file **ret);

/* Take the first chunk off @s's queue (unix_lock held); its files, if
 * any, are no longer in flight. */
struct uchunk *us_dequeue(struct usock *s);

/* Files and vnodes whose references must be dropped after unix_lock. */
struct us_grave {
	struct uchunk *chunks;
	struct vnode *vnodes[8];
	int nvnodes;
};
/* Free what was collected (unix_lock not held). */
void us_bury(struct us_grave *g);
/* Take the socket down: its file is gone, or (@embryo) a connection
 * still waiting for accept is dropped with its listener. */
void us_release_locked(struct usock *s, int embryo, struct us_grave *g);
/* Is @s in the table of names (unix_lock held)?  Put it there: restore
 * (sentry/kernel/ckpt_sock.c, which also reads struct usock). */
int us_bound_locked(struct usock *s);
void us_link_bound_locked(struct usock *s);
/* Drop @s's name (unix_lock held). */
void us_unbind_locked(struct usock *s, struct us_grave *g);

/* Look a name up (unix_lock held): the live socket bound to it or NULL.
 * Abstract names are per socket type (Linux hashes the type in); a path
 * name is its inode's @dev/@ino. */
struct usock *us_lookup_locked(const struct unix_addr *a, int type, dev_t dev, uint64_t ino);
/* Resolve a path name to its socket inode identity (unix_lock not held). */
int us_resolve(struct task *t, const struct unix_addr *a, dev_t *ret_dev, uint64_t *ret_ino);
int us_autobind_locked(struct usock *s);

/* Collect sockets reachable only from queued messages of each other: their
 * queues go to @g (unix_lock held). */
void us_gc_locked(struct us_grave *g);

#endif
