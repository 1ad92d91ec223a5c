/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor`: the OCI runtime CLI plus the internal subcommands (`gofer`, and
 * later `boot`), as runsc does.  A table maps each verb to its function.
 */
#define LOG_PREFIX "cvisor"
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gofer/gofer.h"
#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "create", cmd_create, "create a container from a bundle (pid 1 created, not started)" },
	{ "start", cmd_start, "start a created container's process" },
	{ "run", cmd_run, "create and start a container (foreground unless --detach)" },
	{ "state", cmd_state, "print a container's OCI state (JSON)" },
	{ "kill", cmd_kill, "send a signal to a container's pid 1 (--all: every process)" },
	{ "delete", cmd_delete, "delete a stopped or created container (--force: any)" },
	{ "list", cmd_list, "list containers (--format table|json, -q)" },
	{ "exec", cmd_exec, "run another process in a running container" },
	{ "ps", cmd_ps, "list a container's processes (--format table|json)" },
	{ "events", cmd_events, "container stats as JSON events (--stats: once)" },
	{ "pause", cmd_pause, "freeze every process of a container" },
	{ "resume", cmd_resume, "thaw a paused container" },
	{ "wait", cmd_wait, "wait for a container's pid 1 and print its exit status" },
	{ "update", cmd_update, "change a container's resource limits" },
	{ "checkpoint", cmd_checkpoint, "save a running container into an image directory" },
	{ "restore", cmd_restore, "create a running container from a checkpoint image" },
	{ "image", cmd_image, "image inspect DIR: decode a checkpoint image for humans" },
	{ "do", cmd_do, "run one command in a fresh sandbox over a rootfs (Sentry + Gofer)" },
	{ "demo", cmd_demo, "run a static guest (read from the host) in a sandbox on a tmpfs root" },
	{ "spec", cmd_spec, "write a default OCI config.json (as runc spec)" },
	{ "boot", cmd_boot, "(internal) the Sentry of a long-lived sandbox, driven over its control socket" },
	{ "gofer", gofer_main, "(internal) serve a root file system over 9P2000.L" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: cvisor [--root DIR] [--log FILE] [--log-format text|json] [--debug]\n"
		   "              [--platform systrap|ptrace] [--network none|host] COMMAND [ARGS...]\n"
		   "\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
}

/* runc's global flags, before the verb.  Returns the index of the verb, or
 * -1 (exit 2) on a usage error. */
static int parse_globals(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "log-format", required_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "platform", required_argument, NULL, 'p' },
		{ "network", required_argument, NULL, 'n' },
		{ "systemd-cgroup", no_argument, NULL, 's' },
		{ "rootless", required_argument, NULL, 'R' },
		{ "criu", required_argument, NULL, 'c' },
		{},
	};
	int c;

	opterr = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			cli.root = optarg;
			break;
		case 'l':
			cli.log_path = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "cvisor: --log-format: text or json, not '%s'\n", optarg);
				return -1;
			}
			cli.log_json = !strcmp(optarg, "json");
			break;
		case 'd':
			cli.debug = true;
			break;
		case 'p':
			if (plat_kind_from_string(optarg, &cli.platform) < 0) {
				fprintf(stderr, "cvisor: unknown platform '%s'\n", optarg);
				return -1;
			}
			break;
		case 'n':
			if (sandbox_network_from_string(optarg, &cli.network) < 0) {
				fprintf(stderr, "cvisor: --network: none or host, not '%s'\n", optarg);
				return -1;
			}
			cli.network_set = true;
			break;
		case 's':
		case 'R':
		case 'c':
			break; /* accepted for runc compatibility; see docs/oci.md */
		default:
			return -1;
		}
	}
	if (cli.root[0] != '/') {
		/* the control socket path is stored: it must not depend on the cwd */
		static char abs_root[4096];
		char cwd[4096];

		if (!getcwd(cwd, sizeof(cwd)) ||
		    snprintf(abs_root, sizeof(abs_root), "%s/%s", cwd, cli.root) >= (int)sizeof(abs_root)) {
			fprintf(stderr, "cvisor: --root %s: path too long\n", cli.root);
			return -1;
		}
		cli.root = abs_root;
	}
	if (cli.log_path) {
		cli.log_fd = open(cli.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (cli.log_fd < 0) {
			perror(cli.log_path);
			return -1;
		}
	}
	if (cli.log_fd >= 0 || cli.log_json)
		log_set_output(cli.log_fd >= 0 ? cli.log_fd : 2, cli.log_json);
	if (cli.debug)
		log_set_level(LOG_LVL_DEBUG);
	return optind;
}

int main(int argc, char **argv)
{
	int v;

	if (argc > 1 && argv[1][0] == '-' && argv[1][1] == '-' && strcmp(argv[1], "--help") &&
	    strcmp(argv[1], "--version")) {
		v = parse_globals(argc, argv);
		if (v < 0)
			return 2;
		argc -= v - 1;
		argv += v - 1;
		optind = 0; /* the verb parses its own options from argv[1] */
	}
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
