/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pipes with Linux semantics: a 64 KiB buffer, writes of at most PIPE_BUF
 * bytes are atomic, EOF once every writer is gone, EPIPE once every reader
 * is gone, O_NONBLOCK gives EAGAIN.  Blocked calls return -EINTR when the
 * task must stop (its group exits).
 */
#ifndef CVISOR_SENTRY_FS_PIPE_H
#define CVISOR_SENTRY_FS_PIPE_H

struct file;

#define PIPE_SIZE 65536

/* The read and write ends; @flags may carry O_NONBLOCK. */
int pipe_create(unsigned flags, struct file **ret_read, struct file **ret_write);

#endif
