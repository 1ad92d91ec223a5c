/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-sandbox cgroups of the pool manager: the resource limits of a pool
 * (or of an ad-hoc sandbox) applied to every host process of each of its
 * sandboxes, with the OCI runtime's cgroup code (runtime/oci/cgroup.c).
 *
 * A sandbox whose control socket is <state_dir>/<pool>/<n>.sock lives in
 * cgroup cvisord/<instance>/<pool>/<n>, <instance> a hash of state_dir (so
 * that two servers on one host never touch each other's cgroups).  The
 * launcher enters it before it execs `cvisor boot` (sandbox_opts.cgroup_fds):
 * the Sentry, its stubs and the Gofer are born in it, before any
 * application code runs.  It is removed with the sandbox
 * (pool__destroy_sandbox), and a restarted server removes what a crashed
 * one left (pool_cleanup_stale_cgroups).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/macro.h"
#include "pool/pool_impl.h"
#include "runtime/oci/cgroup.h"
#include "runtime/oci/spec.h"

#define CG_PARENT "cvisord"

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static int instance_name(const char *state_dir, size_t len, char *buf, size_t size)
{
	if (snprintf(buf, size, CG_PARENT "/%016" PRIx64, fnv1a(state_dir, len)) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

/* "<state_dir>/<pool>/<n>.sock" -> "cvisord/<instance>/<pool>/<n>". */
static int cgroup_name(const char *sock, char *buf, size_t size)
{
	const char *file = strrchr(sock, '/'), *pool;
	size_t flen;
	int r;

	if (!file || file == sock)
		return -EINVAL;
	for (pool = file - 1; pool > sock && *pool != '/'; pool--)
		;
	if (*pool != '/' || pool == sock)
		return -EINVAL;
	flen = strlen(file + 1);
	if (flen < 6 || strcmp(file + 1 + flen - 5, ".sock"))
		return -EINVAL;
	r = instance_name(sock, (size_t)(pool - sock), buf, size);
	if (r < 0)
		return r;
	size_t used = strlen(buf);
	if (snprintf(buf + used, size - used, "/%.*s/%.*s", (int)(file - pool - 1), pool + 1,
		     (int)(flen - 5), file + 1) >= (int)(size - used))
		return -ENAMETOOLONG;
	return 0;
}

bool pool_resources_set(const struct pool_resources *res)
{
	return res && (res->memory_bytes || res->cpus_milli || res->pids);
}

int pool_resources_check(const struct pool_resources *res)
{
	if (res->memory_bytes &&
	    (res->memory_bytes < (16 << 20) || res->memory_bytes > (INT64_C(1) << 50)))
		return -EINVAL;
	if (res->cpus_milli && (res->cpus_milli < 10 || res->cpus_milli > POOL_CPUS_MILLI_MAX))
		return -EINVAL;
	if (res->pids && (res->pids < 16 || res->pids > (1 << 22)))
		return -EINVAL;
	return 0;
}

int pool_cgroups_usable(void)
{
	return oci_cgroup_check_writable(CG_PARENT);
}

void pool__close_fds(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
}

int pool__cgroup_prepare(const char *sock, const struct pool_resources *res, int fds[3],
			 size_t *nfds)
{
	struct oci_resources lim = {
	    .memory_limit = -1, .memory_swap = -1, .cpu_quota = -1, .pids_limit = -1};
	struct oci_cgroup *cg;
	char name[256];
	size_t n = 0;
	int r;

	if (!pool_resources_set(res)) {
		*nfds = 0;
		return 0;
	}
	r = cgroup_name(sock, name, sizeof(name));
	if (r < 0)
		return r;
	if (res->memory_bytes) {
		lim.memory_limit = res->memory_bytes;
		lim.memory_swap = res->memory_bytes; /* no swap on top of it */
	}
	if (res->cpus_milli) {
		lim.cpu_period = 100000;
		lim.cpu_quota = (int64_t)res->cpus_milli * 100;
	}
	if (res->pids)
		lim.pids_limit = res->pids;
	for (int tries = 0; tries < 5; tries++) {
		r = oci_cgroup_open(name, 1, &cg);
		if (r != -ENOENT)
			break;
		/* the pool's directory was pruned between two mkdirs */
		oci_cgroup_remove_tree(name);
	}
	if (r < 0)
		return r;
	r = oci_cgroup_set(cg, &lim);
	if (r == -ENOENT && res->memory_bytes) {
		/* v1 without swap accounting (no memsw files): the memory
		 * limit alone */
		lim.memory_swap = -1;
		r = oci_cgroup_set(cg, &lim);
	}
	if (r == 0)
		r = oci_cgroup_procs_fds(cg, fds, &n);
	if (r < 0) {
		oci_cgroup_destroy(cg);
		return r;
	}
	oci_cgroup_free(cg);
	*nfds = n;
	return 0;
}

void pool__cgroup_remove(const char *sock)
{
	char name[256];

	char *slash;

	if (cgroup_name(sock, name, sizeof(name)) < 0)
		return;
	(void)oci_cgroup_remove_tree(name);
	/* the pool's directory too once its last sandbox is gone (a boot
	 * racing with this retries its mkdir: pool__cgroup_prepare) */
	for (int up = 0; up < 2 && (slash = strrchr(name, '/')); up++) {
		*slash = 0;
		oci_cgroup_prune(name); /* the pool's, then the instance's */
	}
}

bool pool_lease_oom(struct pool_lease *l)
{
	struct oci_cgroup *cg;
	uint64_t kills = 0;
	char name[256];

	if (__atomic_load_n(&l->oom, __ATOMIC_ACQUIRE))
		return true;
	if (!l->sock || !l->pool->cfg.resources.memory_bytes ||
	    cgroup_name(l->sock, name, sizeof(name)) < 0 || oci_cgroup_open(name, 0, &cg) < 0)
		return false;
	if (oci_cgroup_oom_kills(cg, &kills) < 0)
		kills = 0;
	if (kills) {
		oci_cgroup_kill_all(cg); /* the whole sandbox, not one process of it */
		__atomic_store_n(&l->oom, true, __ATOMIC_RELEASE);
	}
	oci_cgroup_free(cg);
	return kills > 0;
}

int pool_cleanup_stale_cgroups(const char *state_dir)
{
	char name[64];
	int r = instance_name(state_dir, strlen(state_dir), name, sizeof(name));

	if (r < 0)
		return r;
	if (oci_cgroup_version() < 0)
		return 0;
	r = oci_cgroup_remove_tree(name);
	return r;
}
