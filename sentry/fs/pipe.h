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

struct task;
#include <pthread.h>

/*
 * Open a FIFO whose pipe lives in *@fifo (created on first open, guarded by
 * @slot_lock; the owner holds one reference, dropped with pipe_fifo_put).
 * Linux's rules: a reader waits for a writer and a writer for a reader,
 * unless O_NONBLOCK (a lone O_NONBLOCK writer gets ENXIO) or O_RDWR.
 */
int pipe_fifo_open(void **fifo, pthread_mutex_t *slot_lock, unsigned flags, struct task *t,
		   struct file **ret);
void pipe_fifo_put(void *fifo);

/* The read and write ends; @flags may carry O_NONBLOCK. */
int pipe_create(unsigned flags, struct file **ret_read, struct file **ret_write);

#endif
