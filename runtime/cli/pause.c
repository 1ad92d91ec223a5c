/* SPDX-License-Identifier: Apache-2.0 */
/* `cvisor pause ID`: freeze every process of a running container (the
 * Sentry stops running application code; timers keep running). */
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"

int cmd_pause(int argc, char **argv)
{
	return cli_freeze(argc, argv, true);
}
