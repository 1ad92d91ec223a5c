/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor events [--stats] [--interval SECONDS] ID`: one JSON object per
 * line, as runc events: {"type":"stats","id":ID,"data":{cpu, memory, pids}}
 * every interval (default 5 s), {"type":"oom","id":ID} when the memory limit
 * kills; --stats prints one stats event and exits.  Ends when the container
 * stops.  The numbers: the Sentry's accounting (cpu, application memory,
 * processes) and the container's cgroup (host memory usage and limit).
 */
#define LOG_PREFIX "cvisor events"
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"
#include "runtime/oci/cgroup.h"
#include "runtime/oci/state.h"
#include "runtime/sandbox.h"

static int print_stats(const struct oci_state *st, uint64_t *ooms)
{
	struct oci_cgroup_stats cs = { .mem_limit = UINT64_MAX, .pids_limit = UINT64_MAX };
	struct oci_cgroup *cg = NULL;
	struct sandbox_stats ss = { 0 };
	struct sandbox *sb = NULL;
	int r;

	r = sandbox_attach(st->control_path, &sb);
	if (r == 0) {
		r = sandbox_stats(sb, &ss);
		sandbox_close(sb);
	}
	if (r < 0)
		return r;
	if (st->cgroup && oci_cgroup_open(st->cgroup, 0, &cg) == 0) {
		oci_cgroup_stats(cg, &cs);
		oci_cgroup_free(cg);
	}
	if (cs.oom_kills > *ooms) {
		printf("{\"type\":\"oom\",\"id\":\"%s\"}\n", st->id);
		*ooms = cs.oom_kills;
	}
	printf("{\"type\":\"stats\",\"id\":\"%s\",\"data\":{"
	       "\"cpu\":{\"usage\":{\"total\":%" PRIu64 ",\"user\":%" PRIu64 ",\"kernel\":%" PRIu64 "}},"
	       "\"memory\":{\"usage\":{\"usage\":%" PRIu64 ",\"max\":%" PRIu64 ",\"limit\":%" PRIu64
	       "},\"sandbox\":{\"application\":%" PRIu64 "}},"
	       "\"pids\":{\"current\":%" PRIu32 ",\"limit\":%" PRIu64 "},"
	       "\"threads\":%" PRIu32 ",\"paused\":%s}}\n",
	       st->id, ss.cpu_user_ns + ss.cpu_sys_ns, ss.cpu_user_ns, ss.cpu_sys_ns, cs.mem_usage,
	       cs.mem_max_usage, cs.mem_limit == UINT64_MAX ? 0 : cs.mem_limit, ss.mem_bytes,
	       ss.nprocs, cs.pids_limit == UINT64_MAX ? 0 : cs.pids_limit, ss.nthreads,
	       ss.paused ? "true" : "false");
	fflush(stdout);
	return 0;
}

int cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stats", no_argument, NULL, 's' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct oci_state *st = NULL;
	int c, once = 0, r;
	double interval = 5;
	uint64_t ooms = 0;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			once = 1;
			break;
		case 'i': {
			char *end;

			interval = strtod(optarg, &end);
			/* runc takes Go durations: "5s", "500ms" */
			if (end[0] == 'm' && end[1] == 's')
				interval /= 1000, end += 2;
			else if (*end == 's')
				end++;
			if (*end || interval <= 0 || interval > 86400)
				return cli_usage("events", "--interval: a positive duration (5s, 500ms)");
			break;
		}
		case 'h':
			printf("usage: cvisor events [--stats] [--interval 5s] ID\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1)
		return cli_usage("events", "usage: cvisor events [--stats] [--interval 5s] ID");
	for (;;) {
		if (cli_open(argv[optind], false, &st, NULL) < 0)
			return 1;
		if (st->status == OCI_STOPPED) {
			if (st->oom_killed && !ooms)
				printf("{\"type\":\"oom\",\"id\":\"%s\"}\n", st->id);
			oci_state_free(st);
			return once ? 1 : 0;
		}
		r = print_stats(st, &ooms);
		oci_state_free(st);
		if (r < 0 && once)
			return log_error_errno(r, "stats"), 1;
		if (once)
			return 0;
		usleep((useconds_t)(interval * 1e6));
	}
}
