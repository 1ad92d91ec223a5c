/* SPDX-License-Identifier: Apache-2.0 */
/* `cvisor resume ID`: thaw a paused container. */
#define LOG_PREFIX "cvisor resume"
#include <unistd.h>

#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"
#include "runtime/oci/state.h"
#include "runtime/sandbox.h"

int cmd_resume(int argc, char **argv)
{
	struct oci_state *st = NULL;
	struct sandbox *sb = NULL;
	int lfd = -1, r, ret = 1;

	if (argc != 2 || argv[1][0] == '-')
		return cli_usage("resume", "usage: cvisor resume ID");
	if (cli_open(argv[1], true, &st, &lfd) < 0)
		return 1;
	if (st->status != OCI_PAUSED) {
		log_error("container %s is %s, not paused: cannot resume", st->id,
			  oci_status_name(st->status));
		goto out;
	}
	if (cli_attach(st, &sb) < 0)
		goto out;
	r = sandbox_resume(sb);
	sandbox_close(sb);
	if (r < 0) {
		log_error_errno(r, "container %s: resume", st->id);
		goto out;
	}
	st->status = OCI_RUNNING;
	oci_state_save(cli.root, st);
	ret = 0;
out:
	oci_state_free(st);
	if (lfd >= 0)
		close(lfd);
	return ret;
}
