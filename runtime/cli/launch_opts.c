/* SPDX-License-Identifier: Apache-2.0 */
#include "launch_opts.h"

#include <string.h>

#include "lib/log.h"

int cli_launch_opt(struct cli_launch_opts *o, int c, char *arg)
{
	int r;

	switch (c) {
	case 'p':
		if (plat_kind_from_string(arg, &o->kind) < 0) {
			log_error("unknown platform '%s'", arg);
			return -1;
		}
		return 1;
	case 's':
		o->kopts->strace = 1;
		return 1;
	case 'H':
		o->kopts->hostname = arg;
		return 1;
	case 'n':
		if (sandbox_network_from_string(arg, &o->net) < 0) {
			log_error("--network: 'none' (default) or 'host', not '%s'", arg);
			return -1;
		}
		return 1;
	case 'o':
		if (strcmp(arg, "none") && strcmp(arg, "memory")) {
			log_error("--overlay: 'memory' (default) or 'none', not '%s'", arg);
			return -1;
		}
		o->kopts->no_overlay = !strcmp(arg, "none");
		return 1;
	case 'N':
		o->no_confine = 1; /* debugging only */
		return 1;
	case 'T':
		r = launch_binds_add_tmpfs(o->binds, arg);
		if (r < 0) {
			log_error_errno(r, "--tmpfs %s: DEST[:ro,nosuid,nodev,noexec] (at most %d)", arg,
					LAUNCH_BINDS_MAX);
			return -1;
		}
		return 1;
	case 'b':
	case 'v':
		r = launch_binds_add(o->binds, arg);
		if (r < 0) {
			log_error_errno(r, "%s %s: HOST:DEST[:ro,nosuid,nodev,noexec], HOST a directory "
					"(at most %d)", c == 'b' ? "--bind" : "-v", arg, LAUNCH_BINDS_MAX);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}
