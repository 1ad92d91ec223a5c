/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Checkpoint and restore of a sandbox's kernel (docs/checkpoint.md): the
 * drivers that turn kernel objects into a cvisor.ckpt.Image (the image
 * format itself is checkpoint/image.h) and back.
 *
 * Save: every task is brought to a safe point (the top of its loop, with
 * its whole user state in t->cpu; a call blocked in the Sentry returns its
 * restart code as for a signal and is restarted after restore), then the
 * state is read.  Anything the format cannot represent yet (sockets,
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
struct Cvisor__Ckpt__Task;
struct Cvisor__Ckpt__ThreadGroup;
struct task;
struct thread_group;
struct mm_shm;
struct ipc_ns;

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

/* CPU accounting (ckpt_cpu.c): save with the group under kernel.lock;
 * restore a task after itimer_task_init, a group after itimer_tg_init. */
void ckpt_cpu_save_task(struct task *t, struct Cvisor__Ckpt__Task *pt);
void ckpt_cpu_save_group_locked(const struct thread_group *tg, struct Cvisor__Ckpt__ThreadGroup *g);
void ckpt_cpu_restore_task(struct task *t, const struct Cvisor__Ckpt__Task *pt);
void ckpt_cpu_restore_group(struct thread_group *tg, const struct Cvisor__Ckpt__ThreadGroup *g);

/* Anonymous shared memory (ckpt_shm.c).  Save: ckpt_shm_id gives the image
 * id of a memfd (a reference kept in @set), ckpt_shm_save writes every
 * object's pages from page *@next_page on and points img->shm_objects into
 * @set (valid until ckpt_shm_set_free).  Restore: ckpt_shm_restore makes
 * one memfd per object (an array parallel to img->shm_objects);
 * ckpt_shm_restored gives a new reference to the one of @id (NULL: none). */
struct ckpt_shm_set {
	struct mm_shm **shm;
	bool *fixed; /* per shm: a SysV segment's */
	size_t n, cap;
	struct Cvisor__Ckpt__ShmObject *objs, **ptrs;
	size_t nobjs;
	struct Cvisor__Ckpt__SysvShm **sysv;
	size_t nsysv;
};
int ckpt_shm_id(struct ckpt_shm_set *set, struct mm_shm *shm, uint32_t *ret);
int ckpt_shm_save(struct ckpt_shm_set *set, int pages_fd, uint64_t *next_page,
		  struct Cvisor__Ckpt__Image *img, char *err, size_t errlen);
void ckpt_shm_set_free(struct ckpt_shm_set *set);
/* Is @shm one of the set's (a SysV segment registered before the VMAs)? */
bool ckpt_shm_has(const struct ckpt_shm_set *set, const struct mm_shm *shm);
/* SysV segments: saved into img->sysv_shm (their memory into the set) before
 * any VMA; restored into the fresh @ns last (undone on failure). */
int ckpt_shm_save_sysv(struct ckpt_shm_set *set, struct ipc_ns *ns,
		       struct Cvisor__Ckpt__Image *img);
int ckpt_shm_restore_sysv(const struct Cvisor__Ckpt__Image *img, struct mm_shm **v,
			  struct ipc_ns *ns, char *err, size_t errlen);
int ckpt_shm_restore(const struct Cvisor__Ckpt__Image *img, int pages_fd, struct mm_shm ***ret,
		     char *err, size_t errlen);
struct mm_shm *ckpt_shm_restored(const struct Cvisor__Ckpt__Image *img, struct mm_shm **v,
				 uint32_t id);
void ckpt_shm_restore_free(const struct Cvisor__Ckpt__Image *img, struct mm_shm **v);

#endif
