/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Snapshot quotas and retention (issue 8, docs/checkpoint.md "Snapshot
 * quotas and retention"): an in-memory account of the snapshots in
 * --snapshot-dir (count, bytes on disk, expiry), the limits
 * max_snapshots / max_snapshot_bytes checked before and after a
 * checkpoint, a reaper thread that removes expired snapshots (but not those
 * a snapshot pool uses), and the start-up scan that counts the snapshots
 * already on disk and removes damaged or partial ones.
 *
 * One cvisord per process: the account is a file-static table under one
 * mutex.  Creates in flight are counted against max_snapshots (reserved
 * before the checkpoint); bytes are known only after it, so the byte limit
 * refuses a new snapshot whose size would take the total over it (the
 * caller removes the directory: nothing half-written stays).
 */
#define LOG_PREFIX "cvisord"
#include "server/srv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/macro.h"

/* what a snapshot's meta.json is counted as (it is a few hundred bytes) */
#define SNAPQ_META_BYTES 512

struct snapq_ent {
	char id[SRV_SNAP_ID_LEN + 1];
	uint64_t bytes;
	int64_t expires_at; /* Unix seconds; 0: never */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct snapq_ent *v;
	size_t n, cap;
	uint32_t pending; /* creates between reserve and commit/abort */
	uint64_t bytes;
	uint64_t deleted, expired, refused[SRV_SNAPQ_REFUSED_N];
	pthread_t reaper;
	bool reaper_on, stop;
} q = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

static const char *const refused_names[SRV_SNAPQ_REFUSED_N] = {
	[SRV_SNAPQ_MAX_SNAPSHOTS] = "max_snapshots",
	[SRV_SNAPQ_MAX_BYTES] = "max_snapshot_bytes",
	[SRV_SNAPQ_NO_SPACE] = "no_space",
};

void srv_snapq_refused(enum srv_snapq_refusal why)
{
	pthread_mutex_lock(&q.lock);
	q.refused[why]++;
	pthread_mutex_unlock(&q.lock);
}

int srv_snapq_reserve(struct srv *s, char *err, size_t errlen)
{
	const struct srv_limits *l = &s->cfg.lim;
	int r = 0;

	pthread_mutex_lock(&q.lock);
	if (l->max_snapshots && q.n + q.pending >= l->max_snapshots) {
		q.refused[SRV_SNAPQ_MAX_SNAPSHOTS]++;
		snprintf(err, errlen, "max_snapshots (%u) reached: delete snapshots first",
			 l->max_snapshots);
		r = -EDQUOT;
	} else if (l->max_snapshot_bytes && q.bytes >= l->max_snapshot_bytes) {
		q.refused[SRV_SNAPQ_MAX_BYTES]++;
		snprintf(err, errlen,
			 "max_snapshot_bytes (%llu) reached: %llu bytes in snapshots",
			 (unsigned long long)l->max_snapshot_bytes, (unsigned long long)q.bytes);
		r = -EDQUOT;
	} else {
		q.pending++;
	}
	pthread_mutex_unlock(&q.lock);
	return r;
}

void srv_snapq_abort(void)
{
	pthread_mutex_lock(&q.lock);
	if (q.pending)
		q.pending--;
	pthread_mutex_unlock(&q.lock);
}

/* Under q.lock. */
static int add_locked(const char *id, uint64_t bytes, int64_t expires_at)
{
	if (q.n == q.cap) {
		size_t cap = q.cap ? q.cap * 2 : 64;
		struct snapq_ent *t = realloc(q.v, cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		q.v = t;
		q.cap = cap;
	}
	snprintf(q.v[q.n].id, sizeof(q.v[q.n].id), "%s", id);
	q.v[q.n].bytes = bytes;
	q.v[q.n].expires_at = expires_at;
	q.n++;
	q.bytes += bytes;
	return 0;
}

int srv_snapq_commit(struct srv *s, const char *id, uint64_t bytes, int64_t expires_at,
		     char *err, size_t errlen)
{
	const struct srv_limits *l = &s->cfg.lim;
	int r;

	pthread_mutex_lock(&q.lock);
	if (q.pending)
		q.pending--;
	if (l->max_snapshot_bytes && q.bytes + bytes > l->max_snapshot_bytes) {
		q.refused[SRV_SNAPQ_MAX_BYTES]++;
		snprintf(err, errlen,
			 "max_snapshot_bytes (%llu): this snapshot (%llu bytes) does not fit "
			 "next to the %llu bytes in snapshots",
			 (unsigned long long)l->max_snapshot_bytes, (unsigned long long)bytes,
			 (unsigned long long)q.bytes);
		r = -EDQUOT;
	} else {
		r = add_locked(id, bytes, expires_at);
	}
	pthread_mutex_unlock(&q.lock);
	return r;
}

void srv_snapq_removed(const char *id, bool expired)
{
	pthread_mutex_lock(&q.lock);
	for (size_t i = 0; i < q.n; i++) {
		if (strcmp(q.v[i].id, id) != 0)
			continue;
		q.bytes -= q.v[i].bytes;
		q.v[i] = q.v[--q.n];
		if (expired)
			q.expired++;
		else
			q.deleted++;
		break;
	}
	pthread_mutex_unlock(&q.lock);
}

void srv_snapq_forget(const char *id)
{
	pthread_mutex_lock(&q.lock);
	for (size_t i = 0; i < q.n; i++) {
		if (strcmp(q.v[i].id, id) == 0) {
			q.bytes -= q.v[i].bytes;
			q.v[i] = q.v[--q.n];
			break;
		}
	}
	pthread_mutex_unlock(&q.lock);
}

void srv_snapq_metrics(FILE *f)
{
	pthread_mutex_lock(&q.lock);
	fprintf(f, "# HELP cvisor_snapshots Snapshots on disk\n# TYPE cvisor_snapshots gauge\n"
		   "cvisor_snapshots %zu\n"
		   "# HELP cvisor_snapshot_bytes Bytes of the snapshots on disk\n"
		   "# TYPE cvisor_snapshot_bytes gauge\ncvisor_snapshot_bytes %llu\n"
		   "# TYPE cvisor_snapshots_deleted_total counter\n"
		   "cvisor_snapshots_deleted_total %llu\n"
		   "# TYPE cvisor_snapshots_expired_total counter\n"
		   "cvisor_snapshots_expired_total %llu\n"
		   "# HELP cvisor_snapshots_refused_total Snapshot requests refused by reason\n"
		   "# TYPE cvisor_snapshots_refused_total counter\n",
		q.n, (unsigned long long)q.bytes, (unsigned long long)q.deleted,
		(unsigned long long)q.expired);
	for (int i = 0; i < SRV_SNAPQ_REFUSED_N; i++)
		fprintf(f, "cvisor_snapshots_refused_total{reason=\"%s\"} %llu\n", refused_names[i],
			(unsigned long long)q.refused[i]);
	pthread_mutex_unlock(&q.lock);
}

/* --- sizes, start-up scan --- */

static __thread uint64_t du_sum;

static int du_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)p;
	(void)f;
	if (flag == FTW_F && S_ISREG(st->st_mode))
		du_sum += (uint64_t)st->st_size;
	return 0;
}

uint64_t srv_snapq_dir_bytes(const char *dir)
{
	du_sum = 0;
	(void)nftw(dir, du_cb, 16, FTW_PHYS);
	return du_sum;
}

uint64_t srv_snapq_snapshot_bytes(const char *dir)
{
	char img[4200];

	snprintf(img, sizeof(img), "%.4000s/img", dir);
	return srv_snapq_dir_bytes(img) + SNAPQ_META_BYTES;
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if (flag == FTW_DP || flag == FTW_D)
		(void)rmdir(p);
	else
		(void)unlink(p);
	return 0;
}

void srv_snapq_rm_tree(const char *d)
{
	(void)nftw(d, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* A usable snapshot directory: meta.json names it, img/ is a directory.
 * Returns why not, or NULL. */
static const char *check_snapshot(const char *dir, const char *id, int64_t *expires_at)
{
	char p[4200];
	struct stat st;
	json_t *m, *v;
	const char *why = NULL;

	snprintf(p, sizeof(p), "%.4000s/meta.json", dir);
	m = json_load_file(p, JSON_REJECT_DUPLICATES, NULL);
	if (!m)
		return "no readable meta.json (an interrupted snapshot)";
	v = json_object_get(m, "id");
	if (!json_is_string(v) || strcmp(json_string_value(v), id) != 0)
		why = "meta.json names another snapshot";
	else if (!json_is_string(json_object_get(m, "rootfs")) ||
		 !json_is_string(json_object_get(m, "platform")))
		why = "meta.json is damaged";
	snprintf(p, sizeof(p), "%.4000s/img", dir);
	if (!why && (stat(p, &st) < 0 || !S_ISDIR(st.st_mode)))
		why = "the image directory is missing";
	v = json_object_get(m, "expires_at");
	*expires_at = json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
	json_decref(m);
	return why;
}

int srv_snapq_scan(struct srv *s)
{
	const char *d = s->cfg.snapshot_dir;
	DIR *dir;
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	dir = opendir(d);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	pthread_mutex_lock(&q.lock);
	while ((e = readdir(dir))) {
		char p[4200];
		const char *why;
		int64_t exp = 0;
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", d, e->d_name);
		if (strncmp(e->d_name, ".deleted-", 9) == 0) {
			log_info("removing %s (a deletion that was interrupted)", p);
			srv_snapq_rm_tree(p);
			continue;
		}
		if (!srv_snap_id_ok(e->d_name) || lstat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			continue; /* not ours */
		why = check_snapshot(p, e->d_name, &exp);
		if (why) {
			log_info("removing damaged snapshot directory %s: %s", p, why);
			srv_snapq_rm_tree(p);
			continue;
		}
		if (add_locked(e->d_name, srv_snapq_snapshot_bytes(p), exp) == 0)
			n++;
	}
	if (n)
		log_info("%d snapshot(s) in %s, %llu bytes", n, d, (unsigned long long)q.bytes);
	pthread_mutex_unlock(&q.lock);
	closedir(dir);
	return n;
}

/* --- the reaper --- */

static void *reaper(void *arg)
{
	struct srv *s = arg;
	char (*due)[SRV_SNAP_ID_LEN + 1] = NULL;

	pthread_mutex_lock(&q.lock);
	while (!q.stop) {
		struct timespec ts;
		int64_t now = (int64_t)time(NULL);
		size_t nd = 0;

		free(due);
		due = q.n ? calloc(q.n, sizeof(*due)) : NULL;
		for (size_t i = 0; due && i < q.n; i++)
			if (q.v[i].expires_at && q.v[i].expires_at <= now)
				memcpy(due[nd++], q.v[i].id, sizeof(*due));
		pthread_mutex_unlock(&q.lock);
		for (size_t i = 0; i < nd; i++) {
			int r = srv_snap_remove(s, due[i], true);
			if (r == 0)
				log_debug("snapshot %s expired: removed", due[i]);
		}
		pthread_mutex_lock(&q.lock);
		if (q.stop)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&q.cond, &q.lock, &ts);
	}
	pthread_mutex_unlock(&q.lock);
	free(due);
	return NULL;
}

int srv_snapq_start(struct srv *s)
{
	int r = pthread_create(&q.reaper, NULL, reaper, s);

	if (r)
		return -r;
	q.reaper_on = true;
	return 0;
}

void srv_snapq_stop(void)
{
	if (!q.reaper_on)
		return;
	pthread_mutex_lock(&q.lock);
	q.stop = true;
	pthread_cond_broadcast(&q.cond);
	pthread_mutex_unlock(&q.lock);
	pthread_join(q.reaper, NULL);
	q.reaper_on = false;
	free(q.v);
	q.v = NULL;
	q.n = q.cap = 0;
}
