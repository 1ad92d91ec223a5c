/* SPDX-License-Identifier: Apache-2.0 */
/* `cvisor resume ID`: thaw a paused container. */
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"

int cmd_resume(int argc, char **argv)
{
	return cli_freeze(argc, argv, false);
}
