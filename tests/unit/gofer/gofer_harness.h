/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test harness: a scratch tree on disk, a Gofer server serving it in-process
 * on a socketpair (one thread per connection), and p9_client connections.
 *
 * Tree under h->base:
 *   root/                 exported as "/" (read-write)
 *     a.txt  "hello gofer\n"      sub/b.txt "bee\n"   sub/deep/c.txt "sea\n"
 *     hard   (hard link to a.txt)  link_in -> a.txt
 *     link_abs -> <base>/outside/secret.txt   link_rel -> ../outside/secret.txt
 *     dirlink -> ../outside         mnt/ (empty; tests may mount on it)
 *   outside/secret.txt "SECRET"   (never reachable)
 *   ro/r.txt "readonly\n"          exported as "/ro" read-only
 *   rw/                            exported as "/rw"
 */
#ifndef CVISOR_TESTS_GOFER_HARNESS_H
#define CVISOR_TESTS_GOFER_HARNESS_H

#include <pthread.h>
#include <stdbool.h>

#include "gofer/gofer_server.h"
#include "gofer/p9_client.h"

#define H_SECRET "SECRET"

struct h_conn {
	pthread_t th;
	int srv_sock; /* dup of the server end, -1 once joined */
};

struct harness {
	char base[256];
	char root[300], outside[300], ro[300], rw[300];
	struct gofer_server *srv;
	struct h_conn conns[8];
	unsigned n_conns;
};

/* Build the tree and the server (max_fids 0 = default). */
void h_setup(struct harness *h, unsigned max_fids);
/* Join every connection thread (clients must be freed first), free everything. */
void h_teardown(struct harness *h);
/* A new connection served by a new thread; returns the client's socket. */
int h_connect(struct harness *h);
/* A negotiated client (ext: ask for fd donation) attached as fid 0 to @aname. */
struct p9_client *h_client(struct harness *h, bool ext, const char *aname);
/* Shut connection @i down and join its thread. */
void h_join(struct harness *h, unsigned i);

/* Path helpers: snprintf into a static buffer ring. */
const char *h_path(const char *dir, const char *rel);
/* Read a whole small file of the real tree ("" on error). */
const char *h_read_real(const char *path);
/* Read a whole file through 9P (walk from fid 0, lopen, read, clunk) into @buf. */
int h_read_9p(struct p9_client *c, const char *path, char *buf, size_t cap);

#endif
