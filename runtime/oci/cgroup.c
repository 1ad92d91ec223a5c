/* SPDX-License-Identifier: Apache-2.0 */
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/macro.h"
#include "runtime/oci/spec.h"

#define CG_ROOT "/sys/fs/cgroup"
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

/* v1 hierarchies we use; v2 uses slot 0 only. */
enum { CG_MEMORY, CG_CPU, CG_PIDS, CG_N };
static const char *const v1_names[CG_N] = { "memory", "cpu", "pids" };

struct oci_cgroup {
	int version;
	char *path[CG_N];   /* absolute directory per hierarchy (v2: [0] only) */
	char *saved[CG_N];  /* where the caller was before enter_self */
};

static int nslots(const struct oci_cgroup *cg)
{
	return cg->version == 2 ? 1 : CG_N;
}

int oci_cgroup_version(void)
{
	struct statfs fs;

	if (statfs(CG_ROOT, &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
		return 2;
	if (statfs(CG_ROOT "/memory", &fs) == 0 && fs.f_type == CGROUP_SUPER_MAGIC)
		return 1;
	return -ENOENT;
}

static int write_file(const char *dir, const char *name, const char *val)
{
	char path[4096];
	_cleanup_close_ int fd = -EBADF;
	size_t n = strlen(val);

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	if (write(fd, val, n) != (ssize_t)n)
		return neg_errno();
	return 0;
}

static int read_file(const char *dir, const char *name, char *buf, size_t len)
{
	char path[4096];
	_cleanup_close_ int fd = -EBADF;
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	n = read(fd, buf, len - 1);
	if (n < 0)
		return neg_errno();
	buf[n] = 0;
	return 0;
}

/* A number file; "max" reads as UINT64_MAX. */
static int read_u64(const char *dir, const char *name, uint64_t *ret)
{
	char buf[64];
	int r = read_file(dir, name, buf, sizeof(buf));

	if (r < 0)
		return r;
	if (!strncmp(buf, "max", 3)) {
		*ret = UINT64_MAX;
		return 0;
	}
	*ret = strtoull(buf, NULL, 10);
	return 0;
}

/* "key N" line of a flat keyed file. */
static int read_key(const char *dir, const char *name, const char *key, uint64_t *ret)
{
	char buf[4096], *p;
	size_t kl = strlen(key);
	int r = read_file(dir, name, buf, sizeof(buf));

	if (r < 0)
		return r;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, kl) && p[kl] == ' ') {
			*ret = strtoull(p + kl + 1, NULL, 10);
			return 0;
		}
	return -ENOENT;
}

static int mkdir_p(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + strlen(CG_ROOT) + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return neg_errno();
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return neg_errno();
	return 0;
}

void oci_cgroup_free(struct oci_cgroup *cg)
{
	if (!cg)
		return;
	for (int i = 0; i < CG_N; i++) {
		free(cg->path[i]);
		free(cg->saved[i]);
	}
	free(cg);
}

/* v2: enable memory/cpu/pids for the children of every ancestor of @leaf. */
static void v2_enable_controllers(const char *leaf)
{
	char buf[4096];
	size_t n = strlen(leaf);

	if (n >= sizeof(buf))
		return;
	memcpy(buf, leaf, n + 1);
	for (char *p = strrchr(buf, '/'); p && p > buf + strlen(CG_ROOT) - 1; p = strrchr(buf, '/')) {
		*p = 0;
		/* each may be unavailable; set what we can */
		write_file(buf, "cgroup.subtree_control", "+memory");
		write_file(buf, "cgroup.subtree_control", "+cpu");
		write_file(buf, "cgroup.subtree_control", "+pids");
		if (!strcmp(buf, CG_ROOT))
			break;
	}
}

int oci_cgroup_open(const char *name, int create, struct oci_cgroup **ret)
{
	struct oci_cgroup *cg;
	int v = oci_cgroup_version(), r = 0;
	struct stat st;

	if (v < 0)
		return v;
	if (!name[0] || name[0] == '/' || strstr(name, ".."))
		return -EINVAL;
	cg = calloc(1, sizeof(*cg));
	if (!cg)
		return -ENOMEM;
	cg->version = v;
	for (int i = 0; i < nslots(cg) && r == 0; i++) {
		if (v == 2)
			r = asprintf(&cg->path[i], CG_ROOT "/%s", name);
		else
			r = asprintf(&cg->path[i], CG_ROOT "/%s/%s", v1_names[i], name);
		if (r < 0) {
			cg->path[i] = NULL;
			r = -ENOMEM;
			break;
		}
		r = 0;
		if (create)
			r = mkdir_p(cg->path[i]);
		else if (stat(cg->path[i], &st) < 0)
			r = neg_errno();
	}
	if (r == 0 && create) {
		/* another container (another --root, same id) may own it */
		char procs[16];

		if (read_file(cg->path[0], "cgroup.procs", procs, sizeof(procs)) == 0 && procs[0]) {
			oci_cgroup_free(cg);
			return -EBUSY;
		}
	}
	if (r == 0 && create && v == 2) {
		v2_enable_controllers(cg->path[0]);
		/* an OOM kill takes the whole sandbox, not one stub */
		write_file(cg->path[0], "memory.oom.group", "1");
	}
	if (r < 0) {
		if (create)
			for (int i = 0; i < nslots(cg); i++)
				if (cg->path[i])
					rmdir(cg->path[i]);
		oci_cgroup_free(cg);
		return r;
	}
	*ret = cg;
	return 0;
}

static int set_num(const char *dir, const char *name, int64_t v, int max_word)
{
	char buf[32];

	if (v < 0 && max_word)
		snprintf(buf, sizeof(buf), "max");
	else
		snprintf(buf, sizeof(buf), "%" PRId64, v);
	return write_file(dir, name, buf);
}

int oci_cgroup_set(struct oci_cgroup *cg, const struct oci_resources *res)
{
	int r;

	if (cg->version == 2) {
		const char *d = cg->path[0];

		if (res->memory_limit >= 0 && (r = set_num(d, "memory.max", res->memory_limit, 1)) < 0)
			return r;
		if (res->memory_swap >= 0) {
			int64_t swap = res->memory_swap - MAX(res->memory_limit, 0);

			if ((r = set_num(d, "memory.swap.max", MAX(swap, 0), 1)) < 0)
				return r;
		}
		if (res->cpu_quota != -1 || res->cpu_period) {
			char buf[64];

			if (res->cpu_quota > 0)
				snprintf(buf, sizeof(buf), "%" PRId64 " %" PRIu64, res->cpu_quota,
					 res->cpu_period ? res->cpu_period : 100000);
			else
				snprintf(buf, sizeof(buf), "max %" PRIu64,
					 res->cpu_period ? res->cpu_period : 100000);
			if ((r = write_file(d, "cpu.max", buf)) < 0)
				return r;
		}
		if (res->cpu_shares) {
			uint64_t w = 1 + ((MAX(res->cpu_shares, 2) - 2) * 9999) / 262142;

			if ((r = set_num(d, "cpu.weight", (int64_t)MIN(w, 10000), 0)) < 0)
				return r;
		}
		if (res->pids_limit != -1 && (r = set_num(d, "pids.max", res->pids_limit, 1)) < 0)
			return r;
		return 0;
	}
	if (res->memory_limit >= 0 &&
	    (r = set_num(cg->path[CG_MEMORY], "memory.limit_in_bytes", res->memory_limit, 0)) < 0)
		return r;
	if (res->memory_swap >= 0 &&
	    (r = set_num(cg->path[CG_MEMORY], "memory.memsw.limit_in_bytes", res->memory_swap, 0)) < 0)
		return r;
	if (res->cpu_period &&
	    (r = set_num(cg->path[CG_CPU], "cpu.cfs_period_us", (int64_t)res->cpu_period, 0)) < 0)
		return r;
	if (res->cpu_quota != -1 &&
	    (r = set_num(cg->path[CG_CPU], "cpu.cfs_quota_us", res->cpu_quota > 0 ? res->cpu_quota : -1,
			 0)) < 0)
		return r;
	if (res->cpu_shares &&
	    (r = set_num(cg->path[CG_CPU], "cpu.shares", (int64_t)res->cpu_shares, 0)) < 0)
		return r;
	if (res->pids_limit != -1 && (r = set_num(cg->path[CG_PIDS], "pids.max", res->pids_limit, 1)) < 0)
		return r;
	return 0;
}

int oci_cgroup_enter(struct oci_cgroup *cg, pid_t pid)
{
	char buf[32];
	int r;

	snprintf(buf, sizeof(buf), "%d", pid ? (int)pid : (int)getpid());
	for (int i = 0; i < nslots(cg); i++)
		if ((r = write_file(cg->path[i], "cgroup.procs", buf)) < 0)
			return r;
	return 0;
}

/* The caller's cgroup directory for hierarchy @i, from /proc/self/cgroup. */
static int self_path(const struct oci_cgroup *cg, int i, char **ret)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[4096];
	int r = -ENOENT;

	if (!f)
		return neg_errno();
	while (fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *path;

		if (!ctl || !(path = strchr(ctl + 1, ':')))
			continue;
		*path++ = 0;
		ctl++;
		path[strcspn(path, "\n")] = 0;
		if (cg->version == 2 ? (line[0] == '0' && ctl[0] == 0) : !!strstr(ctl, v1_names[i])) {
			if (cg->version == 1) {
				/* "cpu,cpuacct" style lists: match whole names */
				char *tok, *save = NULL, copy[256];
				int hit = 0;

				snprintf(copy, sizeof(copy), "%s", ctl);
				for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
					hit |= !strcmp(tok, v1_names[i]);
				if (!hit)
					continue;
			}
			if (cg->version == 2)
				r = asprintf(ret, CG_ROOT "%s", path);
			else
				r = asprintf(ret, CG_ROOT "/%s%s", v1_names[i], path);
			r = r < 0 ? -ENOMEM : 0;
			break;
		}
	}
	fclose(f);
	return r;
}

int oci_cgroup_enter_self(struct oci_cgroup *cg)
{
	for (int i = 0; i < nslots(cg); i++) {
		free(cg->saved[i]);
		cg->saved[i] = NULL;
		self_path(cg, i, &cg->saved[i]); /* best effort: leave falls back to the root */
	}
	return oci_cgroup_enter(cg, 0);
}

int oci_cgroup_leave_self(struct oci_cgroup *cg)
{
	char buf[32];
	int r = 0;

	snprintf(buf, sizeof(buf), "%d", (int)getpid());
	for (int i = 0; i < nslots(cg); i++) {
		char root[64];
		int e;

		if (cg->version == 2)
			snprintf(root, sizeof(root), CG_ROOT);
		else
			snprintf(root, sizeof(root), CG_ROOT "/%s", v1_names[i]);
		e = write_file(cg->saved[i] ? cg->saved[i] : root, "cgroup.procs", buf);
		if (e < 0 && cg->saved[i])
			e = write_file(root, "cgroup.procs", buf);
		if (e < 0 && r == 0)
			r = e;
	}
	return r;
}

int oci_cgroup_oom_kills(struct oci_cgroup *cg, uint64_t *ret)
{
	if (cg->version == 2)
		return read_key(cg->path[0], "memory.events", "oom_kill", ret);
	return read_key(cg->path[CG_MEMORY], "memory.oom_control", "oom_kill", ret);
}

int oci_cgroup_stats(struct oci_cgroup *cg, struct oci_cgroup_stats *ret)
{
	struct oci_cgroup_stats s = { .mem_limit = UINT64_MAX, .pids_limit = UINT64_MAX };

	if (cg->version == 2) {
		const char *d = cg->path[0];
		uint64_t us = 0;

		read_u64(d, "memory.current", &s.mem_usage);
		read_u64(d, "memory.peak", &s.mem_max_usage);
		read_u64(d, "memory.max", &s.mem_limit);
		read_u64(d, "pids.current", &s.pids_current);
		read_u64(d, "pids.max", &s.pids_limit);
		if (read_key(d, "cpu.stat", "usage_usec", &us) == 0)
			s.cpu_usage_ns = us * 1000;
	} else {
		read_u64(cg->path[CG_MEMORY], "memory.usage_in_bytes", &s.mem_usage);
		read_u64(cg->path[CG_MEMORY], "memory.max_usage_in_bytes", &s.mem_max_usage);
		read_u64(cg->path[CG_MEMORY], "memory.limit_in_bytes", &s.mem_limit);
		read_u64(cg->path[CG_PIDS], "pids.current", &s.pids_current);
		read_u64(cg->path[CG_PIDS], "pids.max", &s.pids_limit);
		if (s.mem_limit >= (UINT64_MAX >> 2))
			s.mem_limit = UINT64_MAX; /* v1's "unlimited" is a huge page-rounded number */
	}
	oci_cgroup_oom_kills(cg, &s.oom_kills);
	*ret = s;
	return 0;
}

int oci_cgroup_kill_all(struct oci_cgroup *cg)
{
	int n = 0;

	for (int i = 0; i < nslots(cg); i++) {
		char path[4096], line[64];
		FILE *f;

		snprintf(path, sizeof(path), "%s/cgroup.procs", cg->path[i]);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			pid_t pid = (pid_t)atoi(line);

			if (pid > 0 && pid != getpid() && kill(pid, SIGKILL) == 0)
				n++;
		}
		fclose(f);
	}
	return n;
}

int oci_cgroup_destroy(struct oci_cgroup *cg)
{
	int r = 0;

	if (!cg)
		return 0;
	for (int tries = 0; tries < 200; tries++) {
		int busy = 0;

		oci_cgroup_kill_all(cg);
		for (int i = 0; i < nslots(cg); i++) {
			if (!cg->path[i])
				continue;
			if (rmdir(cg->path[i]) == 0 || errno == ENOENT) {
				free(cg->path[i]);
				cg->path[i] = NULL;
			} else {
				busy = 1;
				r = neg_errno();
			}
		}
		if (!busy) {
			r = 0;
			break;
		}
		usleep(10000);
	}
	oci_cgroup_free(cg);
	return r;
}

int oci_cgroup_procs_fds(struct oci_cgroup *cg, int fds[OCI_CGROUP_MAX_FDS], size_t *ret_n)
{
	int tmp[OCI_CGROUP_MAX_FDS];
	int n = nslots(cg);

	for (int i = 0; i < n; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/cgroup.procs", cg->path[i]);
		tmp[i] = open(path, O_WRONLY | O_CLOEXEC);
		if (tmp[i] < 0) {
			int r = neg_errno();

			while (i-- > 0)
				close(tmp[i]);
			return r;
		}
	}
	memcpy(fds, tmp, sizeof(int) * (size_t)n);
	*ret_n = (size_t)n;
	return 0;
}

int oci_cgroup_enter_fds(const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (write(fds[i], "0", 1) != 1)
			return -EIO; /* no errno: async-signal-safe, after fork */
	return 0;
}

int oci_cgroup_check_writable(const char *name)
{
	struct oci_cgroup *cg;
	char probe[512];
	int r, v = oci_cgroup_version();

	if (v < 0)
		return v;
	if (v == 2) {
		char buf[256];

		if (read_file(CG_ROOT, "cgroup.controllers", buf, sizeof(buf)) < 0 ||
		    !strstr(buf, "memory") || !strstr(buf, "pids") || !strstr(buf, "cpu"))
			return -EOPNOTSUPP;
	} else {
		struct statfs fs;

		if (statfs(CG_ROOT "/cpu", &fs) < 0 || statfs(CG_ROOT "/pids", &fs) < 0)
			return -EOPNOTSUPP;
	}
	if (snprintf(probe, sizeof(probe), "%s/probe-%d", name, (int)getpid()) >= (int)sizeof(probe))
		return -ENAMETOOLONG;
	r = oci_cgroup_open(probe, 1, &cg);
	if (r < 0)
		return r;
	if (v == 2) {
		/* the limits must be settable below, not merely the directory */
		char path[4096];

		snprintf(path, sizeof(path), "%s/memory.max", cg->path[0]);
		if (access(path, W_OK) < 0)
			r = -EOPNOTSUPP;
		snprintf(path, sizeof(path), "%s/pids.max", cg->path[0]);
		if (r == 0 && access(path, W_OK) < 0)
			r = -EOPNOTSUPP;
	}
	oci_cgroup_destroy(cg);
	return r;
}

/* Depth-first: remove @dir's children, then @dir (killing what is in it). */
static int remove_dir_tree(const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;
	int n = 0;

	if (depth > 8)
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char sub[4096];

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) >= (int)sizeof(sub))
			continue;
		n += remove_dir_tree(sub, depth + 1);
	}
	closedir(d);
	for (int tries = 0; tries < 200; tries++) {
		char path[4096], line[64];
		FILE *f;

		if (rmdir(dir) == 0)
			return n + 1;
		if (errno != EBUSY)
			return n;
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		f = fopen(path, "re");
		if (f) {
			while (fgets(line, sizeof(line), f)) {
				pid_t pid = (pid_t)atoi(line);

				if (pid > 0 && pid != getpid())
					kill(pid, SIGKILL);
			}
			fclose(f);
		}
		usleep(10000);
	}
	return n;
}

int oci_cgroup_remove_tree(const char *name)
{
	int v = oci_cgroup_version(), n = 0;

	if (v < 0)
		return v;
	if (!name[0] || name[0] == '/' || strstr(name, ".."))
		return -EINVAL;
	for (int i = 0; i < (v == 2 ? 1 : CG_N); i++) {
		char path[4096];

		if (v == 2)
			snprintf(path, sizeof(path), CG_ROOT "/%s", name);
		else
			snprintf(path, sizeof(path), CG_ROOT "/%s/%s", v1_names[i], name);
		n += remove_dir_tree(path, 0);
	}
	return n;
}

void oci_cgroup_prune(const char *name)
{
	int v = oci_cgroup_version();

	if (v < 0 || !name[0] || name[0] == '/' || strstr(name, ".."))
		return;
	for (int i = 0; i < (v == 2 ? 1 : CG_N); i++) {
		char path[4096];

		if (v == 2)
			snprintf(path, sizeof(path), CG_ROOT "/%s", name);
		else
			snprintf(path, sizeof(path), CG_ROOT "/%s/%s", v1_names[i], name);
		(void)rmdir(path);
	}
}
