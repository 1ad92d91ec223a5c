/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor kill [--all] ID [SIGNAL]`: send SIGNAL (default TERM; a name with
 * or without SIG, or a number) to pid 1, or with --all to every process of
 * the container.  A stopped container is an error, as in runc.
 */
#define LOG_PREFIX "cvisor kill"
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"
#include "runtime/oci/state.h"
#include "runtime/sandbox.h"

int cmd_kill(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct oci_state *st = NULL;
	struct sandbox *sb = NULL;
	int c, all = 0, sig = 15, lfd = -1, r, ret = 1;

	while ((c = getopt_long(argc, argv, "+a", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = 1;
			break;
		case 'h':
			printf("usage: cvisor kill [--all] ID [SIGNAL]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1 && optind != argc - 2)
		return cli_usage("kill", "usage: cvisor kill [--all] ID [SIGNAL]");
	if (optind == argc - 2) {
		sig = cli_parse_signal(argv[optind + 1]);
		if (sig < 0) {
			log_error("unknown signal '%s'", argv[optind + 1]);
			return 2;
		}
	}
	if (cli_open(argv[optind], true, &st, &lfd) < 0)
		return 1;
	if (st->status == OCI_STOPPED) {
		log_error("container %s is stopped: nothing to signal", st->id);
		goto out;
	}
	if (cli_attach(st, &sb) < 0)
		goto out;
	r = sandbox_kill(sb, all ? 0 : 1, sig);
	sandbox_close(sb);
	if (r < 0 && !(all && r == -ESRCH)) {
		log_error_errno(r, "container %s: signal %d", st->id, sig);
		goto out;
	}
	ret = 0;
out:
	oci_state_free(st);
	if (lfd >= 0)
		close(lfd);
	return ret;
}
