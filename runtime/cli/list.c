/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor list [--format table|json] [-q]`: every container under --root
 * with its live status.  json is runc's: an array of {ociVersion, id, pid,
 * status, bundle, rootfs, created, owner, annotations} (null when empty).
 */
#define LOG_PREFIX "cvisor list"
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"
#include "runtime/oci/state.h"

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	char **ids = NULL;
	size_t n = 0;
	int c, json = 0, quiet = 0, r;
	json_t *arr = NULL;

	while ((c = getopt_long(argc, argv, "f:q", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "table") && strcmp(optarg, "json"))
				return cli_usage("list", "--format: table or json");
			json = !strcmp(optarg, "json");
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			printf("usage: cvisor list [--format table|json] [-q]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc)
		return cli_usage("list", "no arguments expected");
	r = oci_state_list(cli.root, &ids, &n);
	if (r < 0)
		return log_error_errno(r, "%s", cli.root), 1;
	if (json)
		arr = json_array();
	else if (!quiet)
		printf("%-12s %-10s %-10s %-40s %-31s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
	for (size_t i = 0; i < n; i++) {
		struct oci_state *st = NULL;
		int lfd = oci_state_lock(cli.root, ids[i]);

		if (lfd < 0 || oci_state_load(cli.root, ids[i], &st) < 0) {
			if (lfd >= 0)
				close(lfd);
			continue; /* deleted meanwhile, or half-created */
		}
		if (cli_refresh(st))
			oci_state_save(cli.root, st);
		close(lfd);
		if (json) {
			char *s = oci_state_to_json(st);
			json_t *o = s ? json_loads(s, 0, NULL) : NULL;

			if (o)
				json_array_append_new(arr, o);
			free(s);
		} else if (quiet) {
			printf("%s\n", st->id);
		} else {
			printf("%-12s %-10d %-10s %-40s %-31s %s\n", st->id,
			       st->status == OCI_STOPPED ? 0 : st->pid, oci_status_name(st->status),
			       st->bundle ? st->bundle : "", st->created ? st->created : "",
			       st->owner ? st->owner : "");
		}
		oci_state_free(st);
	}
	oci_state_ids_free(ids, n);
	if (json) {
		char *s = json_array_size(arr) ? json_dumps(arr, JSON_COMPACT) : strdup("null");

		printf("%s\n", s ? s : "null");
		free(s);
		json_decref(arr);
	}
	return 0;
}
