/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OCI runtime spec (config.json, runtime-spec 1.x) as cvisor reads it.
 *
 * oci_spec_parse() turns hostile JSON into a validated struct oci_spec or a
 * one-line error naming the offending field ("process.args: must be a
 * non-empty array of strings").  Fields cvisor does not act on yet are not
 * silently dropped: each one present is listed in spec->ignored (its JSON
 * path), and the CLI logs them.  Unknown keys are ignored the same way
 * (the spec allows extensions), except where a misspelling would change
 * security (see oci_spec.c).
 */
#ifndef CVISOR_RUNTIME_OCI_SPEC_H
#define CVISOR_RUNTIME_OCI_SPEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define OCI_CAP_LAST 40 /* CAP_CHECKPOINT_RESTORE */

enum oci_cap_set {
	OCI_CAP_BOUNDING,
	OCI_CAP_EFFECTIVE,
	OCI_CAP_INHERITABLE,
	OCI_CAP_PERMITTED,
	OCI_CAP_AMBIENT,
	OCI_CAP_NSETS,
};

struct oci_rlimit {
	int resource; /* RLIMIT_* */
	uint64_t soft, hard;
};

struct oci_process {
	int terminal;
	unsigned console_width, console_height;
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids;
	size_t n_additional_gids;
	int has_umask;
	mode_t umask;
	char **args; /* NULL-terminated, at least one */
	char **env;  /* NULL-terminated, "K=V" */
	char *cwd;   /* absolute */
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	int has_caps;
	uint64_t caps[OCI_CAP_NSETS]; /* bit n = capability n */
	int no_new_privileges;
	int has_oom_score_adj;
	int oom_score_adj;
};

struct oci_mount {
	char *destination; /* absolute */
	char *type;        /* may be NULL for bind mounts */
	char *source;
	unsigned long flags; /* MS_* from the options */
	int bind, recursive;
	char *data;        /* the options that are file-system data, comma-joined */
};

enum oci_ns {
	OCI_NS_PID = 1u << 0,
	OCI_NS_NETWORK = 1u << 1,
	OCI_NS_MOUNT = 1u << 2,
	OCI_NS_IPC = 1u << 3,
	OCI_NS_UTS = 1u << 4,
	OCI_NS_USER = 1u << 5,
	OCI_NS_CGROUP = 1u << 6,
	OCI_NS_TIME = 1u << 7,
};

struct oci_idmap {
	uint32_t container_id, host_id, size;
};

struct oci_kv {
	char *key, *value;
};

struct oci_hook {
	char *path;  /* absolute */
	char **args; /* NULL-terminated, may be NULL */
	char **env;
	int timeout; /* seconds, 0 = none */
};

enum oci_hook_kind {
	OCI_HOOK_PRESTART,
	OCI_HOOK_CREATE_RUNTIME,
	OCI_HOOK_CREATE_CONTAINER,
	OCI_HOOK_START_CONTAINER,
	OCI_HOOK_POSTSTART,
	OCI_HOOK_POSTSTOP,
	OCI_HOOK_NKINDS,
};

struct oci_hooks {
	struct oci_hook *v;
	size_t n;
};

struct oci_resources {
	int64_t memory_limit;   /* bytes, -1 = none */
	int64_t memory_swap;    /* bytes, -1 = none */
	int64_t cpu_quota;      /* us per period, -1 = none */
	uint64_t cpu_period;    /* us, 0 = default */
	uint64_t cpu_shares;    /* 0 = default */
	int64_t pids_limit;     /* -1 = none */
};

struct oci_spec {
	char *oci_version;
	int has_process;
	struct oci_process process;
	char *root_path;
	int root_readonly;
	char *hostname; /* NULL: keep the default */
	char *domainname;
	struct oci_mount *mounts;
	size_t n_mounts;
	unsigned namespaces; /* enum oci_ns bits */
	char *netns_path;    /* "network" namespace with a path */
	struct oci_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct oci_resources resources;
	struct oci_kv *sysctl;
	size_t n_sysctl;
	char **masked_paths, **readonly_paths; /* NULL-terminated or NULL */
	struct oci_kv *annotations;
	size_t n_annotations;
	struct oci_hooks hooks[OCI_HOOK_NKINDS];
	char **ignored; /* JSON paths present but not acted on; NULL-terminated */
};

/* Parse @json (@len bytes).  0 with *@ret; or -EINVAL with *@ret_error a
 * malloc'd message (-ENOMEM: no message). */
int oci_spec_parse(const char *json, size_t len, struct oci_spec **ret, char **ret_error);
/* Read and parse BUNDLE/config.json. */
int oci_spec_load(const char *bundle, struct oci_spec **ret, char **ret_error);
void oci_spec_free(struct oci_spec *s);

/* The config.json `cvisor spec` writes (as runc's, for a busybox rootfs in
 * "rootfs"): a malloc'd string ending in a newline, NULL on ENOMEM. */
char *oci_spec_default_json(void);

/* Names: "CAP_SYS_ADMIN" -> 21, "RLIMIT_NOFILE" -> 7; -1 if unknown. */
int oci_cap_from_name(const char *name);
int oci_rlimit_from_name(const char *name);

#endif
