/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pools whose template is a snapshot (issue 8): the server resolves a
 * snapshot id into the root file system and platform it was taken on and
 * its image directory, and pool/ restores that image into every sandbox it
 * boots for the pool (pool.c, restore_template()).  A snapshot that a pool
 * uses cannot be deleted (-EBUSY) until the pool is: one lock orders pool
 * creation from a snapshot against the snapshot's deletion.
 */
#define LOG_PREFIX "cvisord"
#include "server/srv.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"

/* Held across "the snapshot exists -> the pool is made" and "no pool uses
 * it -> it is removed". */
static pthread_mutex_t snap_pools_lock = PTHREAD_MUTEX_INITIALIZER;

void srv_snap_pools_lock(void)
{
	pthread_mutex_lock(&snap_pools_lock);
}

void srv_snap_pools_unlock(void)
{
	pthread_mutex_unlock(&snap_pools_lock);
}

int srv_snap_in_use(struct srv *s, const char *id, char *pool, size_t len)
{
	struct pool_info *pi = malloc(sizeof(*pi));
	char **names;
	size_t n;
	int r;

	if (!pi)
		return -ENOMEM;
	r = pool_list(s->pm, &names, &n);
	if (r < 0) {
		free(pi);
		return r;
	}
	for (size_t i = 0; i < n && r == 0; i++) {
		if (pool_get(s->pm, names[i], pi) < 0 || strcmp(pi->snapshot, id) != 0)
			continue;
		if (pool && len)
			snprintf(pool, len, "%s", pi->cfg.name);
		r = -EBUSY;
	}
	pool_names_free(names, n);
	free(pi);
	return r;
}

static int create_from_snapshot(struct srv *s, const struct pool_config *cfg, char *err,
				size_t errlen)
{
	json_t *m = srv_snap_meta(s, cfg->snapshot);
	const char *rootfs, *plat;
	struct pool_config c;
	enum plat_kind kind;
	char *image = NULL;
	int r;

	if (!m) {
		snprintf(err, errlen, "snapshot %.64s: not found", cfg->snapshot);
		return -ENOENT;
	}
	rootfs = json_string_value(json_object_get(m, "rootfs"));
	plat = json_string_value(json_object_get(m, "platform"));
	if (!rootfs || !plat || plat_kind_from_string(plat, &kind) < 0) {
		json_decref(m);
		snprintf(err, errlen, "the snapshot's metadata is damaged");
		return -ECANCELED;
	}
	if (cfg->platform != (enum plat_kind)-1 && cfg->platform != kind) {
		snprintf(err, errlen, "platform: the snapshot was taken on %s", plat);
		json_decref(m);
		return -EINVAL;
	}
	if (asprintf(&image, "%s/%s/img", s->cfg.snapshot_dir, cfg->snapshot) < 0) {
		json_decref(m);
		return -ENOMEM;
	}
	c = *cfg;
	c.rootfs = (char *)rootfs;
	c.image = image;
	c.platform = kind;
	r = pool_create(s->pm, &c);
	json_decref(m);
	free(image);
	if (r == -ENOTDIR || r == -ENOENT) {
		snprintf(err, errlen, "the snapshot's root file system is gone");
		return -ECANCELED;
	}
	return r;
}

void srv_cgroups_error(int r, char *err, size_t errlen)
{
	snprintf(err, errlen,
		 "resource limits need writable cgroups (v2 with the memory, cpu and pids "
		 "controllers, or v1 memory, cpu and pids hierarchies) and this host has none: %s",
		 strerror(-r));
}

int srv_pool_create(struct srv *s, const struct pool_config *cfg, char *err, size_t errlen)
{
	int r;

	err[0] = 0;
	if (pool_resources_set(&cfg->resources) && (r = pool_cgroups_usable()) < 0) {
		srv_cgroups_error(r, err, errlen);
		return -EOPNOTSUPP;
	}
	if (!cfg->snapshot) {
		r = pool_create(s->pm, cfg);
		if (r == -ENOTDIR || r == -ENOENT) {
			snprintf(err, errlen, "rootfs is not a directory");
			return -ENOTDIR;
		}
	} else {
		srv_snap_pools_lock();
		r = create_from_snapshot(s, cfg, err, errlen);
		srv_snap_pools_unlock();
	}
	if (r == -EINVAL && !err[0])
		snprintf(err, errlen, "invalid pool settings");
	return r;
}
