/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CVISOR_RUNTIME_CLI_COMMANDS_H
#define CVISOR_RUNTIME_CLI_COMMANDS_H

/* One function per verb, one file per verb (cli/<verb>.c). */
int cmd_boot(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_do(int argc, char **argv);
int cmd_spec(int argc, char **argv);

#endif
