/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor wait ID`: wait until the container's pid 1 has exited, print
 * {"id": ID, "exitStatus": CODE} (as runsc wait) and exit with CODE (the
 * exit code, or 128 + the signal that killed it; 137 after a memory-limit
 * kill).  A container already stopped answers at once.  No lock is held
 * while waiting: kill/delete stay possible.
 */
#define LOG_PREFIX "cvisor wait"
#include <stdio.h>
#include <signal.h>
#include <sys/wait.h>

#include "lib/log.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"
#include "runtime/oci/state.h"
#include "runtime/sandbox.h"

int cmd_wait(int argc, char **argv)
{
	struct oci_state *st = NULL;
	struct sandbox *sb = NULL;
	int status = 0, r, code;

	if (argc != 2 || argv[1][0] == '-')
		return cli_usage("wait", "usage: cvisor wait ID");
	if (cli_open(argv[1], false, &st, NULL) < 0)
		return 255;
	if (st->status == OCI_STOPPED) {
		status = st->has_exit ? st->exit_status : SIGKILL;
	} else {
		if (cli_attach(st, &sb) < 0) {
			oci_state_free(st);
			return 255;
		}
		r = cli_wait_pid(st, sb, 1, false, &status);
		sandbox_close(sb);
		if (r < 0) {
			/* the sandbox went away under us: what does the state say now? */
			if (cli_refresh(st) && st->status == OCI_STOPPED && st->has_exit) {
				status = st->exit_status;
			} else {
				log_error_errno(r, "container %s: wait", st->id);
				oci_state_free(st);
				return 255;
			}
		}
	}
	code = cli_exit_code(status);
	printf("{\"id\":\"%s\",\"exitStatus\":%d}\n", st->id, code);
	oci_state_free(st);
	return code;
}
