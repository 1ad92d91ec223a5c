/* SPDX-License-Identifier: Apache-2.0 */
/*
 * System V IPC: shared memory segments, semaphore sets and message queues,
 * one namespace per sandbox (struct kernel.ipc).
 *
 * Objects are named by a key (IPC_PRIVATE: none) and an id; ids are
 * (sequence << 15) | slot, so a removed object's id does not name its
 * successor at once.  Permissions follow Linux's ipcperms(): owner (uid or
 * creator uid), group, other bits; euid 0 passes.
 *
 * Shared memory is a Sentry memfd (struct mm_shm) mapped MAP_SHARED into
 * each attaching address space, so fork shares attachments and execve/exit
 * drop them with the address space.  shm_nattch is the number of mappings
 * holding the memory (the segment holds one reference of its own).  A
 * segment removed while attached (SHM_DEST) lives until its last detach;
 * that is noticed by the next IPC call (a sweep) rather than at munmap.
 *
 * Blocking calls (semop, msgsnd, msgrcv) sleep on the namespace's condition
 * variable, broadcast on every change; as Linux, they are never restarted
 * after a signal handler (EINTR), but an untimed one stopped only by a
 * checkpoint restarts.  SEM_UNDO adjustments are kept per
 * process (tgid) and applied by ipc_tg_exit().
 *
 * Locking: ipc_ns.lock protects everything in the namespace; it is taken
 * before an mm's lock (shmat/shmdt) and never with kernel.lock held.
 */
#ifndef CVISOR_SENTRY_KERNEL_IPC_H
#define CVISOR_SENTRY_KERNEL_IPC_H

#include <stdint.h>
#include <sys/types.h>

struct ipc_ns;
struct kernel;
struct task;

int ipc_ns_new(struct ipc_ns **ret);
/* Frees every object (no task may be left). NULL is fine. */
void ipc_ns_free(struct ipc_ns *ns);

/* Process @tgid has exited: apply and drop its SEM_UNDO adjustments. */
void ipc_tg_exit(struct kernel *k, int32_t tgid);

/* The system calls; addresses are the application's, results are guest
 * values (negative errno). */
int64_t ipc_shmget(struct task *t, int32_t key, uint64_t size, int flags);
int64_t ipc_shmat(struct task *t, int id, uint64_t addr, int flags);
int64_t ipc_shmdt(struct task *t, uint64_t addr);
int64_t ipc_shmctl(struct task *t, int id, int cmd, uint64_t buf);

int64_t ipc_semget(struct task *t, int32_t key, int nsems, int flags);
/* @timeout: the application's struct timespec (relative), 0 for none. */
int64_t ipc_semtimedop(struct task *t, int id, uint64_t sops, uint64_t nsops, uint64_t timeout);
int64_t ipc_semctl(struct task *t, int id, int num, int cmd, uint64_t arg);

int64_t ipc_msgget(struct task *t, int32_t key, int flags);
int64_t ipc_msgsnd(struct task *t, int id, uint64_t msgp, uint64_t size, int flags);
int64_t ipc_msgrcv(struct task *t, int id, uint64_t msgp, uint64_t size, int64_t type, int flags);
int64_t ipc_msgctl(struct task *t, int id, int cmd, uint64_t buf);

#endif
