/* SPDX-License-Identifier: Apache-2.0 */
/* The namespace shared by ipc.c, ipc_shm.c, ipc_sem.c and ipc_msg.c. */
#ifndef CVISOR_SENTRY_KERNEL_IPC_IMPL_H
#define CVISOR_SENTRY_KERNEL_IPC_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <time.h>

#include "ipc.h"

#define IPC_SLOTS 256 /* objects of each kind (SHMMNI/SEMMNI/MSGMNI) */
#define IPC_SEQ_SHIFT 15

enum ipc_kind { IPC_K_SHM, IPC_K_SEM, IPC_K_MSG, IPC_NKINDS };

/* The head of every object.  perm.__key is the key (IPC_PRIVATE once
 * removed); perm.mode holds the 9 permission bits plus SHM_DEST/SHM_LOCKED
 * for segments. */
struct ipc_obj {
	struct ipc_perm perm;
	int id;
	enum ipc_kind kind;
	time_t ctime;
};

struct sem_undo;

struct ipc_ns {
	pthread_mutex_t lock; /* protects everything below */
	pthread_cond_t cond;  /* broadcast on every semaphore or queue change */
	struct ipc_obj *objs[IPC_NKINDS][IPC_SLOTS];
	unsigned seq;
	struct sem_undo *undo; /* SEM_UNDO records of all processes */
};

/* ns of @t; creates nothing. */
struct ipc_ns *ipc_ns_of(struct task *t);

/* Find by id / by key (ns locked); NULL when there is none. */
struct ipc_obj *ipc_find_id(struct ipc_ns *ns, enum ipc_kind kind, int id);
struct ipc_obj *ipc_find_key(struct ipc_ns *ns, enum ipc_kind kind, int32_t key);
/* Give @o a slot and an id; fills perm from @t's credentials, @key and the
 * low 9 bits of @flags.  -ENOSPC when the table is full. */
int ipc_add(struct ipc_ns *ns, struct task *t, struct ipc_obj *o, enum ipc_kind kind,
	    int32_t key, int flags);
/* Take @o out of the table (the caller frees it). */
void ipc_remove(struct ipc_ns *ns, struct ipc_obj *o);
/* Does @t have the access @want (4 read, 2 write, 1 execute: the "other"
 * triplet) to @o?  0 or -EACCES. */
int ipc_check(struct task *t, const struct ipc_obj *o, int want);
/* Is @t the owner or creator of @o (or root)?  IPC_SET/IPC_RMID. */
bool ipc_owner(struct task *t, const struct ipc_obj *o);
/* IPC_SET of uid, gid and the permission bits. */
void ipc_set_perm(struct ipc_obj *o, const struct ipc_perm *p);

/*
 * The shared part of *get: the id of the object with @key (checking
 * IPC_EXCL, the access the mode bits of @flags ask for and @fits), or a new
 * one made by @make when the key is IPC_PRIVATE or unknown with IPC_CREAT.
 */
int64_t ipc_get(struct task *t, enum ipc_kind kind, int32_t key, int flags,
		int (*fits)(struct ipc_obj *o, void *ctx),
		int (*make)(struct ipc_ns *ns, struct task *t, int32_t key, int flags, void *ctx),
		void *ctx);

/* Wait on ns->cond (locked) until a change, CLOCK_MONOTONIC @deadline
 * (UINT64_MAX: none) or a signal: 0, -ETIMEDOUT (deadline passed),
 * -EINTR (a signal, or the task must stop) or, for an untimed wait that
 * only a checkpoint interrupted, -ERESTARTNOINTR (the call restarts). */
int ipc_wait(struct ipc_ns *ns, struct task *t, uint64_t deadline);

uint64_t ipc_now_mono(void);
time_t ipc_now(void);

/* Per-kind frees for ipc_ns_free. */
void ipc_shm_free(struct ipc_obj *o);
void ipc_sem_free(struct ipc_ns *ns, struct ipc_obj *o);
void ipc_msg_free(struct ipc_obj *o);
/* Segments removed while attached whose last attachment has gone. */
void ipc_shm_sweep(struct ipc_ns *ns);

/* Checkpoint (ckpt_shm.c), ns locked: ipc_shm_ckpt_get reads the segment
 * in @slot (@mem borrowed), -ENOENT for none; ipc_shm_ckpt_add puts one in
 * its saved slot (taking a new reference to @mem), -EEXIST if taken. */
struct ipc_shm_ckpt {
	struct ipc_perm perm;
	int id;
	time_t ctime, atime, dtime;
	uint64_t size;
	struct mm_shm *mem;
	int32_t cpid, lpid;
};
int ipc_shm_ckpt_get(struct ipc_ns *ns, int slot, struct ipc_shm_ckpt *out);
int ipc_shm_ckpt_add(struct ipc_ns *ns, const struct ipc_shm_ckpt *in);

/* Message queues (ckpt_ipc.c), ns locked: ipc_msg_ckpt_get reads the queue
 * in @slot (-ENOENT: none) and gives each message to @msg in queue order
 * (its error stops the walk); ipc_msg_ckpt_add makes an empty queue in its
 * saved slot (-EEXIST if taken), ipc_msg_ckpt_push appends a message to it
 * (@data copied; no limit is checked: the image reader did). */
#define IPC_MSG_MAX 8192             /* MSGMAX: the largest message */
#define IPC_MSG_QBYTES_HARD (16u << 20) /* the most a queue may hold */
struct ipc_msg_ckpt {
	struct ipc_perm perm;
	int id;
	time_t ctime, stime, rtime;
	uint64_t qbytes, qnum;
	int32_t lspid, lrpid;
};
int ipc_msg_ckpt_get(struct ipc_ns *ns, int slot, struct ipc_msg_ckpt *out,
		     int (*msg)(void *ctx, long type, const void *data, size_t len), void *ctx);
int ipc_msg_ckpt_add(struct ipc_ns *ns, const struct ipc_msg_ckpt *in);
int ipc_msg_ckpt_push(struct ipc_ns *ns, int id, long type, const void *data, size_t len);

/* Semaphore sets (ckpt_ipc.c), ns locked: ipc_sem_ckpt_get reads the set in
 * @slot (-ENOENT: none) with its values and pids when @vals/@pids are not
 * NULL (out->nsems entries each); ipc_sem_ckpt_add makes it again in its
 * slot (-EEXIST if taken); ipc_sem_ckpt_undos gives every SEM_UNDO record
 * to @fn, ipc_sem_ckpt_add_undo adds one (the set must exist, with @nsems
 * semaphores). */
#define IPC_SEM_MSL 32000 /* SEMMSL */
#define IPC_SEM_VMX 32767 /* SEMVMX */
struct ipc_sem_ckpt {
	struct ipc_perm perm;
	int id, nsems;
	time_t ctime, otime;
};
int ipc_sem_ckpt_get(struct ipc_ns *ns, int slot, struct ipc_sem_ckpt *out, int32_t *vals,
		     int32_t *pids);
int ipc_sem_ckpt_add(struct ipc_ns *ns, const struct ipc_sem_ckpt *in, const int32_t *vals,
		     const int32_t *pids);
int ipc_sem_ckpt_undos(struct ipc_ns *ns,
		       int (*fn)(void *ctx, int32_t tgid, int semid, const int *adj, int nsems),
		       void *ctx);
int ipc_sem_ckpt_add_undo(struct ipc_ns *ns, int32_t tgid, int semid, const int32_t *adj,
			  int nsems);

#endif
