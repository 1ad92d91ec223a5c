/* SPDX-License-Identifier: Apache-2.0 */
/* The System V message queue and semaphore part of img_state_check
 * (image.h): slots and keys unique, modes, queue sizes, message types and
 * sizes, set sizes and values bounded; SEM_UNDO records name a set of the
 * image (with its size) and a live process of it, once each. */
#include <errno.h>
#include <stdint.h>

#include "checkpoint/image.h"

#define IMG_IPC_SLOTS 256         /* the Sentry's IPC_SLOTS */
#define IMG_IPC_SEQ_SHIFT 15
#define IMG_MSG_MAX 8192          /* MSGMAX */
#define IMG_MSG_QBYTES_HARD (16u << 20)
#define IMG_SEM_MSL 32000         /* SEMMSL */
#define IMG_SEM_VMX 32767         /* SEMVMX */
#define IMG_SEM_UNDO_MAX 4096     /* records in an image */

static int check_sem(const ImgState *s, struct img_error *err)
{
	uint8_t seen[IMG_IPC_SLOTS] = { 0 };

	if (s->n_sysv_sem > IMG_IPC_SLOTS || s->n_sem_undo > IMG_SEM_UNDO_MAX)
		return img_fail(err, -EBADMSG, "state: too many semaphore sets or undo records");
	for (size_t i = 0; i < s->n_sysv_sem; i++) {
		const Cvisor__Ckpt__SysvSem *q = s->sysv_sem[i];
		int slot = q->id & ((1 << IMG_IPC_SEQ_SHIFT) - 1);

		if (q->id < 0 || slot >= IMG_IPC_SLOTS || seen[slot])
			return img_fail(err, -EBADMSG, "state: semaphore set %d: bad id", q->id);
		seen[slot] = 1;
		for (size_t j = 0; j < i; j++)
			if (q->key && s->sysv_sem[j]->key == q->key)
				return img_fail(err, -EBADMSG, "state: semaphore key %d twice",
						q->key);
		if ((q->mode & ~0777u) || q->seq > 0xffff || q->n_values < 1 ||
		    q->n_values > IMG_SEM_MSL || q->n_pids != q->n_values)
			return img_fail(err, -EBADMSG, "state: semaphore set %d: bad fields",
					q->id);
		for (size_t j = 0; j < q->n_values; j++)
			if (q->values[j] < 0 || q->values[j] > IMG_SEM_VMX || q->pids[j] < 0)
				return img_fail(err, -EBADMSG,
						"state: semaphore set %d: bad value", q->id);
	}
	for (size_t i = 0; i < s->n_sem_undo; i++) {
		const Cvisor__Ckpt__SemUndo *u = s->sem_undo[i];
		const Cvisor__Ckpt__SysvSem *set = NULL;
		int live = 0;

		for (size_t j = 0; j < s->n_sysv_sem; j++)
			if (s->sysv_sem[j]->id == u->semid)
				set = s->sysv_sem[j];
		for (size_t j = 0; j < s->n_groups; j++)
			live |= s->groups[j]->tgid == u->tgid && !s->groups[j]->zombie;
		if (!set || !live || u->n_adj != set->n_values)
			return img_fail(err, -EBADMSG, "state: SEM_UNDO of %d on set %d: no such "
					"process or set", u->tgid, u->semid);
		for (size_t j = 0; j < u->n_adj; j++)
			if (u->adj[j] < -IMG_SEM_VMX || u->adj[j] > IMG_SEM_VMX)
				return img_fail(err, -EBADMSG, "state: SEM_UNDO of %d: bad value",
						u->tgid);
		for (size_t j = 0; j < i; j++)
			if (s->sem_undo[j]->tgid == u->tgid && s->sem_undo[j]->semid == u->semid)
				return img_fail(err, -EBADMSG, "state: SEM_UNDO of %d on %d twice",
						u->tgid, u->semid);
	}
	return 0;
}

int img_check_sysv_ipc(const ImgState *s, struct img_error *err)
{
	uint8_t seen[IMG_IPC_SLOTS] = { 0 };
	int r = check_sem(s, err);

	if (r < 0)
		return r;

	if (s->n_sysv_msq > IMG_IPC_SLOTS)
		return img_fail(err, -EBADMSG, "state: too many message queues");
	for (size_t i = 0; i < s->n_sysv_msq; i++) {
		const Cvisor__Ckpt__SysvMsq *q = s->sysv_msq[i];
		int slot = q->id & ((1 << IMG_IPC_SEQ_SHIFT) - 1);
		uint64_t bytes = 0;

		if (q->id < 0 || slot >= IMG_IPC_SLOTS || seen[slot] ||
		    (q->id >> IMG_IPC_SEQ_SHIFT) > 0xffff)
			return img_fail(err, -EBADMSG, "state: message queue %d: bad id", q->id);
		seen[slot] = 1;
		for (size_t j = 0; j < i; j++)
			if (q->key && s->sysv_msq[j]->key == q->key)
				return img_fail(err, -EBADMSG, "state: message queue key %d twice",
						q->key);
		if ((q->mode & ~0777u) || q->seq > 0xffff || q->qbytes > IMG_MSG_QBYTES_HARD ||
		    q->n_messages > IMG_MSG_QBYTES_HARD)
			return img_fail(err, -EBADMSG, "state: message queue %d: bad fields",
					q->id);
		for (size_t j = 0; j < q->n_messages; j++) {
			const Cvisor__Ckpt__SysvMsg *m = q->messages[j];

			if (m->type < 1 || m->data.len > IMG_MSG_MAX)
				return img_fail(err, -EBADMSG,
						"state: message queue %d: bad message", q->id);
			bytes += m->data.len;
		}
		if (bytes > IMG_MSG_QBYTES_HARD)
			return img_fail(err, -EBADMSG, "state: message queue %d: too much data",
					q->id);
	}
	return 0;
}
