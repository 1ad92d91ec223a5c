/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor create [--bundle DIR] [--pid-file FILE] [--console-socket SOCK]
 *                [--no-pivot] [--no-new-keyring] [--preserve-fds N] ID`
 *
 * Boots the sandbox and creates pid 1 without running it (`start` does).
 * Returns once the container is "created"; the pid written to --pid-file is
 * the monitor's (runtime/cli/container.h).  --no-pivot, --no-new-keyring
 * and --preserve-fds are accepted and ignored (logged): the sandbox never
 * pivots on the host and has no host keyring; extra fds are not passed.
 */
#define LOG_PREFIX "cvisor create"
#include <getopt.h>
#include <stdio.h>

#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"
#include "runtime/oci/state.h"

int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "no-pivot", no_argument, NULL, 'N' },
		{ "no-new-keyring", no_argument, NULL, 'K' },
		{ "preserve-fds", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct cli_create a = { 0 };
	struct oci_state *st = NULL;
	struct sandbox *sb = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "b:", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			a.bundle = optarg;
			break;
		case 'p':
			a.pid_file = optarg;
			break;
		case 'c':
			a.console_socket = optarg;
			break;
		case 'N':
		case 'K':
			log_debug("--%s: ignored (docs/oci.md)", c == 'N' ? "no-pivot" : "no-new-keyring");
			break;
		case 'P':
			log_warn("--preserve-fds %s: ignored, no extra fds are passed", optarg);
			break;
		case 'h':
			printf("usage: cvisor create [--bundle DIR] [--pid-file FILE] "
			       "[--console-socket SOCK] ID\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1)
		return cli_usage("create", "exactly one container id expected");
	a.id = argv[optind];
	if (cli_create_container(&a, &st, &sb) < 0)
		return 1;
	oci_state_free(st);
	return 0;
}
