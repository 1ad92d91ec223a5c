/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The state directory of the OCI runtime: what survives between CLI calls.
 *
 *   ROOT/                      --root, default /run/cvisor (mode 0700)
 *   ROOT/ID/                   one directory per container (mode 0700)
 *   ROOT/ID/state.json         struct oci_state, replaced atomically
 *                              (written to state.json.tmp, fsync'd, renamed)
 *   ROOT/ID/lock               a POSIX write lock (fcntl F_SETLKW) held by
 *                              every CLI call that changes the container:
 *                              calls are serialised.  POSIX, not flock():
 *                              the sandbox processes the CLI forks must not
 *                              inherit the lock and keep it forever.
 *   ROOT/ID/control.sock       the Sentry's control socket (sandbox.h)
 *
 * The recorded status is the last one a CLI call observed; the live status
 * (has pid 1 exited? is the sandbox still there?) is computed by the caller
 * on every `state`/`list` (runtime/oci/container.h) and written back.
 *
 * Container ids: 1..OCI_ID_MAX bytes of [A-Za-z0-9_.+-], not "." or ".."
 * (runc's rule, so any id runc accepts and no path trick).
 */
#ifndef CVISOR_RUNTIME_OCI_STATE_H
#define CVISOR_RUNTIME_OCI_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define OCI_ID_MAX 64
#define OCI_DEFAULT_ROOT "/run/cvisor"

enum oci_status {
	OCI_CREATING,
	OCI_CREATED,
	OCI_RUNNING,
	OCI_STOPPED,
	OCI_PAUSED,
};

struct oci_state_kv {
	char *key, *value;
};

struct oci_state {
	char *id;
	enum oci_status status;
	pid_t pid;            /* the public pid (--pid-file): the monitor that exits
			       * with pid 1's status (see runtime/cli/container.h) */
	pid_t sandbox_pid;    /* host pid of the sandbox (`cvisor boot`), 0 = none */
	uint64_t sandbox_start; /* its start time (/proc/PID/stat field 22): pid reuse check */
	char *bundle;         /* absolute */
	char *rootfs;         /* absolute */
	char *created;        /* RFC 3339, UTC, nanoseconds */
	char *owner;          /* user name (or uid) of the creator */
	char *control_path;   /* the Sentry's control socket */
	char *cgroup;         /* "cvisor/ID" under each hierarchy, NULL = none */
	bool started;         /* `start` (or `run`) has run pid 1 */
	bool has_exit;        /* exit_status is known */
	int exit_status;      /* wait status of pid 1 */
	bool oom_killed;      /* the cgroup's memory limit killed the sandbox */
	struct oci_state_kv *annotations;
	size_t n_annotations;
};

const char *oci_status_name(enum oci_status s);
/* -EINVAL if unknown. */
int oci_status_from_name(const char *name, enum oci_status *ret);

/* 0 if @id is a valid container id, -EINVAL otherwise. */
int oci_id_valid(const char *id);

/* ROOT/ID (and ROOT/ID/NAME when @name): -ENAMETOOLONG, -EINVAL (bad id). */
int oci_state_path(const char *root, const char *id, const char *name, char *buf, size_t len);

/* Create ROOT (if missing) and ROOT/ID: -EEXIST if the container exists. */
int oci_state_mkdir(const char *root, const char *id);
/* Take the container's lock (blocking): returns the fd to close to release
 * it, -ENOENT if the container does not exist. */
int oci_state_lock(const char *root, const char *id);

/* Write ROOT/ID/state.json atomically. */
int oci_state_save(const char *root, const struct oci_state *s);
/* Read it: -ENOENT if the container does not exist, -EINVAL if corrupt. */
int oci_state_load(const char *root, const char *id, struct oci_state **ret);
/* Remove ROOT/ID and everything in it (one level, as we create it). */
int oci_state_remove(const char *root, const char *id);
/* Ids of every container under ROOT, sorted; an absent ROOT is empty. */
int oci_state_list(const char *root, char ***ret_ids, size_t *ret_n);
void oci_state_ids_free(char **ids, size_t n);

/* The OCI state object (runtime-spec "State", plus runc's rootfs, created
 * and owner; pid 0 once stopped, as runc), malloc'd JSON without newline;
 * NULL on ENOMEM. */
char *oci_state_to_json(const struct oci_state *s);

/* Start time of a host pid (clock ticks since boot), -ESRCH if gone or a
 * zombie. */
int oci_pid_start_time(pid_t pid, uint64_t *ret);

void oci_state_free(struct oci_state *s);

#endif
