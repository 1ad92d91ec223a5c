/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor checkpoint --image-path DIR [--leave-running] [--compress] ID`
 *
 * Stops every process of the running container at a safe point and saves
 * the sandbox into the image directory DIR (docs/checkpoint.md).  Without
 * --leave-running the container is killed afterwards (as runc's
 * checkpoint stops it); with it, it goes on unaffected.  If the sandbox
 * holds something the image cannot represent yet, the checkpoint fails
 * with a message naming it and the container goes on.  --compress stores
 * the memory and file data zstd-compressed (restore is then eager).
 */
#define LOG_PREFIX "cvisor checkpoint"
#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"
#include "runtime/oci/state.h"
#include "runtime/sandbox.h"

int cmd_checkpoint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "image-path", required_argument, NULL, 'i' },
		{ "leave-running", no_argument, NULL, 'l' },
		{ "compress", no_argument, NULL, 'z' },
		{ "work-path", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *image = NULL;
	bool leave = false;
	unsigned flags = 0;
	struct oci_state *st = NULL;
	struct sandbox *sb = NULL;
	char msg[512];
	int c, lfd = -1, r, ret = 1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			image = optarg;
			break;
		case 'l':
			leave = true;
			flags |= SANDBOX_CKPT_LEAVE_RUNNING;
			break;
		case 'z':
			flags |= SANDBOX_CKPT_COMPRESS;
			break;
		case 'w':
			log_debug("--work-path %s: ignored (no CRIU logs)", optarg);
			break;
		case 'h':
			printf("usage: cvisor checkpoint --image-path DIR [--leave-running] "
			       "[--compress] ID\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1 || !image)
		return cli_usage("checkpoint", "usage: cvisor checkpoint --image-path DIR "
					       "[--leave-running] [--compress] ID");
	if (cli_open(argv[optind], true, &st, &lfd) < 0)
		return 1;
	if (st->status != OCI_RUNNING && st->status != OCI_PAUSED) {
		log_error("container %s is %s: only a running or paused one can be checkpointed",
			  st->id, oci_status_name(st->status));
		goto out;
	}
	if (cli_attach(st, &sb) < 0)
		goto out;
	r = sandbox_checkpoint(sb, image, flags, msg, sizeof(msg));
	if (r < 0) {
		log_error("container %s: checkpoint: %s", st->id, msg);
		goto out;
	}
	if (!leave) {
		/* stopped as runc does: every process killed (they stay frozen
		 * until then, so nothing runs after the image was taken) */
		(void)sandbox_kill(sb, 0, SIGKILL);
		(void)sandbox_resume(sb);
	}
	ret = 0;
out:
	if (sb)
		sandbox_close(sb);
	oci_state_free(st);
	if (lfd >= 0)
		close(lfd);
	return ret;
}
