/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name resolution files the runtime provides, as Docker and gVisor do:
 * /etc/hosts (localhost, and the sandbox's hostname on 127.0.1.1 as Debian
 * does, so that it resolves both ways and names no other host), /etc/hostname (the
 * UTS hostname at boot) and /etc/resolv.conf (the host's in NET_HOST mode;
 * in NET_NONE a comment only: there is nothing to ask).
 *
 * They are written at boot into the root's writable layer (the overlay
 * upper), replacing what the image has there, when the root has an /etc
 * directory and is writable (--overlay=none: left alone), never through
 * another mount (a directory bind of /etc stays the bundle's).  A file bind
 * mount of the OCI spec (container_create.c copies those through the
 * control socket after boot) replaces them again, so the bundle's own
 * /etc/hosts wins, as with Docker.
 */
#ifndef CVISOR_SENTRY_NET_NETFILES_H
#define CVISOR_SENTRY_NET_NETFILES_H

struct kernel;

/* Write the three files for @k's hostname and network mode.  Best effort:
 * returns the first error (the callers boot anyway). */
int netfiles_install(struct kernel *k);
/* Only /etc/resolv.conf, for a network mode set after boot. */
int netfiles_install_resolv(struct kernel *k);

/* Checkpoint: the names (in /etc) of the files netfiles_install() wrote,
 * NULL-terminated in @names (room for 4), and whether each still holds
 * exactly what was written (1; 0 when the application changed one). */
int netfiles_unchanged(struct kernel *k, const char *names[4]);
/* Free the record of what was written (kernel_destroy). */
void netfiles_forget(struct kernel *k);

#endif
