/* SPDX-License-Identifier: Apache-2.0 */
/*
 * System V message queues and semaphores in checkpoint images (ckpt.h).
 * Each semaphore set keeps its slot and id, key, owner, mode, times,
 * values and sempids; each process's SEM_UNDO adjustments are kept (applied
 * when it exits after restore).  semncnt/semzcnt count the threads blocked
 * in semop: those restart their calls, so the counts come back with them.
 * Each message queue keeps
 * its slot and id, key, owner, mode, times, pids and msg_qbytes, with its
 * messages (type, data) in queue order; the namespace's id sequence is
 * ckpt_shm.c's (Image.ipc_seq), so ids made after restore do not collide.
 * A thread blocked in msgrcv/msgsnd/semop at the checkpoint restarts its call
 * (ipc_wait: ERESTARTNOINTR).  The image reader checks the fields
 * (checkpoint/image_ipc.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sentry/kernel/ckpt.h"
#include "checkpoint/image.h"
#include "sentry/kernel/ipc_impl.h"

struct msq_saver {
	Cvisor__Ckpt__SysvMsq *q;
	size_t cap;
	void *(*alloc)(void *ctx, size_t n);
	void *ctx;
};

static int save_msg(void *ctx, long type, const void *data, size_t len)
{
	struct msq_saver *sv = ctx;
	Cvisor__Ckpt__SysvMsg *m;

	if (sv->q->n_messages >= sv->cap)
		return -EIO; /* the count read under the same lock: cannot happen */
	m = sv->alloc(sv->ctx, sizeof(*m));
	if (!m)
		return -ENOMEM;
	cvisor__ckpt__sysv_msg__init(m);
	m->type = type;
	m->data.len = len;
	m->data.data = sv->alloc(sv->ctx, len);
	if (!m->data.data)
		return -ENOMEM;
	memcpy(m->data.data, data, len);
	sv->q->messages[sv->q->n_messages++] = m;
	return 0;
}

int ckpt_ipc_save(struct ipc_ns *ns, struct Cvisor__Ckpt__Image *img,
		  void *(*alloc)(void *ctx, size_t n), void *ctx)
{
	int r = 0;

	pthread_mutex_lock(&ns->lock);
	for (int slot = 0; slot < IPC_SLOTS && r == 0; slot++) {
		struct msq_saver sv = { .alloc = alloc, .ctx = ctx };
		struct ipc_msg_ckpt c;
		Cvisor__Ckpt__SysvMsq *q;

		if (ipc_msg_ckpt_get(ns, slot, &c, NULL, NULL) < 0)
			continue;
		if (!img->sysv_msq && !(img->sysv_msq = alloc(ctx, IPC_SLOTS * sizeof(q)))) {
			r = -ENOMEM;
			break;
		}
		q = alloc(ctx, sizeof(*q));
		if (!q) {
			r = -ENOMEM;
			break;
		}
		cvisor__ckpt__sysv_msq__init(q);
		q->key = c.perm.__key;
		q->id = c.id;
		q->uid = c.perm.uid, q->gid = c.perm.gid;
		q->cuid = c.perm.cuid, q->cgid = c.perm.cgid;
		q->mode = c.perm.mode;
		q->seq = c.perm.__seq;
		q->qbytes = c.qbytes;
		q->stime = c.stime, q->rtime = c.rtime, q->ctime = c.ctime;
		q->lspid = c.lspid, q->lrpid = c.lrpid;
		sv.q = q;
		sv.cap = c.qnum;
		if (c.qnum && !(q->messages = alloc(ctx, c.qnum * sizeof(*q->messages)))) {
			r = -ENOMEM;
			break;
		}
		r = ipc_msg_ckpt_get(ns, slot, &c, save_msg, &sv);
		img->sysv_msq[img->n_sysv_msq++] = q;
	}
	pthread_mutex_unlock(&ns->lock);
	return r;
}

struct undo_saver {
	Cvisor__Ckpt__Image *img;
	size_t cap;
	void *(*alloc)(void *ctx, size_t n);
	void *ctx;
};

static int save_undo(void *ctx, int32_t tgid, int semid, const int *adj, int nsems)
{
	struct undo_saver *sv = ctx;
	Cvisor__Ckpt__SemUndo *u, **nv;

	if (sv->img->n_sem_undo == sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 16;
		nv = sv->alloc(sv->ctx, sv->cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		if (sv->img->n_sem_undo)
			memcpy(nv, sv->img->sem_undo, sv->img->n_sem_undo * sizeof(*nv));
		sv->img->sem_undo = nv;
	}
	u = sv->alloc(sv->ctx, sizeof(*u));
	if (!u)
		return -ENOMEM;
	cvisor__ckpt__sem_undo__init(u);
	u->tgid = tgid;
	u->semid = semid;
	u->n_adj = (size_t)nsems;
	u->adj = sv->alloc(sv->ctx, (size_t)nsems * sizeof(*u->adj));
	if (!u->adj)
		return -ENOMEM;
	for (int i = 0; i < nsems; i++)
		u->adj[i] = adj[i];
	sv->img->sem_undo[sv->img->n_sem_undo++] = u;
	return 0;
}

int ckpt_ipc_save_sem(struct ipc_ns *ns, struct Cvisor__Ckpt__Image *img,
		      void *(*alloc)(void *ctx, size_t n), void *ctx)
{
	struct undo_saver us = { .img = img, .alloc = alloc, .ctx = ctx };
	int r = 0;

	pthread_mutex_lock(&ns->lock);
	for (int slot = 0; slot < IPC_SLOTS && r == 0; slot++) {
		struct ipc_sem_ckpt c;
		Cvisor__Ckpt__SysvSem *q;

		if (ipc_sem_ckpt_get(ns, slot, &c, NULL, NULL) < 0)
			continue;
		if (!img->sysv_sem && !(img->sysv_sem = alloc(ctx, IPC_SLOTS * sizeof(q)))) {
			r = -ENOMEM;
			break;
		}
		q = alloc(ctx, sizeof(*q));
		if (!q) {
			r = -ENOMEM;
			break;
		}
		cvisor__ckpt__sysv_sem__init(q);
		q->key = c.perm.__key;
		q->id = c.id;
		q->uid = c.perm.uid, q->gid = c.perm.gid;
		q->cuid = c.perm.cuid, q->cgid = c.perm.cgid;
		q->mode = c.perm.mode;
		q->seq = c.perm.__seq;
		q->otime = c.otime, q->ctime = c.ctime;
		q->n_values = q->n_pids = (size_t)c.nsems;
		q->values = alloc(ctx, (size_t)c.nsems * sizeof(int32_t));
		q->pids = alloc(ctx, (size_t)c.nsems * sizeof(int32_t));
		if (!q->values || !q->pids) {
			r = -ENOMEM;
			break;
		}
		ipc_sem_ckpt_get(ns, slot, &c, q->values, q->pids);
		img->sysv_sem[img->n_sysv_sem++] = q;
	}
	if (r == 0)
		r = ipc_sem_ckpt_undos(ns, save_undo, &us);
	pthread_mutex_unlock(&ns->lock);
	return r;
}

static int restore_sem(const struct Cvisor__Ckpt__Image *img, struct ipc_ns *ns, char *err,
		       size_t errlen)
{
	size_t i;
	int r = 0;

	for (i = 0; i < img->n_sysv_sem && r == 0; i++) {
		const Cvisor__Ckpt__SysvSem *g = img->sysv_sem[i];
		struct ipc_sem_ckpt c = { .id = g->id, .nsems = (int)g->n_values,
					  .ctime = g->ctime, .otime = g->otime };

		c.perm.__key = g->key;
		c.perm.uid = g->uid, c.perm.gid = g->gid;
		c.perm.cuid = g->cuid, c.perm.cgid = g->cgid;
		c.perm.mode = (unsigned short)g->mode;
		c.perm.__seq = (unsigned short)g->seq;
		r = g->n_pids == g->n_values ? ipc_sem_ckpt_add(ns, &c, g->values, g->pids)
					     : -EINVAL;
		if (r < 0)
			snprintf(err, errlen, "System V semaphore set %d: %s", g->id,
				 strerror(-r));
	}
	for (size_t j = 0; j < img->n_sem_undo && r == 0; j++) {
		const Cvisor__Ckpt__SemUndo *u = img->sem_undo[j];

		r = ipc_sem_ckpt_add_undo(ns, u->tgid, u->semid, u->adj, (int)u->n_adj);
		if (r < 0)
			snprintf(err, errlen, "SEM_UNDO of process %d on set %d: %s", u->tgid,
				 u->semid, strerror(-r));
	}
	return r;
}

/* Take out every set and queue of @img (ns locked): their slots were free
 * before the restore, so whatever is there now was put by it. */
static void remove_restored(const struct Cvisor__Ckpt__Image *img, struct ipc_ns *ns)
{
	for (size_t j = 0; j < img->n_sysv_sem; j++) {
		struct ipc_obj *o = ipc_find_id(ns, IPC_K_SEM, img->sysv_sem[j]->id);

		if (o) {
			ipc_remove(ns, o);
			ipc_sem_free(ns, o); /* and its undo records */
		}
	}
	for (size_t j = 0; j < img->n_sysv_msq; j++) {
		struct ipc_obj *o = ipc_find_id(ns, IPC_K_MSG, img->sysv_msq[j]->id);

		if (o) {
			ipc_remove(ns, o);
			ipc_msg_free(o);
		}
	}
}

void ckpt_ipc_restore_undo(const struct Cvisor__Ckpt__Image *img, struct ipc_ns *ns)
{
	pthread_mutex_lock(&ns->lock);
	remove_restored(img, ns);
	pthread_mutex_unlock(&ns->lock);
}

/* Are the slots of @img's sets and queues free in @ns (locked)? */
static int slots_free(const struct Cvisor__Ckpt__Image *img, struct ipc_ns *ns)
{
	unsigned mask = (1u << IPC_SEQ_SHIFT) - 1;

	for (size_t j = 0; j < img->n_sysv_sem; j++)
		if (ns->objs[IPC_K_SEM][(unsigned)img->sysv_sem[j]->id & mask])
			return 0;
	for (size_t j = 0; j < img->n_sysv_msq; j++)
		if (ns->objs[IPC_K_MSG][(unsigned)img->sysv_msq[j]->id & mask])
			return 0;
	return 1;
}

int ckpt_ipc_restore(const struct Cvisor__Ckpt__Image *img, struct ipc_ns *ns, char *err,
		     size_t errlen)
{
	int r = 0;

	if (!img->n_sysv_msq && !img->n_sysv_sem)
		return 0;
	pthread_mutex_lock(&ns->lock);
	if (!slots_free(img, ns)) { /* the image reader bounded the slots */
		pthread_mutex_unlock(&ns->lock);
		snprintf(err, errlen, "System V IPC: the sandbox has objects in the saved slots");
		return -EEXIST;
	}
	r = restore_sem(img, ns, err, errlen);
	for (size_t i = 0; i < img->n_sysv_msq && r == 0; i++) {
		const Cvisor__Ckpt__SysvMsq *g = img->sysv_msq[i];
		struct ipc_msg_ckpt c = { .id = g->id, .ctime = g->ctime, .stime = g->stime,
					  .rtime = g->rtime, .qbytes = g->qbytes,
					  .lspid = g->lspid, .lrpid = g->lrpid };

		c.perm.__key = g->key;
		c.perm.uid = g->uid, c.perm.gid = g->gid;
		c.perm.cuid = g->cuid, c.perm.cgid = g->cgid;
		c.perm.mode = (unsigned short)g->mode;
		c.perm.__seq = (unsigned short)g->seq;
		r = ipc_msg_ckpt_add(ns, &c);
		for (size_t j = 0; j < g->n_messages && r == 0; j++)
			r = ipc_msg_ckpt_push(ns, g->id, (long)g->messages[j]->type,
					      g->messages[j]->data.data, g->messages[j]->data.len);
		if (r < 0)
			snprintf(err, errlen, "System V message queue %d: %s", g->id,
				 strerror(-r));
	}
	if (r < 0) /* nothing is left behind */
		remove_restored(img, ns);
	else if ((img->ipc_seq & 0xffff) > ns->seq) {
		ns->seq = img->ipc_seq & 0xffff;
	}
	pthread_mutex_unlock(&ns->lock);
	return r;
}
