/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The gRPC server: grpc C core, one completion queue served by one thread.
 *
 * Each method of cvisor.v1.Sandboxes is registered with its payload read
 * up front (GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER), and one call per
 * method is always requested.  When a call arrives the CQ thread checks the
 * token, decodes the protobuf (malformed: INVALID_ARGUMENT) and either runs
 * the handler inline (quick bookkeeping) or hands it to a worker thread of
 * its own (anything that can block: leasing, exec, files), bounded by
 * max_inflight.  A call ends with one batch: initial metadata, the message,
 * the status, and RECV_CLOSE_ON_SERVER; its completion frees the call.
 * Streams send one message at a time: the worker starts the batch and
 * waits for the CQ thread to report its completion.
 */
#define LOG_PREFIX "cvisord"
#include "server/grpc.h"
#include "server/grpc_call.h"

#include <errno.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/log.h>
#include <grpc/support/time.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/macro.h"

#define GSTATUS_N 17 /* OK .. UNAUTHENTICATED */
#define SVC_PREFIX_LEN (sizeof("/cvisor.v1.Sandboxes/") - 1)

enum tag_kind { TAG_NEW, TAG_OP, TAG_RECV, TAG_DONE, TAG_SHUTDOWN };

struct tag {
	enum tag_kind kind;
	void *p;
};

struct method {
	const char *path;
	const ProtobufCMessageDescriptor *in;
	srv_gcall_fn fn;
	bool open;	    /* no token needed */
	bool blocking;	    /* runs on a worker thread */
	bool client_stream; /* the handler reads the messages (srv_gcall_recv*) */
};

/* clang-format off */
#define M(name, msg, fn, open, blk) \
	{ "/cvisor.v1.Sandboxes/" name, &cvisor__v1__##msg##__descriptor, fn, open, blk, false }
static const struct method methods[] = {
	M("Health", health_request, srv_gh_health, true, false),
	M("CreatePool", create_pool_request, srv_gh_create_pool, false, true),
	M("UpdatePool", update_pool_request, srv_gh_update_pool, false, false),
	M("GetPool", get_pool_request, srv_gh_get_pool, false, false),
	M("ListPools", list_pools_request, srv_gh_list_pools, false, false),
	M("DeletePool", delete_pool_request, srv_gh_delete_pool, false, true),
	M("CreateSandbox", create_sandbox_request, srv_gh_create_sandbox, false, true),
	M("GetSandbox", get_sandbox_request, srv_gh_get_sandbox, false, false),
	M("ListSandboxes", list_sandboxes_request, srv_gh_list_sandboxes, false, false),
	M("DeleteSandbox", delete_sandbox_request, srv_gh_delete_sandbox, false, true),
	M("SetTimeout", set_timeout_request, srv_gh_set_timeout, false, false),
	M("Exec", exec_request, srv_gh_exec, false, true),
	M("ExecBlocking", exec_request, srv_gh_exec_blocking, false, true),
	M("Run", run_request, srv_gh_run, false, true),
	M("RunStream", run_request, srv_gh_run_stream, false, true),
	M("PutFile", put_file_request, srv_gh_put_file, false, true),
	M("GetFile", get_file_request, srv_gh_get_file, false, true),
	M("ListFiles", list_files_request, srv_gh_list_files, false, true),
	M("DeleteFile", delete_file_request, srv_gh_delete_file, false, true),
	M("CreateSnapshot", create_snapshot_request, srv_gh_create_snapshot, false, true),
	M("GetSnapshot", get_snapshot_request, srv_gh_get_snapshot, false, true),
	M("ListSnapshots", list_snapshots_request, srv_gh_list_snapshots, false, true),
	M("DeleteSnapshot", delete_snapshot_request, srv_gh_delete_snapshot, false, true),
	{ "/cvisor.v1.Sandboxes/ExecInteractive", &cvisor__v1__exec_input__descriptor,
	  srv_gh_exec_interactive, false, true, true },
};
/* clang-format on */
#undef M
#define NMETHODS ARRAY_SIZE(methods)

/* The pending request of one method (m NULL: any unregistered method,
 * answered UNIMPLEMENTED). */
struct slot {
	struct tag tag;
	const struct method *m;
	grpc_call_details details;
	void *handle;
	grpc_call *call;
	gpr_timespec deadline;
	grpc_metadata_array md;
	grpc_byte_buffer *payload;
};

struct gsrv {
	struct srv *s;
	grpc_server *server;
	grpc_completion_queue *cq;
	pthread_t thread;
	struct slot slots[NMETHODS + 1];
	struct tag shutdown_tag;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stopping, shutdown_done, tls;
	unsigned workers, max_workers;
	/* calls ended, by method ([NMETHODS]: unknown ones) and status code */
	atomic_uint_fast64_t ended[NMETHODS + 1][GSTATUS_N];
};

struct gcall {
	struct gsrv *g;
	const struct method *m;
	grpc_call *call;
	grpc_metadata_array md;
	ProtobufCMessage *req;
	struct tag t_op, t_done;
	/* a stream's send in flight */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool op_pending, op_ok;
	bool sent_md, finished, broken;
	atomic_int refs; /* the handler's, and the final batch's while it runs */
	int cancelled;
	grpc_byte_buffer *final_msg;
	grpc_slice details;
	bool has_details;
	grpc_metadata trailer; /* retry-after, as REST's 429/503 */
	gpr_timespec deadline; /* the client's (infinite if none) */
	/* a client stream's receive in flight */
	struct tag t_recv;
	grpc_byte_buffer *recv_bb;
	bool recv_pending, recv_ok;
	int wake_fd; /* eventfd written when a receive completes; -1 */
};

static struct gsrv *the_gsrv;

static ProtobufCMessage *decode(const ProtobufCMessageDescriptor *d, grpc_byte_buffer *bb);

struct srv *srv_gcall_srv(struct gcall *c)
{
	return c->g->s;
}

static grpc_byte_buffer *pack(const ProtobufCMessage *msg)
{
	size_t n = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = malloc(n ? n : 1);
	grpc_slice sl;
	grpc_byte_buffer *bb;

	if (!buf)
		return NULL;
	protobuf_c_message_pack(msg, buf);
	sl = grpc_slice_new(buf, n, free);
	bb = grpc_raw_byte_buffer_create(&sl, 1);
	grpc_slice_unref(sl);
	return bb;
}

static void finish(struct gcall *c, grpc_status_code code, const char *detail,
		   const ProtobufCMessage *msg)
{
	grpc_op ops[4];
	size_t n = 0;
	grpc_call_error e;

	if (c->finished)
		return;
	c->finished = true;
	if ((unsigned)code < GSTATUS_N)
		atomic_fetch_add(&c->g->ended[c->m ? (size_t)(c->m - methods) : NMETHODS][code], 1);
	memset(ops, 0, sizeof(ops));
	if (!c->sent_md) {
		ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
		n++;
		c->sent_md = true;
	}
	if (msg && code == GRPC_STATUS_OK) {
		c->final_msg = pack(msg);
		if (!c->final_msg) {
			code = GRPC_STATUS_RESOURCE_EXHAUSTED;
			detail = "out of memory";
		} else {
			ops[n].op = GRPC_OP_SEND_MESSAGE;
			ops[n].data.send_message.send_message = c->final_msg;
			n++;
		}
	}
	ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	ops[n].data.send_status_from_server.status = code;
	if (code == GRPC_STATUS_RESOURCE_EXHAUSTED || code == GRPC_STATUS_UNAVAILABLE) {
		c->trailer.key = grpc_slice_from_static_string("retry-after");
		c->trailer.value = grpc_slice_from_static_string("1");
		ops[n].data.send_status_from_server.trailing_metadata_count = 1;
		ops[n].data.send_status_from_server.trailing_metadata = &c->trailer;
	}
	if (detail) {
		c->details = grpc_slice_from_copied_string(detail);
		c->has_details = true;
		ops[n].data.send_status_from_server.status_details = &c->details;
	}
	n++;
	ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	ops[n].data.recv_close_on_server.cancelled = &c->cancelled;
	n++;
	atomic_fetch_add(&c->refs, 1);
	e = grpc_call_start_batch(c->call, ops, n, &c->t_done, NULL);
	if (e != GRPC_CALL_OK) {
		/* no completion will come */
		log_error("grpc: final batch refused (%d)", (int)e);
		grpc_call_cancel(c->call, NULL);
		c->broken = true;
		atomic_fetch_sub(&c->refs, 1);
	}
}

void srv_gcall_reply(struct gcall *c, const ProtobufCMessage *msg)
{
	finish(c, GRPC_STATUS_OK, NULL, msg);
}

void srv_gcall_fail(struct gcall *c, grpc_status_code code, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	finish(c, code, buf, NULL);
}

grpc_status_code srv_gcall_errno_code(int e)
{
	switch (e) {
	case -ENOENT:
		return GRPC_STATUS_NOT_FOUND;
	case -EEXIST:
		return GRPC_STATUS_ALREADY_EXISTS;
	case -ENOSPC:
	case -E2BIG:
	case -EFBIG:
		return GRPC_STATUS_RESOURCE_EXHAUSTED;
	case -EAGAIN:
	case -ETIMEDOUT:
	case -ESHUTDOWN:
	case -ECONNRESET:
	case -ECONNREFUSED:
	case -EPIPE:
	case -ENOTCONN:
		return GRPC_STATUS_UNAVAILABLE;
	case -EINVAL:
	case -ENOTDIR:
	case -EISDIR:
	case -ENAMETOOLONG:
	case -ELOOP:
	case -ENOTEMPTY:
		return GRPC_STATUS_INVALID_ARGUMENT;
	case -EACCES:
	case -EPERM:
		return GRPC_STATUS_PERMISSION_DENIED;
	default:
		return GRPC_STATUS_INTERNAL;
	}
}

void srv_gcall_fail_errno(struct gcall *c, int e, const char *what)
{
	switch (e) {
	case -ENOENT:
		srv_gcall_fail(c, srv_gcall_errno_code(e), "%s: not found", what);
		break;
	case -EEXIST:
		srv_gcall_fail(c, srv_gcall_errno_code(e), "%s: already exists", what);
		break;
	case -ENOSPC:
		srv_gcall_fail(c, srv_gcall_errno_code(e), "%s: the pool is at max_total", what);
		break;
	case -EAGAIN:
	case -ETIMEDOUT:
		srv_gcall_fail(c, srv_gcall_errno_code(e),
			       "%s: no warm sandbox could be made in time", what);
		break;
	case -ESHUTDOWN:
		srv_gcall_fail(c, srv_gcall_errno_code(e), "the server is shutting down");
		break;
	case -ECONNRESET:
	case -ECONNREFUSED:
	case -EPIPE:
	case -ENOTCONN:
		srv_gcall_fail(c, srv_gcall_errno_code(e), "%s: the sandbox died", what);
		break;
	default:
		srv_gcall_fail(c, srv_gcall_errno_code(e), "%s: %s", what, strerror(-e));
	}
}

int srv_gcall_send(struct gcall *c, const ProtobufCMessage *msg)
{
	grpc_op ops[2];
	size_t n = 0;
	grpc_byte_buffer *bb;
	bool ok;

	if (c->finished || c->broken)
		return -ECONNRESET;
	bb = pack(msg);
	if (!bb)
		return -ENOMEM;
	memset(ops, 0, sizeof(ops));
	if (!c->sent_md) {
		ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
		n++;
	}
	ops[n].op = GRPC_OP_SEND_MESSAGE;
	ops[n].data.send_message.send_message = bb;
	n++;
	pthread_mutex_lock(&c->mu);
	c->op_pending = true;
	pthread_mutex_unlock(&c->mu);
	if (grpc_call_start_batch(c->call, ops, n, &c->t_op, NULL) != GRPC_CALL_OK) {
		grpc_byte_buffer_destroy(bb);
		c->broken = true;
		return -ECONNRESET;
	}
	c->sent_md = true;
	pthread_mutex_lock(&c->mu);
	while (c->op_pending)
		pthread_cond_wait(&c->cv, &c->mu);
	ok = c->op_ok;
	pthread_mutex_unlock(&c->mu);
	grpc_byte_buffer_destroy(bb);
	if (!ok)
		c->broken = true;
	return ok ? 0 : -ECONNRESET;
}

static void srv_gcall_unref(struct gcall *c)
{
	if (atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	if (c->req)
		protobuf_c_message_free_unpacked(c->req, NULL);
	if (c->final_msg)
		grpc_byte_buffer_destroy(c->final_msg);
	if (c->has_details)
		grpc_slice_unref(c->details);
	if (c->recv_bb)
		grpc_byte_buffer_destroy(c->recv_bb);
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	grpc_metadata_array_destroy(&c->md);
	grpc_call_unref(c->call);
	pthread_mutex_destroy(&c->mu);
	pthread_cond_destroy(&c->cv);
	free(c);
}

int srv_gcall_recv_start(struct gcall *c)
{
	grpc_op op;

	if (c->finished || c->recv_pending)
		return -EBUSY;
	if (c->wake_fd < 0) {
		c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (c->wake_fd < 0)
			return -errno;
	}
	memset(&op, 0, sizeof(op));
	op.op = GRPC_OP_RECV_MESSAGE;
	op.data.recv_message.recv_message = &c->recv_bb;
	if (c->recv_bb) {
		grpc_byte_buffer_destroy(c->recv_bb);
		c->recv_bb = NULL;
	}
	pthread_mutex_lock(&c->mu);
	c->recv_pending = true;
	pthread_mutex_unlock(&c->mu);
	atomic_fetch_add(&c->refs, 1);
	if (grpc_call_start_batch(c->call, &op, 1, &c->t_recv, NULL) != GRPC_CALL_OK) {
		atomic_fetch_sub(&c->refs, 1);
		pthread_mutex_lock(&c->mu);
		c->recv_pending = false;
		pthread_mutex_unlock(&c->mu);
		return -ECONNRESET;
	}
	return 0;
}

int64_t srv_gcall_deadline_ms(struct gcall *c)
{
	gpr_timespec d = gpr_convert_clock_type(c->deadline, GPR_CLOCK_MONOTONIC);
	gpr_timespec now = gpr_now(GPR_CLOCK_MONOTONIC);

	if (gpr_time_cmp(d, gpr_inf_future(GPR_CLOCK_MONOTONIC)) == 0)
		return -1;
	if (gpr_time_cmp(d, now) <= 0)
		return 0;
	return gpr_time_to_millis(gpr_time_sub(d, now));
}

int srv_gcall_wake_fd(struct gcall *c)
{
	return c->wake_fd;
}

int srv_gcall_recv_take(struct gcall *c, const ProtobufCMessageDescriptor *d, bool wait,
			ProtobufCMessage **ret)
{
	ProtobufCMessage *m;
	grpc_byte_buffer *bb;
	bool ok;
	uint64_t v;

	pthread_mutex_lock(&c->mu);
	while (wait && c->recv_pending)
		pthread_cond_wait(&c->cv, &c->mu);
	if (c->recv_pending) {
		pthread_mutex_unlock(&c->mu);
		return -EAGAIN;
	}
	ok = c->recv_ok;
	bb = c->recv_bb;
	c->recv_bb = NULL;
	pthread_mutex_unlock(&c->mu);
	if (c->wake_fd >= 0 && read(c->wake_fd, &v, sizeof(v)) < 0) {
		/* nothing to drain */
	}
	if (!ok || !bb) { /* half-closed, or the call is gone */
		if (bb)
			grpc_byte_buffer_destroy(bb);
		return ok ? -EPIPE : -ECONNRESET;
	}
	m = decode(d, bb);
	grpc_byte_buffer_destroy(bb);
	if (!m)
		return -EBADMSG;
	*ret = m;
	return 0;
}

/* --- auth, decoding, dispatch --- */

static bool slice_eq(grpc_slice s, const char *lit)
{
	size_t n = strlen(lit);

	return GRPC_SLICE_LENGTH(s) == n && memcmp(GRPC_SLICE_START_PTR(s), lit, n) == 0;
}

static bool authorized(struct gsrv *g, const grpc_metadata_array *md)
{
	for (size_t i = 0; i < md->count; i++) {
		grpc_slice k = md->metadata[i].key, v = md->metadata[i].value;
		char tok[512];
		size_t n = GRPC_SLICE_LENGTH(v);

		if (!slice_eq(k, "authorization"))
			continue;
		if (n <= 7 || n - 7 >= sizeof(tok) ||
		    strncasecmp((const char *)GRPC_SLICE_START_PTR(v), "Bearer ", 7) != 0)
			return false;
		memcpy(tok, GRPC_SLICE_START_PTR(v) + 7, n - 7);
		tok[n - 7] = 0;
		if (strlen(tok) != n - 7)
			return false;
		return srv_token_ok(&g->s->cfg, tok);
	}
	return false;
}

static ProtobufCMessage *decode(const ProtobufCMessageDescriptor *d, grpc_byte_buffer *bb)
{
	grpc_byte_buffer_reader r;
	grpc_slice sl;
	ProtobufCMessage *m;

	if (!bb || !grpc_byte_buffer_reader_init(&r, bb))
		return NULL;
	sl = grpc_byte_buffer_reader_readall(&r);
	grpc_byte_buffer_reader_destroy(&r);
	m = protobuf_c_message_unpack(d, NULL, GRPC_SLICE_LENGTH(sl), GRPC_SLICE_START_PTR(sl));
	grpc_slice_unref(sl);
	return m;
}

/* Runs the handler and drops the handler's reference. */
static void run_handler(struct gcall *c)
{
	c->m->fn(c, c->req);
	if (!c->finished)
		srv_gcall_fail(c, GRPC_STATUS_INTERNAL, "the handler did not reply");
	srv_gcall_unref(c);
}

static void *worker_main(void *arg)
{
	struct gcall *c = arg;
	struct gsrv *g = c->g;

	run_handler(c);
	pthread_mutex_lock(&g->mu);
	g->workers--;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

static int request(struct gsrv *g, struct slot *sl)
{
	grpc_call_error e;

	grpc_metadata_array_init(&sl->md);
	sl->call = NULL;
	sl->payload = NULL;
	if (!sl->m) {
		grpc_call_details_init(&sl->details);
		e = grpc_server_request_call(g->server, &sl->call, &sl->details, &sl->md, g->cq,
					     g->cq, &sl->tag);
		if (e != GRPC_CALL_OK) {
			grpc_call_details_destroy(&sl->details);
			grpc_metadata_array_destroy(&sl->md);
			return -EIO;
		}
		return 0;
	}
	e = grpc_server_request_registered_call(g->server, sl->handle, &sl->call, &sl->deadline,
						&sl->md, sl->m->client_stream ? NULL : &sl->payload,
						g->cq, g->cq, &sl->tag);
	if (e != GRPC_CALL_OK) {
		grpc_metadata_array_destroy(&sl->md);
		return -EIO;
	}
	return 0;
}

static void new_call(struct gsrv *g, struct slot *sl, bool ok)
{
	struct gcall *c;
	grpc_byte_buffer *payload = sl->payload;
	bool spawn = false;

	if (!sl->m)
		grpc_call_details_destroy(&sl->details);
	if (!ok) { /* shutting down */
		grpc_metadata_array_destroy(&sl->md);
		if (sl->payload)
			grpc_byte_buffer_destroy(sl->payload);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		grpc_call_cancel(sl->call, NULL);
		grpc_call_unref(sl->call);
		grpc_metadata_array_destroy(&sl->md);
		if (sl->payload)
			grpc_byte_buffer_destroy(sl->payload);
		goto again;
	}
	c->g = g;
	atomic_init(&c->refs, 1);
	c->m = sl->m;
	c->call = sl->call;
	c->md = sl->md;
	c->deadline = sl->m ? sl->deadline : gpr_inf_future(GPR_CLOCK_REALTIME);
	c->t_op = (struct tag){TAG_OP, c};
	c->t_recv = (struct tag){TAG_RECV, c};
	c->wake_fd = -1;
	c->t_done = (struct tag){TAG_DONE, c};
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
again:
	/* the next call of this method (its state lives in the slot) */
	pthread_mutex_lock(&g->mu);
	if (!g->stopping && request(g, sl) < 0)
		log_error("grpc: cannot request calls of %s", sl->m ? sl->m->path : "*");
	pthread_mutex_unlock(&g->mu);
	if (!c)
		return;

	if (!c->m) {
		srv_gcall_fail(c, GRPC_STATUS_UNIMPLEMENTED, "no such method");
		srv_gcall_unref(c);
	} else if (atomic_load(&g->s->draining)) {
		srv_gcall_fail(c, GRPC_STATUS_UNAVAILABLE, "the server is shutting down");
		srv_gcall_unref(c);
	} else if (!c->m->open && !authorized(g, &c->md)) {
		srv_gcall_fail(c, GRPC_STATUS_UNAUTHENTICATED,
			       "a valid \"authorization: Bearer TOKEN\" is required");
		srv_gcall_unref(c);
	} else if (!c->m->client_stream && !(c->req = decode(c->m->in, payload))) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "malformed %s request",
			       c->m->in->short_name);
		srv_gcall_unref(c);
	} else if (!c->m->blocking) {
		run_handler(c);
	} else {
		pthread_mutex_lock(&g->mu);
		if (g->workers < g->max_workers) {
			g->workers++;
			spawn = true;
		}
		pthread_mutex_unlock(&g->mu);
		if (!spawn) {
			srv_gcall_fail(c, GRPC_STATUS_UNAVAILABLE, "too many requests in flight");
			srv_gcall_unref(c);
		} else {
			pthread_t t;
			pthread_attr_t a;
			pthread_attr_init(&a);
			pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
			if (pthread_create(&t, &a, worker_main, c) != 0) {
				pthread_mutex_lock(&g->mu);
				g->workers--;
				pthread_mutex_unlock(&g->mu);
				srv_gcall_fail(c, GRPC_STATUS_UNAVAILABLE, "cannot start a worker");
				srv_gcall_unref(c);
			}
			pthread_attr_destroy(&a);
		}
	}
	if (payload)
		grpc_byte_buffer_destroy(payload);
}

static void *cq_main(void *arg)
{
	struct gsrv *g = arg;

	for (;;) {
		grpc_event ev =
		    grpc_completion_queue_next(g->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		struct tag *t;

		if (ev.type == GRPC_QUEUE_SHUTDOWN)
			break;
		if (ev.type != GRPC_OP_COMPLETE)
			continue;
		t = ev.tag;
		switch (t->kind) {
		case TAG_NEW:
			new_call(g, t->p, ev.success != 0);
			break;
		case TAG_OP: {
			struct gcall *c = t->p;
			pthread_mutex_lock(&c->mu);
			c->op_pending = false;
			c->op_ok = ev.success != 0;
			pthread_cond_signal(&c->cv);
			pthread_mutex_unlock(&c->mu);
			break;
		}
		case TAG_RECV: {
			struct gcall *c = t->p;
			uint64_t one = 1;
			pthread_mutex_lock(&c->mu);
			c->recv_pending = false;
			c->recv_ok = ev.success != 0;
			pthread_cond_broadcast(&c->cv);
			if (c->wake_fd >= 0 && write(c->wake_fd, &one, sizeof(one)) < 0) {
				/* the counter is already set */
			}
			pthread_mutex_unlock(&c->mu);
			srv_gcall_unref(c);
			break;
		}
		case TAG_DONE:
			srv_gcall_unref(t->p);
			break;
		case TAG_SHUTDOWN:
			pthread_mutex_lock(&g->mu);
			g->shutdown_done = true;
			pthread_cond_broadcast(&g->cv);
			pthread_mutex_unlock(&g->mu);
			break;
		}
	}
	return NULL;
}

void srv_grpc_metrics(FILE *f)
{
	static const char *const names[GSTATUS_N] = {
	    "OK",
	    "CANCELLED",
	    "UNKNOWN",
	    "INVALID_ARGUMENT",
	    "DEADLINE_EXCEEDED",
	    "NOT_FOUND",
	    "ALREADY_EXISTS",
	    "PERMISSION_DENIED",
	    "RESOURCE_EXHAUSTED",
	    "FAILED_PRECONDITION",
	    "ABORTED",
	    "OUT_OF_RANGE",
	    "UNIMPLEMENTED",
	    "INTERNAL",
	    "UNAVAILABLE",
	    "DATA_LOSS",
	    "UNAUTHENTICATED",
	};
	struct gsrv *g = the_gsrv;
	unsigned w = 0;

	fprintf(f, "# HELP cvisor_grpc_calls_total gRPC calls ended, by method and status\n"
		   "# TYPE cvisor_grpc_calls_total counter\n");
	for (size_t i = 0; g && i <= NMETHODS; i++)
		for (int k = 0; k < GSTATUS_N; k++) {
			uint64_t v = atomic_load(&g->ended[i][k]);
			if (v)
				fprintf(f,
					"cvisor_grpc_calls_total{method=\"%s\",code=\"%s\"} %llu\n",
					i < NMETHODS ? methods[i].path + SVC_PREFIX_LEN : "unknown",
					names[k], (unsigned long long)v);
		}
	if (g) {
		pthread_mutex_lock(&g->mu);
		w = g->workers;
		pthread_mutex_unlock(&g->mu);
	}
	fprintf(f,
		"# HELP cvisor_grpc_inflight gRPC calls on worker threads\n"
		"# TYPE cvisor_grpc_inflight gauge\ncvisor_grpc_inflight %u\n",
		w);
}

/* grpc core's own messages, in cvisord's log format (errors only). */
static void gpr_log_to_ours(gpr_log_func_args *a)
{
	if (a->severity >= GPR_LOG_SEVERITY_ERROR)
		log_error("grpc: %s", a->message);
}

int srv_grpc_start(struct srv *s)
{
	struct gsrv *g;
	grpc_server_credentials *creds;
	grpc_arg args[3];
	grpc_channel_args cargs;
	size_t maxmsg;
	int port;

	if (!s->cfg.grpc || strcmp(s->cfg.grpc, "off") == 0 || !s->cfg.grpc[0])
		return 0;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->s = s;
	g->max_workers = s->cfg.lim.max_inflight ? s->cfg.lim.max_inflight : 128;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	g->shutdown_tag = (struct tag){TAG_SHUTDOWN, g};

	/* The largest request: a file, or an exec with argv/env and stdin. */
	maxmsg = MAX(s->cfg.lim.max_file, s->cfg.lim.max_body);
	maxmsg = MAX(maxmsg, s->cfg.lim.max_argv + s->cfg.lim.max_stdin);
	maxmsg = MIN(maxmsg + 64 * 1024, (size_t)INT32_MAX);
	memset(args, 0, sizeof(args));
	args[0].type = GRPC_ARG_INTEGER;
	args[0].key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH;
	args[0].value.integer = (int)maxmsg;
	args[1].type = GRPC_ARG_INTEGER;
	args[1].key = (char *)GRPC_ARG_MAX_CONCURRENT_STREAMS;
	/* more streams than workers: above max_inflight a call is refused
	 * (UNAVAILABLE, as REST's 503) rather than queued by HTTP/2 */
	args[1].value.integer = (int)MIN(2u * g->max_workers + 16u, 65536u);
	/* a second cvisord on the same port is an error, not a load balancer */
	args[2].type = GRPC_ARG_INTEGER;
	args[2].key = (char *)GRPC_ARG_ALLOW_REUSEPORT;
	args[2].value.integer = 0;
	cargs.num_args = ARRAY_SIZE(args);
	cargs.args = args;

	gpr_set_log_function(gpr_log_to_ours);
	grpc_init();
	g->cq = grpc_completion_queue_create_for_next(NULL);
	g->server = grpc_server_create(&cargs, NULL);
	grpc_server_register_completion_queue(g->server, g->cq, NULL);
	for (size_t i = 0; i < NMETHODS; i++) {
		g->slots[i].tag = (struct tag){TAG_NEW, &g->slots[i]};
		g->slots[i].m = &methods[i];
		g->slots[i].handle = grpc_server_register_method(
		    g->server, methods[i].path, NULL,
		    methods[i].client_stream ? GRPC_SRM_PAYLOAD_NONE
					     : GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER,
		    0);
		if (!g->slots[i].handle) {
			log_error("grpc: cannot register %s", methods[i].path);
			goto fail;
		}
	}
	if (s->tls_cert_pem && s->tls_key_pem && strncmp(s->cfg.grpc, "unix:", 5) != 0) {
		/* the REST listener's certificate (--tls-cert/--tls-key; grpc copies it) */
		grpc_ssl_pem_key_cert_pair kp = {s->tls_key_pem, s->tls_cert_pem};
		creds = grpc_ssl_server_credentials_create(NULL, &kp, 1, 0, NULL);
		g->tls = true;
	} else {
		creds = grpc_insecure_server_credentials_create();
	}
	port = creds ? grpc_server_add_http2_port(g->server, s->cfg.grpc, creds) : 0;
	if (creds)
		grpc_server_credentials_release(creds);
	if (port <= 0)
		goto fail;
	grpc_server_start(g->server);
	g->slots[NMETHODS].tag = (struct tag){TAG_NEW, &g->slots[NMETHODS]};
	for (size_t i = 0; i <= NMETHODS; i++)
		if (request(g, &g->slots[i]) < 0)
			log_error("grpc: cannot request calls of %s",
				  i < NMETHODS ? methods[i].path : "*");
	if (pthread_create(&g->thread, NULL, cq_main, g) != 0) {
		grpc_server_shutdown_and_notify(g->server, g->cq, &g->shutdown_tag);
		grpc_server_cancel_all_calls(g->server);
		/* drain by hand */
		for (;;) {
			grpc_event ev = grpc_completion_queue_next(
			    g->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
			if (ev.type == GRPC_OP_COMPLETE && ev.tag == &g->shutdown_tag)
				break;
		}
		goto fail_started;
	}
	the_gsrv = g;
	if (g->tls)
		log_info("gRPC with TLS");
	return port;
fail:
	grpc_server_shutdown_and_notify(g->server, g->cq, &g->shutdown_tag);
	for (;;) {
		grpc_event ev =
		    grpc_completion_queue_next(g->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
		if (ev.type == GRPC_OP_COMPLETE && ev.tag == &g->shutdown_tag)
			break;
	}
fail_started:
	grpc_server_destroy(g->server);
	grpc_completion_queue_shutdown(g->cq);
	while (grpc_completion_queue_next(g->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
	       GRPC_QUEUE_SHUTDOWN)
		;
	grpc_completion_queue_destroy(g->cq);
	grpc_shutdown();
	free(g);
	return -EADDRNOTAVAIL;
}

void srv_grpc_stop(struct srv *s)
{
	struct gsrv *g = the_gsrv;
	struct timespec dl;
	bool done;

	if (!g)
		return;
	pthread_mutex_lock(&g->mu);
	g->stopping = true;
	pthread_mutex_unlock(&g->mu);
	/* No new calls; the ones in flight run to their end (drain_timeout_ms),
	 * then they are cancelled and their sandboxes ended so that the
	 * handlers return (10 s more). */
	grpc_server_shutdown_and_notify(g->server, g->cq, &g->shutdown_tag);
	for (int round = 0; round < 2; round++) {
		uint64_t ms = round ? 10000 : s->cfg.lim.drain_timeout_ms;
		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_sec += (time_t)(ms / 1000);
		dl.tv_nsec += (long)(ms % 1000) * 1000000L;
		if (dl.tv_nsec >= 1000000000L) {
			dl.tv_sec++;
			dl.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&g->mu);
		while (!(g->shutdown_done && g->workers == 0))
			if (pthread_cond_timedwait(&g->cv, &g->mu, &dl) == ETIMEDOUT)
				break;
		done = g->shutdown_done && g->workers == 0;
		pthread_mutex_unlock(&g->mu);
		if (done)
			break;
		log_info("grpc: ending %u call(s) still running", g->workers);
		grpc_server_cancel_all_calls(g->server);
		pool_end_all_leases(s->pm);
	}
	if (!done) {
		/* A handler is still blocked in a sandbox: leave the server to exit(). */
		log_error("grpc: %u call(s) still running at shutdown", g->workers);
		return;
	}
	grpc_completion_queue_shutdown(g->cq);
	pthread_join(g->thread, NULL);
	grpc_server_destroy(g->server);
	grpc_completion_queue_destroy(g->cq);
	grpc_shutdown();
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cv);
	the_gsrv = NULL;
	free(g);
}
