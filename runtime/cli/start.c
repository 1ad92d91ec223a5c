/* SPDX-License-Identifier: Apache-2.0 */
/* `cvisor start ID`: run the pid 1 that `create` left paused. */
#define LOG_PREFIX "cvisor start"
#include <unistd.h>

#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"
#include "runtime/oci/state.h"
#include "runtime/sandbox.h"

int cmd_start(int argc, char **argv)
{
	struct oci_state *st = NULL;
	struct sandbox *sb = NULL;
	int lfd = -1, r, ret = 1;

	if (argc != 2 || argv[1][0] == '-')
		return cli_usage("start", "usage: cvisor start ID");
	if (cli_open(argv[1], true, &st, &lfd) < 0)
		return 1;
	if (st->status != OCI_CREATED) {
		log_error("container %s is %s, not created: cannot start", st->id,
			  oci_status_name(st->status));
		goto out;
	}
	if (cli_attach(st, &sb) < 0)
		goto out;
	r = cli_start_container(st, sb, NULL);
	sandbox_close(sb);
	if (r < 0)
		goto out;
	r = oci_state_save(cli.root, st);
	if (r < 0) {
		log_error_errno(r, "container %s: save state", st->id);
		goto out;
	}
	ret = 0;
out:
	oci_state_free(st);
	if (lfd >= 0)
		close(lfd);
	return ret;
}
