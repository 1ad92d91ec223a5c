/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor ps [--format table|json] ID`: the container's processes as the
 * Sentry sees them.  json is a list of pids (runc prints host pids; ours are
 * the sandbox's own: no application process is a host process).
 */
#define LOG_PREFIX "cvisor ps"
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"
#include "runtime/oci/state.h"
#include "runtime/sandbox.h"

int cmd_ps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct sandbox_ps_entry *v = NULL;
	struct oci_state *st = NULL;
	struct sandbox *sb = NULL;
	int c, json = 0, r, ret = 1;
	size_t n = 0;

	while ((c = getopt_long(argc, argv, "+f:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "table") && strcmp(optarg, "json"))
				return cli_usage("ps", "--format: table or json");
			json = !strcmp(optarg, "json");
			break;
		case 'h':
			printf("usage: cvisor ps [--format table|json] ID\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1)
		return cli_usage("ps", "usage: cvisor ps [--format table|json] ID");
	if (cli_open(argv[optind], false, &st, NULL) < 0)
		return 1;
	if (st->status == OCI_STOPPED) {
		log_error("container %s is stopped", st->id);
		goto out;
	}
	if (cli_attach(st, &sb) < 0)
		goto out;
	r = sandbox_ps(sb, &v, &n);
	sandbox_close(sb);
	if (r < 0) {
		log_error_errno(r, "container %s: ps", st->id);
		goto out;
	}
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", v[i].pid);
		printf("]\n");
	} else {
		printf("%-6s %-6s %-6s %-4s %s\n", "UID", "PID", "PPID", "STAT", "CMD");
		for (size_t i = 0; i < n; i++)
			printf("%-6u %-6d %-6d %-4c %s\n", v[i].uid, v[i].pid, v[i].ppid, v[i].state,
			       v[i].cmdline && v[i].cmdline[0] ? v[i].cmdline : v[i].comm);
	}
	sandbox_ps_free(v, n);
	ret = 0;
out:
	oci_state_free(st);
	return ret;
}
