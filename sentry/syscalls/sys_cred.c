/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Credentials with Linux's rules: uid 0 may set anything; others may only
 * move between their real, effective and saved ids.  The fs ids follow the
 * effective ids.  Capabilities follow the uid change rules of a root that
 * keeps no capabilities when leaving uid 0 (no SECBIT_KEEP_CAPS yet).
 */
#include <errno.h>
#include <string.h>

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "syscall_handlers.h"

#define NOCHANGE ((uint32_t)-1)
#define NGROUPS_MAX_LINUX 65536

static int allowed(const struct creds *c, uint32_t id, int gid)
{
	if (id == NOCHANGE)
		return 1;
	if ((gid ? c->egid : c->euid) == 0 && !gid)
		return 1;
	if (gid && c->euid == 0)
		return 1;
	return gid ? (id == c->rgid || id == c->egid || id == c->sgid)
		   : (id == c->ruid || id == c->euid || id == c->suid);
}

static int64_t setres(struct task *t, uint32_t r, uint32_t e, uint32_t s, int gid)
{
	struct creds *c = &t->creds;

	if (!allowed(c, r, gid) || !allowed(c, e, gid) || !allowed(c, s, gid))
		return -EPERM;
	pthread_mutex_lock(&t->k->lock);
	if (gid) {
		if (r != NOCHANGE)
			c->rgid = r;
		if (e != NOCHANGE)
			c->egid = c->fsgid = e;
		if (s != NOCHANGE)
			c->sgid = s;
	} else {
		if (r != NOCHANGE)
			c->ruid = r;
		if (e != NOCHANGE)
			c->euid = c->fsuid = e;
		if (s != NOCHANGE)
			c->suid = s;
	}
	pthread_mutex_unlock(&t->k->lock);
	return 0;
}

int64_t sys_setresuid(struct task *t, const uint64_t a[6])
{
	return setres(t, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2], 0);
}

int64_t sys_setresgid(struct task *t, const uint64_t a[6])
{
	return setres(t, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2], 1);
}

int64_t sys_setuid(struct task *t, const uint64_t a[6])
{
	uint32_t id = (uint32_t)a[0];

	if (id == NOCHANGE)
		return -EINVAL;
	if (t->creds.euid == 0)
		return setres(t, id, id, id, 0);
	return setres(t, NOCHANGE, id, NOCHANGE, 0);
}

int64_t sys_setgid(struct task *t, const uint64_t a[6])
{
	uint32_t id = (uint32_t)a[0];

	if (id == NOCHANGE)
		return -EINVAL;
	if (t->creds.euid == 0)
		return setres(t, id, id, id, 1);
	return setres(t, NOCHANGE, id, NOCHANGE, 1);
}

int64_t sys_setreuid(struct task *t, const uint64_t a[6])
{
	uint32_t r = (uint32_t)a[0], e = (uint32_t)a[1];
	/* the saved id follows a changed effective id or a set real id */
	uint32_t s = (r != NOCHANGE || (e != NOCHANGE && e != t->creds.ruid)) ? (e != NOCHANGE ? e : t->creds.euid)
									       : NOCHANGE;

	if (t->creds.euid != 0 && r != NOCHANGE && r != t->creds.ruid && r != t->creds.euid)
		return -EPERM;
	return setres(t, r, e, s, 0);
}

int64_t sys_setregid(struct task *t, const uint64_t a[6])
{
	uint32_t r = (uint32_t)a[0], e = (uint32_t)a[1];
	uint32_t s = (r != NOCHANGE || (e != NOCHANGE && e != t->creds.rgid)) ? (e != NOCHANGE ? e : t->creds.egid)
									       : NOCHANGE;

	if (t->creds.euid != 0 && r != NOCHANGE && r != t->creds.rgid && r != t->creds.egid)
		return -EPERM;
	return setres(t, r, e, s, 1);
}

static int64_t getres(struct task *t, const uint64_t a[6], int gid)
{
	uint32_t v[3];

	pthread_mutex_lock(&t->k->lock);
	v[0] = gid ? t->creds.rgid : t->creds.ruid;
	v[1] = gid ? t->creds.egid : t->creds.euid;
	v[2] = gid ? t->creds.sgid : t->creds.suid;
	pthread_mutex_unlock(&t->k->lock);
	for (int i = 0; i < 3; i++)
		if (task_copy_out(t, a[i], &v[i], 4) != 4)
			return -EFAULT;
	return 0;
}

int64_t sys_getresuid(struct task *t, const uint64_t a[6])
{
	return getres(t, a, 0);
}

int64_t sys_getresgid(struct task *t, const uint64_t a[6])
{
	return getres(t, a, 1);
}

/* setfsuid/setfsgid: -1 (or a forbidden id) only reads the old value. */
int64_t sys_setfsuid(struct task *t, const uint64_t a[6])
{
	uint32_t old = t->creds.fsuid, id = (uint32_t)a[0];

	if (id != NOCHANGE && (allowed(&t->creds, id, 0) || id == t->creds.fsuid))
		t->creds.fsuid = id;
	return old;
}

int64_t sys_setfsgid(struct task *t, const uint64_t a[6])
{
	uint32_t old = t->creds.fsgid, id = (uint32_t)a[0];

	if (id != NOCHANGE && (allowed(&t->creds, id, 1) || id == t->creds.fsgid))
		t->creds.fsgid = id;
	return old;
}


int64_t sys_getgroups(struct task *t, const uint64_t a[6])
{
	int n = t->creds.ngroups;

	if ((int)a[0] < 0)
		return -EINVAL;
	if (a[0] == 0)
		return n;
	if ((int)a[0] < n)
		return -EINVAL;
	return task_copy_out(t, a[1], t->creds.groups, (size_t)n * 4) == (ssize_t)n * 4 ? n : -EFAULT;
}

int64_t sys_setgroups(struct task *t, const uint64_t a[6])
{
	uint32_t g[TASK_NGROUPS];
	int n = (int)a[0];

	if (t->creds.euid != 0)
		return -EPERM;
	if (n < 0 || n > NGROUPS_MAX_LINUX)
		return -EINVAL;
	if (n > TASK_NGROUPS)
		return -ENOMEM; /* beyond what the sandbox keeps */
	if (n && task_copy_in(t, a[1], g, (size_t)n * 4) != (ssize_t)n * 4)
		return -EFAULT;
	memcpy(t->creds.groups, g, (size_t)n * 4);
	t->creds.ngroups = n;
	return 0;
}

int64_t sys_sethostname(struct task *t, const uint64_t a[6])
{
	char name[65];

	if (a[1] > 64)
		return -EINVAL;
	if (t->creds.euid != 0)
		return -EPERM;
	if (task_copy_in(t, a[0], name, a[1]) != (ssize_t)a[1])
		return -EFAULT;
	name[a[1]] = 0;
	pthread_mutex_lock(&t->k->lock);
	memcpy(t->k->hostname, name, a[1] + 1);
	pthread_mutex_unlock(&t->k->lock);
	return 0;
}
