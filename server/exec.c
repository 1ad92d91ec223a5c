/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The exec engine: spawn a process in a sandbox with pipes for its stdio,
 * read stdout/stderr with poll() until EOF (keeping at most a cap of each,
 * draining the rest so the program never blocks), feed stdin, then collect
 * the exit status.  Used blocking (exec, run) and streamed (NDJSON events).
 */
#define LOG_PREFIX "cvisord"
#include "server/srv.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/fdutil.h"
#include "lib/macro.h"
#include "lib/timeutil.h"
#include "runtime/sandbox.h"

#define MAX_ARGS 4096

/* --- request parsing --- */

static int str_array(json_t *a, char ***ret, size_t *bytes, size_t max_bytes, bool need_eq)
{
	size_t n, i;
	char **v;

	if (!json_is_array(a))
		return -EINVAL;
	n = json_array_size(a);
	if (n > MAX_ARGS)
		return -E2BIG;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(a, i);
		const char *s;
		size_t len;

		if (!json_is_string(e))
			goto bad;
		s = json_string_value(e);
		len = json_string_length(e);
		if (strlen(s) != len) /* embedded NUL */
			goto bad;
		if (need_eq && (!strchr(s, '=') || s[0] == '='))
			goto bad;
		*bytes += len + 1;
		if (*bytes > max_bytes) {
			for (size_t k = 0; k < i; k++)
				free(v[k]);
			free(v);
			return -E2BIG;
		}
		v[i] = strdup(s);
		if (!v[i])
			goto bad;
	}
	*ret = v;
	return 0;
bad:
	for (size_t k = 0; k < i; k++)
		free(v[k]);
	free(v);
	return -EINVAL;
}

void srv_exec_req_clear(struct srv_exec_req *r)
{
	for (char **p = r->argv; p && *p; p++)
		free(*p);
	for (char **p = r->env; p && *p; p++)
		free(*p);
	free(r->argv);
	free(r->env);
	free(r->cwd);
	free(r->stdin_data);
	memset(r, 0, sizeof(*r));
}

void srv_exec_res_clear(struct srv_exec_res *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

static int parse_user(json_t *u, uint32_t *uid, uint32_t *gid)
{
	const char *s;
	char *end;
	unsigned long a, b;

	if (json_is_integer(u)) {
		json_int_t v = json_integer_value(u);
		if (v < 0 || v > 65535)
			return -EINVAL;
		*uid = *gid = (uint32_t)v;
		return 0;
	}
	if (!json_is_string(u))
		return -EINVAL;
	s = json_string_value(u);
	if (strcmp(s, "root") == 0) {
		*uid = *gid = 0;
		return 0;
	}
	if (strcmp(s, "nobody") == 0) {
		*uid = *gid = 65534;
		return 0;
	}
	errno = 0;
	a = strtoul(s, &end, 10);
	if (end == s || errno || a > 65535)
		return -EINVAL;
	b = a;
	if (*end == ':') {
		const char *g = end + 1;
		b = strtoul(g, &end, 10);
		if (end == g || errno || b > 65535)
			return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	*uid = (uint32_t)a;
	*gid = (uint32_t)b;
	return 0;
}

int srv_exec_parse(json_t *j, const struct srv_limits *lim, struct srv_exec_req *ret,
		   const char **err)
{
	struct srv_exec_req r = { 0 };
	size_t bytes = 0;
	json_t *v;
	int e;

	if (!json_is_object(j)) {
		*err = "body must be a JSON object";
		return -EINVAL;
	}
	v = json_object_get(j, "argv");
	e = v ? str_array(v, &r.argv, &bytes, lim->max_argv, false) : -EINVAL;
	if (e < 0 || !r.argv[0] || !r.argv[0][0]) {
		*err = e == -E2BIG ? "argv too large" : "argv must be a non-empty array of strings";
		srv_exec_req_clear(&r);
		return e == -E2BIG ? -E2BIG : -EINVAL;
	}
	v = json_object_get(j, "env");
	if (v && !json_is_null(v)) {
		if (json_is_object(v)) {
			/* {"K":"V"} form */
			json_t *arr = json_array();
			const char *k;
			json_t *val;
			json_object_foreach(v, k, val) {
				char *kv;
				if (!json_is_string(val) || !k[0] || strchr(k, '=') ||
				    asprintf(&kv, "%s=%s", k, json_string_value(val)) < 0) {
					json_decref(arr);
					*err = "env values must be strings";
					srv_exec_req_clear(&r);
					return -EINVAL;
				}
				json_array_append_new(arr, json_string(kv));
				free(kv);
			}
			e = str_array(arr, &r.env, &bytes, lim->max_argv, true);
			json_decref(arr);
		} else {
			e = str_array(v, &r.env, &bytes, lim->max_argv, true);
		}
		if (e < 0) {
			*err = e == -E2BIG ? "env too large" : "env must be KEY=VALUE strings";
			srv_exec_req_clear(&r);
			return e == -E2BIG ? -E2BIG : -EINVAL;
		}
	}
	v = json_object_get(j, "cwd");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v) || json_string_value(v)[0] != '/' ||
		    json_string_length(v) > 4095) {
			*err = "cwd must be an absolute path";
			srv_exec_req_clear(&r);
			return -EINVAL;
		}
		r.cwd = strdup(json_string_value(v));
	}
	v = json_object_get(j, "user");
	if (v && !json_is_null(v) && parse_user(v, &r.uid, &r.gid) < 0) {
		*err = "user must be \"root\", \"nobody\", UID or \"UID:GID\"";
		srv_exec_req_clear(&r);
		return -EINVAL;
	}
	v = json_object_get(j, "stdin");
	if (v && !json_is_null(v)) {
		if (!json_is_string(v)) {
			*err = "stdin must be a string";
			srv_exec_req_clear(&r);
			return -EINVAL;
		}
		if (json_string_length(v) > lim->max_stdin) {
			*err = "stdin too large";
			srv_exec_req_clear(&r);
			return -E2BIG;
		}
		r.stdin_len = json_string_length(v);
		r.stdin_data = malloc(r.stdin_len + 1);
		if (r.stdin_data)
			memcpy(r.stdin_data, json_string_value(v), r.stdin_len + 1);
	}
	r.timeout_ms = lim->exec_timeout_ms;
	v = json_object_get(j, "timeout_ms");
	if (v && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			*err = "timeout_ms must be a positive integer";
			srv_exec_req_clear(&r);
			return -EINVAL;
		}
		r.timeout_ms = (uint32_t)MIN((json_int_t)lim->max_exec_timeout_ms,
					     json_integer_value(v));
	}
	v = json_object_get(j, "tty");
	if (v && !json_is_null(v)) {
		if (!json_is_boolean(v)) {
			*err = "tty must be a boolean";
			srv_exec_req_clear(&r);
			return -EINVAL;
		}
		r.tty = json_is_true(v);
	}
	r.rows = 24;
	r.cols = 80;
	for (int i = 0; i < 2; i++) {
		const char *name = i ? "cols" : "rows";
		v = json_object_get(j, name);
		if (!v || json_is_null(v))
			continue;
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 65535 || !r.tty) {
			*err = i ? "cols must be 1..65535, with tty" : "rows must be 1..65535, with tty";
			srv_exec_req_clear(&r);
			return -EINVAL;
		}
		*(i ? &r.cols : &r.rows) = (uint16_t)json_integer_value(v);
	}
	if ((r.stdin_len && !r.stdin_data) || (json_object_get(j, "cwd") && !r.cwd &&
					       json_is_string(json_object_get(j, "cwd")))) {
		srv_exec_req_clear(&r);
		return -ENOMEM;
	}
	*ret = r;
	return 0;
}

/* --- UTF-8 --- */

static size_t utf8_seq(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

json_t *srv_json_bytes(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0, o = 0;
	char *buf;
	json_t *j;

	/* Fast path: already valid and NUL-free is what jansson accepts. */
	for (i = 0; i < n;) {
		size_t k = utf8_seq(u + i, n - i);
		if (!k)
			break;
		i += k;
	}
	if (i == n)
		return json_stringn(p, n);
	buf = malloc(n * 3 + 1);
	if (!buf)
		return NULL;
	for (i = 0; i < n;) {
		size_t k = utf8_seq(u + i, n - i);
		if (!k) {
			memcpy(buf + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(buf + o, p + i, k);
		o += k;
		i += k;
	}
	j = json_stringn(buf, o);
	free(buf);
	return j;
}

/* --- stdio: pipes or a pty --- */

static int open_pty(const struct srv_exec_req *rq, int *ret_master, int *ret_slave)
{
	_cleanup_close_ int master = -EBADF, slave = -EBADF;
	struct winsize ws = { .ws_row = rq->rows, .ws_col = rq->cols };
	char name[64];

	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return neg_errno();
	if (grantpt(master) < 0 || unlockpt(master) < 0)
		return neg_errno();
	if (ptsname_r(master, name, sizeof(name)))
		return -ENOTTY;
	if (ioctl(master, TIOCSWINSZ, &ws) < 0)
		return neg_errno();
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return neg_errno();
	*ret_master = TAKE_FD(master);
	*ret_slave = TAKE_FD(slave);
	return 0;
}

int srv_exec_stdio(const struct srv_exec_req *rq, bool want_in, int child[3], int ours[3])
{
	int in[2] = { -EBADF, -EBADF }, out[2] = { -EBADF, -EBADF }, err[2] = { -EBADF, -EBADF };
	int e = 0;

	if (rq->tty) {
		int master, slave;

		e = open_pty(rq, &master, &slave);
		if (e < 0)
			return e;
		/* separate fds for both ends, so they close one by one */
		in[0] = slave;
		out[0] = master;
		out[1] = fcntl(slave, F_DUPFD_CLOEXEC, 3);
		err[1] = fcntl(slave, F_DUPFD_CLOEXEC, 3);
		if (want_in)
			in[1] = fcntl(master, F_DUPFD_CLOEXEC, 3);
		if (out[1] < 0 || err[1] < 0 || (want_in && in[1] < 0))
			e = neg_errno();
	} else if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 ||
		   (want_in && pipe2(in, O_CLOEXEC) < 0)) {
		e = neg_errno();
	}
	if (e < 0) {
		for (int i = 0; i < 2; i++) {
			safe_close(in[i]);
			safe_close(out[i]);
			safe_close(err[i]);
		}
		return e;
	}
	child[0] = in[0];
	child[1] = out[1];
	child[2] = err[1];
	ours[0] = in[1];
	ours[1] = out[0];
	ours[2] = err[0];
	return 0;
}

/* --- the running process --- */

struct run {
	struct sandbox *sb;
	int32_t pid;
	int fd[3]; /* our ends: stdin (write), stdout, stderr (read) */
	char *in; /* owned: the stdin bytes (with a tty, then VEOF) */
	size_t in_len, in_off;
	uint64_t t0, deadline;
	bool timed_out, waited;
	int status;
};

static void run_close(struct run *r)
{
	for (int i = 0; i < 3; i++)
		r->fd[i] = safe_close(r->fd[i]);
}

/* The bytes to write to stdin, owned.  A terminal reads the end of the
 * input as VEOF (^D) at the start of a line: one more flushes a partial
 * line first. */
static int run_input(const struct srv_exec_req *rq, char **ret, size_t *ret_len)
{
	size_t n = rq->stdin_len, eof = 0;
	char *b;

	if (rq->tty)
		eof = n && rq->stdin_data[n - 1] != '\n' ? 2 : 1;
	if (!n && !eof) {
		*ret = NULL;
		*ret_len = 0;
		return 0;
	}
	b = malloc(n + eof);
	if (!b)
		return -ENOMEM;
	if (n)
		memcpy(b, rq->stdin_data, n);
	memset(b + n, 0x04, eof);
	*ret = b;
	*ret_len = n + eof;
	return 0;
}

static int run_start(struct run *r, struct sandbox *sb, const struct srv_exec_req *rq)
{
	int child[3], ours[3];
	struct sandbox_process p = { 0 };
	int e;

	memset(r, 0, sizeof(*r));
	r->fd[0] = r->fd[1] = r->fd[2] = -EBADF;
	r->sb = sb;
	r->t0 = mono_ns();
	r->deadline = r->t0 + (uint64_t)rq->timeout_ms * NSEC_PER_MSEC;
	e = run_input(rq, &r->in, &r->in_len);
	if (e < 0)
		return e;
	e = srv_exec_stdio(rq, r->in_len > 0, child, ours);
	if (e < 0) {
		free(r->in);
		r->in = NULL;
		return e;
	}
	p.argv = (const char *const *)rq->argv;
	p.env = (const char *const *)rq->env;
	p.cwd = rq->cwd;
	p.uid = rq->uid;
	p.gid = rq->gid;
	p.terminal = rq->tty;
	for (int i = 0; i < 3; i++)
		p.stdio[i] = child[i];
	e = sandbox_spawn(sb, &p, &r->pid);
	for (int i = 0; i < 3; i++)
		safe_close(child[i]);
	if (e < 0) {
		for (int i = 0; i < 3; i++)
			safe_close(ours[i]);
		free(r->in);
		r->in = NULL;
		return e;
	}
	for (int i = 0; i < 3; i++) {
		r->fd[i] = ours[i];
		if (r->fd[i] >= 0)
			fd_set_nonblock(r->fd[i], 1);
	}
	return 0;
}

/* One poll round: calls @sink for each chunk read.  Returns 1 while the
 * outputs are open, 0 once both hit EOF (or the deadline passed). */
static int run_pump(struct run *r, int max_wait_ms,
		    void (*sink)(void *ctx, int which, const char *p, size_t n), void *ctx)
{
	struct pollfd pf[3];
	int map[3], n = 0, tmo;
	uint64_t now = mono_ns();
	char buf[65536];

	if (r->fd[1] < 0 && r->fd[2] < 0)
		return 0;
	if (now >= r->deadline) {
		if (!r->timed_out) {
			r->timed_out = true;
			(void)sandbox_kill(r->sb, r->pid, SIGKILL);
		}
		run_close(r);
		return 0;
	}
	tmo = (int)MIN((r->deadline - now) / NSEC_PER_MSEC + 1, (uint64_t)max_wait_ms);
	if (r->fd[0] >= 0 && r->in_off < r->in_len) {
		pf[n] = (struct pollfd){ .fd = r->fd[0], .events = POLLOUT };
		map[n++] = 0;
	} else if (r->fd[0] >= 0) {
		r->fd[0] = safe_close(r->fd[0]);
	}
	for (int i = 1; i < 3; i++) {
		if (r->fd[i] >= 0) {
			pf[n] = (struct pollfd){ .fd = r->fd[i], .events = POLLIN };
			map[n++] = i;
		}
	}
	int ready = poll(pf, (nfds_t)n, tmo);
	if (ready < 0)
		return errno == EINTR ? 1 : 0;
	if (ready == 0 && !r->waited) {
		/* Quiet outputs: has the process exited while something it left
		 * behind (a background child) keeps them open?  Then take what
		 * is buffered and stop: its exit is the end of the exec. */
		int st;
		if (sandbox_wait(r->sb, r->pid, 0, &st) == 0) {
			r->waited = true;
			r->status = st;
			for (int i = 1; i < 3; i++) {
				ssize_t got;
				while (r->fd[i] >= 0 && (got = read(r->fd[i], buf, sizeof(buf))) > 0)
					sink(ctx, i, buf, (size_t)got);
			}
			run_close(r);
			return 0;
		}
		return 1;
	}
	for (int k = 0; k < n; k++) {
		int i = map[k];
		if (!pf[k].revents)
			continue;
		if (i == 0) {
			ssize_t w = write(r->fd[0], r->in + r->in_off, r->in_len - r->in_off);
			if (w > 0)
				r->in_off += (size_t)w;
			else if (w < 0 && errno != EAGAIN)
				r->fd[0] = safe_close(r->fd[0]);
			if (r->in_off >= r->in_len)
				r->fd[0] = safe_close(r->fd[0]);
			continue;
		}
		ssize_t got = read(r->fd[i], buf, sizeof(buf));
		if (got > 0)
			sink(ctx, i, buf, (size_t)got);
		else if (got == 0 || (errno != EAGAIN && errno != EINTR))
			r->fd[i] = safe_close(r->fd[i]);
	}
	return r->fd[1] >= 0 || r->fd[2] >= 0;
}

static int run_finish(struct run *r)
{
	uint64_t now = mono_ns();
	int tmo, e;

	run_close(r);
	if (r->waited)
		return 0;
	tmo = now >= r->deadline ? 0 : (int)((r->deadline - now) / NSEC_PER_MSEC) + 1;
	e = sandbox_wait(r->sb, r->pid, tmo, &r->status);
	if (e == -ETIMEDOUT) {
		r->timed_out = true;
		(void)sandbox_kill(r->sb, r->pid, SIGKILL);
		e = sandbox_wait(r->sb, r->pid, 5000, &r->status);
	}
	r->waited = e == 0;
	return e;
}

static void status_decode(int st, int *code, int *sig)
{
	if (WIFEXITED(st)) {
		*code = WEXITSTATUS(st);
		*sig = 0;
	} else if (WIFSIGNALED(st)) {
		*sig = WTERMSIG(st);
		*code = 128 + *sig;
	} else {
		*code = -1;
		*sig = 0;
	}
}

/* --- blocking --- */

struct collect {
	char *b[3];
	size_t len[3], cap;
	bool truncated, oom;
};

static void collect_sink(void *ctx, int which, const char *p, size_t n)
{
	struct collect *c = ctx;
	size_t room = c->cap - c->len[which];

	if (n > room) {
		c->truncated = true;
		n = room;
	}
	if (!n || c->oom)
		return;
	char *nb = realloc(c->b[which], c->len[which] + n + 1);
	if (!nb) {
		c->oom = true;
		return;
	}
	memcpy(nb + c->len[which], p, n);
	c->len[which] += n;
	nb[c->len[which]] = 0;
	c->b[which] = nb;
}

int srv_exec_run(struct sandbox *sb, const struct srv_exec_req *rq, size_t cap,
		 struct srv_exec_res *res)
{
	struct collect c = { .cap = cap };
	struct run r;
	int e;

	e = run_start(&r, sb, rq);
	if (e < 0)
		return e;
	while (run_pump(&r, 200, collect_sink, &c) > 0)
		;
	e = run_finish(&r);
	free(r.in);
	if (e < 0 || c.oom) {
		free(c.b[1]);
		free(c.b[2]);
		return e < 0 ? e : -ENOMEM;
	}
	memset(res, 0, sizeof(*res));
	status_decode(r.status, &res->exit_code, &res->signal);
	res->out = c.b[1] ? c.b[1] : strdup("");
	res->err = c.b[2] ? c.b[2] : strdup("");
	res->out_len = c.len[1];
	res->err_len = c.len[2];
	res->truncated = c.truncated;
	res->timed_out = r.timed_out;
	res->reason = r.timed_out ? "timeout" : NULL;
	res->duration_ns = mono_ns() - r.t0;
	if (!res->out || !res->err) {
		srv_exec_res_clear(res);
		return -ENOMEM;
	}
	return 0;
}

bool srv_exec_oom(struct pool_lease *l, int e, struct srv_exec_res *res)
{
	if (!l || (e == 0 && (res->signal != SIGKILL || res->timed_out)))
		return false;
	if (!pool_lease_oom(l))
		return false;
	if (e < 0) {
		memset(res, 0, sizeof(*res));
		res->out = strdup("");
		res->err = strdup("");
	}
	res->exit_code = 128 + SIGKILL;
	res->signal = SIGKILL;
	res->reason = "oom";
	pool_lease_failed(l, POOL_FAIL_OOM);
	return true;
}

/* --- streamed --- */

struct srv_stream {
	struct run r;
	struct sandbox *sb;
	struct pool_lease *lease;
	bool end_lease, done, failed;
	size_t cap, sent[3];
	bool truncated;
	char *q; /* pending NDJSON bytes */
	size_t qlen, qoff, qcap;
};

static void q_append(struct srv_stream *s, const char *p, size_t n)
{
	if (s->qlen + n > s->qcap) {
		size_t nc = MAX(s->qcap * 2, s->qlen + n + 4096);
		char *nq = realloc(s->q, nc);
		if (!nq) {
			s->failed = true;
			return;
		}
		s->q = nq;
		s->qcap = nc;
	}
	memcpy(s->q + s->qlen, p, n);
	s->qlen += n;
}

static void q_json(struct srv_stream *s, json_t *j)
{
	char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	if (!t) {
		s->failed = true;
		return;
	}
	q_append(s, t, strlen(t));
	q_append(s, "\n", 1);
	free(t);
}

static void stream_sink(void *ctx, int which, const char *p, size_t n)
{
	struct srv_stream *s = ctx;
	size_t room = s->cap - s->sent[which];

	if (n > room) {
		s->truncated = true;
		n = room;
	}
	if (!n)
		return;
	s->sent[which] += n;
	q_json(s, json_pack("{s:s, s:o}", "type", which == 1 ? "stdout" : "stderr", "data",
			    srv_json_bytes(p, n)));
}

int srv_stream_start(struct sandbox *sb, struct pool_lease *lease, bool end_lease,
		     const struct srv_exec_req *rq, size_t cap, struct srv_stream **ret)
{
	struct srv_stream *s = calloc(1, sizeof(*s));
	int e;

	if (!s)
		return -ENOMEM;
	e = run_start(&s->r, sb, rq);
	if (e < 0) {
		free(s);
		return e;
	}
	s->sb = sb;
	s->lease = lease;
	s->end_lease = end_lease;
	s->cap = cap;
	*ret = s;
	return 0;
}

ssize_t srv_stream_read(struct srv_stream *s, char *buf, size_t max)
{
	while (s->qoff == s->qlen && !s->done) {
		s->qoff = s->qlen = 0;
		if (run_pump(&s->r, 200, stream_sink, s) > 0 && !s->failed)
			continue;
		if (s->qlen)
			break; /* send what the last round read first */
		int e = run_finish(&s->r), code, sig;
		struct srv_exec_res oom = { 0 };
		if (e == 0)
			status_decode(s->r.status, &oom.exit_code, &oom.signal);
		oom.timed_out = s->r.timed_out;
		if ((e == 0 || e == -ECONNRESET || e == -EPIPE || e == -ENOTCONN) &&
		    srv_exec_oom(s->lease, e, &oom)) {
			q_json(s, json_pack("{s:s, s:i, s:i, s:I, s:b, s:b, s:s}", "type", "exit",
					    "exit_code", oom.exit_code, "signal", oom.signal,
					    "duration_ms",
					    (json_int_t)((mono_ns() - s->r.t0) / NSEC_PER_MSEC),
					    "truncated", s->truncated, "timed_out", false, "reason",
					    "oom"));
			if (e < 0)
				srv_exec_res_clear(&oom);
		} else if (e < 0) {
			q_json(s, json_pack("{s:s, s:s}", "type", "error", "detail",
					    e == -ECONNRESET || e == -EPIPE || e == -ENOTCONN
						    ? "the sandbox died"
						    : strerror(-e)));
			if (s->lease)
				pool_lease_failed(s->lease, POOL_FAIL_DIED);
		} else {
			status_decode(s->r.status, &code, &sig);
			json_t *ev = json_pack("{s:s, s:i, s:i, s:I, s:b, s:b}", "type", "exit",
					       "exit_code", code, "signal", sig, "duration_ms",
					       (json_int_t)((mono_ns() - s->r.t0) / NSEC_PER_MSEC),
					       "truncated", s->truncated, "timed_out",
					       s->r.timed_out);
			if (ev && s->r.timed_out)
				json_object_set_new(ev, "reason", json_string("timeout"));
			q_json(s, ev);
		}
		s->done = true;
	}
	if (s->qoff == s->qlen)
		return 0;
	size_t n = MIN(max, s->qlen - s->qoff);
	memcpy(buf, s->q + s->qoff, n);
	s->qoff += n;
	return (ssize_t)n;
}

void srv_stream_free(struct srv_stream *s)
{
	if (!s)
		return;
	if (!s->r.waited && s->r.pid > 0) {
		(void)sandbox_kill(s->sb, s->r.pid, SIGKILL);
		run_close(&s->r);
		(void)sandbox_wait(s->sb, s->r.pid, 2000, &s->r.status);
	}
	run_close(&s->r);
	free(s->r.in);
	if (s->lease && s->sb != pool_lease_sandbox(s->lease))
		sandbox_close(s->sb);
	if (s->lease) {
		if (s->end_lease)
			pool_lease_end(s->lease);
		pool_lease_put(s->lease);
	}
	free(s->q);
	free(s);
}
