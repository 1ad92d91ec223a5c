/* SPDX-License-Identifier: Apache-2.0 */
/* System V semaphores: semget, semop/semtimedop, semctl, SEM_UNDO (ipc.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sem.h>

#include "ipc_impl.h"
#include "kernel.h"
#include "lib/macro.h"
#include "lib/timeutil.h"
#include "task.h"

#define SEM_MSL IPC_SEM_MSL /* SEMMSL: semaphores per set */
#define SEM_OPM 500   /* SEMOPM: operations per semop */
#define SEM_VMX IPC_SEM_VMX /* SEMVMX: largest value */

struct sem_one {
	int val;
	int32_t pid;     /* last process to change it */
	int ncnt, zcnt;  /* waiting for an increase / for zero */
};

struct ipc_sem {
	struct ipc_obj o; /* first */
	int nsems;
	time_t otime;
	struct sem_one *sems;
};

/* SEM_UNDO adjustments of one process for one set. */
struct sem_undo {
	struct sem_undo *next;
	int32_t tgid;
	int semid;
	int nsems;
	int adj[]; /* per semaphore */
};

union semun_k {
	int val;
	uint64_t ptr;
};

static struct ipc_sem *sem_of(struct ipc_obj *o)
{
	return (struct ipc_sem *)o;
}

/* Drop the undo records of @semid (every process), or only the entries of
 * semaphore @num (-1: all of them are reset to zero). */
static void undo_forget(struct ipc_ns *ns, int semid, int num, bool drop)
{
	for (struct sem_undo **pp = &ns->undo; *pp;) {
		struct sem_undo *u = *pp;

		if (u->semid != semid) {
			pp = &u->next;
			continue;
		}
		if (drop) {
			*pp = u->next;
			free(u);
			continue;
		}
		for (int i = 0; i < u->nsems; i++)
			if (num < 0 || i == num)
				u->adj[i] = 0;
		pp = &u->next;
	}
}

void ipc_sem_free(struct ipc_ns *ns, struct ipc_obj *o)
{
	undo_forget(ns, o->id, -1, true);
	free(sem_of(o)->sems);
	free(o);
}

static int sem_fits(struct ipc_obj *o, void *ctx)
{
	return *(int *)ctx > sem_of(o)->nsems ? -EINVAL : 0;
}

static int sem_make(struct ipc_ns *ns, struct task *t, int32_t key, int flags, void *ctx)
{
	int nsems = *(int *)ctx;
	struct ipc_sem *s;
	int r;

	if (nsems <= 0)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->sems = calloc((size_t)nsems, sizeof(*s->sems));
	if (!s->sems) {
		free(s);
		return -ENOMEM;
	}
	s->nsems = nsems;
	r = ipc_add(ns, t, &s->o, IPC_K_SEM, key, flags);
	if (r < 0) {
		free(s->sems);
		free(s);
		return r;
	}
	return s->o.id;
}

int64_t ipc_semget(struct task *t, int32_t key, int nsems, int flags)
{
	if (nsems < 0 || nsems > SEM_MSL)
		return -EINVAL;
	return ipc_get(t, IPC_K_SEM, key, flags, sem_fits, sem_make, &nsems);
}

static struct sem_undo *undo_find(struct ipc_ns *ns, int32_t tgid, struct ipc_sem *s,
				  bool create)
{
	struct sem_undo *u;

	for (u = ns->undo; u; u = u->next)
		if (u->tgid == tgid && u->semid == s->o.id)
			return u;
	if (!create)
		return NULL;
	u = calloc(1, sizeof(*u) + (size_t)s->nsems * sizeof(int));
	if (!u)
		return NULL;
	u->tgid = tgid;
	u->semid = s->o.id;
	u->nsems = s->nsems;
	u->next = ns->undo;
	ns->undo = u;
	return u;
}

/*
 * Try @ops on @s all at once: 0 when applied, 1 when the call must wait
 * (*@block_on set to the operation that would block), else -errno.
 */
static int try_ops(struct ipc_ns *ns, struct task *t, struct ipc_sem *s, const struct sembuf *ops,
		   size_t n, size_t *block_on)
{
	struct sem_undo *u = NULL;
	int vals[SEM_OPM];

	for (size_t i = 0; i < n; i++) {
		int cur = s->sems[ops[i].sem_num].val;

		/* earlier operations in the same call on the same semaphore count */
		for (size_t j = 0; j < i; j++)
			if (ops[j].sem_num == ops[i].sem_num)
				cur = vals[j];
		if (ops[i].sem_op == 0 && cur != 0) {
			*block_on = i;
			return 1;
		}
		if (cur + ops[i].sem_op < 0) {
			*block_on = i;
			return 1;
		}
		if (cur + ops[i].sem_op > SEM_VMX)
			return -ERANGE;
		vals[i] = cur + ops[i].sem_op;
	}
	for (size_t i = 0; i < n; i++)
		if ((ops[i].sem_flg & SEM_UNDO) && ops[i].sem_op) {
			u = undo_find(ns, t->tg->tgid, s, true);
			if (!u)
				return -ENOMEM;
			/* -(adjustment) must stay representable, as Linux */
			if (u->adj[ops[i].sem_num] - ops[i].sem_op < -(SEM_VMX + 1) ||
			    u->adj[ops[i].sem_num] - ops[i].sem_op > SEM_VMX)
				return -ERANGE;
		}
	for (size_t i = 0; i < n; i++) {
		struct sem_one *one = &s->sems[ops[i].sem_num];

		one->val = vals[i];
		one->pid = t->tg->tgid;
		if ((ops[i].sem_flg & SEM_UNDO) && ops[i].sem_op)
			u->adj[ops[i].sem_num] -= ops[i].sem_op;
	}
	s->otime = ipc_now();
	pthread_cond_broadcast(&ns->cond);
	return 0;
}

int64_t ipc_semtimedop(struct task *t, int id, uint64_t usops, uint64_t nsops, uint64_t utimeout)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	struct sembuf ops[SEM_OPM];
	uint64_t deadline = UINT64_MAX;
	struct ipc_obj *o;
	bool alter = false;
	int64_t r;

	if (id < 0 || nsops == 0)
		return -EINVAL;
	if (nsops > SEM_OPM)
		return -E2BIG;
	if (task_copy_in(t, usops, ops, nsops * sizeof(ops[0])) != (ssize_t)(nsops * sizeof(ops[0])))
		return -EFAULT;
	if (utimeout) {
		struct timespec ts;

		if (task_copy_in(t, utimeout, &ts, sizeof(ts)) != sizeof(ts))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (long)NSEC_PER_SEC)
			return -EINVAL;
		deadline = ipc_now_mono() + (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	}
	for (size_t i = 0; i < nsops; i++)
		if (ops[i].sem_op)
			alter = true;
	pthread_mutex_lock(&ns->lock);
	for (;;) {
		struct ipc_sem *s;
		size_t b = 0;

		o = ipc_find_id(ns, IPC_K_SEM, id);
		if (!o) {
			r = -EINVAL;
			break;
		}
		s = sem_of(o);
		r = 0;
		for (size_t i = 0; i < nsops && r == 0; i++)
			if (ops[i].sem_num >= s->nsems)
				r = -EFBIG;
		if (r == 0)
			r = ipc_check(t, o, alter ? 2 : 4);
		if (r == 0)
			r = try_ops(ns, t, s, ops, nsops, &b);
		if (r <= 0)
			break;
		if (ops[b].sem_flg & IPC_NOWAIT) {
			r = -EAGAIN;
			break;
		}
		{
			struct sem_one *one = &s->sems[ops[b].sem_num];
			bool zero = ops[b].sem_op == 0;

			if (zero)
				one->zcnt++;
			else
				one->ncnt++;
			r = ipc_wait(ns, t, deadline);
			if (ipc_find_id(ns, IPC_K_SEM, id) != o) {
				r = -EIDRM; /* removed while waiting (o is freed) */
				break;
			}
			if (zero)
				one->zcnt--;
			else
				one->ncnt--;
		}
		if (r == -ETIMEDOUT) {
			r = -EAGAIN;
			break;
		}
		if (r < 0)
			break;
	}
	pthread_mutex_unlock(&ns->lock);
	return r;
}

static void sem_stat(const struct ipc_sem *s, struct semid_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ds->sem_perm = s->o.perm;
	ds->sem_otime = s->otime;
	ds->sem_ctime = s->o.ctime;
	ds->sem_nsems = (unsigned long)s->nsems;
}

int64_t ipc_semctl(struct task *t, int id, int num, int cmd, uint64_t arg)
{
	struct ipc_ns *ns = ipc_ns_of(t);
	union semun_k a = { .ptr = arg };
	_cleanup_free_ unsigned short *arr = NULL;
	struct semid_ds ds;
	struct ipc_obj *o;
	struct ipc_sem *s;
	int64_t r = 0;

	if (id < 0 || cmd < 0)
		return -EINVAL;
	a.val = (int)(uint32_t)arg;
	if (cmd == IPC_SET && task_copy_in(t, arg, &ds, sizeof(ds)) != sizeof(ds))
		return -EFAULT;
	pthread_mutex_lock(&ns->lock);
	o = ipc_find_id(ns, IPC_K_SEM, id);
	if (!o) {
		r = -EINVAL;
		goto out;
	}
	s = sem_of(o);
	switch (cmd) {
	case IPC_STAT:
		r = ipc_check(t, o, 4);
		if (r == 0) {
			sem_stat(s, &ds);
			if (task_copy_out(t, arg, &ds, sizeof(ds)) != sizeof(ds))
				r = -EFAULT;
		}
		break;
	case IPC_SET:
		if (!ipc_owner(t, o))
			r = -EPERM;
		else
			ipc_set_perm(o, &ds.sem_perm);
		break;
	case IPC_RMID:
		if (!ipc_owner(t, o)) {
			r = -EPERM;
			break;
		}
		ipc_remove(ns, o);
		ipc_sem_free(ns, o);
		pthread_cond_broadcast(&ns->cond); /* waiters see EIDRM */
		break;
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
		if (num < 0 || num >= s->nsems) {
			r = -EINVAL;
			break;
		}
		r = ipc_check(t, o, 4);
		if (r < 0)
			break;
		r = cmd == GETVAL    ? s->sems[num].val
		    : cmd == GETPID  ? s->sems[num].pid
		    : cmd == GETNCNT ? s->sems[num].ncnt
				     : s->sems[num].zcnt;
		break;
	case SETVAL:
		if (num < 0 || num >= s->nsems) {
			r = -EINVAL;
			break;
		}
		if (a.val < 0 || a.val > SEM_VMX) {
			r = -ERANGE;
			break;
		}
		r = ipc_check(t, o, 2);
		if (r < 0)
			break;
		s->sems[num].val = a.val;
		s->sems[num].pid = t->tg->tgid;
		undo_forget(ns, id, num, false);
		o->ctime = ipc_now();
		pthread_cond_broadcast(&ns->cond);
		break;
	case GETALL:
	case SETALL:
		r = ipc_check(t, o, cmd == GETALL ? 4 : 2);
		if (r < 0)
			break;
		arr = calloc((size_t)s->nsems, sizeof(*arr));
		if (!arr) {
			r = -ENOMEM;
			break;
		}
		if (cmd == GETALL) {
			for (int i = 0; i < s->nsems; i++)
				arr[i] = (unsigned short)s->sems[i].val;
			if (task_copy_out(t, arg, arr, (size_t)s->nsems * sizeof(*arr)) !=
			    (ssize_t)((size_t)s->nsems * sizeof(*arr)))
				r = -EFAULT;
			break;
		}
		if (task_copy_in(t, arg, arr, (size_t)s->nsems * sizeof(*arr)) !=
		    (ssize_t)((size_t)s->nsems * sizeof(*arr))) {
			r = -EFAULT;
			break;
		}
		for (int i = 0; i < s->nsems; i++)
			if (arr[i] > SEM_VMX)
				r = -ERANGE;
		if (r < 0)
			break;
		for (int i = 0; i < s->nsems; i++) {
			s->sems[i].val = arr[i];
			s->sems[i].pid = t->tg->tgid;
		}
		undo_forget(ns, id, -1, false);
		o->ctime = ipc_now();
		pthread_cond_broadcast(&ns->cond);
		break;
	default:
		r = -EINVAL;
	}
out:
	pthread_mutex_unlock(&ns->lock);
	return r;
}

void ipc_tg_exit(struct kernel *k, int32_t tgid)
{
	struct ipc_ns *ns = k->ipc;
	bool changed = false;

	if (!ns)
		return;
	pthread_mutex_lock(&ns->lock);
	for (struct sem_undo **pp = &ns->undo; *pp;) {
		struct sem_undo *u = *pp;
		struct ipc_obj *o;

		if (u->tgid != tgid) {
			pp = &u->next;
			continue;
		}
		o = ipc_find_id(ns, IPC_K_SEM, u->semid);
		if (o) {
			struct ipc_sem *s = sem_of(o);

			for (int i = 0; i < u->nsems && i < s->nsems; i++) {
				int v = s->sems[i].val + u->adj[i];

				if (!u->adj[i])
					continue;
				s->sems[i].val = v < 0 ? 0 : v > SEM_VMX ? SEM_VMX : v;
				s->sems[i].pid = tgid;
				changed = true;
			}
		}
		*pp = u->next;
		free(u);
	}
	if (changed)
		pthread_cond_broadcast(&ns->cond);
	ipc_shm_sweep(ns);
	pthread_mutex_unlock(&ns->lock);
}

int ipc_sem_ckpt_get(struct ipc_ns *ns, int slot, struct ipc_sem_ckpt *out, int32_t *vals,
		     int32_t *pids)
{
	struct ipc_obj *o = slot >= 0 && slot < IPC_SLOTS ? ns->objs[IPC_K_SEM][slot] : NULL;
	struct ipc_sem *s;

	if (!o)
		return -ENOENT;
	s = sem_of(o);
	*out = (struct ipc_sem_ckpt){ .perm = o->perm, .id = o->id, .nsems = s->nsems,
				      .ctime = o->ctime, .otime = s->otime };
	for (int i = 0; i < s->nsems; i++) {
		if (vals)
			vals[i] = s->sems[i].val;
		if (pids)
			pids[i] = s->sems[i].pid;
	}
	return 0;
}

int ipc_sem_ckpt_add(struct ipc_ns *ns, const struct ipc_sem_ckpt *in, const int32_t *vals,
		     const int32_t *pids)
{
	int slot = in->id & ((1 << IPC_SEQ_SHIFT) - 1);
	struct ipc_sem *s;

	if (in->id < 0 || slot >= IPC_SLOTS || in->nsems < 1 || in->nsems > SEM_MSL)
		return -EINVAL;
	if (ns->objs[IPC_K_SEM][slot])
		return -EEXIST;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->sems = calloc((size_t)in->nsems, sizeof(*s->sems));
	if (!s->sems) {
		free(s);
		return -ENOMEM;
	}
	s->o.perm = in->perm;
	s->o.id = in->id;
	s->o.kind = IPC_K_SEM;
	s->o.ctime = in->ctime;
	s->otime = in->otime;
	s->nsems = in->nsems;
	for (int i = 0; i < in->nsems; i++) {
		s->sems[i].val = vals[i] < 0 ? 0 : vals[i] > SEM_VMX ? SEM_VMX : vals[i];
		s->sems[i].pid = pids[i];
	}
	ns->objs[IPC_K_SEM][slot] = &s->o;
	return 0;
}

int ipc_sem_ckpt_undos(struct ipc_ns *ns,
		       int (*fn)(void *ctx, int32_t tgid, int semid, const int *adj, int nsems),
		       void *ctx)
{
	for (struct sem_undo *u = ns->undo; u; u = u->next) {
		int r = fn(ctx, u->tgid, u->semid, u->adj, u->nsems);

		if (r < 0)
			return r;
	}
	return 0;
}

int ipc_sem_ckpt_add_undo(struct ipc_ns *ns, int32_t tgid, int semid, const int32_t *adj,
			  int nsems)
{
	struct ipc_obj *o = ipc_find_id(ns, IPC_K_SEM, semid);
	struct sem_undo *u;

	if (!o || sem_of(o)->nsems != nsems)
		return -EINVAL;
	if (undo_find(ns, tgid, sem_of(o), false))
		return -EEXIST;
	u = undo_find(ns, tgid, sem_of(o), true);
	if (!u)
		return -ENOMEM;
	for (int i = 0; i < nsems; i++)
		u->adj[i] = adj[i];
	return 0;
}
