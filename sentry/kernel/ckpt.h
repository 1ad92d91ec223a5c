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
 * ttys, writable shared mappings, files in
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
struct task;

struct kernel_ckpt {
	int pages_fd;       /* pages.img, empty, written from offset 0 */
	int files_fd;       /* files.img, empty; -1: the files' data in the state */
	bool leave_running; /* else every task stays frozen afterwards */
	/* out, on success: */
	void *state;        /* packed cvisor.ckpt.Image (malloc'd) */
	size_t state_len;
	uint64_t xfeatures; /* XSAVE features the saved FP states use */
	uint64_t pages_bytes;
	uint64_t files_bytes;
};
/* The largest state a checkpoint returns: it travels in one control frame
 * (CTL_FRAME_MAX, 16 MiB) with the rest of the reply. */
#define KERNEL_CKPT_STATE_MAX (15u << 20)
int kernel_ckpt_save(struct kernel *k, struct kernel_ckpt *c, char *err, size_t errlen);

/* @stdio: host fds (borrowed) for the image's STDIO files, -1: /dev/null.
 * @files_fd: files.img (FsEntry.data_offset/data_len), -1: none. */
int kernel_ckpt_restore(struct kernel *k, const void *state, size_t len, int pages_fd,
			int files_fd, const int stdio[3], char *err, size_t errlen);
/* Recreate the image's in-memory files (FsEntry) in the fresh sandbox @k
 * (ckpt_fs.c); called by kernel_ckpt_restore before files are reopened. */
int kernel_ckpt_restore_fs(struct kernel *k, const struct Cvisor__Ckpt__Image *img, int files_fd,
			   char *err, size_t errlen);

/* ckpt_files.c: files.img.  Append the data of regular file @v (an
 * in-memory file at @path) to @fd at *@off, recording it in @e. */
struct vnode;
struct Cvisor__Ckpt__FsEntry;
int ckpt_save_file_data(int fd, uint64_t *off, struct vnode *v, struct task *t,
			struct Cvisor__Ckpt__FsEntry *e, const char *path, char *err, size_t errlen);
/* Write the data of @e (from files.img @fd, or inline) into @v (truncated
 * first); -EIO if files.img is short. */
int ckpt_restore_file_data(struct vnode *v, struct task *t, int fd,
			   const struct Cvisor__Ckpt__FsEntry *e);
/* Are the data references of @img inside files.img @fd (-1: none)? */
struct img_error;
int ckpt_check_files_fd(const struct Cvisor__Ckpt__Image *img, int fd, struct img_error *err);

/*
 * epoll, timerfd, signalfd, inotify, FIFOs and packet-mode pipes (ckpt_event.c).
 * Save: fill @pf for the description @f (@path: what /proc shows for it)
 * through the saver's callbacks; -ENOENT when @f is none of these (an
 * anonymous pipe without packets included: ckpt_save.c saves it), another
 * negative errno with a message through fail.
 */
struct file;
struct task;
struct Cvisor__Ckpt__File;
struct Cvisor__Ckpt__Pipe;
struct ckpt_event_saver {
	struct kernel *k;
	void *ctx;
	void *(*alloc)(void *ctx, size_t n); /* zeroed, freed with the image */
	/* the image id of another description (saved first if new) */
	int (*file_id)(void *ctx, struct file *f, int fd, uint32_t *ret_id);
	/* the Pipe message of the pipe @key, already in the image (*created:
	 * new, with only its id set) */
	int (*pipe)(void *ctx, const void *key, struct Cvisor__Ckpt__Pipe **ret, int *created);
	int (*fail)(void *ctx, int r, const char *msg);
};
int ckpt_event_save(const struct ckpt_event_saver *sv, struct file *f, const char *path,
		    struct Cvisor__Ckpt__File *pf);
/* Restore: make the description of @pf if it is one of these kinds (the
 * epoll ones empty; -ENOENT otherwise), with @helper's view for paths;
 * once every description exists (@files: per img->files[i]), fill the
 * epoll interest lists; the packets of pipe @pp on the pipe made by
 * pipe_ckpt_new. */
int ckpt_event_restore_file(struct task *helper, const struct Cvisor__Ckpt__Image *img,
			    const struct Cvisor__Ckpt__File *pf, struct file **ret, char *err,
			    size_t errlen);
int ckpt_event_restore_links(const struct Cvisor__Ckpt__Image *img, struct file **files,
			     char *err, size_t errlen);
int ckpt_event_restore_pipe(void *pipe, const struct Cvisor__Ckpt__Pipe *pp);

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

/* Loopback inet sockets (ckpt_inet.c), as AF_UNIX ones: save_file adds
 * the socket of @f (ckpt_inet_is) to the set (*@ci allocated on first
 * use); finish fills img->inet_sockets (refusing, -EOPNOTSUPP with a
 * message in @err, what is not saved), which lives until save_free.
 * Restore: every socket, with files[i] set for img->files[i] of kind
 * INET_SOCKET; on error nothing is left. */
struct ckpt_inet;
int ckpt_inet_is(struct file *f);
int ckpt_inet_save_file(struct ckpt_inet **ci, struct file *f, uint32_t *ret_id);
int ckpt_inet_save_finish(struct ckpt_inet *ci, struct Cvisor__Ckpt__Image *img, char *err,
			  size_t errlen);
void ckpt_inet_save_free(struct ckpt_inet *ci);
int ckpt_inet_restore(const struct Cvisor__Ckpt__Image *img, struct file **files, char *err,
		      size_t errlen);

/* CPU accounting (ckpt_cpu.c): save with the group under kernel.lock;
 * restore a task after itimer_task_init, a group after itimer_tg_init. */
void ckpt_cpu_save_task(struct task *t, struct Cvisor__Ckpt__Task *pt);
void ckpt_cpu_save_group_locked(const struct thread_group *tg, struct Cvisor__Ckpt__ThreadGroup *g);
void ckpt_cpu_restore_task(struct task *t, const struct Cvisor__Ckpt__Task *pt);
void ckpt_cpu_restore_group(struct thread_group *tg, const struct Cvisor__Ckpt__ThreadGroup *g);

/* POSIX timers (ckpt_timers.c): save with the group under kernel.lock
 * (@alloc: zeroed, freed with the image); restore them disarmed into the
 * unpublished @tg (ptimer_arm_restored arms them once the tasks exist). */
int ckpt_timers_save_group_locked(const struct thread_group *tg, struct Cvisor__Ckpt__ThreadGroup *g,
				  void *(*alloc)(void *ctx, size_t n), void *ctx);
int ckpt_timers_restore_group(struct thread_group *tg, const struct Cvisor__Ckpt__ThreadGroup *g);

/* System V message queues (ckpt_ipc.c): save every queue into
 * img->sysv_msq (@alloc: zeroed, freed with the image); restore them into
 * the fresh namespace @ns (on error none is left, message in @err). */
int ckpt_ipc_save(struct ipc_ns *ns, struct Cvisor__Ckpt__Image *img,
		  void *(*alloc)(void *ctx, size_t n), void *ctx);
/* Semaphore sets and SEM_UNDO records likewise (ckpt_ipc_restore makes both). */
int ckpt_ipc_save_sem(struct ipc_ns *ns, struct Cvisor__Ckpt__Image *img,
		      void *(*alloc)(void *ctx, size_t n), void *ctx);
int ckpt_ipc_restore(const struct Cvisor__Ckpt__Image *img, struct ipc_ns *ns, char *err,
		     size_t errlen);
/* Take out what ckpt_ipc_restore made (a later step failed). */
void ckpt_ipc_restore_undo(const struct Cvisor__Ckpt__Image *img, struct ipc_ns *ns);

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
