/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor run [--bundle DIR] [--pid-file FILE] [--console-socket SOCK]
 *             [--detach] [--keep] ID`
 *
 * create + start.  In the foreground (default) it waits for pid 1 while
 * forwarding SIGINT/TERM/HUP/QUIT/USR1/USR2/WINCH to it, deletes the
 * container (unless --keep) and exits with pid 1's exit code (128 + signal
 * when killed), as runc run.  --detach returns once pid 1 runs.
 */
#define LOG_PREFIX "cvisor run"
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"
#include "runtime/oci/state.h"
#include "runtime/sandbox.h"

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "detach", no_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, 'k' },
		{ "no-pivot", no_argument, NULL, 'N' },
		{ "no-new-keyring", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct cli_create a = { .start = true, .foreground = true };
	struct oci_state *st = NULL;
	struct sandbox *sb = NULL;
	int c, r, status = 0, keep = 0, lfd;

	while ((c = getopt_long(argc, argv, "b:d", opts, NULL)) != -1) {
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
		case 'd':
			a.foreground = false;
			break;
		case 'k':
			keep = 1;
			break;
		case 'N':
		case 'K':
			break;
		case 'h':
			printf("usage: cvisor run [--bundle DIR] [--pid-file FILE] "
			       "[--console-socket SOCK] [--detach] [--keep] ID\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1)
		return cli_usage("run", "exactly one container id expected");
	a.id = argv[optind];
	if (cli_create_container(&a, &st, &sb) < 0)
		return 1;
	if (!a.foreground) {
		oci_state_free(st);
		return 0;
	}
	r = cli_wait_pid(st, sb, 1, true, &status);
	if (r < 0) {
		log_error_errno(r, "container %s: wait for pid 1", st->id);
		status = 255 << 8;
	}
	if (keep) {
		sandbox_close(sb);
		oci_state_free(st);
		return cli_exit_code(status);
	}
	/* delete: the sandbox goes with this connection's Shutdown */
	lfd = oci_state_lock(cli.root, st->id);
	r = sandbox_destroy(sb);
	if (r < 0)
		log_debug("shutdown: %d", r);
	if (cli_destroy(st) < 0)
		status = status ? status : 255 << 8;
	if (lfd >= 0)
		close(lfd);
	oci_state_free(st);
	return cli_exit_code(status);
}
