/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One cgroup per container holding every host process of its sandbox (the
 * Sentry launcher, the Sentry, its stubs and the Gofer): memory, cpu quota
 * and pids limits from linux.resources, OOM accounting, cleanup.
 *
 * cgroup v2 when /sys/fs/cgroup is a cgroup2 mount: /sys/fs/cgroup/NAME with
 * the memory, cpu and pids controllers enabled down to it, and
 * memory.oom.group = 1 (an OOM kill takes the whole sandbox).  Otherwise
 * v1: /sys/fs/cgroup/{memory,cpu,pids}/NAME.  NAME is "cvisor/ID".
 *
 * Processes get in by inheritance: the CLI enters the cgroup itself
 * (oci_cgroup_enter_self) before sandbox_boot() forks, and leaves it
 * (oci_cgroup_leave_self) once the sandbox is up, so that exactly the
 * sandbox's processes are accounted.  Library code: nothing is printed.
 */
#ifndef CVISOR_RUNTIME_OCI_CGROUP_H
#define CVISOR_RUNTIME_OCI_CGROUP_H

#include <stdint.h>
#include <sys/types.h>

struct oci_cgroup;
struct oci_resources;

/* 2, 1, or -ENOENT when no usable cgroup file system is mounted. */
int oci_cgroup_version(void);

/* Create (@create) or open an existing cgroup NAME.  Creating one that
 * already holds processes (the same id under another --root) is -EBUSY. */
int oci_cgroup_open(const char *name, int create, struct oci_cgroup **ret);

/* Apply the limits that are set (-1 / 0 mean "leave as is"): memory limit,
 * swap, cpu quota/period/shares, pids.  The first failure is returned
 * (-EBUSY: memory limit below current usage, v1). */
int oci_cgroup_set(struct oci_cgroup *cg, const struct oci_resources *r);

/* Move @pid (0: the caller) into the cgroup. */
int oci_cgroup_enter(struct oci_cgroup *cg, pid_t pid);
/* Move the caller in, remembering where it was; leave moves it back. */
int oci_cgroup_enter_self(struct oci_cgroup *cg);
int oci_cgroup_leave_self(struct oci_cgroup *cg);

struct oci_cgroup_stats {
	uint64_t mem_usage, mem_max_usage, mem_limit; /* bytes; limit UINT64_MAX = none */
	uint64_t pids_current, pids_limit;            /* limit UINT64_MAX = none */
	uint64_t cpu_usage_ns;                         /* 0 when not accounted (v1 w/o cpuacct) */
	uint64_t oom_kills;                            /* processes killed by the OOM killer */
};
int oci_cgroup_stats(struct oci_cgroup *cg, struct oci_cgroup_stats *ret);
/* Processes killed by the memory limit so far. */
int oci_cgroup_oom_kills(struct oci_cgroup *cg, uint64_t *ret);

/* SIGKILL every process in the cgroup; returns how many were signalled. */
int oci_cgroup_kill_all(struct oci_cgroup *cg);

/* Kill what is left, wait (up to ~2 s) for it to exit, remove the cgroup,
 * then free @cg. */
int oci_cgroup_destroy(struct oci_cgroup *cg);
void oci_cgroup_free(struct oci_cgroup *cg);

/* For callers that cannot move themselves (a multi-threaded server): open
 * the cgroup.procs file of each hierarchy (O_WRONLY | O_CLOEXEC) into
 * @fds (up to OCI_CGROUP_MAX_FDS); a child writes "0" to each after fork()
 * to enter (oci_cgroup_enter_fds, async-signal-safe).  The caller closes
 * them. */
#define OCI_CGROUP_MAX_FDS 3
int oci_cgroup_procs_fds(struct oci_cgroup *cg, int fds[OCI_CGROUP_MAX_FDS], size_t *ret_n);
int oci_cgroup_enter_fds(const int *fds, size_t n);

/* Can cgroup @name (a parent, e.g. "cvisord") be created and written here?
 * 0, or -ENOENT (no cgroup file system), -EACCES/-EROFS (not writable),
 * -EOPNOTSUPP (the memory, cpu or pids controller is missing). */
int oci_cgroup_check_writable(const char *name);

/* Remove cgroup @name and everything below it in every hierarchy, killing
 * the processes still in it.  Returns how many cgroups were removed. */
int oci_cgroup_remove_tree(const char *name);
/* rmdir cgroup @name in every hierarchy if it has no child cgroups and no
 * processes left (else it stays; not an error). */
void oci_cgroup_prune(const char *name);

#endif
