/* SPDX-License-Identifier: Apache-2.0 */
/* Process identity and exit. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "syscall_handlers.h"

int64_t sys_getpid(struct task *t, const uint64_t a[6])
{
	(void)a;
	return t->tg->tgid;
}

int64_t sys_gettid(struct task *t, const uint64_t a[6])
{
	(void)a;
	return t->tid;
}

int64_t sys_getuid(struct task *t, const uint64_t a[6])
{
	(void)a;
	return t->creds.ruid;
}

int64_t sys_geteuid(struct task *t, const uint64_t a[6])
{
	(void)a;
	return t->creds.euid;
}

int64_t sys_getgid(struct task *t, const uint64_t a[6])
{
	(void)a;
	return t->creds.rgid;
}

int64_t sys_getegid(struct task *t, const uint64_t a[6])
{
	(void)a;
	return t->creds.egid;
}

int64_t sys_exit(struct task *t, const uint64_t a[6])
{
	t->exit_code = (int)(a[0] & 0xff);
	pthread_mutex_lock(&t->k->lock);
	t->exited = 1;
	pthread_mutex_unlock(&t->k->lock);
	return 0;
}

int64_t sys_exit_group(struct task *t, const uint64_t a[6])
{
	task_exit_group(t, (int)((a[0] & 0xff) << 8));
	return 0;
}

int64_t sys_set_tid_address(struct task *t, const uint64_t a[6])
{
	t->clear_child_tid = a[0];
	return t->tid;
}

int64_t sys_sched_yield(struct task *t, const uint64_t a[6])
{
	(void)t;
	(void)a;
	sched_yield();
	return 0;
}

int64_t sys_uname(struct task *t, const uint64_t a[6])
{
	struct utsname u;

	memset(&u, 0, sizeof(u));
	strcpy(u.sysname, "Linux");
	snprintf(u.nodename, sizeof(u.nodename), "%s", t->k->hostname);
	strcpy(u.release, "6.1.0");
	strcpy(u.version, "#1 SMP cvisor");
	strcpy(u.machine, "x86_64");
	strcpy(u.domainname, "(none)");
	return task_copy_out(t, a[0], &u, sizeof(u)) == (ssize_t)sizeof(u) ? 0 : -EFAULT;
}

int64_t sys_arch_prctl(struct task *t, const uint64_t a[6])
{
	uint64_t v;

	switch (a[0]) {
	case 0x1001: /* ARCH_SET_GS */
	case 0x1002: /* ARCH_SET_FS */
		/* Canonical user addresses only, as Linux checks. */
		if (a[1] >= (1ULL << 47))
			return -EPERM;
		if (a[0] == 0x1002)
			t->cpu->regs.fs_base = a[1];
		else
			t->cpu->regs.gs_base = a[1];
		return 0;
	case 0x1003: /* ARCH_GET_FS */
	case 0x1004: /* ARCH_GET_GS */
		v = a[0] == 0x1003 ? t->cpu->regs.fs_base : t->cpu->regs.gs_base;
		return task_copy_out(t, a[1], &v, sizeof(v)) == sizeof(v) ? 0 : -EFAULT;
	default:
		return -EINVAL;
	}
}

int64_t sys_prctl(struct task *t, const uint64_t a[6])
{
	char name[16];

	switch ((int)a[0]) {
	case PR_SET_NAME:
		if (task_copy_in(t, a[1], name, sizeof(name)) <= 0)
			return -EFAULT;
		name[15] = 0;
		pthread_mutex_lock(&t->k->lock);
		memcpy(t->tg->comm, name, strnlen(name, 15) + 1);
		pthread_mutex_unlock(&t->k->lock);
		return 0;
	case PR_GET_NAME:
		pthread_mutex_lock(&t->k->lock);
		memcpy(name, t->tg->comm, sizeof(name));
		pthread_mutex_unlock(&t->k->lock);
		return task_copy_out(t, a[1], name, sizeof(name)) == sizeof(name) ? 0 : -EFAULT;
	case PR_SET_PDEATHSIG:
		if (a[1] > 64)
			return -EINVAL;
		pthread_mutex_lock(&t->k->lock);
		t->pdeathsig = (int)a[1]; /* sent when the parent process exits */
		pthread_mutex_unlock(&t->k->lock);
		return 0;
	case PR_SET_CHILD_SUBREAPER:
		pthread_mutex_lock(&t->k->lock);
		t->tg->child_subreaper = a[1] != 0;
		pthread_mutex_unlock(&t->k->lock);
		return 0;
	case PR_GET_CHILD_SUBREAPER: {
		int v;

		pthread_mutex_lock(&t->k->lock);
		v = t->tg->child_subreaper;
		pthread_mutex_unlock(&t->k->lock);
		return task_copy_out(t, a[1], &v, sizeof(v)) == sizeof(v) ? 0 : -EFAULT;
	}
	case PR_GET_PDEATHSIG:
		return task_copy_out(t, a[1], &t->pdeathsig, sizeof(int)) == sizeof(int) ? 0 : -EFAULT;
	case PR_GET_DUMPABLE:
		return 1;
	case PR_SET_DUMPABLE:
		return a[1] <= 1 ? 0 : -EINVAL;
	case PR_SET_NO_NEW_PRIVS:
		if (a[1] != 1 || a[2] || a[3] || a[4])
			return -EINVAL;
		t->no_new_privs = 1;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		return t->no_new_privs;
	case PR_CAPBSET_READ:
		return a[1] <= 40 ? (t->creds.euid == 0) : -EINVAL;
	case PR_GET_TIMERSLACK:
		return 50000;
	case PR_SET_TIMERSLACK:
		return 0;
	default:
		return -EINVAL;
	}
}
