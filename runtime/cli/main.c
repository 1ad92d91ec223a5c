/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor`: the OCI runtime CLI plus the internal subcommands (`gofer`, and
 * later `boot`), as runsc does.  A table maps each verb to its function.
 */
#include <stdio.h>
#include <string.h>

#include "gofer/gofer.h"
#include "runtime/cli/commands.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "do", cmd_do, "run one command in a fresh sandbox over a rootfs (Sentry + Gofer)" },
	{ "demo", cmd_demo, "run a static guest (read from the host) in a sandbox on a tmpfs root" },
	{ "spec", cmd_spec, "write a default OCI config.json (as runc spec)" },
	{ "boot", cmd_boot, "(internal) the Sentry of a long-lived sandbox, driven over its control socket" },
	{ "gofer", gofer_main, "(internal) serve a root file system over 9P2000.L" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: cvisor COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("cvisor 0.1.0\n");
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "cvisor: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
