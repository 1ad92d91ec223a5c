/* SPDX-License-Identifier: Apache-2.0 */
/* System V IPC: the namespace, ids, keys and permissions (ipc.h). */
#include "ipc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_impl.h"
#include "kernel.h"
#include "lib/timeutil.h"
#include "task.h"

int ipc_ns_new(struct ipc_ns **ret)
{
	struct ipc_ns *ns = calloc(1, sizeof(*ns));
	pthread_condattr_t ca;

	if (!ns)
		return -ENOMEM;
	pthread_mutex_init(&ns->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ns->cond, &ca);
	pthread_condattr_destroy(&ca);
	*ret = ns;
	return 0;
}

void ipc_ns_free(struct ipc_ns *ns)
{
	if (!ns)
		return;
	for (int k = 0; k < IPC_NKINDS; k++)
		for (int i = 0; i < IPC_SLOTS; i++) {
			struct ipc_obj *o = ns->objs[k][i];

			if (!o)
				continue;
			ns->objs[k][i] = NULL;
			if (k == IPC_K_SHM)
				ipc_shm_free(o);
			else if (k == IPC_K_SEM)
				ipc_sem_free(ns, o);
			else
				ipc_msg_free(o);
		}
	pthread_mutex_destroy(&ns->lock);
	pthread_cond_destroy(&ns->cond);
	free(ns);
}

struct ipc_ns *ipc_ns_of(struct task *t)
{
	return t->k->ipc;
}

uint64_t ipc_now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

time_t ipc_now(void)
{
	return time(NULL);
}

struct ipc_obj *ipc_find_id(struct ipc_ns *ns, enum ipc_kind kind, int id)
{
	unsigned slot = (unsigned)id & ((1u << IPC_SEQ_SHIFT) - 1);
	struct ipc_obj *o;

	if (id < 0 || slot >= IPC_SLOTS) /* the application's number: any value */
		return NULL;
	o = ns->objs[kind][slot];
	return o && o->id == id ? o : NULL;
}

struct ipc_obj *ipc_find_key(struct ipc_ns *ns, enum ipc_kind kind, int32_t key)
{
	if (key == IPC_PRIVATE)
		return NULL;
	for (int i = 0; i < IPC_SLOTS; i++) {
		struct ipc_obj *o = ns->objs[kind][i];

		if (o && o->perm.__key == key)
			return o;
	}
	return NULL;
}

int ipc_add(struct ipc_ns *ns, struct task *t, struct ipc_obj *o, enum ipc_kind kind,
	    int32_t key, int flags)
{
	for (int i = 0; i < IPC_SLOTS; i++) {
		if (ns->objs[kind][i])
			continue;
		ns->seq = (ns->seq + 1) & 0xffff;
		o->kind = kind;
		o->id = (int)((ns->seq << IPC_SEQ_SHIFT) | (unsigned)i);
		o->perm.__key = key;
		o->perm.uid = o->perm.cuid = t->creds.euid;
		o->perm.gid = o->perm.cgid = t->creds.egid;
		o->perm.mode = (mode_t)(flags & 0777);
		o->perm.__seq = (unsigned short)ns->seq;
		o->ctime = ipc_now();
		ns->objs[kind][i] = o;
		return 0;
	}
	return -ENOSPC;
}

void ipc_remove(struct ipc_ns *ns, struct ipc_obj *o)
{
	int slot = o->id & ((1 << IPC_SEQ_SHIFT) - 1);

	if (ns->objs[o->kind][slot] == o)
		ns->objs[o->kind][slot] = NULL;
}

int ipc_check(struct task *t, const struct ipc_obj *o, int want)
{
	const struct creds *c = &t->creds;
	unsigned granted = o->perm.mode & 0777;

	if (c->euid == 0)
		return 0;
	if (c->euid == o->perm.uid || c->euid == o->perm.cuid)
		granted >>= 6;
	else if (creds_in_group(c, o->perm.gid) || creds_in_group(c, o->perm.cgid))
		granted >>= 3;
	return ((unsigned)want & ~granted & 7) ? -EACCES : 0;
}

bool ipc_owner(struct task *t, const struct ipc_obj *o)
{
	uint32_t e = t->creds.euid;

	return e == 0 || e == o->perm.uid || e == o->perm.cuid;
}

void ipc_set_perm(struct ipc_obj *o, const struct ipc_perm *p)
{
	o->perm.uid = p->uid;
	o->perm.gid = p->gid;
	o->perm.mode = (o->perm.mode & ~0777u) | (p->mode & 0777);
	o->ctime = ipc_now();
}

int64_t ipc_get(struct task *t, enum ipc_kind kind, int32_t key, int flags,
		int (*fits)(struct ipc_obj *o, void *ctx),
		int (*make)(struct ipc_ns *ns, struct task *t, int32_t key, int flags, void *ctx),
		void *ctx)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct ipc_obj *o;
	int64_t r;

	pthread_mutex_lock(&ns->lock);
	if (kind == IPC_K_SHM)
		ipc_shm_sweep(ns);
	o = ipc_find_key(ns, kind, key);
	if (!o) {
		if (key != IPC_PRIVATE && !(flags & IPC_CREAT))
			r = -ENOENT;
		else
			r = make(ns, t, key, flags, ctx);
	} else if ((flags & IPC_CREAT) && (flags & IPC_EXCL)) {
		r = -EEXIST;
	} else {
		/* the access the caller's mode bits ask for, as Linux: any of
		 * the triplets' bits, folded */
		int want = (flags | flags >> 3 | flags >> 6) & 7;

		r = ipc_check(t, o, want);
		if (r == 0 && fits)
			r = fits(o, ctx);
		if (r == 0)
			r = o->id;
	}
	pthread_mutex_unlock(&ns->lock);
	return r;
}

int ipc_wait(struct ipc_ns *ns, struct task *t, uint64_t deadline)
{
	uint64_t now = ipc_now_mono(), until;
	struct timespec ts;
	int r = task_interrupted(t, -EINTR);

	/* only a checkpoint stopped an untimed wait: restarted after it
	 * (ERESTARTNOINTR), the application never sees EINTR */
	if (r < 0)
		return r == -ERESTARTNOINTR && deadline == UINT64_MAX ? r : -EINTR;
	if (now >= deadline)
		return -ETIMEDOUT;
	until = now + 50 * 1000 * 1000ULL; /* bounds how late a signal is seen */
	if (deadline < until)
		until = deadline;
	ts.tv_sec = (time_t)(until / NSEC_PER_SEC);
	ts.tv_nsec = (long)(until % NSEC_PER_SEC);
	task_block_begin(t);
	pthread_cond_timedwait(&ns->cond, &ns->lock, &ts);
	task_block_end(t);
	return 0;
}
