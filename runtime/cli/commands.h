/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CVISOR_RUNTIME_CLI_COMMANDS_H
#define CVISOR_RUNTIME_CLI_COMMANDS_H

/* One function per verb, one file per verb (cli/<verb>.c). */
int cmd_boot(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_do(int argc, char **argv);
int cmd_spec(int argc, char **argv);
/* The OCI lifecycle (runc's verbs), over runtime/cli/container.h. */
int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_wait(int argc, char **argv);
int cmd_update(int argc, char **argv);
/* Checkpoint/restore (docs/checkpoint.md). */
int cmd_checkpoint(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_image(int argc, char **argv);

#endif
