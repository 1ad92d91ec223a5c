/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checkpoint and restore of a sandbox's kernel (docs/checkpoint.md): the
 * drivers that turn kernel objects into a cvisor.ckpt.Image (the image
 * format itself is checkpoint/image.h) and back.
 *
 * Save: every task is brought to a safe point (the top of its loop, with
 * its whole user state in t->cpu; a call blocked in the Sentry returns its
 * restart code as for a signal and is restarted after restore), then the
 * state is read.  Anything the format cannot represent yet (inet sockets,
 * epoll, ttys, SysV IPC, writable shared mappings, POSIX timers, files in
 * the memory file systems...) fails the checkpoint with a message naming
 * it; nothing is ever saved half right (docs/checkpoint.md).
 *
 * Restore: into a fresh kernel with no process; every object is built
 * first, the tasks are registered and started only when all of them
 * exist, so an error leaves nothing behind.
 *
 * Both take kernel.lock themselves; 0 or negative errno, with a message
 * in @err (NUL-terminated, @errlen bytes) on failure.
 */
#ifndef CVISOR_SENTRY_KERNEL_CKPT_H
#define CVISOR_SENTRY_KERNEL_CKPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
struct Cvisor__Ckpt__Image;

struct kernel;

struct kernel_ckpt {
	int pages_fd;       /* pages.img, empty, written from offset 0 */
	bool leave_running; /* else every task stays frozen afterwards */
	/* out, on success: */
	void *state;        /* packed cvisor.ckpt.Image (malloc'd) */
	size_t state_len;
	uint64_t xfeatures; /* XSAVE features the saved FP states use */
	uint64_t pages_bytes;
};
/* The largest state a checkpoint returns: it travels in one control frame
 * (CTL_FRAME_MAX, 16 MiB) with the rest of the reply. */
#define KERNEL_CKPT_STATE_MAX (15u << 20)
int kernel_ckpt_save(struct kernel *k, struct kernel_ckpt *c, char *err, size_t errlen);

/* @stdio: host fds (borrowed) for the image's STDIO files, -1: /dev/null. */
int kernel_ckpt_restore(struct kernel *k, const void *state, size_t len, int pages_fd,
			const int stdio[3], char *err, size_t errlen);
/* Recreate the image's in-memory files (FsEntry) in the fresh sandbox @k
 * (ckpt_fs.c); called by kernel_ckpt_restore before files are reopened. */
int kernel_ckpt_restore_fs(struct kernel *k, const struct Cvisor__Ckpt__Image *img, char *err, size_t errlen);

/* AF_UNIX sockets (ckpt_sock.c).  Save: the set grows as files and
 * socket nodes are met (*@cs allocated on first use); finish fills
 * img->unix_sockets, which lives until ckpt_sock_save_free.  A socket of
 * another family is refused (-EOPNOTSUPP, message in @err). */
struct ckpt_socks;
struct file;
int ckpt_sock_save_file(struct ckpt_socks **cs, struct kernel *k, struct file *f,
			uint32_t *ret_id, char *err, size_t errlen);
int ckpt_sock_note_node(struct ckpt_socks **cs, const char *path);
/* @save_file: the image id of a file in flight (SCM_RIGHTS), saved as
 * any open file description (ckpt_save.c); its message is the caller's. */
typedef int (*ckpt_save_file_fn)(void *ctx, struct file *f, uint32_t *ret_id);
int ckpt_sock_save_finish(struct ckpt_socks *cs, struct kernel *k, struct Cvisor__Ckpt__Image *img,
			  ckpt_save_file_fn save_file, void *ctx, char *err, size_t errlen);
void ckpt_sock_save_free(struct ckpt_socks *cs);
/* Restore: every socket, with files[i] set for img->files[i] of kind
 * UNIX_SOCKET (the other files exist already: those in flight are
 * attached to their messages); on error nothing is left (the UNIX_SOCKET
 * entries of files[] stay NULL). */
int ckpt_sock_restore(struct kernel *k, const struct Cvisor__Ckpt__Image *img, struct file **files,
		      char *err, size_t errlen);

#endif
