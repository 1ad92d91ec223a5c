/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pools of pre-warmed sandboxes (DESIGN.md section 8).
 *
 * A manager owns named pools.  Each pool keeps a warm set of booted
 * sandboxes (sandbox_boot() of the pool's rootfs template, control socket
 * under <state_dir>/<pool>/<n>.sock); refill threads boot new ones so that
 * ready + starting >= min_ready + waiters, never exceeding max_total
 * (ready + starting + leased).
 *
 * A lease takes one warm sandbox out of the set; the sandbox belongs to that
 * lease alone and is destroyed when the lease ends (never reused).  Leases
 * carry an id, labels, and a deadline (max_lease_seconds or an explicit
 * timeout); a reaper thread destroys expired leases, warm sandboxes whose
 * Sentry died, and warm sandboxes idle longer than idle_ttl.
 *
 * Errors: -ENOENT unknown pool/lease, -EEXIST pool exists, -ENOSPC pool full
 * (its max_total, or the manager's max_sandboxes, reached: HTTP 429), -EAGAIN no warm sandbox could be made in
 * time (HTTP 503), -EINVAL bad configuration, -ESHUTDOWN manager stopping.
 * All functions are thread-safe; out-params are written on success only.
 */
#ifndef CVISOR_POOL_POOL_H
#define CVISOR_POOL_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/platform.h"
#include "runtime/sandbox.h"

struct sandbox;
struct pool_mgr;
struct pool_lease;

#define POOL_NAME_MAX 32
#define POOL_LEASE_ID_LEN 16 /* hex characters */
#define POOL_SNAPSHOT_MAX 64

/* Host resource limits of each sandbox of a pool (its own cgroup, holding
 * every host process and thread of the sandbox: Sentry, stubs, Gofer,
 * under cvisord/<instance>/<pool>/<n>; pool/cgroup.c).  Zero: no limit. */
struct pool_resources {
	int64_t memory_bytes; /* memory limit; at least 16 MiB */
	uint32_t cpus_milli;  /* cpu quota in thousandths of a CPU (1500: 1.5) */
	int64_t pids;         /* host tasks (threads count); at least 16 */
};
#define POOL_CPUS_MILLI_MAX (1024u * 1000u)

struct pool_config {
	char name[POOL_NAME_MAX + 1];
	char *rootfs;               /* absolute host path of the template */
	/* A snapshot template (NULL: none): every sandbox booted for the pool
	 * gets the image at @image (an absolute directory, sandbox_restore())
	 * restored into it before it is offered; @rootfs is then the root the
	 * image was saved on.  @snapshot is the image's name for callers
	 * (pool_info, deletion checks), at most POOL_SNAPSHOT_MAX bytes. */
	char *snapshot;
	char *image;
	uint32_t min_ready;         /* warm sandboxes kept booted */
	uint32_t max_total;         /* ready + starting + leased; 0: 64 */
	uint32_t max_lease_seconds; /* default and maximum lease length; 0: 3600 */
	uint32_t idle_ttl_seconds;  /* warm ones older than this are recycled; 0: never */
	enum plat_kind platform;
	enum sandbox_network network; /* zero: none (loopback only) */
	struct pool_resources resources;
};

/* Fields a PATCH may change (flags say which). */
enum {
	POOL_UPD_MIN_READY = 1u << 0,
	POOL_UPD_MAX_TOTAL = 1u << 1,
	POOL_UPD_MAX_LEASE = 1u << 2,
	POOL_UPD_IDLE_TTL = 1u << 3,
};

#define POOL_HIST_BUCKETS 12
extern const double pool_hist_bounds[POOL_HIST_BUCKETS]; /* seconds */

struct pool_hist {
	uint64_t counts[POOL_HIST_BUCKETS + 1]; /* last one: +Inf */
	uint64_t n;
	double sum;
};
void pool_hist_observe(struct pool_hist *h, double seconds);

enum pool_fail {
	POOL_FAIL_BOOT,      /* sandbox_boot failed */
	POOL_FAIL_DIED,      /* a warm or leased sandbox's Sentry died */
	POOL_FAIL_FULL,      /* acquire refused: max_total */
	POOL_FAIL_TIMEOUT,   /* acquire refused: none ready in time */
	POOL_FAIL_EXPIRED,   /* lease reaped at its deadline */
	POOL_FAIL_EXEC,      /* exec/spawn in a leased sandbox failed */
	POOL_FAIL_RESTORE,   /* a snapshot pool's restore into a new sandbox failed */
	POOL_FAIL_OOM,       /* the sandbox exceeded its memory limit and was killed */
	POOL_FAIL_N,
};
const char *pool_fail_name(enum pool_fail f);

/* A consistent copy of one pool's state, for GET and /metrics. */
struct pool_info {
	struct pool_config cfg; /* cfg.rootfs and cfg.snapshot point into this
				 * copy's storage; cfg.image is NULL */
	char rootfs[4096];
	char snapshot[POOL_SNAPSHOT_MAX + 1]; /* empty: a rootfs template */
	uint32_t ready, starting, leased, waiters;
	uint64_t created, destroyed, leases_total;
	uint64_t failures[POOL_FAIL_N];
	struct pool_hist acquire, run;
	int last_boot_error; /* negative errno of the last failed boot, 0 if none */
	char last_error[256]; /* its message when the runtime gave one (restore) */
};

struct pool_mgr_opts {
	const char *state_dir;   /* control sockets live under it (created 0700);
				  * at most 50 bytes (sun_path) */
	unsigned boot_workers;   /* parallel boots; 0: 2 */
	int log_fd;              /* the sandboxes' stderr; -1 inherits */
	unsigned reap_interval_ms; /* 0: 250 */
	uint32_t max_sandboxes;  /* over every pool and ad-hoc ones; 0: 256 */
};

int pool_mgr_new(const struct pool_mgr_opts *opts, struct pool_mgr **ret);
/* End every lease now (their processes are killed; holders of references
 * see their calls fail or end). */
void pool_end_all_leases(struct pool_mgr *m);
/* Stop the threads, destroy every warm sandbox and every lease. */
void pool_mgr_free(struct pool_mgr *m);
/* Remove leftovers of a crashed manager in @state_dir: sandboxes still
 * answering on their control socket are shut down, dead sockets removed.
 * Returns how many sandboxes were shut down. */
int pool_cleanup_stale(const char *state_dir);

/* Validation shared with the server: name is [a-z0-9_-]{1,32}. */
bool pool_name_valid(const char *name);
int pool_config_check(const struct pool_config *cfg);

int pool_create(struct pool_mgr *m, const struct pool_config *cfg);
int pool_update(struct pool_mgr *m, const char *name, unsigned fields,
		const struct pool_config *vals);
/* Destroys its warm sandboxes; leases already taken run to their end. */
int pool_delete(struct pool_mgr *m, const char *name);
int pool_get(struct pool_mgr *m, const char *name, struct pool_info *ret);
/* Names of every pool (malloc'd array of malloc'd strings). */
int pool_list(struct pool_mgr *m, char ***ret, size_t *ret_n);
void pool_names_free(char **v, size_t n);

/* Take a warm sandbox from @pool, waiting up to @timeout_ms for one to boot.
 * @lease_seconds 0: the pool's max_lease_seconds (and never more).
 * The lease is registered (pool_lease_find sees it) and holds one reference
 * for the caller. */
int pool_acquire(struct pool_mgr *m, const char *pool, int timeout_ms, uint32_t lease_seconds,
		 struct pool_lease **ret);

/* A sandbox booted now from @rootfs (no pool, no warm set), leased like
 * those of pool_acquire (pool name "_adhoc"). */
int pool_boot_adhoc(struct pool_mgr *m, const char *rootfs, enum plat_kind platform,
		    uint32_t lease_seconds, struct pool_lease **ret);

/* The same with resource limits (@res NULL or all zero: none). */
int pool_boot_adhoc_res(struct pool_mgr *m, const char *rootfs, enum plat_kind platform,
			uint32_t lease_seconds, const struct pool_resources *res,
			struct pool_lease **ret);

/* Resource limits (pool/cgroup.c).  pool_resources_check: -EINVAL for
 * values out of range.  pool_cgroups_usable: 0 when per-sandbox cgroups
 * can be made here, else -ENOENT (no cgroup file system), -EACCES/-EROFS
 * (not writable) or -EOPNOTSUPP (a controller is missing); pool_create()
 * and pool_boot_adhoc_res() with limits fail with it. */
bool pool_resources_set(const struct pool_resources *res);
int pool_resources_check(const struct pool_resources *res);
int pool_cgroups_usable(void);
/* Has the lease's sandbox hit its memory limit (an OOM kill in its
 * cgroup)?  false when it has no limits. */
bool pool_lease_oom(struct pool_lease *l);
/* The lease's resource limits (zero: none). */
const struct pool_resources *pool_lease_resources(const struct pool_lease *l);
/* Remove the cgroups a crashed manager of @state_dir left (killing what is
 * still in them); returns how many were removed. */
int pool_cleanup_stale_cgroups(const char *state_dir);

/* Reference counting: find takes a reference; put drops one.  The sandbox is
 * destroyed when the lease has been ended and the last reference dropped. */
int pool_lease_find(struct pool_mgr *m, const char *id, struct pool_lease **ret);
void pool_lease_put(struct pool_lease *l);
/* End the lease: unregister it, kill its processes, destroy the sandbox
 * once unreferenced.  Idempotent (-ENOENT the second time through find). */
void pool_lease_end(struct pool_lease *l);
/* Report that the sandbox misbehaved (died): counted, and the lease ended. */
void pool_lease_failed(struct pool_lease *l, enum pool_fail why);

const char *pool_lease_id(const struct pool_lease *l);
const char *pool_lease_pool(const struct pool_lease *l);
const char *pool_lease_control_path(const struct pool_lease *l);
/* The root file system and platform the lease's sandbox was booted with. */
const char *pool_lease_rootfs(const struct pool_lease *l);
enum plat_kind pool_lease_platform(const struct pool_lease *l);
/* The lease's own connection: only for the lease's single user (run). */
struct sandbox *pool_lease_sandbox(struct pool_lease *l);
/* The Sentry's host pid (0 if unknown). */
int pool_lease_host_pid(const struct pool_lease *l);
uint64_t pool_lease_created_ms(const struct pool_lease *l);  /* wall clock */
uint64_t pool_lease_deadline_ms(const struct pool_lease *l); /* wall clock */
bool pool_lease_ended(const struct pool_lease *l);
/* New deadline = now + seconds, clamped to the pool's max_lease_seconds. */
int pool_lease_set_timeout(struct pool_lease *l, uint32_t seconds);
/* Labels: a small string map set at creation (not changed afterwards). */
int pool_lease_set_label(struct pool_lease *l, const char *key, const char *value);
const char *pool_lease_label(const struct pool_lease *l, const char *key);
size_t pool_lease_nlabels(const struct pool_lease *l);
void pool_lease_label_at(const struct pool_lease *l, size_t i, const char **k, const char **v);

/* Ids of every live lease, sorted (malloc'd). */
int pool_lease_ids(struct pool_mgr *m, char ***ret, size_t *ret_n);

/* Record a run duration for the pool's histogram. */
void pool_observe_run(struct pool_mgr *m, const char *pool, double seconds);
void pool_count_failure(struct pool_mgr *m, const char *pool, enum pool_fail why);

/* Sandboxes alive (warm + starting + leased) over every pool. */
uint32_t pool_mgr_total(struct pool_mgr *m);

/* Is host process @pid alive (exists and is not a zombie)? */
bool pool_pid_alive(int pid);

#endif
