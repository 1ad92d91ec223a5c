/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Snapshots of leased sandboxes (issue 8): sandbox_checkpoint() into a
 * server-owned directory, one per snapshot, and sandbox_restore() into a
 * new lease.  Layout: <snapshot_dir>/<id>/img/ (the image,
 * docs/checkpoint.md) and <id>/meta.json, written last (a directory
 * without it is not listed).  Ids are 16 random hex characters made here;
 * anything else a client sends as an id is simply unknown (-ENOENT), so no
 * client string ever becomes part of a path.
 */
#define LOG_PREFIX "cvisord"
#include "server/srv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/macro.h"
#include "runtime/sandbox.h"

#define SNAP_ID_LEN SRV_SNAP_ID_LEN

bool srv_snap_id_ok(const char *id)
{
	size_t n = 0;

	if (!id)
		return false;
	for (; id[n]; n++)
		if (!((id[n] >= '0' && id[n] <= '9') || (id[n] >= 'a' && id[n] <= 'f')))
			return false;
	return n == SNAP_ID_LEN;
}

#define id_ok srv_snap_id_ok
#define rm_tree srv_snapq_rm_tree

static int ensure_dir(const char *d)
{
	if (mkdir(d, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static uint64_t tree_size(const char *d)
{
	DIR *dir = opendir(d);
	struct dirent *e;
	uint64_t sum = 0;

	if (!dir)
		return 0;
	while ((e = readdir(dir))) {
		struct stat st;
		if (fstatat(dirfd(dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode))
			sum += (uint64_t)st.st_size;
	}
	closedir(dir);
	return sum;
}

const char *srv_snap_labels_ok(json_t *labels)
{
	const char *k;
	json_t *v;

	if (!labels)
		return NULL;
	if (!json_is_object(labels) || json_object_size(labels) > 16)
		return "labels must be an object of at most 16 strings";
	json_object_foreach(labels, k, v) {
		if (!json_is_string(v) || !k[0] || strlen(k) > 128 || json_string_length(v) > 128 ||
		    strchr(k, '=') || strlen(json_string_value(v)) != json_string_length(v))
			return "labels: keys and values are strings of at most 128 bytes, keys "
			       "without '='";
	}
	return NULL;
}

static json_t *load_meta(struct srv *s, const char *id)
{
	char p[4096];

	if (!id_ok(id) || !s->cfg.snapshot_dir)
		return NULL;
	snprintf(p, sizeof(p), "%s/%s/meta.json", s->cfg.snapshot_dir, id);
	return json_load_file(p, JSON_REJECT_DUPLICATES, NULL);
}

static json_t *public_json(json_t *meta)
{
	json_t *j = json_object();
	static const char *const keys[] = { "id",	 "sandbox",    "pool",
					    "created_at", "size_bytes", "expires_at" };

	for (size_t i = 0; j && i < ARRAY_SIZE(keys); i++) {
		json_t *v = json_object_get(meta, keys[i]);
		if (v)
			json_object_set(j, keys[i], v);
	}
	if (j) {
		json_t *l = json_object_get(meta, "labels");
		json_object_set_new(j, "labels", json_is_object(l) ? json_deep_copy(l) : json_object());
	}
	return j;
}

static bool conn_err(int e)
{
	return e == -ECONNRESET || e == -EPIPE || e == -ENOTCONN || e == -ECONNREFUSED ||
	       e == -ESHUTDOWN;
}

static bool no_space(int e)
{
	return e == -ENOSPC || e == -EDQUOT || e == -EFBIG;
}

/* The ttl a request gets: -EINVAL over max_snapshot_ttl_seconds. */
static int effective_ttl(const struct srv_limits *l, uint32_t asked, uint32_t *ret, char *err,
			 size_t errlen)
{
	uint32_t t = asked ? asked : l->snapshot_ttl;

	if (asked && l->max_snapshot_ttl && asked > l->max_snapshot_ttl) {
		snprintf(err, errlen, "ttl_seconds must be at most %u (max_snapshot_ttl_seconds)",
			 l->max_snapshot_ttl);
		return -EINVAL;
	}
	if (l->max_snapshot_ttl && (t == 0 || t > l->max_snapshot_ttl))
		t = l->max_snapshot_ttl;
	*ret = t;
	return 0;
}

int srv_snap_create(struct srv *s, const char *sandbox_id, const struct srv_snap_opts *o,
		    json_t **ret, char *err, size_t errlen)
{
	struct pool_lease *l;
	struct sandbox *sb;
	char id[SNAP_ID_LEN + 1], dir[4096], img[4200], meta[4200], tmp[4200];
	unsigned char rnd[SNAP_ID_LEN / 2];
	const char *why;
	uint32_t ttl;
	int64_t now, expires = 0;
	uint64_t bytes;
	json_t *m, *out;
	int r;

	err[0] = 0;
	if (!s->cfg.snapshot_dir) {
		snprintf(err, errlen, "no snapshot directory configured");
		return -EIO;
	}
	why = srv_snap_labels_ok(o->labels);
	if (why) {
		snprintf(err, errlen, "%s", why);
		return -EINVAL;
	}
	r = effective_ttl(&s->cfg.lim, o->ttl_seconds, &ttl, err, errlen);
	if (r < 0)
		return r;
	r = pool_lease_find(s->pm, sandbox_id, &l);
	if (r < 0)
		return -ENOENT;
	r = srv_snapq_reserve(s, err, errlen);
	if (r < 0) {
		pool_lease_put(l);
		return r;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		srv_snapq_abort();
		pool_lease_put(l);
		return -EIO;
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(id + 2 * i, 3, "%02x", rnd[i]);
	r = ensure_dir(s->cfg.snapshot_dir);
	snprintf(dir, sizeof(dir), "%s/%s", s->cfg.snapshot_dir, id);
	if (r == 0 && mkdir(dir, 0700) < 0)
		r = -errno;
	if (r < 0) {
		srv_snapq_abort();
		pool_lease_put(l);
		snprintf(err, errlen, "snapshot directory: %s", strerror(-r));
		if (no_space(r)) {
			srv_snapq_refused(SRV_SNAPQ_NO_SPACE);
			return -ENOSPC;
		}
		return -EIO;
	}
	snprintf(img, sizeof(img), "%s/img", dir);
	r = sandbox_attach(pool_lease_control_path(l), &sb);
	if (r == 0) {
		r = sandbox_checkpoint(sb, img, o->ckpt_flags, err, errlen);
		sandbox_close(sb);
	}
	if (r < 0) {
		bool ended = pool_lease_ended(l);
		rm_tree(dir);
		srv_snapq_abort();
		pool_lease_put(l);
		if (ended)
			return -ENOENT;
		if (conn_err(r)) {
			snprintf(err, errlen, "the sandbox is not reachable");
			return -EPIPE;
		}
		if (r == -ENOMEM)
			return r;
		if (!err[0])
			snprintf(err, errlen, "%s", strerror(-r));
		if (no_space(r)) {
			srv_snapq_refused(SRV_SNAPQ_NO_SPACE);
			return -ENOSPC;
		}
		return -ECANCELED; /* the runtime refused: err says why */
	}
	now = (int64_t)time(NULL);
	if (ttl)
		expires = now + ttl;
	m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "id", id, "sandbox",
		      pool_lease_id(l), "pool", pool_lease_pool(l), "rootfs", pool_lease_rootfs(l),
		      "platform", pool_lease_platform(l) == PLAT_PTRACE ? "ptrace" : "systrap", "created_at",
		      (json_int_t)now, "size_bytes", (json_int_t)tree_size(img));
	if (m && expires)
		json_object_set_new(m, "expires_at", json_integer(expires));
	if (m && o->labels && json_object_size(o->labels))
		json_object_set_new(m, "labels", json_deep_copy(o->labels));
	bytes = srv_snapq_snapshot_bytes(dir);
	r = srv_snapq_commit(s, id, bytes, expires, err, errlen);
	if (r < 0) {
		json_decref(m);
		rm_tree(dir);
		pool_lease_put(l);
		return r;
	}
	snprintf(meta, sizeof(meta), "%s/meta.json", dir);
	snprintf(tmp, sizeof(tmp), "%s/meta.json.tmp", dir);
	errno = EIO;
	if (!m || json_dump_file(m, tmp, JSON_COMPACT) < 0 || rename(tmp, meta) < 0) {
		r = errno;
		json_decref(m);
		rm_tree(dir);
		srv_snapq_forget(id);
		pool_lease_put(l);
		snprintf(err, errlen, "cannot write the snapshot's metadata");
		if (no_space(-r)) {
			srv_snapq_refused(SRV_SNAPQ_NO_SPACE);
			return -ENOSPC;
		}
		return -EIO;
	}
	if (!(o->ckpt_flags & SANDBOX_CKPT_LEAVE_RUNNING))
		pool_lease_end(l);
	pool_lease_put(l);
	atomic_fetch_add(&s->snaps_created, 1);
	out = public_json(m);
	json_decref(m);
	if (!out)
		return -ENOMEM;
	*ret = out;
	return 0;
}

int srv_snap_get(struct srv *s, const char *id, json_t **ret)
{
	json_t *m = load_meta(s, id), *out;

	if (!m)
		return -ENOENT;
	out = public_json(m);
	json_decref(m);
	if (!out)
		return -ENOMEM;
	*ret = out;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool label_match(json_t *meta, const char *key, const char *val)
{
	json_t *v = json_object_get(json_object_get(meta, "labels"), key);

	return json_is_string(v) && strcmp(json_string_value(v), val) == 0;
}

int srv_snap_list(struct srv *s, const char *label, json_t **ret)
{
	char lkey[130] = "";
	const char *lval = NULL;
	DIR *d = s->cfg.snapshot_dir ? opendir(s->cfg.snapshot_dir) : NULL;
	struct dirent *e;
	char **ids = NULL;
	size_t n = 0, cap = 0;
	json_t *a;

	if (label) {
		const char *eq = strchr(label, '=');
		if (!eq || eq == label || (size_t)(eq - label) > 128) {
			if (d)
				closedir(d);
			return -EINVAL;
		}
		memcpy(lkey, label, (size_t)(eq - label));
		lkey[eq - label] = 0;
		lval = eq + 1;
	}
	a = json_array();
	if (!a) {
		if (d)
			closedir(d);
		return -ENOMEM;
	}
	while (d && (e = readdir(d))) {
		if (!id_ok(e->d_name))
			continue;
		if (n == cap) {
			char **t = realloc(ids, (cap ? cap * 2 : 16) * sizeof(*ids));
			if (!t)
				break;
			ids = t;
			cap = cap ? cap * 2 : 16;
		}
		if (!(ids[n] = strdup(e->d_name)))
			break;
		n++;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(ids, n, sizeof(*ids), cmp_str);
	for (size_t i = 0; i < n; i++) {
		json_t *m = load_meta(s, ids[i]);
		if (m && (!lval || label_match(m, lkey, lval)))
			json_array_append_new(a, public_json(m));
		json_decref(m);
		free(ids[i]);
	}
	free(ids);
	*ret = a;
	return 0;
}

int srv_snap_delete(struct srv *s, const char *id)
{
	return srv_snap_remove(s, id, false);
}

int srv_snap_remove(struct srv *s, const char *id, bool expired)
{
	char dir[4096], gone[4200];
	unsigned char rnd[4] = { 0 };
	int r;

	if (!id_ok(id) || !s->cfg.snapshot_dir)
		return -ENOENT;
	snprintf(dir, sizeof(dir), "%s/%s", s->cfg.snapshot_dir, id);
	(void)getrandom(rnd, sizeof(rnd), GRND_NONBLOCK);
	snprintf(gone, sizeof(gone), "%s/.deleted-%s-%02x%02x%02x%02x", s->cfg.snapshot_dir, id,
		 rnd[0], rnd[1], rnd[2], rnd[3]);
	/* out of every listing at once, then removed; not while a pool
	 * restores it (snap_pool.c) */
	srv_snap_pools_lock();
	r = srv_snap_in_use(s, id, NULL, 0);
	if (r == 0 && rename(dir, gone) < 0)
		r = errno == ENOENT ? -ENOENT : -errno;
	srv_snap_pools_unlock();
	if (r == -ENOENT)
		srv_snapq_forget(id); /* removed behind the server's back */
	if (r < 0)
		return r;
	srv_snapq_removed(id, expired);
	rm_tree(gone);
	return 0;
}

json_t *srv_snap_meta(struct srv *s, const char *id)
{
	return load_meta(s, id);
}

int srv_snap_restore(struct srv *s, const char *id, int acquire_timeout_ms, uint32_t secs,
		     struct pool_lease **ret, char *err, size_t errlen)
{
	json_t *m = load_meta(s, id);
	const char *pool, *rootfs, *plat;
	enum plat_kind kind;
	struct pool_info *pi;
	struct pool_lease *l;
	struct sandbox *sb;
	char img[4200];
	const int stdio[3] = { -1, -1, -1 };
	bool same = false;
	int r;

	err[0] = 0;
	if (!m)
		return -ENOENT;
	pool = json_string_value(json_object_get(m, "pool"));
	rootfs = json_string_value(json_object_get(m, "rootfs"));
	plat = json_string_value(json_object_get(m, "platform"));
	if (!pool || !rootfs || !plat || plat_kind_from_string(plat, &kind) < 0) {
		json_decref(m);
		snprintf(err, errlen, "the snapshot's metadata is damaged");
		return -ECANCELED;
	}
	/* a warm sandbox of the same pool when it still boots the same root */
	pi = malloc(sizeof(*pi));
	if (pi && strcmp(pool, "_adhoc") != 0 && pool_get(s->pm, pool, pi) == 0)
		same = strcmp(pi->cfg.rootfs, rootfs) == 0 && pi->cfg.platform == kind &&
		       !pi->snapshot[0]; /* a snapshot pool's are restored already */
	free(pi);
	if (same)
		r = pool_acquire(s->pm, pool, acquire_timeout_ms, secs, &l);
	else
		r = pool_boot_adhoc(s->pm, rootfs, kind, secs, &l);
	if (r < 0) {
		json_decref(m);
		if (r == -ENOTDIR || r == -EINVAL || r == -ENOENT) {
			snprintf(err, errlen, "the snapshot's root file system is gone");
			return -ECANCELED;
		}
		return r;
	}
	snprintf(img, sizeof(img), "%s/%s/img", s->cfg.snapshot_dir, id);
	json_decref(m);
	r = sandbox_attach(pool_lease_control_path(l), &sb);
	if (r == 0) {
		r = sandbox_restore(sb, img, stdio, SANDBOX_RESTORE_VERIFY_ONCE, err, errlen);
		sandbox_close(sb);
	}
	if (r < 0) {
		pool_lease_end(l);
		pool_lease_put(l);
		if (!err[0])
			snprintf(err, errlen, "%s", strerror(-r));
		return -ECANCELED;
	}
	atomic_fetch_add(&s->snaps_restored, 1);
	*ret = l;
	return 0;
}
