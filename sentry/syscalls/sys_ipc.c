/* SPDX-License-Identifier: Apache-2.0 */
/* System V IPC system calls; the objects live in sentry/kernel/ipc*.c. */
#include "sentry/kernel/ipc.h"
#include "syscall_handlers.h"

int64_t sys_shmget(struct task *t, const uint64_t a[6])
{
	return ipc_shmget(t, (int32_t)a[0], a[1], (int)a[2]);
}

int64_t sys_shmat(struct task *t, const uint64_t a[6])
{
	return ipc_shmat(t, (int)a[0], a[1], (int)a[2]);
}

int64_t sys_shmdt(struct task *t, const uint64_t a[6])
{
	return ipc_shmdt(t, a[0]);
}

int64_t sys_shmctl(struct task *t, const uint64_t a[6])
{
	return ipc_shmctl(t, (int)a[0], (int)a[1], a[2]);
}

int64_t sys_semget(struct task *t, const uint64_t a[6])
{
	return ipc_semget(t, (int32_t)a[0], (int)a[1], (int)a[2]);
}

int64_t sys_semop(struct task *t, const uint64_t a[6])
{
	return ipc_semtimedop(t, (int)a[0], a[1], a[2], 0);
}

int64_t sys_semtimedop(struct task *t, const uint64_t a[6])
{
	return ipc_semtimedop(t, (int)a[0], a[1], a[2], a[3]);
}

int64_t sys_semctl(struct task *t, const uint64_t a[6])
{
	return ipc_semctl(t, (int)a[0], (int)a[1], (int)a[2], a[3]);
}

int64_t sys_msgget(struct task *t, const uint64_t a[6])
{
	return ipc_msgget(t, (int32_t)a[0], (int)a[1]);
}

int64_t sys_msgsnd(struct task *t, const uint64_t a[6])
{
	return ipc_msgsnd(t, (int)a[0], a[1], a[2], (int)a[3]);
}

int64_t sys_msgrcv(struct task *t, const uint64_t a[6])
{
	return ipc_msgrcv(t, (int)a[0], a[1], a[2], (int64_t)a[3], (int)a[4]);
}

int64_t sys_msgctl(struct task *t, const uint64_t a[6])
{
	return ipc_msgctl(t, (int)a[0], (int)a[1], a[2]);
}
