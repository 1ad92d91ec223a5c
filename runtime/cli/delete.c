/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor delete [--force] ID`: remove a stopped or created container (its
 * sandbox, cgroup and state).  A running or paused one is refused unless
 * --force, which kills it first.  With --force a missing container is not
 * an error (runc's behaviour, which containerd relies on).
 */
#define LOG_PREFIX "cvisor delete"
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"
#include "runtime/oci/state.h"

int cmd_delete(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct oci_state *st = NULL;
	int c, force = 0, lfd = -1, ret = 1;

	while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = 1;
			break;
		case 'h':
			printf("usage: cvisor delete [--force] ID\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1)
		return cli_usage("delete", "usage: cvisor delete [--force] ID");
	if (force && oci_id_valid(argv[optind]) == 0 &&
	    oci_state_load(cli.root, argv[optind], &st) == -ENOENT)
		return 0;
	oci_state_free(st);
	st = NULL;
	if (cli_open(argv[optind], true, &st, &lfd) < 0)
		return 1;
	if (!force && st->status != OCI_STOPPED && st->status != OCI_CREATED) {
		log_error("container %s is %s: stop it first, or delete --force", st->id,
			  oci_status_name(st->status));
		goto out;
	}
	if (cli_destroy(st) < 0)
		goto out;
	ret = 0;
out:
	oci_state_free(st);
	if (lfd >= 0)
		close(lfd);
	return ret;
}
