/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostfd: a file backed by a host fd handed to the sandbox (its stdio).
 * The Sentry takes ownership of @hostfd.
 */
#ifndef CVISOR_SENTRY_FS_HOSTFD_H
#define CVISOR_SENTRY_FS_HOSTFD_H

struct file;

/* @flags: O_RDONLY / O_WRONLY / O_RDWR (+ status flags). */
struct file *hostfd_file(int hostfd, unsigned flags);
/* Is @f one of those? */
int hostfd_file_is(const struct file *f);

#endif
