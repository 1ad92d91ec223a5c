/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Gofer's 9P2000.L server, usable in-process (tests run it on a
 * socketpair) or as the `cvisor gofer` process (gofer_main.c).
 *
 * Lifecycle: gofer_server_new() opens every export (the rootfs and its bind
 * mounts) as a directory fd; gofer_server_confine() then locks the process
 * down (mount namespace, chroot into an empty detached tmpfs, capabilities,
 * seccomp) — irreversible, only for the dedicated process;
 * gofer_serve_conn() serves one connection until EOF;
 * gofer_serve_listener() accepts connections, one thread each.
 */
#ifndef CVISOR_GOFER_GOFER_SERVER_H
#define CVISOR_GOFER_GOFER_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gofer_server;

/* One export.  @dst is the attach name ("/" for the rootfs, "/data", ...). */
struct gofer_export {
	const char *src;
	const char *dst;
	bool ro;
};

struct gofer_opts {
	const struct gofer_export *exports; /* exports[0] is the rootfs ("/") */
	size_t n_exports;
	uint32_t max_msize; /* 0: default (1 MiB) */
	unsigned workers;   /* per connection, 0: default (4) */
	unsigned max_fids;  /* per connection, 0: default (65536) */
	unsigned max_conns; /* 0: default (64) */
	bool no_donate;	    /* refuse the fd-donation extension */
	/*
	 * Detach each export with open_tree(OPEN_TREE_CLONE) (needs
	 * CAP_SYS_ADMIN): no submounts visible, read-only exports become
	 * read-only mounts.  When false, exports are plain O_PATH directory
	 * fds and confinement rests on openat2 alone.
	 */
	bool detach_mounts;
};

int gofer_server_new(const struct gofer_opts *opts, struct gofer_server **ret);
/* Every gofer_serve_conn() on @s must have returned. */
void gofer_server_free(struct gofer_server *s);

/* Flags for gofer_server_confine(). */
#define GOFER_CONFINE_NS 0x1u	   /* new mount/ipc/uts/net ns + chroot to an empty tmpfs */
#define GOFER_CONFINE_CAPS 0x2u	   /* drop all but the file capabilities */
#define GOFER_CONFINE_SECCOMP 0x4u /* seccomp allow-list, kills on violation */
#define GOFER_CONFINE_ALL 0x7u
int gofer_server_confine(struct gofer_server *s, unsigned flags);

/* Serve one connected unix stream socket until EOF; takes ownership of @sock. */
int gofer_serve_conn(struct gofer_server *s, int sock);

/* Accept loop on a listening socket; returns only on a fatal error. */
int gofer_serve_listener(struct gofer_server *s, int lsock);

#endif
