/* SPDX-License-Identifier: Apache-2.0 */
/* Process identity and exit. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
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
