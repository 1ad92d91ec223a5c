/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gRPC Exec: a server stream of ExecEvent over the same streaming engine as
 * REST (srv_stream_*), whose NDJSON events are turned into messages one by
 * one, in order: stdout/stderr chunks, then one exit event.  A sandbox that
 * dies mid-stream ends the call with UNAVAILABLE; a client that goes away
 * kills the process (srv_stream_free).
 */
#define LOG_PREFIX "cvisord"
#include "server/grpc_call.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"
#include "runtime/sandbox.h"

struct lines {
	char *buf;
	size_t len, cap;
};

/* One NDJSON event -> one message.  Returns 1 after the exit event, 0 to
 * go on, <0 (after ending the call) on errors. */
static int send_event(struct gcall *c, const char *line, size_t n)
{
	json_error_t je;
	json_t *j = json_loadb(line, n, 0, &je);
	const char *type = json_string_value(json_object_get(j, "type"));
	Cvisor__V1__ExecEvent ev;
	Cvisor__V1__ExecExit ex = CVISOR__V1__EXEC_EXIT__INIT;
	int r = 0;

	cvisor__v1__exec_event__init(&ev);
	if (!type) {
		json_decref(j);
		gcall_fail(c, GRPC_STATUS_INTERNAL, "bad stream event");
		return -EIO;
	}
	if (strcmp(type, "stdout") == 0 || strcmp(type, "stderr") == 0) {
		json_t *d = json_object_get(j, "data");
		ProtobufCBinaryData b = { json_string_length(d), (uint8_t *)json_string_value(d) };
		if (type[3] == 'o') {
			ev.event_case = CVISOR__V1__EXEC_EVENT__EVENT_STDOUT;
			ev.stdout = b;
		} else {
			ev.event_case = CVISOR__V1__EXEC_EVENT__EVENT_STDERR;
			ev.stderr = b;
		}
		r = gcall_send(c, &ev.base);
	} else if (strcmp(type, "exit") == 0) {
		ex.exit_code = (int32_t)json_integer_value(json_object_get(j, "exit_code"));
		ex.signal = (int32_t)json_integer_value(json_object_get(j, "signal"));
		ex.duration_ms = (uint64_t)json_integer_value(json_object_get(j, "duration_ms"));
		ex.truncated = json_is_true(json_object_get(j, "truncated"));
		ex.timed_out = json_is_true(json_object_get(j, "timed_out"));
		ev.event_case = CVISOR__V1__EXEC_EVENT__EVENT_EXIT;
		ev.exit = &ex;
		r = gcall_send(c, &ev.base);
		if (r == 0)
			r = 1;
	} else {
		const char *d = json_string_value(json_object_get(j, "detail"));
		gcall_fail(c, GRPC_STATUS_UNAVAILABLE, "%s", d ? d : "the exec failed");
		r = -EIO;
	}
	json_decref(j);
	return r;
}

void gh_exec(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__ExecRequest *q = (const void *)req;
	struct srv *s = gcall_srv(c);
	struct srv_exec_req er;
	struct pool_lease *l;
	struct srv_stream *st;
	struct sandbox *sb;
	struct lines ln = { 0 };
	char buf[65536];
	int r, done = 0;

	if (pool_lease_find(s->pm, q->id, &l) < 0) {
		gcall_fail(c, GRPC_STATUS_NOT_FOUND, "sandbox %.64s: not found", q->id);
		return;
	}
	if (gexec_req(c, q->argv, q->n_argv, q->env, q->n_env, q->cwd, q->user, &q->stdin,
		      q->timeout_ms, &er) < 0) {
		pool_lease_put(l);
		return;
	}
	if (sandbox_attach(pool_lease_control_path(l), &sb) < 0) {
		srv_exec_req_clear(&er);
		if (pool_lease_ended(l)) {
			gcall_fail(c, GRPC_STATUS_FAILED_PRECONDITION, "the sandbox has ended");
		} else {
			pool_lease_failed(l, POOL_FAIL_DIED);
			gcall_fail(c, GRPC_STATUS_UNAVAILABLE, "the sandbox died");
		}
		pool_lease_put(l);
		return;
	}
	atomic_fetch_add(&s->execs, 1);
	r = srv_stream_start(sb, l, false, &er, s->cfg.lim.max_output, &st);
	if (r < 0) {
		gexec_fail(c, l, r, er.argv[0]);
		srv_exec_req_clear(&er);
		sandbox_close(sb);
		pool_lease_put(l);
		return;
	}
	srv_exec_req_clear(&er);
	/* the stream owns sb and the lease reference now */
	while (!done) {
		ssize_t n = srv_stream_read(st, buf, sizeof(buf));
		size_t off = 0;

		if (n <= 0)
			break;
		if (ln.len + (size_t)n > ln.cap) {
			size_t nc = MAX(ln.cap * 2, ln.len + (size_t)n);
			char *nb = realloc(ln.buf, nc);
			if (!nb) {
				gcall_fail(c, GRPC_STATUS_INTERNAL, "out of memory");
				done = -1;
				break;
			}
			ln.buf = nb;
			ln.cap = nc;
		}
		memcpy(ln.buf + ln.len, buf, (size_t)n);
		ln.len += (size_t)n;
		for (;;) {
			char *nl = memchr(ln.buf + off, '\n', ln.len - off);
			if (!nl)
				break;
			r = send_event(c, ln.buf + off, (size_t)(nl - (ln.buf + off)));
			off = (size_t)(nl - ln.buf) + 1;
			if (r != 0) {
				done = r;
				break;
			}
		}
		memmove(ln.buf, ln.buf + off, ln.len - off);
		ln.len -= off;
	}
	srv_stream_free(st);
	free(ln.buf);
	if (done == 1)
		gcall_reply(c, NULL);
	else if (done == 0)
		gcall_fail(c, GRPC_STATUS_INTERNAL, "the stream ended without an exit event");
	else
		gcall_fail(c, GRPC_STATUS_CANCELLED, "the client went away");
}
