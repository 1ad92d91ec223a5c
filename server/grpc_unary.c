/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gRPC handlers of the unary RPCs: pools, sandboxes, files, ExecBlocking,
 * Run, Health.  Each mirrors its REST route in routes.c (same validation,
 * same limits, same errors as status codes).
 */
#define LOG_PREFIX "cvisord"
#include "server/grpc_call.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "runtime/sandbox.h"

#define MAX_SECONDS (7u * 86400u)

static bool utf8_ok(const char *s)
{
	json_t *j = json_string(s);
	bool ok = j != NULL;

	json_decref(j);
	return ok;
}

/* --- pools --- */

static uint32_t ju32(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (uint32_t)json_integer_value(v) : 0;
}

static uint64_t ju64(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* The Pool message from the same JSON REST returns (field for field). */
/* A malloc'd Resources of a JSON "resources" object; NULL if absent. */
static Cvisor__V1__Resources *resources_msg(json_t *r)
{
	Cvisor__V1__Resources *m;

	if (!json_is_object(r) || !(m = malloc(sizeof(*m))))
		return NULL;
	cvisor__v1__resources__init(m);
	m->memory_bytes = ju64(r, "memory_bytes");
	m->cpus = json_number_value(json_object_get(r, "cpus"));
	m->pids = ju64(r, "pids");
	return m;
}

static bool resources_given(const Cvisor__V1__Resources *m)
{
	return m && (m->memory_bytes || m->cpus != 0 || m->pids);
}

/* The "resources" JSON of a Resources message (NULL: none set). */
static json_t *resources_json(const Cvisor__V1__Resources *m)
{
	json_t *j;

	if (!resources_given(m))
		return NULL;
	j = json_object();
	if (!j)
		return NULL;
	/* out of range values are refused by srv_resources_from_json */
	if (m->memory_bytes)
		json_object_set_new(j, "memory_bytes",
				    json_integer(m->memory_bytes > INT64_MAX ? -1
									     : (json_int_t)m->memory_bytes));
	if (m->cpus != 0)
		json_object_set_new(j, "cpus", json_real(isfinite(m->cpus) ? m->cpus : -1));
	if (m->pids)
		json_object_set_new(j, "pids",
				    json_integer(m->pids > INT64_MAX ? -1 : (json_int_t)m->pids));
	return j;
}

static int pool_msg(struct srv *s, const char *name, json_t **keep, Cvisor__V1__Pool *p,
		    Cvisor__V1__PoolFailures *f)
{
	struct pool_info *pi = malloc(sizeof(*pi));
	json_t *j, *fj;
	int r;

	if (!pi)
		return -ENOMEM;
	r = pool_get(s->pm, name, pi);
	j = r < 0 ? NULL : srv_pool_to_json(pi);
	free(pi);
	if (r < 0)
		return r;
	if (!j)
		return -ENOMEM;
	cvisor__v1__pool__init(p);
	cvisor__v1__pool_failures__init(f);
	p->name = (char *)jstr(j, "name");
	p->rootfs = (char *)jstr(j, "rootfs");
	p->min_ready = ju32(j, "min_ready");
	p->max_total = ju32(j, "max_total");
	p->max_lease_seconds = ju32(j, "max_lease_seconds");
	p->idle_ttl = ju32(j, "idle_ttl");
	p->platform = (char *)jstr(j, "platform");
	p->network = (char *)jstr(j, "network");
	p->ready = ju32(j, "ready");
	p->starting = ju32(j, "starting");
	p->leased = ju32(j, "leased");
	p->waiters = ju32(j, "waiters");
	p->created = ju64(j, "created");
	p->destroyed = ju64(j, "destroyed");
	p->leases_total = ju64(j, "leases_total");
	p->last_boot_error = (char *)jstr(j, "last_boot_error");
	p->snapshot = (char *)jstr(j, "snapshot");
	fj = json_object_get(j, "failures");
	f->boot = ju64(fj, "boot");
	f->died = ju64(fj, "died");
	f->full = ju64(fj, "full");
	f->timeout = ju64(fj, "timeout");
	f->expired = ju64(fj, "expired");
	f->exec = ju64(fj, "exec");
	f->restore = ju64(fj, "restore");
	f->oom = ju64(fj, "oom");
	p->failures = f;
	p->resources = resources_msg(json_object_get(j, "resources")); /* caller frees */
	*keep = j;
	return 0;
}

static void pool_reply(struct gcall *c, const char *name)
{
	Cvisor__V1__Pool p;
	Cvisor__V1__PoolFailures f;
	json_t *keep;
	int r = pool_msg(srv_gcall_srv(c), name, &keep, &p, &f);

	if (r < 0) {
		srv_gcall_fail_errno(c, r, "pool");
		return;
	}
	srv_gcall_reply(c, &p.base);
	free(p.resources);
	json_decref(keep);
}

static int set_str(json_t *o, const char *k, const char *v)
{
	json_t *s = json_string(v);

	return s ? json_object_set_new(o, k, s) : -1;
}

void srv_gh_create_pool(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__CreatePoolRequest *q = (const void *)req;
	struct srv *s = srv_gcall_srv(c);
	json_t *j = json_object();
	struct pool_config cfg;
	const char *err = "invalid";
	char name[POOL_NAME_MAX + 1], msg[512];
	int r = 0;

	if (!j) {
		srv_gcall_fail_errno(c, -ENOMEM, "pool");
		return;
	}
	r |= set_str(j, "name", q->name);
	if (q->rootfs[0])
		r |= set_str(j, "rootfs", q->rootfs);
	if (q->template_[0])
		r |= set_str(j, "template", q->template_);
	if (q->snapshot[0])
		r |= set_str(j, "snapshot", q->snapshot);
	if (q->platform[0])
		r |= set_str(j, "platform", q->platform);
	if (q->network[0])
		r |= set_str(j, "network", q->network);
	r |= json_object_set_new(j, "min_ready", json_integer(q->min_ready));
	r |= json_object_set_new(j, "max_total", json_integer(q->max_total));
	r |= json_object_set_new(j, "max_lease_seconds", json_integer(q->max_lease_seconds));
	r |= json_object_set_new(j, "idle_ttl", json_integer(q->idle_ttl));
	if (q->resources) {
		json_t *rj = resources_json(q->resources);
		if (rj)
			r |= json_object_set_new(j, "resources", rj);
	}
	if (r) {
		json_decref(j);
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "strings must be UTF-8");
		return;
	}
	r = srv_pool_from_json(j, s->cfg.platform, &cfg, &err);
	json_decref(j);
	if (r < 0) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "%s", err);
		return;
	}
	snprintf(name, sizeof(name), "%s", cfg.name);
	r = srv_pool_create(s, &cfg, msg, sizeof(msg));
	srv_pool_config_free(&cfg);
	if (r == -ENOENT)
		srv_gcall_fail(c, GRPC_STATUS_NOT_FOUND, "%s", msg);
	else if (r == -ENOTDIR || r == -EINVAL)
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "%s", msg);
	else if (r == -ECANCELED || r == -EOPNOTSUPP)
		srv_gcall_fail(c, GRPC_STATUS_FAILED_PRECONDITION, "%s", msg);
	else if (r < 0)
		srv_gcall_fail_errno(c, r, name);
	else
		pool_reply(c, name);
}

void srv_gh_update_pool(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__UpdatePoolRequest *q = (const void *)req;
	struct pool_config vals = {0};
	unsigned fields = 0;
	int r;
	const struct {
		const Cvisor__V1__UInt32Value *v;
		unsigned flag;
		uint32_t *dst;
		const char *name;
	} f[] = {
	    {q->min_ready, POOL_UPD_MIN_READY, &vals.min_ready, "min_ready"},
	    {q->max_total, POOL_UPD_MAX_TOTAL, &vals.max_total, "max_total"},
	    {q->max_lease_seconds, POOL_UPD_MAX_LEASE, &vals.max_lease_seconds,
	     "max_lease_seconds"},
	    {q->idle_ttl, POOL_UPD_IDLE_TTL, &vals.idle_ttl_seconds, "idle_ttl"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		if (!f[i].v)
			continue;
		if (f[i].v->value > MAX_SECONDS) {
			srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "%s is out of range",
				       f[i].name);
			return;
		}
		*f[i].dst = f[i].v->value;
		fields |= f[i].flag;
	}
	r = pool_update(srv_gcall_srv(c)->pm, q->name, fields, &vals);
	if (r == -EINVAL)
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT,
			       "min_ready must not exceed max_total");
	else if (r < 0)
		srv_gcall_fail_errno(c, r, "pool");
	else
		pool_reply(c, q->name);
}

void srv_gh_get_pool(struct gcall *c, const ProtobufCMessage *req)
{
	pool_reply(c, ((const Cvisor__V1__GetPoolRequest *)(const void *)req)->name);
}

void srv_gh_list_pools(struct gcall *c, const ProtobufCMessage *req)
{
	struct srv *s = srv_gcall_srv(c);
	Cvisor__V1__ListPoolsResponse resp = CVISOR__V1__LIST_POOLS_RESPONSE__INIT;
	Cvisor__V1__Pool *p = NULL, **pp = NULL;
	Cvisor__V1__PoolFailures *f = NULL;
	json_t **keep = NULL;
	char **names;
	size_t n, k = 0;
	int r;

	(void)req;
	r = pool_list(s->pm, &names, &n);
	if (r < 0) {
		srv_gcall_fail_errno(c, r, "pools");
		return;
	}
	if (n) {
		p = calloc(n, sizeof(*p));
		pp = calloc(n, sizeof(*pp));
		f = calloc(n, sizeof(*f));
		keep = calloc(n, sizeof(*keep));
	}
	if (n && (!p || !pp || !f || !keep)) {
		srv_gcall_fail_errno(c, -ENOMEM, "pools");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (pool_msg(s, names[i], &keep[k], &p[k], &f[k]) < 0)
			continue; /* deleted meanwhile */
		pp[k] = &p[k];
		k++;
	}
	resp.n_pools = k;
	resp.pools = pp;
	srv_gcall_reply(c, &resp.base);
out:
	for (size_t i = 0; i < k; i++) {
		free(p[i].resources);
		json_decref(keep[i]);
	}
	free(keep);
	free(f);
	free(pp);
	free(p);
	pool_names_free(names, n);
}

void srv_gh_delete_pool(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__DeletePoolRequest *q = (const void *)req;
	Cvisor__V1__Empty e = CVISOR__V1__EMPTY__INIT;
	int r = pool_delete(srv_gcall_srv(c)->pm, q->name);

	if (r < 0)
		srv_gcall_fail_errno(c, r, "pool");
	else
		srv_gcall_reply(c, &e.base);
}

/* --- sandboxes --- */

struct sb_msg {
	Cvisor__V1__Sandbox m;
	Cvisor__V1__Resources res;
	Cvisor__V1__Sandbox__LabelsEntry *ent;
	Cvisor__V1__Sandbox__LabelsEntry **pent;
};

static int sb_msg_fill(struct sb_msg *o, struct pool_lease *l)
{
	size_t n = pool_lease_nlabels(l);

	cvisor__v1__sandbox__init(&o->m);
	o->ent = NULL;
	o->pent = NULL;
	if (n) {
		o->ent = calloc(n, sizeof(*o->ent));
		o->pent = calloc(n, sizeof(*o->pent));
		if (!o->ent || !o->pent) {
			free(o->ent);
			free(o->pent);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const char *k, *v;
		pool_lease_label_at(l, i, &k, &v);
		cvisor__v1__sandbox__labels_entry__init(&o->ent[i]);
		o->ent[i].key = (char *)k;
		o->ent[i].value = (char *)v;
		o->pent[i] = &o->ent[i];
	}
	o->m.n_labels = n;
	o->m.labels = o->pent;
	o->m.id = (char *)pool_lease_id(l);
	o->m.pool = (char *)pool_lease_pool(l);
	o->m.state = (char *)(pool_lease_ended(l) ? "ended" : "running");
	o->m.created_ms = pool_lease_created_ms(l);
	o->m.expires_ms = pool_lease_deadline_ms(l);
	o->m.host_pid = pool_lease_host_pid(l);
	if (pool_resources_set(pool_lease_resources(l))) {
		const struct pool_resources *pr = pool_lease_resources(l);

		cvisor__v1__resources__init(&o->res);
		o->res.memory_bytes = (uint64_t)pr->memory_bytes;
		o->res.cpus = pr->cpus_milli / 1000.0;
		o->res.pids = (uint64_t)pr->pids;
		o->m.resources = &o->res;
	}
	return 0;
}

static void sb_msg_clear(struct sb_msg *o)
{
	free(o->ent);
	free(o->pent);
}

static void sandbox_reply(struct gcall *c, struct pool_lease *l)
{
	struct sb_msg o;

	if (sb_msg_fill(&o, l) < 0) {
		srv_gcall_fail_errno(c, -ENOMEM, "sandbox");
		return;
	}
	srv_gcall_reply(c, &o.m.base);
	sb_msg_clear(&o);
}

void srv_gh_create_sandbox(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__CreateSandboxRequest *q = (const void *)req;
	struct srv *s = srv_gcall_srv(c);
	const char *pool = q->pool[0] ? q->pool : "default";
	int tmo =
	    q->acquire_timeout_ms ? (int)q->acquire_timeout_ms : s->cfg.lim.acquire_timeout_ms;
	struct pool_lease *l;
	char what[80];
	int r;

	if (q->timeout_s > MAX_SECONDS) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "timeout_s is out of range");
		return;
	}
	if (q->acquire_timeout_ms > 600000) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT,
			       "acquire_timeout_ms must be 0..600000");
		return;
	}
	if (q->n_labels > 16) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "at most 16 labels");
		return;
	}
	for (size_t i = 0; i < q->n_labels; i++) {
		const char *k = q->labels[i]->key, *v = q->labels[i]->value;
		if (!k[0] || strlen(k) > 128 || strlen(v) > 128 || strchr(k, '=') || !utf8_ok(k) ||
		    !utf8_ok(v)) {
			srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT,
				       "labels: keys and values are strings of at most 128 bytes, "
				       "keys without '='");
			return;
		}
	}
	if (q->snapshot[0]) {
		char err[512];
		if (q->pool[0] || q->rootfs[0]) {
			srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT,
				       "snapshot must be a snapshot id, without pool or rootfs");
			return;
		}
		r = srv_snap_restore(s, q->snapshot, tmo, q->timeout_s, &l, err, sizeof(err));
		if (r == -ENOENT) {
			srv_gcall_fail(c, GRPC_STATUS_NOT_FOUND, "snapshot %.64s: not found",
				       q->snapshot);
			return;
		}
		if (r == -ECANCELED) {
			srv_gcall_fail(c, GRPC_STATUS_FAILED_PRECONDITION,
				       "cannot restore the snapshot: %s", err);
			return;
		}
	} else if (!q->rootfs[0] && resources_given(q->resources)) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT,
			       "resources apply to a sandbox booted from rootfs; a pool's sandboxes "
			       "get the pool's");
		return;
	} else if (q->rootfs[0]) {
		enum plat_kind k = s->cfg.platform;
		if (q->rootfs[0] != '/' || q->pool[0]) {
			srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT,
				       "rootfs must be an absolute host path, without pool");
			return;
		}
		if (q->platform[0] && plat_kind_from_string(q->platform, &k) < 0) {
			srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT,
				       "platform must be systrap or ptrace");
			return;
		}
		struct pool_resources lim;
		json_t *rj = resources_json(q->resources);
		const char *rerr = "invalid";
		char msg[512];

		r = srv_resources_from_json(rj, &lim, &rerr);
		json_decref(rj);
		if (r < 0) {
			srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "%s", rerr);
			return;
		}
		if (pool_resources_set(&lim) && (r = pool_cgroups_usable()) < 0) {
			srv_cgroups_error(r, msg, sizeof(msg));
			srv_gcall_fail(c, GRPC_STATUS_FAILED_PRECONDITION, "%s", msg);
			return;
		}
		r = pool_boot_adhoc_res(s->pm, q->rootfs, k, q->timeout_s, &lim, &l);
		if (r == -ENOTDIR || r == -EINVAL || r == -ENAMETOOLONG) {
			srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT,
				       "rootfs is not a directory");
			return;
		}
	} else {
		r = pool_acquire(s->pm, pool, tmo, q->timeout_s, &l);
	}
	if (r < 0) {
		snprintf(what, sizeof(what), "pool %.40s", pool);
		srv_gcall_fail_errno(c, r, what);
		return;
	}
	for (size_t i = 0; i < q->n_labels; i++)
		(void)pool_lease_set_label(l, q->labels[i]->key, q->labels[i]->value);
	sandbox_reply(c, l);
	pool_lease_put(l);
}

static struct pool_lease *find_lease(struct gcall *c, const char *id)
{
	struct pool_lease *l;

	if (pool_lease_find(srv_gcall_srv(c)->pm, id, &l) < 0) {
		srv_gcall_fail(c, GRPC_STATUS_NOT_FOUND, "sandbox %.64s: not found", id);
		return NULL;
	}
	return l;
}

void srv_gh_get_sandbox(struct gcall *c, const ProtobufCMessage *req)
{
	struct pool_lease *l =
	    find_lease(c, ((const Cvisor__V1__GetSandboxRequest *)(const void *)req)->id);

	if (!l)
		return;
	sandbox_reply(c, l);
	pool_lease_put(l);
}

void srv_gh_list_sandboxes(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__ListSandboxesRequest *q = (const void *)req;
	struct srv *s = srv_gcall_srv(c);
	Cvisor__V1__ListSandboxesResponse resp = CVISOR__V1__LIST_SANDBOXES_RESPONSE__INIT;
	size_t page = q->page_size ? q->page_size : 100, added = 0, i = 0, n;
	char lkey[130] = "";
	const char *lval = NULL, *next = NULL;
	struct sb_msg *v = NULL;
	Cvisor__V1__Sandbox **pv = NULL;
	struct pool_lease **held = NULL;
	char **ids;
	int r;

	if (q->state[0] && strcmp(q->state, "running") != 0 && strcmp(q->state, "ended") != 0) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "state must be running or ended");
		return;
	}
	if (page > 1000) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "page_size must be 1..1000");
		return;
	}
	if (q->label[0]) {
		const char *eq = strchr(q->label, '=');
		if (!eq || eq == q->label || (size_t)(eq - q->label) > 128) {
			srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "label must be KEY=VALUE");
			return;
		}
		memcpy(lkey, q->label, (size_t)(eq - q->label));
		lkey[eq - q->label] = 0;
		lval = eq + 1;
	}
	r = pool_lease_ids(s->pm, &ids, &n);
	if (r < 0) {
		srv_gcall_fail_errno(c, r, "sandboxes");
		return;
	}
	if (n) {
		v = calloc(MIN(n, page), sizeof(*v));
		pv = calloc(MIN(n, page), sizeof(*pv));
		held = calloc(MIN(n, page), sizeof(*held));
		if (!v || !pv || !held) {
			srv_gcall_fail_errno(c, -ENOMEM, "sandboxes");
			goto out;
		}
	}
	if (q->page_token[0])
		while (i < n && strcmp(ids[i], q->page_token) <= 0)
			i++;
	for (; i < n && strcmp(q->state, "ended") != 0; i++) {
		struct pool_lease *l;
		if (pool_lease_find(s->pm, ids[i], &l) < 0)
			continue;
		if (lval) {
			const char *lv = pool_lease_label(l, lkey);
			if (!lv || strcmp(lv, lval) != 0) {
				pool_lease_put(l);
				continue;
			}
		}
		if (added == page) {
			pool_lease_put(l);
			next = ids[i - 1];
			break;
		}
		if (sb_msg_fill(&v[added], l) < 0) {
			pool_lease_put(l);
			continue;
		}
		held[added] = l;
		pv[added] = &v[added].m;
		added++;
	}
	resp.n_sandboxes = added;
	resp.sandboxes = pv;
	resp.next_page_token = (char *)(next ? next : "");
	srv_gcall_reply(c, &resp.base);
out:
	for (size_t k = 0; k < added; k++) {
		sb_msg_clear(&v[k]);
		pool_lease_put(held[k]);
	}
	free(v);
	free(pv);
	free(held);
	pool_names_free(ids, n);
}

void srv_gh_delete_sandbox(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__DeleteSandboxRequest *q = (const void *)req;
	Cvisor__V1__Empty e = CVISOR__V1__EMPTY__INIT;
	struct pool_lease *l;

	if (pool_lease_find(srv_gcall_srv(c)->pm, q->id, &l) == 0) { /* idempotent */
		pool_lease_end(l);
		pool_lease_put(l);
	}
	srv_gcall_reply(c, &e.base);
}

void srv_gh_set_timeout(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__SetTimeoutRequest *q = (const void *)req;
	struct pool_lease *l;

	if (q->timeout_s == 0 || q->timeout_s > MAX_SECONDS) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT,
			       "timeout_s must be a positive integer");
		return;
	}
	l = find_lease(c, q->id);
	if (!l)
		return;
	if (pool_lease_set_timeout(l, q->timeout_s) < 0)
		srv_gcall_fail(c, GRPC_STATUS_FAILED_PRECONDITION, "the sandbox has ended");
	else
		sandbox_reply(c, l);
	pool_lease_put(l);
}

/* --- exec --- */

static json_t *str_array(char **v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++) {
		json_t *s = json_string(v[i]);
		if (!s || json_array_append_new(a, s) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

int srv_gexec_req(struct gcall *c, char **argv, size_t argc, char **env, size_t envc,
		  const char *cwd, const char *user, const ProtobufCBinaryData *in,
		  uint32_t timeout_ms, bool tty, uint32_t rows, uint32_t cols,
		  struct srv_exec_req *ret)
{
	const struct srv_limits *lim = &srv_gcall_srv(c)->cfg.lim;
	json_t *j = json_object(), *a = str_array(argv, argc), *e = str_array(env, envc);
	const char *err = "invalid";
	struct srv_exec_req r;
	int x = 0;

	if (!j || !a || !e) {
		json_decref(j);
		json_decref(a);
		json_decref(e);
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT,
			       "argv and env must be UTF-8 strings");
		return -EINVAL;
	}
	x |= json_object_set_new(j, "argv", a);
	x |= json_object_set_new(j, "env", e);
	if (cwd[0])
		x |= set_str(j, "cwd", cwd);
	if (user[0])
		x |= set_str(j, "user", user);
	if (timeout_ms)
		x |= json_object_set_new(j, "timeout_ms", json_integer(timeout_ms));
	if (tty)
		x |= json_object_set_new(j, "tty", json_true());
	if (rows)
		x |= json_object_set_new(j, "rows", json_integer(rows));
	if (cols)
		x |= json_object_set_new(j, "cols", json_integer(cols));
	if (x) {
		json_decref(j);
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "strings must be UTF-8");
		return -EINVAL;
	}
	if (in->len > lim->max_stdin) {
		json_decref(j);
		srv_gcall_fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "stdin too large");
		return -E2BIG;
	}
	x = srv_exec_parse(j, lim, &r, &err);
	json_decref(j);
	if (x < 0) {
		srv_gcall_fail(c,
			       x == -E2BIG    ? GRPC_STATUS_RESOURCE_EXHAUSTED
			       : x == -ENOMEM ? GRPC_STATUS_INTERNAL
					      : GRPC_STATUS_INVALID_ARGUMENT,
			       "%s", x == -ENOMEM ? "out of memory" : err);
		return x;
	}
	/* the process does not outlive the client's deadline */
	int64_t left = srv_gcall_deadline_ms(c);
	if (left >= 0 && (uint64_t)left < r.timeout_ms)
		r.timeout_ms = (uint32_t)MAX(left, 1);
	if (in->len) {
		r.stdin_data = malloc(in->len);
		if (!r.stdin_data) {
			srv_exec_req_clear(&r);
			srv_gcall_fail(c, GRPC_STATUS_INTERNAL, "out of memory");
			return -ENOMEM;
		}
		memcpy(r.stdin_data, in->data, in->len);
		r.stdin_len = in->len;
	}
	*ret = r;
	return 0;
}

static bool conn_error(int e)
{
	return e == -ECONNRESET || e == -EPIPE || e == -ENOTCONN || e == -ECONNREFUSED ||
	       e == -ESHUTDOWN;
}

void srv_gexec_fail(struct gcall *c, struct pool_lease *l, int e, const char *argv0)
{
	if (conn_error(e)) {
		pool_lease_failed(l, POOL_FAIL_DIED);
		srv_gcall_fail(c, GRPC_STATUS_UNAVAILABLE, "the sandbox died during the request");
		return;
	}
	pool_count_failure(srv_gcall_srv(c)->pm, pool_lease_pool(l), POOL_FAIL_EXEC);
	if (e == -ENOENT || e == -EACCES || e == -ENOEXEC || e == -ENOTDIR || e == -EISDIR ||
	    e == -EPERM)
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "cannot execute %.200s: %s", argv0,
			       strerror(-e));
	else
		srv_gcall_fail_errno(c, e, "exec");
}

/* Blocking exec in @sb; ends the call.  Takes the caller's lease reference;
 * @end: the lease ends afterwards (Run). */
static void exec_blocking(struct gcall *c, struct pool_lease *l, struct sandbox *sb, bool end,
			  const struct srv_exec_req *er)
{
	struct srv *s = srv_gcall_srv(c);
	Cvisor__V1__ExecResult m = CVISOR__V1__EXEC_RESULT__INIT;
	struct srv_exec_res out;
	int64_t left;
	int r;

	atomic_fetch_add(&s->execs, 1);
	r = srv_exec_run(sb, er, s->cfg.lim.max_output, &out);
	if ((r == 0 || conn_error(r)) && srv_exec_oom(l, r, &out))
		r = 0; /* the process's end: 137, reason "oom" */
	left = srv_gcall_deadline_ms(c);
	if (r < 0) {
		srv_gexec_fail(c, l, r, er->argv[0]);
	} else if (out.timed_out && left >= 0 && left <= 50) {
		/* the timeout was the client's deadline (srv_gexec_req): say so
		 * rather than racing the client's own expiry with an OK */
		srv_gcall_fail(c, GRPC_STATUS_DEADLINE_EXCEEDED, "the client's deadline passed");
		srv_exec_res_clear(&out);
	} else {
		pool_observe_run(s->pm, pool_lease_pool(l), (double)out.duration_ns / 1e9);
		m.exit_code = out.exit_code;
		m.signal = out.signal;
		m.stdout = (ProtobufCBinaryData){out.out_len, (uint8_t *)out.out};
		m.stderr = (ProtobufCBinaryData){out.err_len, (uint8_t *)out.err};
		m.duration_ms = out.duration_ns / NSEC_PER_MSEC;
		m.truncated = out.truncated;
		m.timed_out = out.timed_out;
		m.reason = (char *)(out.reason ? out.reason : "");
		srv_gcall_reply(c, &m.base);
		srv_exec_res_clear(&out);
	}
	if (sb != pool_lease_sandbox(l))
		sandbox_close(sb);
	if (end)
		pool_lease_end(l);
	pool_lease_put(l);
}

/* The lease's sandbox reached over a connection of our own (exec, files);
 * NULL after replying. */
static struct sandbox *attach(struct gcall *c, struct pool_lease *l, bool exec)
{
	struct sandbox *sb;

	if (sandbox_attach(pool_lease_control_path(l), &sb) == 0)
		return sb;
	if (!exec || pool_lease_ended(l)) {
		srv_gcall_fail(c, GRPC_STATUS_FAILED_PRECONDITION,
			       exec ? "the sandbox has ended" : "the sandbox is not reachable");
		return NULL;
	}
	pool_lease_failed(l, POOL_FAIL_DIED);
	srv_gcall_fail(c, GRPC_STATUS_UNAVAILABLE, "the sandbox died");
	return NULL;
}

void srv_gh_exec_blocking(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__ExecRequest *q = (const void *)req;
	struct srv_exec_req er;
	struct pool_lease *l;
	struct sandbox *sb;

	l = find_lease(c, q->id);
	if (!l)
		return;
	if (srv_gexec_req(c, q->argv, q->n_argv, q->env, q->n_env, q->cwd, q->user, &q->stdin,
			  q->timeout_ms, q->tty, q->rows, q->cols, &er) < 0) {
		pool_lease_put(l);
		return;
	}
	sb = attach(c, l, true);
	if (!sb) {
		pool_lease_put(l);
	} else {
		exec_blocking(c, l, sb, false, &er);
	}
	srv_exec_req_clear(&er);
}

void srv_gh_run(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__RunRequest *q = (const void *)req;
	struct srv *s = srv_gcall_srv(c);
	const char *pool = q->pool[0] ? q->pool : "default";
	struct srv_exec_req er;
	struct pool_lease *l;
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
	} else {
		exec_blocking(c, l, pool_lease_sandbox(l), true, &er);
	}
	srv_exec_req_clear(&er);
}

/* --- files --- */

static bool path_ok(const char *p)
{
	return p[0] == '/' && strlen(p) < 4096 && utf8_ok(p);
}

/* The lease and a connection for a file RPC; false after replying. */
static bool file_target(struct gcall *c, const char *id, const char *path, struct pool_lease **l,
			struct sandbox **sb)
{
	if (!path_ok(path)) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "path must be an absolute path");
		return false;
	}
	*l = find_lease(c, id);
	if (!*l)
		return false;
	*sb = attach(c, *l, false);
	if (!*sb) {
		pool_lease_put(*l);
		return false;
	}
	return true;
}

void srv_gh_put_file(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__PutFileRequest *q = (const void *)req;
	Cvisor__V1__Empty e = CVISOR__V1__EMPTY__INIT;
	struct pool_lease *l;
	struct sandbox *sb;
	int r;

	if (q->mode > 07777) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "mode must be at most 07777");
		return;
	}
	if (q->data.len > srv_gcall_srv(c)->cfg.lim.max_file) {
		srv_gcall_fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "the file is over max_file");
		return;
	}
	if (!file_target(c, q->id, q->path, &l, &sb))
		return;
	r = sandbox_file_write(sb, q->path, q->data.data ? (const char *)q->data.data : "",
			       q->data.len, q->mode ? q->mode : 0644);
	if (r < 0)
		srv_gcall_fail_errno(c, r, q->path);
	else
		srv_gcall_reply(c, &e.base);
	sandbox_close(sb);
	pool_lease_put(l);
}

void srv_gh_get_file(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__GetFileRequest *q = (const void *)req;
	Cvisor__V1__FileData m = CVISOR__V1__FILE_DATA__INIT;
	struct pool_lease *l;
	struct sandbox *sb;
	void *data;
	size_t len;
	int r;

	if (!file_target(c, q->id, q->path, &l, &sb))
		return;
	r = sandbox_file_read(sb, q->path, srv_gcall_srv(c)->cfg.lim.max_file, &data, &len);
	if (r < 0) {
		srv_gcall_fail_errno(c, r, q->path);
	} else {
		m.data = (ProtobufCBinaryData){len, data};
		srv_gcall_reply(c, &m.base);
		free(data);
	}
	sandbox_close(sb);
	pool_lease_put(l);
}

void srv_gh_list_files(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__ListFilesRequest *q = (const void *)req;
	Cvisor__V1__Listing m = CVISOR__V1__LISTING__INIT;
	Cvisor__V1__Entry *ent = NULL, **pent = NULL;
	struct sandbox_dirent *v;
	struct pool_lease *l;
	struct sandbox *sb;
	size_t n;
	int r;

	if (!file_target(c, q->id, q->path, &l, &sb))
		return;
	r = sandbox_file_list(sb, q->path, &v, &n);
	if (r < 0) {
		srv_gcall_fail_errno(c, r, q->path);
		goto out;
	}
	if (n) {
		ent = calloc(n, sizeof(*ent));
		pent = calloc(n, sizeof(*pent));
	}
	if (n && (!ent || !pent)) {
		srv_gcall_fail_errno(c, -ENOMEM, q->path);
	} else {
		for (size_t i = 0; i < n; i++) {
			mode_t md = v[i].mode;
			cvisor__v1__entry__init(&ent[i]);
			/* names are whatever the guest made: send them as UTF-8 */
			ent[i].name = utf8_ok(v[i].name) ? v[i].name : (char *)"\xef\xbf\xbd";
			ent[i].type = (char *)(S_ISDIR(md)   ? "dir"
					       : S_ISREG(md) ? "file"
					       : S_ISLNK(md) ? "symlink"
							     : "other");
			ent[i].mode = md & 07777;
			ent[i].size = v[i].size;
			pent[i] = &ent[i];
		}
		m.path = q->path;
		m.n_entries = n;
		m.entries = pent;
		srv_gcall_reply(c, &m.base);
	}
	free(ent);
	free(pent);
	sandbox_dirents_free(v, n);
out:
	sandbox_close(sb);
	pool_lease_put(l);
}

void srv_gh_delete_file(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__DeleteFileRequest *q = (const void *)req;
	Cvisor__V1__Empty e = CVISOR__V1__EMPTY__INIT;
	struct pool_lease *l;
	struct sandbox *sb;
	int r;

	if (!file_target(c, q->id, q->path, &l, &sb))
		return;
	r = sandbox_file_remove(sb, q->path);
	if (r < 0)
		srv_gcall_fail_errno(c, r, q->path);
	else
		srv_gcall_reply(c, &e.base);
	sandbox_close(sb);
	pool_lease_put(l);
}

/* --- health --- */

void srv_gh_health(struct gcall *c, const ProtobufCMessage *req)
{
	struct srv *s = srv_gcall_srv(c);
	Cvisor__V1__HealthResponse m = CVISOR__V1__HEALTH_RESPONSE__INIT;
	bool ready = !atomic_load(&s->draining);
	struct pool_info *pi = malloc(sizeof(*pi));
	char **names;
	size_t n;

	(void)req;
	if (pi && pool_list(s->pm, &names, &n) == 0) {
		for (size_t i = 0; ready && i < n; i++)
			if (pool_get(s->pm, names[i], pi) == 0 && pi->cfg.min_ready && !pi->ready &&
			    !pi->created)
				ready = false;
		pool_names_free(names, n);
	}
	free(pi);
	m.status = (char *)"ok";
	m.ready = ready;
	srv_gcall_reply(c, &m.base);
}

/* --- snapshots (server/snap.c) --- */

struct snap_msg {
	Cvisor__V1__Snapshot m;
	Cvisor__V1__Snapshot__LabelsEntry *ent;
	Cvisor__V1__Snapshot__LabelsEntry **pent;
};

/* @j stays alive as long as @o (its strings are borrowed). */
static int snap_fill(struct snap_msg *o, json_t *j)
{
	Cvisor__V1__Snapshot *m = &o->m;
	json_t *labels = json_object_get(j, "labels"), *v;
	size_t n = json_is_object(labels) ? json_object_size(labels) : 0, i = 0;
	const char *k;

	cvisor__v1__snapshot__init(m);
	o->ent = NULL;
	o->pent = NULL;
	if (n) {
		o->ent = calloc(n, sizeof(*o->ent));
		o->pent = calloc(n, sizeof(*o->pent));
		if (!o->ent || !o->pent) {
			free(o->ent);
			free(o->pent);
			return -ENOMEM;
		}
		json_object_foreach(labels, k, v) {
			if (i == n)
				break;
			cvisor__v1__snapshot__labels_entry__init(&o->ent[i]);
			o->ent[i].key = (char *)k;
			o->ent[i].value = (char *)(json_string_value(v) ? json_string_value(v) : "");
			o->pent[i] = &o->ent[i];
			i++;
		}
	}
	m->n_labels = i;
	m->labels = o->pent;
	m->id = (char *)json_string_value(json_object_get(j, "id"));
	m->sandbox = (char *)json_string_value(json_object_get(j, "sandbox"));
	m->pool = (char *)json_string_value(json_object_get(j, "pool"));
	m->created_at = json_integer_value(json_object_get(j, "created_at"));
	m->size_bytes = (uint64_t)json_integer_value(json_object_get(j, "size_bytes"));
	m->expires_at = json_integer_value(json_object_get(j, "expires_at"));
	if (!m->id)
		m->id = (char *)"";
	if (!m->sandbox)
		m->sandbox = (char *)"";
	if (!m->pool)
		m->pool = (char *)"";
	return 0;
}

static void snap_msg_clear(struct snap_msg *o)
{
	free(o->ent);
	free(o->pent);
}

static void snap_reply(struct gcall *c, json_t *j)
{
	struct snap_msg m;

	if (snap_fill(&m, j) < 0) {
		json_decref(j);
		srv_gcall_fail_errno(c, -ENOMEM, "snapshot");
		return;
	}
	srv_gcall_reply(c, &m.m.base);
	snap_msg_clear(&m);
	json_decref(j);
}

void srv_gh_create_snapshot(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__CreateSnapshotRequest *q = (const void *)req;
	struct srv_snap_opts o = {
		.ckpt_flags = (q->stop ? 0 : SANDBOX_CKPT_LEAVE_RUNNING) |
			      (q->compress ? SANDBOX_CKPT_COMPRESS : 0),
		.ttl_seconds = q->ttl_seconds,
	};
	char err[512];
	json_t *j = NULL;
	int r = 0;

	if (q->n_labels) {
		o.labels = json_object();
		for (size_t i = 0; o.labels && i < q->n_labels && r == 0; i++) {
			json_t *v = json_string(q->labels[i]->value);
			/* NUL-free UTF-8 only: json_string() refuses the rest */
			if (!v || json_object_set_new(o.labels, q->labels[i]->key, v) < 0)
				r = -EINVAL;
		}
		if (!o.labels)
			r = -ENOMEM;
		if (r == 0 && json_object_size(o.labels) != q->n_labels)
			r = -EINVAL; /* a key twice */
		if (r < 0) {
			json_decref(o.labels);
			srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT,
				       "labels: keys and values are UTF-8 strings of at most 128 "
				       "bytes, keys without '='");
			return;
		}
	}
	r = srv_snap_create(srv_gcall_srv(c), q->sandbox, &o, &j, err, sizeof(err));
	json_decref(o.labels);
	if (r == -ENOENT)
		srv_gcall_fail(c, GRPC_STATUS_NOT_FOUND, "sandbox %.64s: not found", q->sandbox);
	else if (r == -EINVAL)
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "%s", err);
	else if (r == -EDQUOT)
		srv_gcall_fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "%s", err);
	else if (r == -ENOSPC)
		srv_gcall_fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED, "no space for the snapshot: %s",
			       err);
	else if (r == -ECANCELED)
		srv_gcall_fail(c, GRPC_STATUS_FAILED_PRECONDITION,
			       "the sandbox cannot be checkpointed: %s", err);
	else if (r == -EPIPE)
		srv_gcall_fail(c, GRPC_STATUS_UNAVAILABLE, "%s", err);
	else if (r < 0)
		srv_gcall_fail(c, GRPC_STATUS_INTERNAL, "snapshot: %s",
			       err[0] ? err : strerror(-r));
	else
		snap_reply(c, j);
}

void srv_gh_get_snapshot(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__GetSnapshotRequest *q = (const void *)req;
	json_t *j;
	int r = srv_snap_get(srv_gcall_srv(c), q->id, &j);

	if (r == -ENOENT)
		srv_gcall_fail(c, GRPC_STATUS_NOT_FOUND, "snapshot %.64s: not found", q->id);
	else if (r < 0)
		srv_gcall_fail_errno(c, r, "snapshot");
	else
		snap_reply(c, j);
}

void srv_gh_list_snapshots(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__ListSnapshotsRequest *q = (const void *)req;
	Cvisor__V1__ListSnapshotsResponse resp = CVISOR__V1__LIST_SNAPSHOTS_RESPONSE__INIT;
	struct snap_msg *v = NULL;
	Cvisor__V1__Snapshot **pv = NULL;
	json_t *a;
	size_t n, filled = 0;
	int r = srv_snap_list(srv_gcall_srv(c), q->label[0] ? q->label : NULL, &a);

	if (r == -EINVAL) {
		srv_gcall_fail(c, GRPC_STATUS_INVALID_ARGUMENT, "label must be KEY=VALUE");
		return;
	}
	if (r < 0) {
		srv_gcall_fail_errno(c, r, "snapshots");
		return;
	}
	n = json_array_size(a);
	if (n) {
		v = calloc(n, sizeof(*v));
		pv = calloc(n, sizeof(*pv));
		if (!v || !pv) {
			free(v);
			free(pv);
			json_decref(a);
			srv_gcall_fail_errno(c, -ENOMEM, "snapshots");
			return;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (snap_fill(&v[filled], json_array_get(a, i)) < 0)
			continue;
		pv[filled] = &v[filled].m;
		filled++;
	}
	resp.n_snapshots = filled;
	resp.snapshots = pv;
	srv_gcall_reply(c, &resp.base);
	for (size_t i = 0; i < filled; i++)
		snap_msg_clear(&v[i]);
	free(v);
	free(pv);
	json_decref(a);
}

void srv_gh_delete_snapshot(struct gcall *c, const ProtobufCMessage *req)
{
	const Cvisor__V1__DeleteSnapshotRequest *q = (const void *)req;
	Cvisor__V1__Empty e = CVISOR__V1__EMPTY__INIT;
	char pool[POOL_NAME_MAX + 1] = "?";

	/* idempotent, but not under a pool */
	if (srv_snap_delete(srv_gcall_srv(c), q->id) == -EBUSY) {
		(void)srv_snap_in_use(srv_gcall_srv(c), q->id, pool, sizeof(pool));
		srv_gcall_fail(c, GRPC_STATUS_FAILED_PRECONDITION,
			       "snapshot %.64s is the template of pool %s: delete the pool first",
			       q->id, pool);
		return;
	}
	srv_gcall_reply(c, &e.base);
}
