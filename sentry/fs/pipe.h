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

#define PIPE_SIZE 65536        /* default capacity */
#define PIPE_MAX_SIZE 1048576  /* /proc/sys/fs/pipe-max-size */

struct task;
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Open a FIFO whose pipe lives in *@fifo (created on first open, guarded by
 * @slot_lock; the owner holds one reference, dropped with pipe_fifo_put).
 * Linux's rules: a reader waits for a writer and a writer for a reader,
 * unless O_NONBLOCK (a lone O_NONBLOCK writer gets ENXIO) or O_RDWR.
 */
int pipe_fifo_open(void **fifo, pthread_mutex_t *slot_lock, unsigned flags, struct task *t,
		   struct file **ret);
void pipe_fifo_put(void *fifo);

/* The read and write ends; @flags may carry O_NONBLOCK and O_DIRECT
 * (packet mode: each write of up to PIPE_BUF bytes is one packet, a read
 * returns at most one packet). */
int pipe_create(unsigned flags, struct file **ret_read, struct file **ret_write);

/* F_GETPIPE_SZ / F_SETPIPE_SZ on @f: -EBADF if it is not a pipe.  A new
 * size is rounded up to a power of two pages; above PIPE_MAX_SIZE -EPERM
 * unless @privileged (and -ENOMEM even then); below the buffered data
 * -EBUSY.  Returns the capacity. */
int64_t pipe_fcntl(struct file *f, int cmd, uint64_t arg, int privileged);

/* Is @f an end of a pipe or FIFO? */
int pipe_file_is(struct file *f);

/* Checkpoint (sentry/kernel/ckpt_*.c).  Save: the pipe behind the end @f
 * (*ret_id: an identity, equal for both ends), its capacity and a malloc'd
 * copy of the buffered bytes (oldest first; NULL when empty).
 * -EOPNOTSUPP for a FIFO (a named pipe) or packet-mode data. */
int pipe_ckpt_save(struct file *f, const void **ret_id, size_t *ret_cap, void **ret_data,
		   size_t *ret_len);
/* Restore: a pipe of @cap bytes (a power of two pages) holding @data
 * (*ret: one reference, dropped by pipe_ckpt_put), then each saved end
 * opened on it with its flags (O_ACCMODE | status flags). */
int pipe_ckpt_new(size_t cap, const void *data, size_t len, void **ret);
int pipe_ckpt_open(void *pipe, unsigned flags, struct file **ret);
void pipe_ckpt_put(void *pipe);

/* Checkpoint of FIFOs and packet-mode pipes (sentry/kernel/ckpt_event.c):
 * the pipe behind the end @f, FIFO or not, with its packets; data and
 * packets malloc'd (NULL when empty).  -EINVAL if @f is no pipe end. */
struct pipe_ckpt {
	const void *id;      /* equal for every end of one pipe */
	size_t cap;
	void *data;
	size_t len;
	uint32_t *packets;   /* packet lengths, oldest first */
	size_t npackets;
	int fifo;            /* a named pipe (the end has a path) */
};
int pipe_ckpt_get(struct file *f, struct pipe_ckpt *ret);
/* Restore: mark the data of the pipe made by pipe_ckpt_new as @npk packets
 * (lengths summing to its bytes); fill the empty pipe of the FIFO end @f
 * with @cap bytes of buffer, @data and its packets (-EBUSY if it holds
 * data already). */
int pipe_ckpt_set_packets(void *pipe, const uint32_t *pk, size_t npk);
int pipe_ckpt_fifo_fill(struct file *f, size_t cap, const void *data, size_t len,
			const uint32_t *pk, size_t npk);

/* tee(2)'s read side: wait (unless @nonblock: -EAGAIN) until the pipe of
 * the read end @f holds data, then copy up to @len bytes of it to @buf
 * without consuming them.  0 at EOF (no writers), -ERESTARTSYS/-EINTR as
 * read(). */
ssize_t pipe_peek(struct file *f, struct task *t, void *buf, size_t len, int nonblock);

#endif
