/* SPDX-License-Identifier: Apache-2.0 */
/*
 * procfs internals shared by procfs.c (the tree: lookup, readdir, links)
 * and procfs_gen.c (the text of the generated files).
 */
#ifndef CVISOR_SENTRY_FS_PROCFS_IMPL_H
#define CVISOR_SENTRY_FS_PROCFS_IMPL_H

#include <stdint.h>

struct file;
struct kernel;
struct task;
struct thread_group;

enum pkind {
	PR_ROOT, PR_SELF, PR_THREAD_SELF, PR_PID, PR_PID_FILE, PR_PID_LINK, PR_FD_DIR, PR_FD_LINK,
	PR_FILE, PR_SYS, PR_SYS_KERNEL, PR_MOUNTS_LINK, PR_FDINFO_DIR, PR_FDINFO, PR_TASK_DIR,
	PR_TID, PR_NS_DIR, PR_NS_LINK, PR_SYS_VM, PR_SYS_FILE, PR_SYSFS_DIR, PR_SYSFS_FILE,
	PR_NET_DIR, PR_NET_FILE, /* /proc/net, /proc/sys/net (sentry/net/netif.h) */
};

struct pnode {
	struct kernel *k;
	enum pkind kind;
	int32_t pid;
	int fd;
	/* sysfs directories: their path under /sys ("" for /sys); PR_NET_*:
	 * the path under /proc ("net", "sys/net/core/somaxconn") */
	char name[48];
};

/* /proc/<pid>/ns/<name> -> "<name>:[<ino>]": the fixed inode of the
 * sandbox's one namespace of that kind, or 0 for no such name. */
unsigned long procfs_ns_ino(const char *name);

/* The thread group of @pid (kernel.lock held), or NULL. */
struct thread_group *procfs_tg_of(struct kernel *k, int32_t pid);
/* Any live task of @pid (kernel.lock held), or NULL. */
struct task *procfs_task_of(struct kernel *k, int32_t pid);
/* The task looking ("self"), NULL outside task threads. */
struct task *procfs_current(void);

/* Open a generated file (@p a file node): its text is made now, so the
 * reader sees one snapshot. */
int procfs_gen_open(struct pnode *p, unsigned flags, struct file **ret);

#endif
