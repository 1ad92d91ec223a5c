/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CVISOR_GOFER_GOFER_H
#define CVISOR_GOFER_GOFER_H

/* Entry point of the internal `cvisor gofer` subcommand. */
int gofer_main(int argc, char **argv);

#endif
