/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The console of a container with process.terminal = true, as runc does it:
 * a host pty pair; the master goes to whoever listens on --console-socket
 * (one AF_UNIX stream connection, one sendmsg carrying the master fd as
 * SCM_RIGHTS and the pty's path as payload), the slave becomes the
 * process's stdio.  Library code: nothing is printed.
 */
#ifndef CVISOR_RUNTIME_OCI_CONSOLE_H
#define CVISOR_RUNTIME_OCI_CONSOLE_H

/* A new pty pair (both O_CLOEXEC); @cols/@rows 0 leave the size alone. */
int oci_console_open(unsigned cols, unsigned rows, int *ret_master, int *ret_slave);

/* Send @master (and its name) to the listener at @socket_path. */
int oci_console_send(const char *socket_path, int master);

#endif
