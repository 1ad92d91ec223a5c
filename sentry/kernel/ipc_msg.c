/* SPDX-License-Identifier: Apache-2.0 */
/* System V message queues: msgget, msgsnd, msgrcv, msgctl (ipc.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>

#include "ipc_impl.h"
#include "lib/macro.h"
#include "task.h"

#define MSG_MAX IPC_MSG_MAX /* MSGMAX: largest message */
#define MSG_MNB 16384 /* MSGMNB: default queue size in bytes */
/* The most even root may let a queue hold: its messages are Sentry memory. */
#define MSG_QBYTES_HARD IPC_MSG_QBYTES_HARD

struct msg_item {
	struct msg_item *next;
	long type;
	size_t len;
	char data[];
};

struct ipc_msq {
	struct ipc_obj o; /* first */
	struct msg_item *head, **tail;
	size_t cbytes, qnum, qbytes;
	time_t stime, rtime;
	int32_t lspid, lrpid;
};

static struct ipc_msq *msq_of(struct ipc_obj *o)
{
	return (struct ipc_msq *)o;
}

void ipc_msg_free(struct ipc_obj *o)
{
	struct ipc_msq *q = msq_of(o);

	while (q->head) {
		struct msg_item *m = q->head;

		q->head = m->next;
		free(m);
	}
	free(q);
}

static int msq_make(struct ipc_ns *ns, struct task *t, int32_t key, int flags, void *ctx)
{
	struct ipc_msq *q = calloc(1, sizeof(*q));
	int r;

	(void)ctx;
	if (!q)
		return -ENOMEM;
	q->tail = &q->head;
	q->qbytes = MSG_MNB;
	r = ipc_add(ns, t, &q->o, IPC_K_MSG, key, flags);
	if (r < 0) {
		free(q);
		return r;
	}
	return q->o.id;
}

int64_t ipc_msgget(struct task *t, int32_t key, int flags)
{
	return ipc_get(t, IPC_K_MSG, key, flags, NULL, msq_make, NULL);
}

int64_t ipc_msgsnd(struct task *t, int id, uint64_t msgp, uint64_t size, int flags)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct msg_item *m;
	int64_t r;

	if (id < 0 || (int64_t)size < 0 || size > MSG_MAX)
		return -EINVAL;
	m = malloc(sizeof(*m) + size);
	if (!m)
		return -ENOMEM;
	if (task_copy_in(t, msgp, &m->type, sizeof(m->type)) != sizeof(m->type) ||
	    (size && task_copy_in(t, msgp + sizeof(long), m->data, size) != (ssize_t)size)) {
		free(m);
		return -EFAULT;
	}
	if (m->type < 1) {
		free(m);
		return -EINVAL;
	}
	m->len = size;
	m->next = NULL;
	pthread_mutex_lock(&ns->lock);
	for (;;) {
		struct ipc_obj *o = ipc_find_id(ns, IPC_K_MSG, id);
		struct ipc_msq *q;

		if (!o) {
			r = -EINVAL;
			break;
		}
		q = msq_of(o);
		r = ipc_check(t, o, 2);
		if (r < 0)
			break;
		if (q->cbytes + size <= q->qbytes && q->qnum + 1 <= q->qbytes) {
			*q->tail = m;
			q->tail = &m->next;
			q->cbytes += size;
			q->qnum++;
			q->stime = ipc_now();
			q->lspid = t->tg->tgid;
			m = NULL;
			pthread_cond_broadcast(&ns->cond);
			r = 0;
			break;
		}
		if (flags & IPC_NOWAIT) {
			r = -EAGAIN;
			break;
		}
		r = ipc_wait(ns, t, UINT64_MAX);
		if (ipc_find_id(ns, IPC_K_MSG, id) != o) {
			r = -EIDRM;
			break;
		}
		if (r < 0)
			break;
	}
	pthread_mutex_unlock(&ns->lock);
	free(m);
	return r;
}

/* The message msgrcv(@type, @flags) takes from @q: the link pointing at it. */
static struct msg_item **pick(struct ipc_msq *q, long type, int flags)
{
	struct msg_item **best = NULL;

	for (struct msg_item **pp = &q->head; *pp; pp = &(*pp)->next) {
		long mt = (*pp)->type;

		if (type == 0)
			return pp;
		if (type > 0) {
			if ((flags & MSG_EXCEPT) ? mt != type : mt == type)
				return pp;
		} else if (mt <= -type && (!best || mt < (*best)->type)) {
			best = pp;
		}
	}
	return best;
}

int64_t ipc_msgrcv(struct task *t, int id, uint64_t msgp, uint64_t size, int64_t type, int flags)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct msg_item *m = NULL;
	int64_t r;

	if (id < 0 || (int64_t)size < 0)
		return -EINVAL;
	if (flags & MSG_COPY)
		return -ENOSYS; /* as a kernel without CONFIG_CHECKPOINT_RESTORE */
	pthread_mutex_lock(&ns->lock);
	for (;;) {
		struct ipc_obj *o = ipc_find_id(ns, IPC_K_MSG, id);
		struct msg_item **pp;
		struct ipc_msq *q;

		if (!o) {
			r = -EINVAL;
			break;
		}
		q = msq_of(o);
		r = ipc_check(t, o, 4);
		if (r < 0)
			break;
		pp = pick(q, (long)type, flags);
		if (pp) {
			m = *pp;
			if (m->len > size && !(flags & MSG_NOERROR)) {
				m = NULL;
				r = -E2BIG;
				break;
			}
			*pp = m->next;
			if (q->tail == &m->next)
				q->tail = pp;
			q->cbytes -= m->len;
			q->qnum--;
			q->rtime = ipc_now();
			q->lrpid = t->tg->tgid;
			pthread_cond_broadcast(&ns->cond);
			r = 0;
			break;
		}
		if (flags & IPC_NOWAIT) {
			r = -ENOMSG;
			break;
		}
		r = ipc_wait(ns, t, UINT64_MAX);
		if (ipc_find_id(ns, IPC_K_MSG, id) != o) {
			r = -EIDRM;
			break;
		}
		if (r < 0)
			break;
	}
	pthread_mutex_unlock(&ns->lock);
	if (!m)
		return r;
	/* Taken off the queue: a fault now loses it, as Linux. */
	size = MIN(size, (uint64_t)m->len);
	if (task_copy_out(t, msgp, &m->type, sizeof(m->type)) != sizeof(m->type) ||
	    (size && task_copy_out(t, msgp + sizeof(long), m->data, size) != (ssize_t)size))
		r = -EFAULT;
	else
		r = (int64_t)size;
	free(m);
	return r;
}

static void msq_stat(const struct ipc_msq *q, struct msqid_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ds->msg_perm = q->o.perm;
	ds->msg_stime = q->stime;
	ds->msg_rtime = q->rtime;
	ds->msg_ctime = q->o.ctime;
	ds->__msg_cbytes = q->cbytes;
	ds->msg_qnum = q->qnum;
	ds->msg_qbytes = q->qbytes;
	ds->msg_lspid = q->lspid;
	ds->msg_lrpid = q->lrpid;
}

int64_t ipc_msgctl(struct task *t, int id, int cmd, uint64_t buf)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct msqid_ds ds;
	struct ipc_obj *o;
	struct ipc_msq *q;
	int64_t r = 0;

	if (id < 0 || cmd < 0)
		return -EINVAL;
	if (cmd == IPC_SET && task_copy_in(t, buf, &ds, sizeof(ds)) != sizeof(ds))
		return -EFAULT;
	pthread_mutex_lock(&ns->lock);
	o = ipc_find_id(ns, IPC_K_MSG, id);
	if (!o) {
		r = -EINVAL;
		goto out;
	}
	q = msq_of(o);
	switch (cmd) {
	case IPC_STAT:
		r = ipc_check(t, o, 4);
		if (r == 0) {
			msq_stat(q, &ds);
			if (task_copy_out(t, buf, &ds, sizeof(ds)) != sizeof(ds))
				r = -EFAULT;
		}
		break;
	case IPC_SET:
		if (!ipc_owner(t, o)) {
			r = -EPERM;
			break;
		}
		if (ds.msg_qbytes > q->qbytes &&
		    ((ds.msg_qbytes > MSG_MNB && t->creds.euid != 0) ||
		     ds.msg_qbytes > MSG_QBYTES_HARD)) {
			r = -EPERM;
			break;
		}
		ipc_set_perm(o, &ds.msg_perm);
		q->qbytes = ds.msg_qbytes;
		pthread_cond_broadcast(&ns->cond);
		break;
	case IPC_RMID:
		if (!ipc_owner(t, o)) {
			r = -EPERM;
			break;
		}
		ipc_remove(ns, o);
		ipc_msg_free(o);
		pthread_cond_broadcast(&ns->cond);
		break;
	default:
		r = -EINVAL;
	}
out:
	pthread_mutex_unlock(&ns->lock);
	return r;
}

int ipc_msg_ckpt_get(struct ipc_ns *ns, int slot, struct ipc_msg_ckpt *out,
		     int (*msg)(void *ctx, long type, const void *data, size_t len), void *ctx)
{
	struct ipc_obj *o = slot >= 0 && slot < IPC_SLOTS ? ns->objs[IPC_K_MSG][slot] : NULL;
	struct ipc_msq *q;

	if (!o)
		return -ENOENT;
	q = msq_of(o);
	*out = (struct ipc_msg_ckpt){ .perm = o->perm, .id = o->id, .ctime = o->ctime,
				      .stime = q->stime, .rtime = q->rtime, .qbytes = q->qbytes,
				      .qnum = q->qnum, .lspid = q->lspid, .lrpid = q->lrpid };
	for (struct msg_item *m = q->head; m && msg; m = m->next) {
		int r = msg(ctx, m->type, m->data, m->len);

		if (r < 0)
			return r;
	}
	return 0;
}

int ipc_msg_ckpt_add(struct ipc_ns *ns, const struct ipc_msg_ckpt *in)
{
	int slot = in->id & ((1 << IPC_SEQ_SHIFT) - 1);
	struct ipc_msq *q;

	if (in->id < 0 || slot >= IPC_SLOTS || in->qbytes > MSG_QBYTES_HARD)
		return -EINVAL;
	if (ns->objs[IPC_K_MSG][slot])
		return -EEXIST;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->o.perm = in->perm;
	q->o.id = in->id;
	q->o.kind = IPC_K_MSG;
	q->o.ctime = in->ctime;
	q->tail = &q->head;
	q->qbytes = in->qbytes;
	q->stime = in->stime;
	q->rtime = in->rtime;
	q->lspid = in->lspid;
	q->lrpid = in->lrpid;
	ns->objs[IPC_K_MSG][slot] = &q->o;
	return 0;
}

int ipc_msg_ckpt_push(struct ipc_ns *ns, int id, long type, const void *data, size_t len)
{
	struct ipc_obj *o = ipc_find_id(ns, IPC_K_MSG, id);
	struct msg_item *m;
	struct ipc_msq *q;

	if (!o || type < 1 || len > MSG_MAX)
		return -EINVAL;
	m = malloc(sizeof(*m) + len);
	if (!m)
		return -ENOMEM;
	m->next = NULL;
	m->type = type;
	m->len = len;
	memcpy(m->data, data, len);
	q = msq_of(o);
	*q->tail = m;
	q->tail = &m->next;
	q->cbytes += len;
	q->qnum++;
	return 0;
}
