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
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
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
	json_t *j = json_loadb(line, n, JSON_ALLOW_NUL, &je);
	const char *type = json_string_value(json_object_get(j, "type"));
	Cvisor__V1__ExecEvent ev;
	Cvisor__V1__ExecExit ex = CVISOR__V1__EXEC_EXIT__INIT;
	int r = 0;

	cvisor__v1__exec_event__init(&ev);
	if (!type) {
		json_decref(j);
		srv_gcall_fail(c, GRPC_STATUS_INTERNAL, "bad stream event");
		return -EIO;
	}
	if (strcmp(type, "stdout") == 0 || strcmp(type, "stderr") == 0) {
		json_t *d = json_object_get(j, "data");
		ProtobufCBinaryData b = {json_string_length(d), (uint8_t *)json_string_value(d)};
		if (type[3] == 'o') {
			ev.event_case = CVISOR__V1__EXEC_EVENT__EVENT_STDOUT;
			ev.stdout = b;
		} else {
			ev.event_case = CVISOR__V1__EXEC_EVENT__EVENT_STDERR;
			ev.stderr = b;
		}
		r = srv_gcall_send(c, &ev.base);
	} else if (strcmp(type, "exit") == 0) {
		ex.exit_code = (int32_t)json_integer_value(json_object_get(j, "exit_code"));
		ex.signal = (int32_t)json_integer_value(json_object_get(j, "signal"));
		ex.duration_ms = (uint64_t)json_integer_value(json_object_get(j, "duration_ms"));
		ex.truncated = json_is_true(json_object_get(j, "truncated"));
		ex.timed_out = json_is_true(json_object_get(j, "timed_out"));
		ex.reason = (char *)(json_string_value(json_object_get(j, "reason"))
					     ? json_string_value(json_object_get(j, "reason"))
					     : "");
		ev.event_case = CVISOR__V1__EXEC_EVENT__EVENT_EXIT;
		ev.exit = &ex;
		r = srv_gcall_send(c, &ev.base);
		if (r == 0)
			r = 1;
	} else {
		const char *d = json_string_value(json_object_get(j, "detail"));
		srv_gcall_fail(c, GRPC_STATUS_UNAVAILABLE, "%s", d ? d : "the exec failed");
		r = -EIO;
	}
	json_decref(j);
	return r;
}

/* The stream's NDJSON events as messages until the exit event, then the end
 * of the call; frees @st (the process is killed if still running, and the
 * lease ended for RunStream). */
static void pump(struct gcall *c, struct srv_stream *st)
{
	struct lines ln = {0};
	char buf[65536];
	int r, done = 0;

	while (!done) {
		ssize_t n = srv_stream_read(st, buf, sizeof(buf));
		size_t off = 0;

		if (n <= 0)
			break;
		if (ln.len + (size_t)n > ln.cap) {
			size_t nc = MAX(ln.cap * 2, ln.len + (size_t)n);
			char *nb = realloc(ln.buf, nc);
			if (!nb) {
				srv_gcall_fail(c, GRPC_STATUS_INTERNAL, "out of memory");
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
		srv_gcall_reply(c, NULL);
	else if (done == 0)
		srv_gcall_fail(c, GRPC_STATUS_INTERNAL, "the stream ended without an exit event");
	else
		srv_gcall_fail(c, GRPC_STATUS_CANCELLED, "the client went away");
}

void srv_gh_exec(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__ExecRequest *q = (const void *)req;
	struct srv *s = srv_gcall_srv(c);
	struct srv_exec_req er;
	struct pool_lease *l;
	struct srv_stream *st;
	struct sandbox *sb;
	int r;

	if (pool_lease_find(s->pm, q->id, &l) < 0) {
		srv_gcall_fail(c, GRPC_STATUS_NOT_FOUND, "sandbox %.64s: not found", q->id);
		return;
	}
	if (srv_gexec_req(c, q->argv, q->n_argv, q->env, q->n_env, q->cwd, q->user, &q->stdin,
			  q->timeout_ms, q->tty, q->rows, q->cols, &er) < 0) {
		pool_lease_put(l);
		return;
	}
	if (sandbox_attach(pool_lease_control_path(l), &sb) < 0) {
		srv_exec_req_clear(&er);
		if (pool_lease_ended(l)) {
			srv_gcall_fail(c, GRPC_STATUS_FAILED_PRECONDITION, "the sandbox has ended");
		} else {
			pool_lease_failed(l, POOL_FAIL_DIED);
			srv_gcall_fail(c, GRPC_STATUS_UNAVAILABLE, "the sandbox died");
		}
		pool_lease_put(l);
		return;
	}
	atomic_fetch_add(&s->execs, 1);
	r = srv_stream_start(sb, l, false, &er, s->cfg.lim.max_output, &st);
	if (r < 0) {
		srv_gexec_fail(c, l, r, er.argv[0]);
		srv_exec_req_clear(&er);
		sandbox_close(sb);
		pool_lease_put(l);
		return;
	}
	srv_exec_req_clear(&er);
	pump(c, st);
}

/* RunStream: lease from the pool, stream, destroy (POST /v1/run?stream=1). */
void srv_gh_run_stream(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__RunRequest *q = (const void *)req;
	struct srv *s = srv_gcall_srv(c);
	const char *pool = q->pool[0] ? q->pool : "default";
	struct srv_exec_req er;
	struct pool_lease *l;
	struct srv_stream *st;
	char what[80];
	int r;

	if (strlen(pool) > POOL_NAME_MAX) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "pool must be a pool name");
		return;
	}
	if (srv_gexec_req(c, q->argv, q->n_argv, q->env, q->n_env, q->cwd, q->user, &q->stdin,
			  q->timeout_ms, q->tty, q->rows, q->cols, &er) < 0)
		return;
	atomic_fetch_add(&s->runs, 1);
	r = pool_acquire(s->pm, pool, s->cfg.lim.acquire_timeout_ms, 0, &l);
	if (r < 0) {
		snprintf(what, sizeof(what), "pool %s", pool);
		srv_gcall_fail_errno(c, r, what);
		srv_exec_req_clear(&er);
		return;
	}
	atomic_fetch_add(&s->execs, 1);
	r = srv_stream_start(pool_lease_sandbox(l), l, true, &er, s->cfg.lim.max_output, &st);
	if (r < 0) {
		srv_gexec_fail(c, l, r, er.argv[0]);
		srv_exec_req_clear(&er);
		pool_lease_end(l);
		pool_lease_put(l);
		return;
	}
	srv_exec_req_clear(&er);
	pump(c, st);
}

/* --- ExecInteractive: stdin from the client stream --- */

struct ia {
	struct sandbox *sb;
	int32_t pid;
	int fd[3]; /* stdin (write), stdout, stderr (read) */
	char *in;  /* stdin bytes not yet written */
	size_t in_len, in_off;
	bool in_eof;	/* close stdin once `in` is written */
	bool tty, eof_sent; /* a terminal: its stdin ends with VEOF */
	char last;	/* the last stdin byte fed */
	bool recv_open; /* a receive is pending */
	size_t sent[3], cap;
	bool truncated;
};

static void ia_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Append client stdin; false if over the limit. */
static bool ia_feed(struct ia *a, const uint8_t *p, size_t n, size_t max)
{
	char *nb;

	if (a->in_off == a->in_len)
		a->in_off = a->in_len = 0;
	if (a->in_len - a->in_off + n > max)
		return false;
	nb = realloc(a->in, a->in_len + n + 1);
	if (!nb)
		return false;
	memcpy(nb + a->in_len, p, n);
	if (n)
		a->last = (char)p[n - 1];
	a->in = nb;
	a->in_len += n;
	return true;
}

/* A client message: 0, or <0 after ending the call. */
static int ia_input(struct gcall *c, struct ia *a)
{
	ProtobufCMessage *m;
	Cvisor__V1__ExecInput *in;
	int r = srv_gcall_recv_take(c, &cvisor__v1__exec_input__descriptor, false, &m);

	if (r == -EAGAIN)
		return 0;
	a->recv_open = false;
	if (r == -EPIPE || r == -ECONNRESET) { /* half-closed (or gone): stdin EOF */
		a->in_eof = true;
		return 0;
	}
	if (r < 0) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "malformed ExecInput");
		return r;
	}
	in = (Cvisor__V1__ExecInput *)m;
	r = 0;
	if (in->input_case == CVISOR__V1__EXEC_INPUT__INPUT_STDIN && !a->in_eof) {
		if (!ia_feed(a, in->stdin.data, in->stdin.len,
			     srv_gcall_srv(c)->cfg.lim.max_stdin)) {
			srv_gcall_fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED,
				       "stdin not yet read over max_stdin");
			r = -E2BIG;
		}
	} else if (in->input_case == CVISOR__V1__EXEC_INPUT__INPUT_CLOSE_STDIN) {
		a->in_eof = true;
	} else if (in->input_case == CVISOR__V1__EXEC_INPUT__INPUT_START) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "start only as the first message");
		r = -EINVAL;
	}
	protobuf_c_message_free_unpacked(m, NULL);
	if (r == 0 && !a->in_eof) {
		if (srv_gcall_recv_start(c) == 0)
			a->recv_open = true;
		else
			a->in_eof = true;
	}
	return r;
}

/* Read one chunk of output @which and send it: 1 read (sent, or dropped
 * over the cap), 0 nothing to read (or EOF: closed), <0 the client is gone. */
static int ia_output(struct gcall *c, struct ia *a, int which)
{
	Cvisor__V1__ExecEvent ev;
	char buf[65536];
	ssize_t n = read(a->fd[which], buf, sizeof(buf));
	size_t room;

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		ia_close(&a->fd[which]);
		return 0;
	}
	if (n < 0)
		return 0;
	room = a->cap - a->sent[which];
	if ((size_t)n > room) {
		a->truncated = true;
		n = (ssize_t)room;
	}
	if (!n)
		return 1; /* over the cap: read and dropped */
	a->sent[which] += (size_t)n;
	cvisor__v1__exec_event__init(&ev);
	if (which == 1) {
		ev.event_case = CVISOR__V1__EXEC_EVENT__EVENT_STDOUT;
		ev.stdout = (ProtobufCBinaryData){(size_t)n, (uint8_t *)buf};
	} else {
		ev.event_case = CVISOR__V1__EXEC_EVENT__EVENT_STDERR;
		ev.stderr = (ProtobufCBinaryData){(size_t)n, (uint8_t *)buf};
	}
	return srv_gcall_send(c, &ev.base) < 0 ? -ECONNRESET : 1;
}

/* Spawn with pipes or a pty (srv_exec_stdio); the child ends are closed
 * here. */
static int ia_spawn(struct ia *a, const struct srv_exec_req *er)
{
	int child[3], ours[3];
	struct sandbox_process p = {0};
	int r;

	r = srv_exec_stdio(er, true, child, ours);
	if (r < 0)
		return r;
	p.argv = (const char *const *)er->argv;
	p.env = (const char *const *)er->env;
	p.cwd = er->cwd;
	p.uid = er->uid;
	p.gid = er->gid;
	p.terminal = er->tty;
	for (int i = 0; i < 3; i++)
		p.stdio[i] = child[i];
	r = sandbox_spawn(a->sb, &p, &a->pid);
	for (int i = 0; i < 3; i++)
		ia_close(&child[i]);
	if (r < 0) {
		for (int i = 0; i < 3; i++)
			ia_close(&ours[i]);
		return r;
	}
	a->tty = er->tty;
	for (int i = 0; i < 3; i++) {
		a->fd[i] = ours[i];
		if (a->fd[i] >= 0)
			fcntl(a->fd[i], F_SETFL, fcntl(a->fd[i], F_GETFL) | O_NONBLOCK);
	}
	return 0;
}

void srv_gh_exec_interactive(struct gcall *c, const ProtobufCMessage *unused)
{
	struct srv *s = srv_gcall_srv(c);
	ProtobufCMessage *m = NULL;
	const Cvisor__V1__ExecRequest *q;
	struct srv_exec_req er;
	struct pool_lease *l = NULL;
	struct ia a = {.fd = {-1, -1, -1}, .cap = s->cfg.lim.max_output};
	Cvisor__V1__ExecEvent ev;
	Cvisor__V1__ExecExit ex = CVISOR__V1__EXEC_EXIT__INIT;
	uint64_t t0 = mono_ns(), deadline;
	bool have_req = false, waited = false, timed_out = false;
	int r, ready, status = 0;

	(void)unused;
	if (srv_gcall_recv_start(c) < 0 ||
	    (r = srv_gcall_recv_take(c, &cvisor__v1__exec_input__descriptor, true, &m)) == -EPIPE ||
	    r == -ECONNRESET) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "the first message must be start");
		return;
	}
	if (r < 0 ||
	    ((Cvisor__V1__ExecInput *)m)->input_case != CVISOR__V1__EXEC_INPUT__INPUT_START) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "the first message must be start");
		goto out;
	}
	q = ((Cvisor__V1__ExecInput *)m)->start;
	if (pool_lease_find(s->pm, q->id, &l) < 0) {
		srv_gcall_fail(c, GRPC_STATUS_NOT_FOUND, "sandbox %.64s: not found", q->id);
		goto out;
	}
	if (srv_gexec_req(c, q->argv, q->n_argv, q->env, q->n_env, q->cwd, q->user, &q->stdin,
			  q->timeout_ms, q->tty, q->rows, q->cols, &er) < 0)
		goto out;
	have_req = true;
	if (sandbox_attach(pool_lease_control_path(l), &a.sb) < 0) {
		if (pool_lease_ended(l)) {
			srv_gcall_fail(c, GRPC_STATUS_FAILED_PRECONDITION, "the sandbox has ended");
		} else {
			pool_lease_failed(l, POOL_FAIL_DIED);
			srv_gcall_fail(c, GRPC_STATUS_UNAVAILABLE, "the sandbox died");
		}
		goto out;
	}
	atomic_fetch_add(&s->execs, 1);
	r = ia_spawn(&a, &er);
	if (r < 0) {
		srv_gexec_fail(c, l, r, er.argv[0]);
		goto out;
	}
	if (er.stdin_len &&
	    !ia_feed(&a, (const uint8_t *)er.stdin_data, er.stdin_len, s->cfg.lim.max_stdin)) {
		srv_gcall_fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "stdin too large");
		goto out;
	}
	a.recv_open = srv_gcall_recv_start(c) == 0;
	a.in_eof = !a.recv_open;
	deadline = t0 + (uint64_t)er.timeout_ms * NSEC_PER_MSEC;

	while (a.fd[1] >= 0 || a.fd[2] >= 0) {
		struct pollfd pf[4];
		int map[4], n = 0;
		uint64_t now = mono_ns();

		if (now >= deadline) {
			timed_out = true;
			(void)sandbox_kill(a.sb, a.pid, SIGKILL);
			break;
		}
		if (a.fd[0] >= 0 && a.in_eof && a.tty && !a.eof_sent) {
			/* the end of a terminal's input is VEOF at the start
			 * of a line (one more flushes a partial line) */
			bool partial = a.last && a.last != '\n';
			a.eof_sent = true;
			if (!ia_feed(&a, (const uint8_t *)"\x04\x04", partial ? 2 : 1, SIZE_MAX)) {
				srv_gcall_fail(c, GRPC_STATUS_INTERNAL, "out of memory");
				goto out;
			}
		}
		if (a.fd[0] >= 0 && a.in_off == a.in_len && a.in_eof)
			ia_close(&a.fd[0]);
		if (a.fd[0] >= 0 && a.in_off < a.in_len) {
			pf[n] = (struct pollfd){.fd = a.fd[0], .events = POLLOUT};
			map[n++] = 0;
		}
		for (int i = 1; i < 3; i++) {
			if (a.fd[i] >= 0) {
				pf[n] = (struct pollfd){.fd = a.fd[i], .events = POLLIN};
				map[n++] = i;
			}
		}
		if (a.recv_open) {
			pf[n] = (struct pollfd){.fd = srv_gcall_wake_fd(c), .events = POLLIN};
			map[n++] = 3;
		}
		ready = poll(pf, (nfds_t)n, (int)MIN((deadline - now) / NSEC_PER_MSEC + 1, 1000));
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (ready == 0 && sandbox_wait(a.sb, a.pid, 0, &status) == 0) {
			/* Quiet, and the process has exited: something it left
			 * behind keeps the outputs open.  Take what is buffered;
			 * its exit ends the exec (as REST). */
			waited = true;
			for (int i = 1; i < 3; i++) {
				r = 0;
				while (a.fd[i] >= 0 && (r = ia_output(c, &a, i)) > 0)
					;
				if (r < 0)
					goto out;
			}
			break;
		}
		for (int k = 0; k < n; k++) {
			if (!pf[k].revents)
				continue;
			if (map[k] == 3) {
				if (ia_input(c, &a) < 0)
					goto out;
			} else if (map[k] == 0) {
				ssize_t w = write(a.fd[0], a.in + a.in_off, a.in_len - a.in_off);
				if (w > 0)
					a.in_off += (size_t)w;
				else if (w < 0 && errno != EAGAIN) { /* the reader is gone */
					ia_close(&a.fd[0]);
					a.in_off = a.in_len;
				}
			} else if (ia_output(c, &a, map[k]) < 0) {
				goto out; /* the client went away: killed below */
			}
		}
	}
	for (int i = 0; i < 3; i++)
		ia_close(&a.fd[i]);
	if (waited) {
		r = 0;
	} else {
		uint64_t now = mono_ns();
		int tmo = now >= deadline ? 0 : (int)((deadline - now) / NSEC_PER_MSEC) + 1;
		r = sandbox_wait(a.sb, a.pid, tmo, &status);
		if (r == -ETIMEDOUT) {
			timed_out = true;
			(void)sandbox_kill(a.sb, a.pid, SIGKILL);
			r = sandbox_wait(a.sb, a.pid, 5000, &status);
		}
	}
	waited = r == 0;
	{
		struct srv_exec_res oom = { .timed_out = timed_out };

		if (r == 0 && WIFSIGNALED(status))
			oom.signal = WTERMSIG(status);
		if ((r == 0 || r == -ECONNRESET || r == -EPIPE || r == -ENOTCONN) &&
		    srv_exec_oom(l, r, &oom)) {
			if (r < 0)
				srv_exec_res_clear(&oom);
			waited = true;
			r = 0;
			status = SIGKILL; /* a wait status: killed by SIGKILL */
			ex.reason = (char *)"oom";
		}
	}
	if (r < 0) {
		srv_gexec_fail(c, l, r, er.argv[0]);
		goto out;
	}
	if (WIFSIGNALED(status)) {
		ex.signal = WTERMSIG(status);
		ex.exit_code = 128 + ex.signal;
	} else {
		ex.exit_code = WEXITSTATUS(status);
	}
	if (timed_out)
		ex.reason = (char *)"timeout";
	ex.duration_ms = (mono_ns() - t0) / NSEC_PER_MSEC;
	ex.truncated = a.truncated;
	ex.timed_out = timed_out;
	pool_observe_run(s->pm, pool_lease_pool(l), (double)(mono_ns() - t0) / 1e9);
	cvisor__v1__exec_event__init(&ev);
	ev.event_case = CVISOR__V1__EXEC_EVENT__EVENT_EXIT;
	ev.exit = &ex;
	if (srv_gcall_send(c, &ev.base) == 0)
		srv_gcall_reply(c, NULL);
	else
		srv_gcall_fail(c, GRPC_STATUS_CANCELLED, "the client went away");
out:
	if (a.pid > 0 && !waited) {
		(void)sandbox_kill(a.sb, a.pid, SIGKILL);
		for (int i = 0; i < 3; i++)
			ia_close(&a.fd[i]);
		(void)sandbox_wait(a.sb, a.pid, 2000, &status);
	}
	for (int i = 0; i < 3; i++)
		ia_close(&a.fd[i]);
	free(a.in);
	if (a.sb)
		sandbox_close(a.sb);
	if (l)
		pool_lease_put(l);
	if (have_req)
		srv_exec_req_clear(&er);
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
	srv_gcall_fail(c, GRPC_STATUS_CANCELLED, "the client went away"); /* no-op if ended */
}
