/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small synchronous 9P2000.L client over a unix stream socket: one request
 * in flight at a time.  Used by the tests, the benchmark and (as a starting
 * point) the Sentry's goferfs.  When the cvisor extension is negotiated,
 * an Rlopen/Rlcreate may arrive with one host fd attached (SCM_RIGHTS); it is
 * handed to the caller through *ret_fd.
 *
 * Lifecycle: p9_client_new() takes ownership of the socket on success and
 * runs Tversion; p9_client_free() closes it.  Not thread-safe.
 */
#ifndef CVISOR_GOFER_P9_CLIENT_H
#define CVISOR_GOFER_P9_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "gofer/p9.h"

struct p9_client {
	int sock;
	uint32_t msize; /* negotiated */
	bool ext;	/* P9_VERSION_L_CVISOR accepted by the server */
	uint16_t next_tag;
	uint8_t *tbuf; /* msize bytes */
	uint8_t *rbuf; /* msize bytes; decoded replies borrow from it */
};

/* Connect to a unix socket path; returns a connected fd or negative errno. */
int p9_client_dial(const char *path);

/*
 * Negotiate: send Tversion with @msize and P9_VERSION_L_CVISOR if @want_ext
 * (falling back to plain P9_VERSION_L if the server answers "unknown"), else
 * P9_VERSION_L.  c->ext tells what was agreed.  On success owns @sock.
 */
int p9_client_new(int sock, uint32_t msize, bool want_ext, struct p9_client **ret);
void p9_client_free(struct p9_client *c);

/*
 * Send @t (its tag is assigned here) and wait for the reply, decoded into
 * *ret_r (borrowing from c->rbuf until the next call).  An Rlerror becomes
 * its negative errno.  A received fd goes to *ret_fd if non-NULL (else it is
 * closed); *ret_fd is -EBADF when none arrived.
 */
int p9_client_rpc(struct p9_client *c, struct p9_msg *t, struct p9_msg *ret_r, int *ret_fd);

/* Send raw bytes (may be a hostile frame) and read one reply frame. */
int p9_client_raw(struct p9_client *c, const void *frame, size_t len, struct p9_msg *ret_r);

/* Convenience wrappers (negative errno, like rpc). */
int p9_client_attach(struct p9_client *c, uint32_t fid, const char *aname, uint32_t uid,
		     struct p9_qid *ret_qid);
/* Walk @path ("a/b/c", "" for a clone) from @fid to @newfid, at most 16 names. */
int p9_client_walk(struct p9_client *c, uint32_t fid, uint32_t newfid, const char *path,
		   struct p9_qid *ret_qid);
int p9_client_clunk(struct p9_client *c, uint32_t fid);
int p9_client_lopen(struct p9_client *c, uint32_t fid, uint32_t flags, struct p9_qid *ret_qid,
		    int *ret_fd);
int p9_client_getattr(struct p9_client *c, uint32_t fid, struct p9_attr *ret);
/* Read up to @count bytes at @off into @buf; returns bytes read. */
ssize_t p9_client_read(struct p9_client *c, uint32_t fid, uint64_t off, void *buf, uint32_t count);
ssize_t p9_client_write(struct p9_client *c, uint32_t fid, uint64_t off, const void *buf,
			uint32_t count);
/* Payload bytes a single Tread/Twrite can carry with the negotiated msize. */
uint32_t p9_client_iounit(const struct p9_client *c);

#endif
