/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor update [--memory BYTES] [--memory-swap BYTES] [--cpu-quota US]
 *                [--cpu-period US] [--cpu-shares N] [--pids-limit N]
 *                [-r|--resources FILE] ID`
 *
 * Changes the limits of the container's cgroup.  --resources reads an OCI
 * linux.resources object ({"memory":{"limit":..},"cpu":{"quota":..},
 * "pids":{"limit":..}}; "-" = stdin) as runc; flags override it.  Sizes take
 * k/m/g suffixes.  Other resources (blockIO, hugepages, devices, network)
 * are refused with an error.
 */
#define LOG_PREFIX "cvisor update"
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"
#include "runtime/oci/cgroup.h"
#include "runtime/oci/spec.h"
#include "runtime/oci/state.h"

static int parse_size(const char *s, int64_t *ret)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v < -1)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int get_i64(json_t *o, const char *a, const char *b, int64_t *ret)
{
	json_t *x = json_object_get(o, a), *v;

	if (!x || json_is_null(x))
		return 0;
	if (!json_is_object(x))
		return -EINVAL;
	v = json_object_get(x, b);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return -EINVAL;
	*ret = json_integer_value(v);
	return 0;
}

static int load_resources(const char *path, struct oci_resources *r)
{
	json_error_t jerr;
	json_t *o = strcmp(path, "-") ? json_load_file(path, 0, &jerr) : json_loadf(stdin, 0, &jerr);
	static const char *const known[] = { "memory", "cpu", "pids", NULL };
	const char *key;
	json_t *v;
	int64_t period = 0, shares = 0;
	int e = 0;

	if (!o || !json_is_object(o)) {
		log_error("--resources %s: not a JSON object", path);
		json_decref(o);
		return -EINVAL;
	}
	json_object_foreach(o, key, v) {
		int k = 0;

		while (known[k] && strcmp(known[k], key))
			k++;
		if (!known[k] && !json_is_null(v)) {
			log_error("--resources: %s is not supported (memory, cpu, pids)", key);
			e = -EOPNOTSUPP;
		}
	}
	if (!e && (get_i64(o, "memory", "limit", &r->memory_limit) < 0 ||
		   get_i64(o, "memory", "swap", &r->memory_swap) < 0 ||
		   get_i64(o, "cpu", "quota", &r->cpu_quota) < 0 ||
		   get_i64(o, "cpu", "period", &period) < 0 ||
		   get_i64(o, "cpu", "shares", &shares) < 0 ||
		   get_i64(o, "pids", "limit", &r->pids_limit) < 0)) {
		log_error("--resources %s: bad value", path);
		e = -EINVAL;
	}
	r->cpu_period = period > 0 ? (uint64_t)period : 0;
	r->cpu_shares = shares > 0 ? (uint64_t)shares : 0;
	json_decref(o);
	return e;
}

int cmd_update(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "memory-swap", required_argument, NULL, 's' },
		{ "cpu-quota", required_argument, NULL, 'q' },
		{ "cpu-period", required_argument, NULL, 'p' },
		{ "cpu-shares", required_argument, NULL, 'S' },
		{ "pids-limit", required_argument, NULL, 'P' },
		{ "resources", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct oci_resources res = { .memory_limit = -1, .memory_swap = -1, .cpu_quota = -1,
				     .pids_limit = -1 };
	struct oci_resources flags = res;
	struct oci_state *st = NULL;
	struct oci_cgroup *cg = NULL;
	const char *file = NULL;
	int c, r, lfd = -1, ret = 1, any = 0;
	int64_t v;

	while ((c = getopt_long(argc, argv, "r:", opts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: cvisor update [--memory B] [--memory-swap B] [--cpu-quota US] "
			       "[--cpu-period US] [--cpu-shares N] [--pids-limit N] [-r FILE] ID\n");
			return 0;
		}
		if (c == 'r') {
			file = optarg;
			continue;
		}
		if (c == '?' || parse_size(optarg, &v) < 0)
			return c == '?' ? 2 : cli_usage("update", "bad number");
		any = 1;
		switch (c) {
		case 'm': flags.memory_limit = v; break;
		case 's': flags.memory_swap = v; break;
		case 'q': flags.cpu_quota = v; break;
		case 'p': flags.cpu_period = v > 0 ? (uint64_t)v : 0; break;
		case 'S': flags.cpu_shares = v > 0 ? (uint64_t)v : 0; break;
		case 'P': flags.pids_limit = v; break;
		default: return 2;
		}
	}
	if (optind != argc - 1)
		return cli_usage("update", "exactly one container id expected");
	if (file && load_resources(file, &res) < 0)
		return 1;
	if (flags.memory_limit != -1) res.memory_limit = flags.memory_limit;
	if (flags.memory_swap != -1) res.memory_swap = flags.memory_swap;
	if (flags.cpu_quota != -1) res.cpu_quota = flags.cpu_quota;
	if (flags.cpu_period) res.cpu_period = flags.cpu_period;
	if (flags.cpu_shares) res.cpu_shares = flags.cpu_shares;
	if (flags.pids_limit != -1) res.pids_limit = flags.pids_limit;
	if (!file && !any)
		return cli_usage("update", "nothing to update");
	if (cli_open(argv[optind], true, &st, &lfd) < 0)
		return 1;
	if (st->status == OCI_STOPPED) {
		log_error("container %s is stopped", st->id);
		goto out;
	}
	if (!st->cgroup || (r = oci_cgroup_open(st->cgroup, 0, &cg)) < 0) {
		log_error("container %s has no cgroup (cgroups unavailable at create)", st->id);
		goto out;
	}
	r = oci_cgroup_set(cg, &res);
	oci_cgroup_free(cg);
	if (r < 0) {
		log_error_errno(r, "container %s: set limits", st->id);
		goto out;
	}
	ret = 0;
out:
	oci_state_free(st);
	if (lfd >= 0)
		close(lfd);
	return ret;
}
