/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cvisord configuration: defaults, the JSON config file, bearer tokens.
 *
 * Config file (every key optional):
 *   {"rest": "127.0.0.1:8080", "rest_unix": "/run/cvisord.sock", "grpc": "127.0.0.1:50051",
 *    "tls_cert": "/etc/cvisord/cert.pem", "tls_key": "/etc/cvisord/key.pem",
 *    "state_dir": "/run/cvisord", "default_rootfs": "/path", "platform": "systrap",
 *    "boot_workers": 2, "tokens": ["..."],
 *    "limits": {"max_body_bytes": N, "max_file_bytes": N, "max_output_bytes": N,
 *               "max_argv_bytes": N, "max_stdin_bytes": N, "max_connections": N,
 *               "max_inflight": N, "acquire_timeout_ms": N, "exec_timeout_ms": N,
 *               "max_exec_timeout_ms": N, "drain_timeout_ms": N,
 *               "max_sandboxes": N, "max_snapshots": N, "max_snapshot_bytes": N,
 *               "snapshot_ttl_seconds": N, "max_snapshot_ttl_seconds": N},
 *    (the four snapshot limits take 0: no limit / never expires)
 *    "pools": [{"name": "bb", "rootfs": "/abs", "min_ready": 2, "network": "none", ...}]}
 */
#define LOG_PREFIX "cvisord"
#include "server/srv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/macro.h"

void srv_config_defaults(struct srv_config *c)
{
	memset(c, 0, sizeof(*c));
	c->platform = PLAT_SYSTRAP;
	c->default_min_ready = 2;
	c->lim.max_body = 1 << 20;
	c->lim.max_file = 64 << 20;
	c->lim.max_output = 32 << 20;
	c->lim.max_argv = 256 << 10;
	c->lim.max_stdin = 1 << 20;
	c->lim.max_connections = 256;
	c->lim.max_inflight = 128;
	c->lim.acquire_timeout_ms = 10000;
	c->lim.exec_timeout_ms = 60000;
	c->lim.max_exec_timeout_ms = 3600000;
	c->lim.drain_timeout_ms = 30000;
	c->lim.max_sandboxes = 256;
	c->lim.max_snapshots = 1024;
}

void srv_config_clear(struct srv_config *c)
{
	free(c->rest);
	free(c->rest_unix);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->grpc);
	free(c->state_dir);
	free(c->snapshot_dir);
	free(c->default_rootfs);
	for (size_t i = 0; i < c->ntokens; i++) {
		explicit_bzero(c->tokens[i], strlen(c->tokens[i]));
		free(c->tokens[i]);
	}
	free(c->tokens);
	for (size_t i = 0; i < c->npools; i++)
		srv_pool_config_free(&c->pools[i]);
	free(c->pools);
	memset(c, 0, sizeof(*c));
}

int srv_config_add_token(struct srv_config *c, const char *tok)
{
	char **v;
	size_t n = strlen(tok);

	if (n < 16 || n > 256)
		return -EINVAL;
	v = realloc(c->tokens, (c->ntokens + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	c->tokens = v;
	v[c->ntokens] = strdup(tok);
	if (!v[c->ntokens])
		return -ENOMEM;
	c->ntokens++;
	return 0;
}

/* Constant time in the length of the expected token: every byte of every
 * configured token is compared whatever the input. */
bool srv_token_ok(const struct srv_config *c, const char *tok)
{
	size_t tl = strlen(tok);
	unsigned ok = 0;

	for (size_t t = 0; t < c->ntokens; t++) {
		const char *want = c->tokens[t];
		size_t wl = strlen(want);
		unsigned char d = (unsigned char)(wl != tl);
		for (size_t i = 0; i < wl; i++)
			d |= (unsigned char)want[i] ^ (unsigned char)(i < tl ? tok[i] : 0);
		ok |= d == 0;
	}
	return ok != 0;
}

int srv_token_file(struct srv_config *c, char **ret_path)
{
	char path[4096], buf[129];
	int fd, r;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/token", c->state_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		uint8_t b[32];
		static const char hx[] = "0123456789abcdef";
		if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
			return -EIO;
		for (size_t i = 0; i < sizeof(b); i++) {
			buf[2 * i] = hx[b[i] >> 4];
			buf[2 * i + 1] = hx[b[i] & 15];
		}
		buf[64] = '\n';
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return neg_errno();
		if (write(fd, buf, 65) != 65) {
			close(fd);
			unlink(path);
			return -EIO;
		}
		close(fd);
		explicit_bzero(b, sizeof(b));
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		return neg_errno();
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	r = srv_config_add_token(c, buf);
	explicit_bzero(buf, sizeof(buf));
	if (r < 0)
		return r;
	if (ret_path) {
		*ret_path = strdup(path);
		if (!*ret_path)
			return -ENOMEM;
	}
	return 0;
}

static int get_u32(json_t *o, const char *key, uint32_t *out, uint32_t max, const char **err)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > (json_int_t)max) {
		*err = key;
		return -EINVAL;
	}
	*out = (uint32_t)json_integer_value(v);
	return 1;
}

/* The template of a pool body: "rootfs": PATH, "template": PATH (alias),
 * "template": {"rootfs": PATH} or {"snapshot": ID}, or "snapshot": ID;
 * exactly one.  Sets *ret_rootfs (unchecked) or *ret_snap (a string). */
static int template_from_json(json_t *j, json_t **ret_rootfs, json_t **ret_snap,
			      const char **err)
{
	json_t *rootfs = json_object_get(j, "rootfs"), *snap = json_object_get(j, "snapshot");
	json_t *t = json_object_get(j, "template");
	unsigned n = !!rootfs + !!snap + !!t;

	if (json_is_object(t)) {
		const char *k;
		json_t *x;
		json_object_foreach(t, k, x) {
			if (strcmp(k, "rootfs") != 0 && strcmp(k, "snapshot") != 0) {
				*err = "template: unknown field (rootfs or snapshot)";
				return -EINVAL;
			}
		}
		rootfs = json_object_get(t, "rootfs") ? json_object_get(t, "rootfs") : rootfs;
		snap = json_object_get(t, "snapshot") ? json_object_get(t, "snapshot") : snap;
		n += (json_object_size(t) ? (unsigned)json_object_size(t) : 1) - 1;
	} else if (t) {
		rootfs = t;
	}
	if (n != 1 || (!rootfs && !snap)) {
		*err = "a pool needs exactly one template: rootfs or snapshot";
		return -EINVAL;
	}
	if (snap && (!json_is_string(snap) || !json_string_length(snap) ||
		     json_string_length(snap) > POOL_SNAPSHOT_MAX ||
		     strlen(json_string_value(snap)) != json_string_length(snap))) {
		*err = "snapshot must be a snapshot id";
		return -EINVAL;
	}
	*ret_rootfs = snap ? NULL : rootfs;
	*ret_snap = snap;
	return 0;
}

int srv_pool_from_json(json_t *j, enum plat_kind dflt, struct pool_config *ret, const char **err)
{
	struct pool_config c = { .platform = dflt };
	json_t *v, *rootfs, *snap;
	const char *key;
	json_t *val;
	int r;

	if (!json_is_object(j)) {
		*err = "body must be a JSON object";
		return -EINVAL;
	}
	json_object_foreach(j, key, val) {
		static const char *const known[] = { "name", "rootfs", "template", "snapshot",
						     "min_ready", "max_total", "max_lease_seconds",
						     "idle_ttl", "idle_ttl_seconds", "platform",
						     "network", "resources" };
		bool ok = false;
		for (size_t i = 0; i < ARRAY_SIZE(known); i++)
			ok |= strcmp(key, known[i]) == 0;
		if (!ok) {
			*err = "unknown field";
			return -EINVAL;
		}
	}
	v = json_object_get(j, "name");
	if (!json_is_string(v) || !pool_name_valid(json_string_value(v))) {
		*err = "name must match [a-z0-9_-]{1,32}";
		return -EINVAL;
	}
	snprintf(c.name, sizeof(c.name), "%s", json_string_value(v));
	r = template_from_json(j, &rootfs, &snap, err);
	if (r < 0)
		return r;
	if (rootfs && (!json_is_string(rootfs) || json_string_value(rootfs)[0] != '/' ||
		       json_string_length(rootfs) >= 4096 ||
		       strlen(json_string_value(rootfs)) != json_string_length(rootfs))) {
		*err = "rootfs must be an absolute host path";
		return -EINVAL;
	}
	if ((r = get_u32(j, "min_ready", &c.min_ready, 1024, err)) < 0 ||
	    (r = get_u32(j, "max_total", &c.max_total, 4096, err)) < 0 ||
	    (r = get_u32(j, "max_lease_seconds", &c.max_lease_seconds, 7 * 86400, err)) < 0 ||
	    (r = get_u32(j, "idle_ttl", &c.idle_ttl_seconds, 7 * 86400, err)) < 0 ||
	    (r = get_u32(j, "idle_ttl_seconds", &c.idle_ttl_seconds, 7 * 86400, err)) < 0)
		return r;
	v = json_object_get(j, "platform");
	if (v && !json_is_null(v)) {
		enum plat_kind k;
		if (!json_is_string(v) || plat_kind_from_string(json_string_value(v), &k) < 0) {
			*err = "platform must be systrap or ptrace";
			return -EINVAL;
		}
		c.platform = k;
	} else if (snap) {
		c.platform = (enum plat_kind)-1; /* the snapshot's (srv_pool_create) */
	}
	v = json_object_get(j, "network");
	if (v && !json_is_null(v)) {
		enum sandbox_network n;
		if (!json_is_string(v) || sandbox_network_from_string(json_string_value(v), &n) < 0) {
			*err = "network must be none or host";
			return -EINVAL;
		}
		c.network = n;
	}
	r = srv_resources_from_json(json_object_get(j, "resources"), &c.resources, err);
	if (r < 0)
		return r;
	if (c.max_total && c.min_ready > c.max_total) {
		*err = "min_ready exceeds max_total";
		return -EINVAL;
	}
	if (rootfs) {
		c.rootfs = strdup(json_string_value(rootfs));
		if (!c.rootfs)
			return -ENOMEM;
	} else {
		/* the server fills rootfs and image from the snapshot */
		c.snapshot = strdup(json_string_value(snap));
		if (!c.snapshot)
			return -ENOMEM;
	}
	*ret = c;
	return 0;
}

void srv_pool_config_free(struct pool_config *c)
{
	free(c->rootfs);
	free(c->snapshot);
	free(c->image);
	c->rootfs = c->snapshot = c->image = NULL;
}

int srv_resources_from_json(json_t *v, struct pool_resources *ret, const char **err)
{
	struct pool_resources r = { 0 };
	const char *key;
	json_t *val;

	if (!v || json_is_null(v)) {
		*ret = r;
		return 0;
	}
	if (!json_is_object(v)) {
		*err = "resources must be an object {memory_bytes, cpus, pids}";
		return -EINVAL;
	}
	json_object_foreach(v, key, val) {
		if (strcmp(key, "memory_bytes") && strcmp(key, "cpus") && strcmp(key, "pids")) {
			*err = "unknown field in resources (memory_bytes, cpus, pids)";
			return -EINVAL;
		}
	}
	val = json_object_get(v, "memory_bytes");
	if (val && !json_is_null(val)) {
		if (!json_is_integer(val) || json_integer_value(val) < (16 << 20) ||
		    json_integer_value(val) > (INT64_C(1) << 50)) {
			*err = "resources.memory_bytes must be an integer from 16777216 (16 MiB)";
			return -EINVAL;
		}
		r.memory_bytes = json_integer_value(val);
	}
	val = json_object_get(v, "cpus");
	if (val && !json_is_null(val)) {
		double c = json_is_number(val) ? json_number_value(val) : -1;

		if (!(c >= 0.01 && c <= POOL_CPUS_MILLI_MAX / 1000.0)) {
			*err = "resources.cpus must be a number from 0.01 (a fraction of one CPU)";
			return -EINVAL;
		}
		r.cpus_milli = (uint32_t)(c * 1000.0 + 0.5);
	}
	val = json_object_get(v, "pids");
	if (val && !json_is_null(val)) {
		if (!json_is_integer(val) || json_integer_value(val) < 16 ||
		    json_integer_value(val) > (1 << 22)) {
			*err = "resources.pids must be an integer from 16 to 4194304";
			return -EINVAL;
		}
		r.pids = json_integer_value(val);
	}
	*ret = r;
	return 0;
}

json_t *srv_resources_to_json(const struct pool_resources *r)
{
	json_t *j = json_object();

	if (!j)
		return NULL;
	if (r->memory_bytes)
		json_object_set_new(j, "memory_bytes", json_integer(r->memory_bytes));
	if (r->cpus_milli)
		json_object_set_new(j, "cpus", json_real(r->cpus_milli / 1000.0));
	if (r->pids)
		json_object_set_new(j, "pids", json_integer(r->pids));
	return j;
}

json_t *srv_pool_to_json(const struct pool_info *pi)
{
	json_t *f = json_object();
	json_t *j;

	for (int i = 0; i < POOL_FAIL_N; i++)
		json_object_set_new(f, pool_fail_name((enum pool_fail)i),
				    json_integer((json_int_t)pi->failures[i]));
	j = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:s, s:s, s:i, s:i, s:i, s:i, s:I, s:I, s:I, "
		      "s:o}",
		      "name", pi->cfg.name, "rootfs", pi->rootfs, "min_ready",
		      (int)pi->cfg.min_ready, "max_total", (int)pi->cfg.max_total,
		      "max_lease_seconds", (int)pi->cfg.max_lease_seconds, "idle_ttl",
		      (int)pi->cfg.idle_ttl_seconds, "platform",
		      pi->cfg.platform == PLAT_PTRACE ? "ptrace" : "systrap", "network",
		      sandbox_network_name(pi->cfg.network), "ready",
		      (int)pi->ready, "starting", (int)pi->starting, "leased", (int)pi->leased,
		      "waiters", (int)pi->waiters, "created", (json_int_t)pi->created,
		      "destroyed", (json_int_t)pi->destroyed, "leases_total",
		      (json_int_t)pi->leases_total, "failures", f);
	if (j && pi->last_boot_error)
		json_object_set_new(j, "last_boot_error",
				    json_string(pi->last_error[0] ? pi->last_error
							     : strerror(-pi->last_boot_error)));
	if (j && pi->snapshot[0])
		json_object_set_new(j, "snapshot", json_string(pi->snapshot));
	if (j && pool_resources_set(&pi->cfg.resources))
		json_object_set_new(j, "resources", srv_resources_to_json(&pi->cfg.resources));
	return j;
}

static int set_str(char **dst, json_t *v)
{
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -EINVAL;
	free(*dst);
	*dst = strdup(json_string_value(v));
	return *dst ? 0 : -ENOMEM;
}

static int get_size(json_t *o, const char *key, size_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return -EINVAL;
	*out = (size_t)json_integer_value(v);
	return 0;
}

/* A snapshot limit: 0 (none) .. @max. */
static int get_limit(json_t *o, const char *key, uint64_t max, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max)
		return -EINVAL;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

int srv_config_load(struct srv_config *c, const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	json_t *v, *lim;
	size_t sz;
	int r = -EINVAL;

	if (!j) {
		snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
		return -EINVAL;
	}
	if (!json_is_object(j)) {
		snprintf(err, errlen, "%s: not a JSON object", path);
		goto out;
	}
	if (set_str(&c->rest, json_object_get(j, "rest")) < 0 ||
	    set_str(&c->grpc, json_object_get(j, "grpc")) < 0 ||
	    set_str(&c->rest_unix, json_object_get(j, "rest_unix")) < 0 ||
	    set_str(&c->tls_cert, json_object_get(j, "tls_cert")) < 0 ||
	    set_str(&c->tls_key, json_object_get(j, "tls_key")) < 0 ||
	    set_str(&c->state_dir, json_object_get(j, "state_dir")) < 0 ||
	    set_str(&c->snapshot_dir, json_object_get(j, "snapshot_dir")) < 0 ||
	    set_str(&c->default_rootfs, json_object_get(j, "default_rootfs")) < 0) {
		snprintf(err, errlen, "%s: rest/grpc/state_dir/default_rootfs must be strings", path);
		goto out;
	}
	v = json_object_get(j, "platform");
	if (v && (!json_is_string(v) ||
		  plat_kind_from_string(json_string_value(v), &c->platform) < 0)) {
		snprintf(err, errlen, "%s: platform must be systrap or ptrace", path);
		goto out;
	}
	v = json_object_get(j, "boot_workers");
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 8) {
			snprintf(err, errlen, "%s: boot_workers must be 1..8", path);
			goto out;
		}
		c->boot_workers = (unsigned)json_integer_value(v);
	}
	v = json_object_get(j, "default_min_ready");
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1024) {
			snprintf(err, errlen, "%s: default_min_ready must be 0..1024", path);
			goto out;
		}
		c->default_min_ready = (uint32_t)json_integer_value(v);
	}
	v = json_object_get(j, "tokens");
	if (v) {
		size_t i;
		json_t *t;
		if (!json_is_array(v)) {
			snprintf(err, errlen, "%s: tokens must be an array", path);
			goto out;
		}
		json_array_foreach(v, i, t) {
			if (!json_is_string(t) || srv_config_add_token(c, json_string_value(t)) < 0) {
				snprintf(err, errlen, "%s: tokens[%zu]: 16..256 characters", path, i);
				goto out;
			}
		}
	}
	lim = json_object_get(j, "limits");
	if (lim) {
		struct srv_limits *l = &c->lim;
		size_t n;
		if (!json_is_object(lim) || get_size(lim, "max_body_bytes", &l->max_body) < 0 ||
		    get_size(lim, "max_file_bytes", &l->max_file) < 0 ||
		    get_size(lim, "max_output_bytes", &l->max_output) < 0 ||
		    get_size(lim, "max_argv_bytes", &l->max_argv) < 0 ||
		    get_size(lim, "max_stdin_bytes", &l->max_stdin) < 0) {
			snprintf(err, errlen, "%s: limits: positive integers expected", path);
			goto out;
		}
		n = l->max_connections;
		if (get_size(lim, "max_connections", &n) < 0 || n > 65536)
			goto badlim;
		l->max_connections = (unsigned)n;
		n = l->max_inflight;
		if (get_size(lim, "max_inflight", &n) < 0 || n > 65536)
			goto badlim;
		l->max_inflight = (unsigned)n;
		n = (size_t)l->acquire_timeout_ms;
		if (get_size(lim, "acquire_timeout_ms", &n) < 0 || n > 3600000)
			goto badlim;
		l->acquire_timeout_ms = (int)n;
		n = l->exec_timeout_ms;
		if (get_size(lim, "exec_timeout_ms", &n) < 0 || n > 86400000)
			goto badlim;
		l->exec_timeout_ms = (uint32_t)n;
		n = l->max_exec_timeout_ms;
		if (get_size(lim, "max_exec_timeout_ms", &n) < 0 || n > 86400000)
			goto badlim;
		l->max_exec_timeout_ms = (uint32_t)n;
		n = l->drain_timeout_ms;
		if (get_size(lim, "drain_timeout_ms", &n) < 0 || n > 3600000)
			goto badlim;
		l->drain_timeout_ms = (uint32_t)n;
		n = l->max_sandboxes;
		if (get_size(lim, "max_sandboxes", &n) < 0 || n > 65536)
			goto badlim;
		l->max_sandboxes = (uint32_t)n;
		uint64_t u = l->max_snapshots;
		if (get_limit(lim, "max_snapshots", 1000000, &u) < 0)
			goto badlim;
		l->max_snapshots = (uint32_t)u;
		if (get_limit(lim, "max_snapshot_bytes", INT64_MAX, &l->max_snapshot_bytes) < 0)
			goto badlim;
		u = l->snapshot_ttl;
		if (get_limit(lim, "snapshot_ttl_seconds", UINT32_MAX, &u) < 0)
			goto badlim;
		l->snapshot_ttl = (uint32_t)u;
		u = l->max_snapshot_ttl;
		if (get_limit(lim, "max_snapshot_ttl_seconds", UINT32_MAX, &u) < 0)
			goto badlim;
		l->max_snapshot_ttl = (uint32_t)u;
	}
	v = json_object_get(j, "pools");
	if (v) {
		json_t *pj;
		if (!json_is_array(v)) {
			snprintf(err, errlen, "%s: pools must be an array", path);
			goto out;
		}
		sz = json_array_size(v);
		c->pools = calloc(sz ? sz : 1, sizeof(*c->pools));
		if (!c->pools) {
			r = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < sz; i++) {
			const char *e = "invalid";
			pj = json_array_get(v, i);
			if (srv_pool_from_json(pj, c->platform, &c->pools[i], &e) < 0) {
				snprintf(err, errlen, "%s: pools[%zu]: %s", path, i, e);
				goto out;
			}
			c->npools++;
		}
	}
	r = 0;
	goto out;
badlim:
	snprintf(err, errlen, "%s: limits out of range", path);
out:
	json_decref(j);
	return r;
}
