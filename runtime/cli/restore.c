/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor restore --image-path DIR [--bundle B] [--pid-file FILE] [--detach] ID`
 *
 * Creates container ID from bundle B (its root file system, hostname,
 * limits: the same rootfs as the checkpointed one) and, instead of running
 * its process, restores the processes saved in DIR (docs/checkpoint.md).
 * The image is verified before the sandbox is booted.  Without --detach
 * the command waits for the restored pid 1 and exits with its status, as
 * `run` does; stdio of the restored processes is the command's own.
 */
#define LOG_PREFIX "cvisor restore"
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "checkpoint/image.h"
#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"
#include "runtime/oci/state.h"
#include "runtime/sandbox.h"

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "image-path", required_argument, NULL, 'i' },
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "detach", no_argument, NULL, 'd' },
		{ "work-path", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct cli_create a = { 0 };
	struct oci_state *st = NULL;
	struct sandbox *sb = NULL;
	struct img_error ie = { { 0 } };
	struct img *im = NULL;
	bool detach = false;
	int c, status = 0, r;

	while ((c = getopt_long(argc, argv, "b:d", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			a.restore_image = optarg;
			break;
		case 'b':
			a.bundle = optarg;
			break;
		case 'p':
			a.pid_file = optarg;
			break;
		case 'd':
			detach = true;
			break;
		case 'w':
			log_debug("--work-path %s: ignored", optarg);
			break;
		case 'h':
			printf("usage: cvisor restore --image-path DIR [--bundle B] [--pid-file F] "
			       "[--detach] ID\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1 || !a.restore_image)
		return cli_usage("restore", "usage: cvisor restore --image-path DIR [--bundle B] "
					    "[--detach] ID");
	a.id = argv[optind];
	/* a bad image is refused before anything is created */
	r = img_open(a.restore_image, IMG_VERIFY_PAGES, &im, &ie);
	if (r < 0) {
		log_error("%s: %s", a.restore_image, ie.msg);
		return 1;
	}
	img_close(im);
	a.foreground = !detach;
	if (cli_create_container(&a, &st, &sb) < 0)
		return 1;
	if (!detach) {
		r = cli_wait_pid(st, sb, 1, true, &status);
		sandbox_close(sb);
		oci_state_free(st);
		return r < 0 ? 1 : cli_exit_code(status);
	}
	oci_state_free(st);
	return 0;
}
