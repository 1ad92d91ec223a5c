/* SPDX-License-Identifier: Apache-2.0 */
/* The System V message queue part of img_state_check (image.h): slots and
 * keys unique, modes, queue sizes, message types and sizes bounded. */
#include <errno.h>
#include <stdint.h>

#include "checkpoint/image.h"

#define IMG_IPC_SLOTS 256         /* the Sentry's IPC_SLOTS */
#define IMG_IPC_SEQ_SHIFT 15
#define IMG_MSG_MAX 8192          /* MSGMAX */
#define IMG_MSG_QBYTES_HARD (16u << 20)

int img_check_sysv_msq(const ImgState *s, struct img_error *err)
{
	uint8_t seen[IMG_IPC_SLOTS] = { 0 };

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
