/* SPDX-License-Identifier: Apache-2.0 */
/* `cvisor state ID`: the OCI state of a container as JSON on stdout, with
 * the live status (runtime/cli/container.h). */
#define LOG_PREFIX "cvisor state"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"
#include "runtime/oci/state.h"

int cmd_state(int argc, char **argv)
{
	struct oci_state *st = NULL;
	char *json;
	int lfd = -1;

	if (argc != 2 || argv[1][0] == '-')
		return cli_usage("state", "usage: cvisor state ID");
	if (cli_open(argv[1], true, &st, &lfd) < 0)
		return 1;
	json = oci_state_to_json(st);
	if (json)
		printf("%s\n", json);
	else
		log_error_errno(-ENOMEM, "state");
	free(json);
	oci_state_free(st);
	if (lfd >= 0)
		close(lfd);
	return json ? 0 : 1;
}
