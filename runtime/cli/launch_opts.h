/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox options `cvisor boot` and `cvisor do` share: one spelling,
 * one check and one message each. */
#ifndef CVISOR_RUNTIME_CLI_LAUNCH_OPTS_H
#define CVISOR_RUNTIME_CLI_LAUNCH_OPTS_H

#include "platform/platform.h"
#include "runtime/launch.h"
#include "runtime/sandbox.h"
#include "sentry/kernel/kernel.h"

/* getopt values: --platform 'p', --strace 's', --hostname 'H', --network
 * 'n', --overlay 'o', --no-confine 'N', --tmpfs 'T', --bind 'b' / -v
 * (--volume) 'v'. */
struct cli_launch_opts {
	enum plat_kind kind;
	enum sandbox_network net;
	int no_confine;
	struct kernel_opts *kopts;   /* strace, hostname, no_overlay */
	struct launch_binds *binds;  /* --bind, -v, --tmpfs */
};

/* Apply the option @c with @arg: 1 if it was one of these, 0 if not,
 * -1 for a bad value (the message is printed; exit status 2). */
int cli_launch_opt(struct cli_launch_opts *o, int c, char *arg);

#endif
