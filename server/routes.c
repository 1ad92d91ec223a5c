/* SPDX-License-Identifier: Apache-2.0 */
/*
 * REST routes (api/openapi.yaml is the reference):
 *   GET  /healthz /readyz /metrics
 *   GET|POST /v1/pools            GET|PATCH|DELETE /v1/pools/NAME
 *   GET|POST /v1/sandboxes        GET|DELETE /v1/sandboxes/ID
 *   POST /v1/sandboxes/ID/timeout POST /v1/sandboxes/ID/exec[?stream=1]
 *   PUT|GET|DELETE /v1/sandboxes/ID/files?path=P[&list=1]
 *   POST /v1/run[?stream=1]
 *   POST /v1/sandboxes/ID/snapshots  GET /v1/snapshots  GET|DELETE /v1/snapshots/SID
 */
#define LOG_PREFIX "cvisord"
#include "server/http.h"
#include "server/grpc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "runtime/sandbox.h"

#define MAX_SEGS 5 /* v1/sandboxes/ID/exec/stream */

static json_t *parse_body(struct srv *s, struct MHD_Connection *c, struct srv_req *rq,
			  enum MHD_Result *res)
{
	json_error_t je;
	json_t *j;

	if (!rq->body || !rq->len) {
		*res = srv_problem(s, c, 400, "malformed-json", "Bad Request",
				   "a JSON body is required");
		return NULL;
	}
	j = json_loadb(rq->body, rq->len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		*res = srv_problem(s, c, 400, "malformed-json", "Bad Request",
				   "malformed JSON at line %d column %d: %s", je.line, je.column,
				   je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		*res = srv_problem(s, c, 400, "malformed-json", "Bad Request",
				   "the body must be a JSON object");
		return NULL;
	}
	return j;
}

static const char *qarg(struct MHD_Connection *c, const char *k)
{
	return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, k);
}

static bool want_stream(struct MHD_Connection *c, json_t *body)
{
	const char *q = qarg(c, "stream");
	const char *acc = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);

	if (q && (strcmp(q, "1") == 0 || strcmp(q, "true") == 0))
		return true;
	if (acc && strstr(acc, "application/x-ndjson"))
		return true;
	return body && json_is_true(json_object_get(body, "stream"));
}

/* --- pools --- */

static enum MHD_Result pool_reply(struct srv *s, struct MHD_Connection *c, const char *name,
				  unsigned status)
{
	struct pool_info *pi = malloc(sizeof(*pi));
	enum MHD_Result res;
	int r;

	if (!pi)
		return MHD_NO;
	r = pool_get(s->pm, name, pi);
	if (r < 0)
		res = srv_errno_problem(s, c, r, "pool");
	else
		res = srv_send_json(s, c, status, srv_pool_to_json(pi));
	free(pi);
	return res;
}

static enum MHD_Result pools_list(struct srv *s, struct MHD_Connection *c)
{
	char **names;
	size_t n;
	json_t *a = json_array();
	struct pool_info *pi = malloc(sizeof(*pi));
	int r;

	if (!a || !pi) {
		json_decref(a);
		free(pi);
		return MHD_NO;
	}
	r = pool_list(s->pm, &names, &n);
	if (r < 0) {
		json_decref(a);
		free(pi);
		return srv_errno_problem(s, c, r, "pools");
	}
	for (size_t i = 0; i < n; i++)
		if (pool_get(s->pm, names[i], pi) == 0)
			json_array_append_new(a, srv_pool_to_json(pi));
	pool_names_free(names, n);
	free(pi);
	return srv_send_json(s, c, 200, json_pack("{s:o}", "pools", a));
}

static enum MHD_Result pools_create(struct srv *s, struct MHD_Connection *c, struct srv_req *rq)
{
	enum MHD_Result res;
	json_t *j = parse_body(s, c, rq, &res);
	struct pool_config cfg;
	const char *err = "invalid";
	char name[POOL_NAME_MAX + 1], msg[512];
	int r;

	if (!j)
		return res;
	r = srv_pool_from_json(j, s->cfg.platform, &cfg, &err);
	json_decref(j);
	if (r < 0)
		return srv_problem(s, c, 400, "bad-field", "Bad Request", "%s", err);
	snprintf(name, sizeof(name), "%s", cfg.name);
	r = srv_pool_create(s, &cfg, msg, sizeof(msg));
	srv_pool_config_free(&cfg);
	if (r == -ENOENT)
		return srv_problem(s, c, 404, "not-found", "Not Found", "%s", msg);
	if (r == -ENOTDIR || r == -EINVAL)
		return srv_problem(s, c, 400, "bad-field", "Bad Request", "%s", msg);
	if (r == -ECANCELED)
		return srv_problem(s, c, 409, "snapshot-unusable", "Conflict", "%s", msg);
	if (r == -EOPNOTSUPP)
		return srv_problem(s, c, 400, "cgroups-unavailable", "Bad Request", "%s", msg);
	if (r < 0)
		return srv_errno_problem(s, c, r, name);
	return pool_reply(s, c, name, 201);
}

static enum MHD_Result pools_patch(struct srv *s, struct MHD_Connection *c, const char *name,
				   struct srv_req *rq)
{
	enum MHD_Result res;
	json_t *j = parse_body(s, c, rq, &res), *v;
	struct pool_config vals = { 0 };
	unsigned fields = 0;
	const char *key;
	int r;

	if (!j)
		return res;
	json_object_foreach(j, key, v) {
		json_int_t x = json_is_integer(v) ? json_integer_value(v) : -1;
		if (x < 0 || x > 7 * 86400) {
			res = srv_problem(s, c, 400, "bad-field", "Bad Request",
					  "%.64s must be a non-negative integer", key);
			json_decref(j); /* @key points into it */
			return res;
		}
		if (strcmp(key, "min_ready") == 0) {
			vals.min_ready = (uint32_t)x;
			fields |= POOL_UPD_MIN_READY;
		} else if (strcmp(key, "max_total") == 0) {
			vals.max_total = (uint32_t)x;
			fields |= POOL_UPD_MAX_TOTAL;
		} else if (strcmp(key, "max_lease_seconds") == 0) {
			vals.max_lease_seconds = (uint32_t)x;
			fields |= POOL_UPD_MAX_LEASE;
		} else if (strcmp(key, "idle_ttl") == 0 || strcmp(key, "idle_ttl_seconds") == 0) {
			vals.idle_ttl_seconds = (uint32_t)x;
			fields |= POOL_UPD_IDLE_TTL;
		} else {
			res = srv_problem(s, c, 400, "bad-field", "Bad Request",
					  "%.64s cannot be changed", key);
			json_decref(j);
			return res;
		}
	}
	json_decref(j);
	r = pool_update(s->pm, name, fields, &vals);
	if (r == -EINVAL)
		return srv_problem(s, c, 400, "bad-field", "Bad Request",
				   "min_ready must not exceed max_total");
	if (r < 0)
		return srv_errno_problem(s, c, r, "pool");
	return pool_reply(s, c, name, 200);
}

/* --- sandboxes --- */

static json_t *lease_json(struct pool_lease *l)
{
	json_t *labels = json_object();
	json_t *j;

	for (size_t i = 0; i < pool_lease_nlabels(l); i++) {
		const char *k, *v;
		pool_lease_label_at(l, i, &k, &v);
		json_object_set_new(labels, k, json_string(v));
	}
	j = json_pack("{s:s, s:s, s:s, s:I, s:I, s:o}", "id", pool_lease_id(l), "pool",
		      pool_lease_pool(l), "state", pool_lease_ended(l) ? "ended" : "running",
		      "created_ms", (json_int_t)pool_lease_created_ms(l), "expires_ms",
		      (json_int_t)pool_lease_deadline_ms(l), "labels", labels);
	if (j && pool_lease_host_pid(l) > 0)
		json_object_set_new(j, "host_pid", json_integer(pool_lease_host_pid(l)));
	if (j && pool_resources_set(pool_lease_resources(l)))
		json_object_set_new(j, "resources", srv_resources_to_json(pool_lease_resources(l)));
	return j;
}

static int utf8_ok(const char *s)
{
	json_t *j = json_string(s);
	bool ok = j != NULL;

	json_decref(j);
	return ok;
}

static enum MHD_Result sandboxes_create(struct srv *s, struct MHD_Connection *c,
					struct srv_req *rq)
{
	enum MHD_Result res;
	json_t *j = rq->len ? parse_body(s, c, rq, &res) : json_object(), *v, *labels;
	const char *pool = "default";
	uint32_t secs = 0;
	int tmo = s->cfg.lim.acquire_timeout_ms;
	struct pool_lease *l;
	int r;

	if (!j)
		return res;
	v = json_object_get(j, "pool");
	if (v && !json_is_string(v)) {
		json_decref(j);
		return srv_problem(s, c, 400, "bad-field", "Bad Request", "pool must be a string");
	}
	if (v)
		pool = json_string_value(v);
	v = json_object_get(j, "timeout_s");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 0 ||
		  json_integer_value(v) > 7 * 86400)) {
		json_decref(j);
		return srv_problem(s, c, 400, "bad-field", "Bad Request",
				   "timeout_s must be a non-negative integer");
	}
	if (v)
		secs = (uint32_t)json_integer_value(v);
	v = json_object_get(j, "acquire_timeout_ms");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 0 ||
		  json_integer_value(v) > 600000)) {
		json_decref(j);
		return srv_problem(s, c, 400, "bad-field", "Bad Request",
				   "acquire_timeout_ms must be 0..600000");
	}
	if (v)
		tmo = (int)json_integer_value(v);
	labels = json_object_get(j, "labels");
	if (labels && (!json_is_object(labels) || json_object_size(labels) > 16)) {
		json_decref(j);
		return srv_problem(s, c, 400, "bad-field", "Bad Request",
				   "labels must be an object of at most 16 strings");
	}
	if (labels) {
		const char *k;
		json_object_foreach(labels, k, v) {
			if (!json_is_string(v) || !k[0] || strlen(k) > 128 ||
			    json_string_length(v) > 128 || strchr(k, '=') ||
			    strlen(json_string_value(v)) != json_string_length(v)) {
				json_decref(j);
				return srv_problem(s, c, 400, "bad-field", "Bad Request",
						   "labels: keys and values are strings of at "
						   "most 128 bytes, keys without '='");
			}
		}
	}
	v = json_object_get(j, "snapshot");
	if (v && (!json_is_string(v) || json_object_get(j, "pool") ||
		  json_object_get(j, "rootfs"))) {
		json_decref(j);
		return srv_problem(s, c, 400, "bad-field", "Bad Request",
				   "snapshot must be a snapshot id, without pool or rootfs");
	}
	if (v) {
		char err[512];
		r = srv_snap_restore(s, json_string_value(v), tmo, secs, &l, err, sizeof(err));
		if (r == -ENOENT) {
			res = srv_problem(s, c, 404, "not-found", "Not Found",
					  "snapshot %.64s: not found", json_string_value(v));
			json_decref(j);
			return res;
		}
		if (r == -ECANCELED) {
			json_decref(j);
			return srv_problem(s, c, 409, "restore-refused", "Conflict",
					   "cannot restore the snapshot: %s", err);
		}
		goto leased;
	}
	v = json_object_get(j, "rootfs");
	if (!v && json_object_get(j, "resources") && !json_is_null(json_object_get(j, "resources"))) {
		json_decref(j);
		return srv_problem(s, c, 400, "bad-field", "Bad Request",
				   "resources apply to a sandbox booted from rootfs; a pool's "
				   "sandboxes get the pool's");
	}
	v = json_object_get(j, "rootfs");
	if (v && (!json_is_string(v) || json_string_value(v)[0] != '/' ||
		  json_object_get(j, "pool"))) {
		json_decref(j);
		return srv_problem(s, c, 400, "bad-field", "Bad Request",
				   "rootfs must be an absolute host path, without pool");
	}
	if (v) {
		enum plat_kind k = s->cfg.platform;
		json_t *pv = json_object_get(j, "platform");
		if (pv && (!json_is_string(pv) ||
			   plat_kind_from_string(json_string_value(pv), &k) < 0)) {
			json_decref(j);
			return srv_problem(s, c, 400, "bad-field", "Bad Request",
					   "platform must be systrap or ptrace");
		}
		struct pool_resources lim;
		const char *rerr = "invalid";
		if (srv_resources_from_json(json_object_get(j, "resources"), &lim, &rerr) < 0) {
			res = srv_problem(s, c, 400, "bad-field", "Bad Request", "%s", rerr);
			json_decref(j);
			return res;
		}
		if (pool_resources_set(&lim) && (r = pool_cgroups_usable()) < 0) {
			char msg[512];
			srv_cgroups_error(r, msg, sizeof(msg));
			json_decref(j);
			return srv_problem(s, c, 400, "cgroups-unavailable", "Bad Request", "%s",
					   msg);
		}
		r = pool_boot_adhoc_res(s->pm, json_string_value(v), k, secs, &lim, &l);
		if (r == -ENOTDIR || r == -EINVAL || r == -ENAMETOOLONG) {
			json_decref(j);
			return srv_problem(s, c, 400, "bad-field", "Bad Request",
					   "rootfs is not a directory");
		}
	} else {
		r = pool_acquire(s->pm, pool, tmo, secs, &l);
	}
leased:
	if (r < 0) {
		char what[80];
		snprintf(what, sizeof(what), "pool %.40s", pool);
		json_decref(j);
		return srv_errno_problem(s, c, r, what);
	}
	if (labels) {
		const char *k;
		json_object_foreach(labels, k, v)
			(void)pool_lease_set_label(l, k, json_string_value(v));
	}
	json_decref(j);
	res = srv_send_json(s, c, 201, lease_json(l));
	pool_lease_put(l);
	return res;
}

static enum MHD_Result sandboxes_list(struct srv *s, struct MHD_Connection *c)
{
	const char *state = qarg(c, "state"), *label = qarg(c, "label");
	const char *ps = qarg(c, "page_size"), *token = qarg(c, "page_token");
	char lkey[130] = "", *lval = NULL;
	long page = 100;
	char **ids;
	size_t n;
	json_t *a;
	int r;

	if (state && strcmp(state, "running") != 0 && strcmp(state, "ended") != 0)
		return srv_problem(s, c, 400, "bad-field", "Bad Request",
				   "state must be running or ended");
	if (ps) {
		char *end;
		page = strtol(ps, &end, 10);
		if (*end || page < 1 || page > 1000)
			return srv_problem(s, c, 400, "bad-field", "Bad Request",
					   "page_size must be 1..1000");
	}
	if (label) {
		const char *eq = strchr(label, '=');
		if (!eq || eq == label || (size_t)(eq - label) > 128)
			return srv_problem(s, c, 400, "bad-field", "Bad Request",
					   "label must be KEY=VALUE");
		memcpy(lkey, label, (size_t)(eq - label));
		lkey[eq - label] = 0;
		lval = (char *)eq + 1;
	}
	r = pool_lease_ids(s->pm, &ids, &n);
	if (r < 0)
		return srv_errno_problem(s, c, r, "sandboxes");
	a = json_array();
	size_t i = 0, added = 0;
	if (token)
		while (i < n && strcmp(ids[i], token) <= 0)
			i++;
	const char *next = NULL;
	for (; i < n; i++) {
		struct pool_lease *l;
		if (state && strcmp(state, "ended") == 0)
			break; /* ended sandboxes are gone */
		if (pool_lease_find(s->pm, ids[i], &l) < 0)
			continue;
		if (lval) {
			const char *v = pool_lease_label(l, lkey);
			if (!v || strcmp(v, lval) != 0) {
				pool_lease_put(l);
				continue;
			}
		}
		if (added == (size_t)page) {
			pool_lease_put(l);
			next = ids[i - 1];
			break;
		}
		json_array_append_new(a, lease_json(l));
		pool_lease_put(l);
		added++;
	}
	json_t *j = json_pack("{s:o}", "sandboxes", a);
	if (j && next)
		json_object_set_new(j, "next_page_token", json_string(next));
	pool_names_free(ids, n);
	return srv_send_json(s, c, 200, j);
}

static enum MHD_Result sandbox_timeout(struct srv *s, struct MHD_Connection *c,
				       struct pool_lease *l, struct srv_req *rq)
{
	enum MHD_Result res;
	json_t *j = parse_body(s, c, rq, &res), *v;
	int r;

	if (!j)
		return res;
	v = json_object_get(j, "timeout_s");
	if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
	    json_integer_value(v) > 7 * 86400) {
		json_decref(j);
		return srv_problem(s, c, 400, "bad-field", "Bad Request",
				   "timeout_s must be a positive integer");
	}
	r = pool_lease_set_timeout(l, (uint32_t)json_integer_value(v));
	json_decref(j);
	if (r < 0)
		return srv_problem(s, c, 409, "wrong-state", "Conflict", "the sandbox has ended");
	return srv_send_json(s, c, 200, lease_json(l));
}

static bool conn_error(int e)
{
	return e == -ECONNRESET || e == -EPIPE || e == -ENOTCONN || e == -ECONNREFUSED ||
	       e == -ESHUTDOWN;
}

static json_t *exec_result_json(const struct srv_exec_res *r)
{
	json_t *j = json_pack("{s:i, s:o, s:o, s:I, s:b, s:b}", "exit_code", r->exit_code,
			      "stdout", srv_json_bytes(r->out, r->out_len), "stderr",
			      srv_json_bytes(r->err, r->err_len), "duration_ms",
			      (json_int_t)(r->duration_ns / NSEC_PER_MSEC), "truncated",
			      r->truncated, "timed_out", r->timed_out);
	if (j && r->signal)
		json_object_set_new(j, "signal", json_integer(r->signal));
	if (j && r->reason)
		json_object_set_new(j, "reason", json_string(r->reason));
	return j;
}

static ssize_t stream_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
	ssize_t n = srv_stream_read(cls, buf, max);

	return n > 0 ? n : MHD_CONTENT_READER_END_OF_STREAM;
}

static void stream_free_cb(void *cls)
{
	srv_stream_free(cls);
}

/* Runs @rq in @sb.  @lease: reference handed over (put here); @end: the
 * lease ends afterwards (run). */
static enum MHD_Result do_exec(struct srv *s, struct MHD_Connection *c, struct pool_lease *l,
			       struct sandbox *sb, bool end, struct srv_exec_req *rq, bool stream)
{
	char pool[POOL_NAME_MAX + 1];
	enum MHD_Result res;
	int r;

	snprintf(pool, sizeof(pool), "%s", pool_lease_pool(l));
	atomic_fetch_add(&s->execs, 1);
	if (stream) {
		struct srv_stream *st;
		struct MHD_Response *resp;

		r = srv_stream_start(sb, l, end, rq, s->cfg.lim.max_output, &st);
		if (r < 0)
			goto fail;
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_cb, st,
							 stream_free_cb);
		if (!resp) {
			srv_stream_free(st);
			return MHD_NO;
		}
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/x-ndjson");
		res = MHD_queue_response(c, 200, resp);
		MHD_destroy_response(resp);
		atomic_fetch_add(&s->http_total[2], 1);
		return res;
	} else {
		struct srv_exec_res out;
		r = srv_exec_run(sb, rq, s->cfg.lim.max_output, &out);
		if ((r == 0 || conn_error(r)) && srv_exec_oom(l, r, &out))
			r = 0; /* reported as the process's end: 137, reason "oom" */
		if (r < 0)
			goto fail;
		pool_observe_run(s->pm, pool, (double)out.duration_ns / 1e9);
		res = srv_send_json(s, c, 200, exec_result_json(&out));
		srv_exec_res_clear(&out);
		if (sb != pool_lease_sandbox(l))
			sandbox_close(sb);
		if (end)
			pool_lease_end(l);
		pool_lease_put(l);
		return res;
	}
fail:
	if (conn_error(r)) {
		pool_lease_failed(l, POOL_FAIL_DIED);
		res = srv_problem(s, c, 502, "sandbox-died", "Bad Gateway",
				  "the sandbox died during the request");
	} else {
		pool_count_failure(s->pm, pool, POOL_FAIL_EXEC);
		if (r == -ENOENT || r == -EACCES || r == -ENOEXEC || r == -ENOTDIR ||
		    r == -EISDIR || r == -EPERM)
			res = srv_problem(s, c, 400, "exec-failed", "Bad Request",
					  "cannot execute %.200s: %s", rq->argv[0], strerror(-r));
		else
			res = srv_errno_problem(s, c, r, "exec");
	}
	if (sb != pool_lease_sandbox(l))
		sandbox_close(sb);
	if (end)
		pool_lease_end(l);
	pool_lease_put(l);
	return res;
}

static enum MHD_Result sandbox_exec(struct srv *s, struct MHD_Connection *c, struct pool_lease *l,
				    struct srv_req *rq)
{
	enum MHD_Result res;
	json_t *j = parse_body(s, c, rq, &res);
	struct srv_exec_req er;
	struct sandbox *sb;
	const char *err = "invalid";
	bool stream;
	int r;

	if (!j) {
		pool_lease_put(l);
		return res;
	}
	stream = want_stream(c, j);
	r = srv_exec_parse(j, &s->cfg.lim, &er, &err);
	json_decref(j);
	if (r < 0) {
		pool_lease_put(l);
		if (r == -E2BIG)
			return srv_problem(s, c, 413, "too-large", "Content Too Large", "%s", err);
		if (r == -ENOMEM)
			return MHD_NO;
		return srv_problem(s, c, 400, "bad-field", "Bad Request", "%s", err);
	}
	r = sandbox_attach(pool_lease_control_path(l), &sb);
	if (r < 0) {
		srv_exec_req_clear(&er);
		if (pool_lease_ended(l)) {
			pool_lease_put(l);
			return srv_problem(s, c, 409, "wrong-state", "Conflict",
					   "the sandbox has ended");
		}
		pool_lease_failed(l, POOL_FAIL_DIED);
		pool_lease_put(l);
		return srv_problem(s, c, 502, "sandbox-died", "Bad Gateway", "the sandbox died");
	}
	res = do_exec(s, c, l, sb, false, &er, stream);
	srv_exec_req_clear(&er);
	return res;
}

static enum MHD_Result run(struct srv *s, struct MHD_Connection *c, struct srv_req *rq)
{
	enum MHD_Result res;
	json_t *j = parse_body(s, c, rq, &res), *v;
	struct srv_exec_req er;
	struct pool_lease *l;
	const char *err = "invalid";
	char pool[64] = "default";
	bool stream;
	int r;

	if (!j)
		return res;
	v = json_object_get(j, "pool");
	if (v && (!json_is_string(v) || json_string_length(v) > POOL_NAME_MAX)) {
		json_decref(j);
		return srv_problem(s, c, 400, "bad-field", "Bad Request",
				   "pool must be a pool name");
	}
	if (v)
		snprintf(pool, sizeof(pool), "%s", json_string_value(v));
	stream = want_stream(c, j);
	r = srv_exec_parse(j, &s->cfg.lim, &er, &err);
	json_decref(j);
	if (r < 0) {
		if (r == -E2BIG)
			return srv_problem(s, c, 413, "too-large", "Content Too Large", "%s", err);
		if (r == -ENOMEM)
			return MHD_NO;
		return srv_problem(s, c, 400, "bad-field", "Bad Request", "%s", err);
	}
	atomic_fetch_add(&s->runs, 1);
	r = pool_acquire(s->pm, pool, s->cfg.lim.acquire_timeout_ms, 0, &l);
	if (r < 0) {
		char what[80];
		srv_exec_req_clear(&er);
		snprintf(what, sizeof(what), "pool %s", pool);
		return srv_errno_problem(s, c, r, what);
	}
	res = do_exec(s, c, l, pool_lease_sandbox(l), true, &er, stream);
	srv_exec_req_clear(&er);
	return res;
}

/* --- files --- */

static bool path_ok(const char *p)
{
	return p && p[0] == '/' && strlen(p) < 4096 && utf8_ok(p);
}

static enum MHD_Result sandbox_files(struct srv *s, struct MHD_Connection *c, const char *method,
				     struct pool_lease *l, struct srv_req *rq)
{
	const char *path = qarg(c, "path"), *list = qarg(c, "list");
	struct sandbox *sb;
	enum MHD_Result res;
	int r;

	if (!path_ok(path)) {
		pool_lease_put(l);
		return srv_problem(s, c, 400, "bad-field", "Bad Request",
				   "path must be an absolute path");
	}
	r = sandbox_attach(pool_lease_control_path(l), &sb);
	if (r < 0) {
		pool_lease_put(l);
		return srv_problem(s, c, 409, "wrong-state", "Conflict",
				   "the sandbox is not reachable");
	}
	if (strcmp(method, "PUT") == 0) {
		const char *m = qarg(c, "mode");
		unsigned long mode = 0644;
		if (m) {
			char *end;
			mode = strtoul(m, &end, 8);
			if (*end || mode > 07777) {
				res = srv_problem(s, c, 400, "bad-field", "Bad Request",
						  "mode must be octal");
				goto out;
			}
		}
		r = sandbox_file_write(sb, path, rq->body ? rq->body : "", rq->len, (uint32_t)mode);
		res = r < 0 ? srv_errno_problem(s, c, r, path) : srv_send(s, c, 204, NULL, "", 0);
	} else if (strcmp(method, "DELETE") == 0) {
		r = sandbox_file_remove(sb, path);
		res = r < 0 ? srv_errno_problem(s, c, r, path) : srv_send(s, c, 204, NULL, "", 0);
	} else if (list && strcmp(list, "0") != 0) {
		struct sandbox_dirent *v;
		size_t n;
		r = sandbox_file_list(sb, path, &v, &n);
		if (r < 0) {
			res = srv_errno_problem(s, c, r, path);
		} else {
			json_t *a = json_array();
			for (size_t i = 0; i < n; i++) {
				const char *t = S_ISDIR(v[i].mode)   ? "dir"
						: S_ISREG(v[i].mode) ? "file"
						: S_ISLNK(v[i].mode) ? "symlink"
								     : "other";
				json_array_append_new(
					a, json_pack("{s:o, s:s, s:i, s:I}", "name",
						     srv_json_bytes(v[i].name, strlen(v[i].name)),
						     "type", t, "mode", (int)(v[i].mode & 07777),
						     "size", (json_int_t)v[i].size));
			}
			sandbox_dirents_free(v, n);
			res = srv_send_json(s, c, 200, json_pack("{s:s, s:o}", "path", path,
								 "entries", a));
		}
	} else {
		void *data;
		size_t len;
		r = sandbox_file_read(sb, path, s->cfg.lim.max_file, &data, &len);
		if (r < 0) {
			res = srv_errno_problem(s, c, r, path);
		} else {
			res = srv_send(s, c, 200, "application/octet-stream", data, len);
			free(data);
		}
	}
out:
	sandbox_close(sb);
	pool_lease_put(l);
	return res;
}

/* --- snapshots --- */

static enum MHD_Result snapshot_create(struct srv *s, struct MHD_Connection *c, const char *id,
				       struct srv_req *rq)
{
	enum MHD_Result res;
	json_t *j = rq->len ? parse_body(s, c, rq, &res) : json_object(), *v, *out;
	struct srv_snap_opts o = { 0 };
	bool leave = true;
	const char *why;
	char err[512];
	int r;

	if (!j)
		return res;
	v = json_object_get(j, "leave_running");
	if (v && !json_is_boolean(v)) {
		json_decref(j);
		return srv_problem(s, c, 400, "bad-field", "Bad Request",
				   "leave_running must be a boolean");
	}
	if (v)
		leave = json_is_true(v);
	v = json_object_get(j, "compress");
	if (v && !json_is_boolean(v)) {
		json_decref(j);
		return srv_problem(s, c, 400, "bad-field", "Bad Request",
				   "compress must be a boolean");
	}
	if (v && json_is_true(v))
		o.ckpt_flags |= SANDBOX_CKPT_COMPRESS;
	v = json_object_get(j, "ttl_seconds");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 0 ||
		  json_integer_value(v) > UINT32_MAX)) {
		json_decref(j);
		return srv_problem(s, c, 400, "bad-field", "Bad Request",
				   "ttl_seconds must be a non-negative integer");
	}
	if (v)
		o.ttl_seconds = (uint32_t)json_integer_value(v);
	o.labels = json_object_get(j, "labels");
	why = srv_snap_labels_ok(o.labels);
	if (why) {
		json_decref(j);
		return srv_problem(s, c, 400, "bad-field", "Bad Request", "%s", why);
	}
	if (leave)
		o.ckpt_flags |= SANDBOX_CKPT_LEAVE_RUNNING;
	r = srv_snap_create(s, id, &o, &out, err, sizeof(err));
	json_decref(j);
	if (r == -ENOENT)
		return srv_problem(s, c, 404, "not-found", "Not Found", "sandbox %.64s: not found",
				   id);
	if (r == -EINVAL)
		return srv_problem(s, c, 400, "bad-field", "Bad Request", "%s", err);
	if (r == -EDQUOT)
		return srv_problem(s, c, 507, "snapshot-quota", "Insufficient Storage", "%s", err);
	if (r == -ENOSPC)
		return srv_problem(s, c, 507, "insufficient-storage", "Insufficient Storage",
				   "no space for the snapshot: %s", err);
	if (r == -ECANCELED)
		return srv_problem(s, c, 409, "checkpoint-refused", "Conflict",
				   "the sandbox cannot be checkpointed: %s", err);
	if (r == -EPIPE)
		return srv_problem(s, c, 502, "sandbox-died", "Bad Gateway", "%s", err);
	if (r < 0)
		return srv_problem(s, c, 500, "internal", "Internal Server Error", "snapshot: %s",
				   err[0] ? err : strerror(-r));
	return srv_send_json(s, c, 201, out);
}

/* --- health, metrics --- */

static void hist_out(FILE *f, const char *name, const char *pool, const struct pool_hist *h)
{
	uint64_t cum = 0;

	for (int i = 0; i < POOL_HIST_BUCKETS; i++) {
		cum += h->counts[i];
		fprintf(f, "%s_bucket{pool=\"%s\",le=\"%g\"} %llu\n", name, pool,
			pool_hist_bounds[i], (unsigned long long)cum);
	}
	cum += h->counts[POOL_HIST_BUCKETS];
	fprintf(f, "%s_bucket{pool=\"%s\",le=\"+Inf\"} %llu\n", name, pool,
		(unsigned long long)cum);
	fprintf(f, "%s_sum{pool=\"%s\"} %.6f\n%s_count{pool=\"%s\"} %llu\n", name, pool, h->sum,
		name, pool, (unsigned long long)h->n);
}

static enum MHD_Result metrics(struct srv *s, struct MHD_Connection *c)
{
	char *buf = NULL, **names;
	size_t len = 0, n;
	FILE *f = open_memstream(&buf, &len);
	struct pool_info *v;
	enum MHD_Result res;
	static const char *const cls[] = { "other", "1xx", "2xx", "3xx", "4xx", "5xx" };

	if (!f)
		return MHD_NO;
	if (pool_list(s->pm, &names, &n) < 0) {
		fclose(f);
		free(buf);
		return MHD_NO;
	}
	v = calloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; v && i < n; i++)
		if (pool_get(s->pm, names[i], &v[i]) < 0)
			v[i].cfg.name[0] = 0;
	static const struct {
		const char *name, *help;
		size_t off;
	} gauges[] = {
		{ "cvisor_pool_ready", "Warm sandboxes ready to lease", offsetof(struct pool_info, ready) },
		{ "cvisor_pool_leased", "Sandboxes leased", offsetof(struct pool_info, leased) },
		{ "cvisor_pool_starting", "Sandboxes booting", offsetof(struct pool_info, starting) },
		{ "cvisor_pool_min_ready", "Configured min_ready", offsetof(struct pool_info, cfg.min_ready) },
	};
	for (size_t g = 0; v && g < ARRAY_SIZE(gauges); g++) {
		fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", gauges[g].name, gauges[g].help,
			gauges[g].name);
		for (size_t i = 0; i < n; i++)
			if (v[i].cfg.name[0])
				fprintf(f, "%s{pool=\"%s\"} %u\n", gauges[g].name, v[i].cfg.name,
					*(const uint32_t *)((const char *)&v[i] + gauges[g].off));
	}
	fprintf(f, "# HELP cvisor_sandboxes_created_total Sandboxes booted\n"
		   "# TYPE cvisor_sandboxes_created_total counter\n");
	for (size_t i = 0; v && i < n; i++)
		if (v[i].cfg.name[0])
			fprintf(f, "cvisor_sandboxes_created_total{pool=\"%s\"} %llu\n",
				v[i].cfg.name, (unsigned long long)v[i].created);
	fprintf(f, "# HELP cvisor_sandboxes_destroyed_total Sandboxes destroyed\n"
		   "# TYPE cvisor_sandboxes_destroyed_total counter\n");
	for (size_t i = 0; v && i < n; i++)
		if (v[i].cfg.name[0])
			fprintf(f, "cvisor_sandboxes_destroyed_total{pool=\"%s\"} %llu\n",
				v[i].cfg.name, (unsigned long long)v[i].destroyed);
	fprintf(f, "# HELP cvisor_pool_failures_total Failures by reason\n"
		   "# TYPE cvisor_pool_failures_total counter\n");
	for (size_t i = 0; v && i < n; i++)
		for (int k = 0; k < POOL_FAIL_N && v[i].cfg.name[0]; k++)
			fprintf(f, "cvisor_pool_failures_total{pool=\"%s\",reason=\"%s\"} %llu\n",
				v[i].cfg.name, pool_fail_name((enum pool_fail)k),
				(unsigned long long)v[i].failures[k]);
	fprintf(f, "# HELP cvisor_acquire_seconds Time to lease a warm sandbox\n"
		   "# TYPE cvisor_acquire_seconds histogram\n");
	for (size_t i = 0; v && i < n; i++)
		if (v[i].cfg.name[0])
			hist_out(f, "cvisor_acquire_seconds", v[i].cfg.name, &v[i].acquire);
	fprintf(f, "# HELP cvisor_run_seconds Duration of exec/run processes\n"
		   "# TYPE cvisor_run_seconds histogram\n");
	for (size_t i = 0; v && i < n; i++)
		if (v[i].cfg.name[0])
			hist_out(f, "cvisor_run_seconds", v[i].cfg.name, &v[i].run);
	fprintf(f, "# HELP cvisor_http_responses_total HTTP responses by status class\n"
		   "# TYPE cvisor_http_responses_total counter\n");
	for (int k = 0; k < 6; k++)
		fprintf(f, "cvisor_http_responses_total{code=\"%s\"} %llu\n", cls[k],
			(unsigned long long)atomic_load(&s->http_total[k]));
	fprintf(f, "# HELP cvisor_http_inflight Requests in flight\n# TYPE cvisor_http_inflight gauge\n"
		   "cvisor_http_inflight %u\n",
		atomic_load(&s->inflight));
	fprintf(f, "# TYPE cvisor_runs_total counter\ncvisor_runs_total %llu\n",
		(unsigned long long)atomic_load(&s->runs));
	fprintf(f, "# TYPE cvisor_execs_total counter\ncvisor_execs_total %llu\n",
		(unsigned long long)atomic_load(&s->execs));
	fprintf(f, "# TYPE cvisor_snapshots_created_total counter\n"
		   "cvisor_snapshots_created_total %llu\n"
		   "# TYPE cvisor_snapshots_restored_total counter\n"
		   "cvisor_snapshots_restored_total %llu\n",
		(unsigned long long)atomic_load(&s->snaps_created),
		(unsigned long long)atomic_load(&s->snaps_restored));
	srv_snapq_metrics(f);
	srv_grpc_metrics(f);
	fclose(f);
	pool_names_free(names, n);
	free(v);
	res = srv_send(s, c, 200, "text/plain; version=0.0.4", buf, len);
	free(buf);
	return res;
}

static enum MHD_Result readyz(struct srv *s, struct MHD_Connection *c)
{
	char **names;
	size_t n;
	struct pool_info pi;
	bool ready = !atomic_load(&s->draining);

	if (pool_list(s->pm, &names, &n) < 0)
		return MHD_NO;
	for (size_t i = 0; ready && i < n; i++)
		if (pool_get(s->pm, names[i], &pi) == 0 && pi.cfg.min_ready && !pi.ready &&
		    !pi.created)
			ready = false;
	pool_names_free(names, n);
	if (!ready)
		return srv_problem(s, c, 503, "not-ready", "Service Unavailable",
				   "pools are still warming up");
	return srv_send_json(s, c, 200, json_pack("{s:s}", "status", "ready"));
}

/* --- dispatch --- */

static size_t split(const char *url, char segs[MAX_SEGS][128])
{
	size_t n = 0;

	while (*url) {
		const char *e;
		size_t len;
		while (*url == '/')
			url++;
		if (!*url)
			break;
		e = strchrnul(url, '/');
		len = (size_t)(e - url);
		if (n == MAX_SEGS || len >= 128)
			return MAX_SEGS + 1;
		memcpy(segs[n], url, len);
		segs[n][len] = 0;
		n++;
		url = e;
	}
	return n;
}

static enum MHD_Result method_not_allowed(struct srv *s, struct MHD_Connection *c, const char *m)
{
	return srv_problem(s, c, 405, "method-not-allowed", "Method Not Allowed",
			   "%.16s is not allowed here", m);
}

enum MHD_Result srv_route(struct srv *s, struct MHD_Connection *c, const char *url,
			  const char *method, struct srv_req *rq)
{
	char seg[MAX_SEGS][128];
	size_t n = split(url, seg);
	bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	bool post = strcmp(method, "POST") == 0, del = strcmp(method, "DELETE") == 0;
	bool patch = strcmp(method, "PATCH") == 0, put = strcmp(method, "PUT") == 0;
	char (*p)[128] = seg;

	if (n >= 1 && strcmp(seg[0], "v1") == 0) {
		p = seg + 1;
		n--;
	} else if (n > MAX_SEGS || n != 1) {
		return srv_problem(s, c, 404, "not-found", "Not Found", "no route %.200s", url);
	}
	if (n > MAX_SEGS - 1)
		return srv_problem(s, c, 404, "not-found", "Not Found", "no route");

	if (n == 1 && strcmp(p[0], "healthz") == 0)
		return get ? srv_send_json(s, c, 200, json_pack("{s:s}", "status", "ok"))
			   : method_not_allowed(s, c, method);
	if (n == 1 && strcmp(p[0], "readyz") == 0)
		return get ? readyz(s, c) : method_not_allowed(s, c, method);
	if (n == 1 && strcmp(p[0], "metrics") == 0)
		return get ? metrics(s, c) : method_not_allowed(s, c, method);
	if (p != seg + 1)
		return srv_problem(s, c, 404, "not-found", "Not Found", "no route %.200s", url);

	if (n == 1 && strcmp(p[0], "run") == 0)
		return post ? run(s, c, rq) : method_not_allowed(s, c, method);
	if (n == 1 && strcmp(p[0], "pools") == 0) {
		if (get)
			return pools_list(s, c);
		return post ? pools_create(s, c, rq) : method_not_allowed(s, c, method);
	}
	if (n == 2 && strcmp(p[0], "pools") == 0) {
		if (get)
			return pool_reply(s, c, p[1], 200);
		if (patch)
			return pools_patch(s, c, p[1], rq);
		if (del) {
			int r = pool_delete(s->pm, p[1]);
			return r < 0 ? srv_errno_problem(s, c, r, "pool")
				     : srv_send(s, c, 204, NULL, "", 0);
		}
		return method_not_allowed(s, c, method);
	}
	if (n == 1 && strcmp(p[0], "sandboxes") == 0) {
		if (get)
			return sandboxes_list(s, c);
		return post ? sandboxes_create(s, c, rq) : method_not_allowed(s, c, method);
	}
	if (n == 1 && strcmp(p[0], "snapshots") == 0) {
		json_t *a;
		int r;
		if (!get)
			return method_not_allowed(s, c, method);
		r = srv_snap_list(s, qarg(c, "label"), &a);
		if (r == -EINVAL)
			return srv_problem(s, c, 400, "bad-field", "Bad Request",
					   "label must be KEY=VALUE");
		if (r < 0)
			return srv_errno_problem(s, c, r, "snapshots");
		return srv_send_json(s, c, 200, json_pack("{s:o}", "snapshots", a));
	}
	if (n == 2 && strcmp(p[0], "snapshots") == 0) {
		json_t *o;
		int r;
		if (del) { /* idempotent, but not under a pool */
			char pool[POOL_NAME_MAX + 1] = "?";
			if (srv_snap_delete(s, p[1]) == -EBUSY) {
				(void)srv_snap_in_use(s, p[1], pool, sizeof(pool));
				return srv_problem(s, c, 409, "snapshot-in-use", "Conflict",
						   "snapshot %.64s is the template of pool %s: "
						   "delete the pool first", p[1], pool);
			}
			return srv_send(s, c, 204, NULL, "", 0);
		}
		if (!get)
			return method_not_allowed(s, c, method);
		r = srv_snap_get(s, p[1], &o);
		if (r == -ENOENT)
			return srv_problem(s, c, 404, "not-found", "Not Found",
					   "snapshot %.64s: not found", p[1]);
		if (r < 0)
			return srv_errno_problem(s, c, r, "snapshot");
		return srv_send_json(s, c, 200, o);
	}
	if (n == 3 && strcmp(p[0], "sandboxes") == 0 && strcmp(p[2], "snapshots") == 0)
		return post ? snapshot_create(s, c, p[1], rq) : method_not_allowed(s, c, method);
	if (n >= 2 && strcmp(p[0], "sandboxes") == 0) {
		struct pool_lease *l;
		int r = pool_lease_find(s->pm, p[1], &l);

		if (n == 2 && del) { /* idempotent */
			if (r == 0) {
				pool_lease_end(l);
				pool_lease_put(l);
			}
			return srv_send(s, c, 204, NULL, "", 0);
		}
		if (r < 0)
			return srv_problem(s, c, 404, "not-found", "Not Found",
					   "sandbox %.64s: not found", p[1]);
		if (n == 2 && get) {
			enum MHD_Result res = srv_send_json(s, c, 200, lease_json(l));
			pool_lease_put(l);
			return res;
		}
		if (n == 3 && strcmp(p[2], "timeout") == 0 && post) {
			enum MHD_Result res = sandbox_timeout(s, c, l, rq);
			pool_lease_put(l);
			return res;
		}
		if (n == 3 && strcmp(p[2], "exec") == 0 && post)
			return sandbox_exec(s, c, l, rq);
		if (n == 4 && strcmp(p[2], "exec") == 0 && strcmp(p[3], "stream") == 0 && post) {
			/* alias of exec?stream=1 */
			enum MHD_Result res;
			json_t *j = parse_body(s, c, rq, &res);
			if (!j) {
				pool_lease_put(l);
				return res;
			}
			json_object_set_new(j, "stream", json_true());
			char *t = json_dumps(j, JSON_COMPACT);
			json_decref(j);
			if (!t) {
				pool_lease_put(l);
				return MHD_NO;
			}
			free(rq->body);
			rq->body = t;
			rq->len = strlen(t);
			return sandbox_exec(s, c, l, rq);
		}
		if (n == 3 && strcmp(p[2], "files") == 0 && (get || put || del))
			return sandbox_files(s, c, method, l, rq);
		pool_lease_put(l);
		return n == 2 || (n == 3 && (strcmp(p[2], "timeout") == 0 ||
					     strcmp(p[2], "exec") == 0 || strcmp(p[2], "files") == 0))
			       ? method_not_allowed(s, c, method)
			       : srv_problem(s, c, 404, "not-found", "Not Found", "no route");
	}
	return srv_problem(s, c, 404, "not-found", "Not Found", "no route %.200s", url);
}
