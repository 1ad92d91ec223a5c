/* SPDX-License-Identifier: Apache-2.0 */
/* `cvisor pause ID`: freeze every process of a running container (the
 * Sentry stops running application code; timers keep running). */
#define LOG_PREFIX "cvisor pause"
#include <unistd.h>

#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"
#include "runtime/oci/state.h"
#include "runtime/sandbox.h"

int cmd_pause(int argc, char **argv)
{
	struct oci_state *st = NULL;
	struct sandbox *sb = NULL;
	int lfd = -1, r, ret = 1;

	if (argc != 2 || argv[1][0] == '-')
		return cli_usage("pause", "usage: cvisor pause ID");
	if (cli_open(argv[1], true, &st, &lfd) < 0)
		return 1;
	if (st->status != OCI_RUNNING) {
		log_error("container %s is %s, not running: cannot pause", st->id,
			  oci_status_name(st->status));
		goto out;
	}
	if (cli_attach(st, &sb) < 0)
		goto out;
	r = sandbox_pause(sb);
	sandbox_close(sb);
	if (r < 0) {
		log_error_errno(r, "container %s: pause", st->id);
		goto out;
	}
	st->status = OCI_PAUSED;
	oci_state_save(cli.root, st);
	ret = 0;
out:
	oci_state_free(st);
	if (lfd >= 0)
		close(lfd);
	return ret;
}
