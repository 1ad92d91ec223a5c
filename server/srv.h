/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cvisord internals shared by its files: configuration, the server object,
 * the exec engine, JSON helpers.  Everything a client sends is hostile input.
 */
#ifndef CVISOR_SERVER_SRV_H
#define CVISOR_SERVER_SRV_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "platform/platform.h"
#include "pool/pool.h"

struct sandbox;
struct MHD_Daemon;

struct srv_limits {
	size_t max_body;        /* JSON request bodies */
	size_t max_file;        /* PUT/GET of files */
	size_t max_output;      /* captured per stream (stdout, stderr) */
	size_t max_argv;        /* argv + env + cwd bytes */
	size_t max_stdin;
	unsigned max_connections;
	unsigned max_inflight;  /* concurrent requests; above: 503 */
	int acquire_timeout_ms; /* waiting for a warm sandbox */
	uint32_t exec_timeout_ms, max_exec_timeout_ms;
	uint32_t drain_timeout_ms; /* SIGTERM: wait this long for requests */
	uint32_t max_sandboxes;    /* alive at once, every pool together */
	/* snapshots (snap_quota.c); 0: no limit */
	uint32_t max_snapshots;       /* on disk, with creates in flight */
	uint64_t max_snapshot_bytes;  /* total size of their files */
	uint32_t snapshot_ttl;        /* seconds, when a request sets none */
	uint32_t max_snapshot_ttl;    /* seconds a request may ask for */
};

struct srv_config {
	char *rest;  /* HOST:PORT */
	char *rest_unix; /* a unix socket path for REST too (0600), or NULL */
	char *tls_cert, *tls_key; /* PEM files: HTTPS on the TCP listener */
	char *grpc;  /* HOST:PORT, unix:PATH or "off" (server/grpc.c) */
	char *state_dir;
	char *snapshot_dir; /* NULL: <state_dir>/snapshots */
	char *default_rootfs;
	uint32_t default_min_ready;
	enum plat_kind platform;
	unsigned boot_workers;
	char **tokens;
	size_t ntokens;
	struct srv_limits lim;
	struct pool_config *pools;
	size_t npools;
};

void srv_config_defaults(struct srv_config *c);
/* Merge a JSON config file into @c; *err gets a static/strdup'd message. */
int srv_config_load(struct srv_config *c, const char *path, char *err, size_t errlen);
void srv_config_clear(struct srv_config *c);
int srv_config_add_token(struct srv_config *c, const char *tok);
/* Read <state_dir>/token or create it (0600, 32 random bytes in hex). */
int srv_token_file(struct srv_config *c, char **ret_path);
bool srv_token_ok(const struct srv_config *c, const char *tok);
/* Parse one pool description (POST /v1/pools and the config file). */
int srv_pool_from_json(json_t *j, enum plat_kind dflt, struct pool_config *ret, const char **err);
json_t *srv_pool_to_json(const struct pool_info *pi);
/* "resources": {memory_bytes, cpus, pids} (absent or null: no limits). */
int srv_resources_from_json(json_t *v, struct pool_resources *ret, const char **err);
json_t *srv_resources_to_json(const struct pool_resources *r);

struct srv {
	struct srv_config cfg;
	struct pool_mgr *pm;
	struct MHD_Daemon *daemon, *daemon_unix;
	char *tls_cert_pem, *tls_key_pem; /* alive as long as the daemon */
	atomic_uint inflight;
	atomic_bool draining;
	atomic_uint_fast64_t http_total[6]; /* by status class 1xx..5xx, [0] other */
	atomic_uint_fast64_t runs, execs;
	atomic_uint_fast64_t snaps_created, snaps_restored;
	uint64_t started_ms;
};

int srv_http_start(struct srv *s);
void srv_http_quiesce(struct srv *s);
void srv_http_stop(struct srv *s);

/* --- exec engine (exec.c) --- */
struct srv_exec_req {
	char **argv, **env; /* NULL-terminated */
	char *cwd;
	uint32_t uid, gid;
	char *stdin_data;
	size_t stdin_len;
	uint32_t timeout_ms;
	bool tty;		 /* a host pty: the slave is stdin/out/err */
	uint16_t rows, cols;	 /* its window size (tty only) */
};

struct srv_exec_res {
	int exit_code; /* WEXITSTATUS, or 128+signal */
	int signal;    /* 0 unless killed by a signal */
	char *out, *err;
	size_t out_len, err_len;
	bool truncated, timed_out;
	uint64_t duration_ns;
	const char *reason; /* why it was killed: "timeout", "oom"; NULL: none */
};

/* Validate an exec body ({argv, env, cwd, user, stdin, timeout_ms, tty,
 * rows, cols}). */
int srv_exec_parse(json_t *j, const struct srv_limits *lim, struct srv_exec_req *ret,
		   const char **err);
void srv_exec_req_clear(struct srv_exec_req *r);
void srv_exec_res_clear(struct srv_exec_res *r);
/* The stdio of an exec: pipes, or with rq->tty a host pty pair.  @child:
 * the process's 0, 1, 2 (the caller closes them after the spawn); @ours:
 * stdin (write; -EBADF unless @want_in), stdout and stderr (read).  With a
 * tty, stdin and stdout are the master (stderr is merged: ours[2] is
 * -EBADF), the window size is set and reading the master fails with EIO
 * once the terminal is closed. */
int srv_exec_stdio(const struct srv_exec_req *rq, bool want_in, int child[3], int ours[3]);
/* After an exec in @l's sandbox ended with @e (0, or a lost connection)
 * and @res (when @e is 0): if the sandbox hit its memory limit, the result
 * becomes exit 137 (SIGKILL) with reason "oom", the failure is counted and
 * the lease ended (its sandbox removed).  Returns true then; @res is filled
 * (empty outputs) when @e was an error. */
bool srv_exec_oom(struct pool_lease *l, int e, struct srv_exec_res *res);
/* Blocking: spawn, collect both outputs up to the cap, wait. */
int srv_exec_run(struct sandbox *sb, const struct srv_exec_req *rq, size_t cap,
		 struct srv_exec_res *res);

/* Streamed: events as NDJSON lines
 *   {"type":"stdout","data":"..."} {"type":"stderr","data":"..."}
 *   {"type":"exit","exit_code":N,"duration_ms":N,...} or {"type":"error",...}
 * in the order the bytes were read. */
struct srv_stream;
/* The stream owns @sb (closed, or destroyed through the lease) and the
 * caller's reference on @lease; @end_lease: the lease ends with the stream
 * (run). */
int srv_stream_start(struct sandbox *sb, struct pool_lease *lease, bool end_lease,
		     const struct srv_exec_req *rq, size_t cap, struct srv_stream **ret);
/* Fill @buf with up to @max bytes of the stream (blocking); 0 at the end. */
ssize_t srv_stream_read(struct srv_stream *st, char *buf, size_t max);
/* Kills the process if still running and frees (takes the sandbox too). */
void srv_stream_free(struct srv_stream *st);

/* --- snapshots (snap.c) ---
 * Errors: -ENOENT unknown sandbox or snapshot; -ECANCELED the runtime
 * refused (the sandbox's state cannot be checkpointed, or the image cannot
 * be restored): @err says why (409 / FAILED_PRECONDITION); -EPIPE the
 * sandbox is not reachable; -EIO the snapshot directory; pool errors
 * (-ENOSPC, -EAGAIN, ...) from the restore's new sandbox. */
#define SRV_SNAP_ID_LEN 16
struct srv_snap_opts {
	unsigned ckpt_flags; /* SANDBOX_CKPT_* */
	uint32_t ttl_seconds; /* 0: the server's default */
	json_t *labels;       /* NULL or an object of strings (srv_snap_labels_ok) */
};
/* Also -EDQUOT: max_snapshots / max_snapshot_bytes (507 /
 * RESOURCE_EXHAUSTED), -ENOSPC: the disk is full (the same), -EINVAL:
 * ttl_seconds over max_snapshot_ttl_seconds (400); @err says why.  A failed
 * create leaves nothing in the snapshot directory. */
int srv_snap_create(struct srv *s, const char *sandbox_id, const struct srv_snap_opts *o,
		    json_t **ret, char *err, size_t errlen);
/* NULL if @labels is usable, else why not. */
const char *srv_snap_labels_ok(json_t *labels);
int srv_snap_get(struct srv *s, const char *id, json_t **ret);
/* An array, sorted by id; @label "KEY=VALUE" or NULL filters (-EINVAL: not
 * KEY=VALUE). */
int srv_snap_list(struct srv *s, const char *label, json_t **ret);
/* -EBUSY while a pool's template is the snapshot (srv_snap_in_use). */
int srv_snap_delete(struct srv *s, const char *id);
/* srv_snap_delete() counted as deleted or, @expired, as expired. */
int srv_snap_remove(struct srv *s, const char *id, bool expired);
bool srv_snap_id_ok(const char *id);
/* A new lease (one reference for the caller) running the snapshot's
 * processes. */
int srv_snap_restore(struct srv *s, const char *id, int acquire_timeout_ms, uint32_t secs,
		     struct pool_lease **ret, char *err, size_t errlen);

/* The metadata of snapshot @id (a new reference), NULL if unknown. */
json_t *srv_snap_meta(struct srv *s, const char *id);

/* --- snapshot quotas and retention (snap_quota.c) --- */
enum srv_snapq_refusal {
	SRV_SNAPQ_MAX_SNAPSHOTS,
	SRV_SNAPQ_MAX_BYTES,
	SRV_SNAPQ_NO_SPACE,
	SRV_SNAPQ_REFUSED_N,
};
/* Count the snapshots in the snapshot directory (before serving); damaged
 * or partial ones and interrupted deletions are removed (logged).  Returns
 * how many were counted. */
int srv_snapq_scan(struct srv *s);
/* The reaper thread: expired snapshots removed once a second. */
int srv_snapq_start(struct srv *s);
void srv_snapq_stop(void);
/* A create in flight counted against max_snapshots: -EDQUOT (@err set) at
 * a limit. */
int srv_snapq_reserve(struct srv *s, char *err, size_t errlen);
void srv_snapq_abort(void);
/* The reserved create is on disk: -EDQUOT if @bytes take the total over
 * max_snapshot_bytes (the caller removes it). */
int srv_snapq_commit(struct srv *s, const char *id, uint64_t bytes, int64_t expires_at,
		     char *err, size_t errlen);
void srv_snapq_removed(const char *id, bool expired);
/* Uncounted without a deletion (a create that failed after its commit). */
void srv_snapq_forget(const char *id);
void srv_snapq_refused(enum srv_snapq_refusal why);
void srv_snapq_metrics(FILE *f);
uint64_t srv_snapq_dir_bytes(const char *dir);
/* What snapshot directory @dir counts: its image's files + 512. */
uint64_t srv_snapq_snapshot_bytes(const char *dir);
void srv_snapq_rm_tree(const char *dir);

/* --- pools from snapshots (snap_pool.c) --- */
/* pool_create() for a parsed pool body: a snapshot template (cfg->snapshot;
 * cfg->platform (enum plat_kind)-1 for "the snapshot's") is resolved into
 * its root file system, platform and image first.  Errors with @err set:
 * -ENOENT unknown snapshot (404), -ENOTDIR rootfs not a directory, -EINVAL
 * bad settings (400), -ECANCELED the snapshot cannot be used (409); else
 * pool_create()'s (-EEXIST, -ESHUTDOWN). */
int srv_pool_create(struct srv *s, const struct pool_config *cfg, char *err, size_t errlen);
void srv_pool_config_free(struct pool_config *c);
/* The message of a pool or sandbox with resource limits on a host where
 * pool_cgroups_usable() failed with @r (-EOPNOTSUPP: 400 /
 * FAILED_PRECONDITION). */
void srv_cgroups_error(int r, char *err, size_t errlen);
/* -EBUSY (the first such pool's name in @pool) if a pool's template is
 * snapshot @id, else 0.  srv_snap_delete() refuses such a snapshot. */
int srv_snap_in_use(struct srv *s, const char *id, char *pool, size_t len);
void srv_snap_pools_lock(void);
void srv_snap_pools_unlock(void);

/* A JSON string of bytes: invalid UTF-8 sequences become U+FFFD. */
json_t *srv_json_bytes(const char *p, size_t n);

#endif
