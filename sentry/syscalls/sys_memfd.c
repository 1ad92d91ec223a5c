/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memfd_create: an unlinked tmpfs file opened read-write.  Mapping it goes
 * through tmpfs's memfd (sentry/mm), so shared maps, read() and write() see
 * one copy, across fork too.  Seals are not implemented (fcntl F_ADD_SEALS).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/macro.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vnode.h"
#include "sys_internal.h"
#include "syscall_handlers.h"

#define LOG_PREFIX "sys_memfd: "
#define MFD_NAME_MAX 249 /* NAME_MAX - strlen("memfd:") */

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#define MFD_KNOWN (MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC)
#define MFD_HUGE_BITS (0x3fU << 26) /* MFD_HUGE_MASK << MFD_HUGE_SHIFT */

/* Length of the name at @addr (without its NUL), read a page at a time so
 * that a short name at the end of a mapping is fine. */
static int name_len(struct task *t, uint64_t addr)
{
	char buf[MFD_NAME_MAX + 1];
	int r = sc_copy_str(t, addr, buf, MFD_NAME_MAX, -EINVAL); /* longer: EINVAL */

	return r < 0 ? r : (int)strlen(buf);
}

int64_t sys_memfd_create(struct task *t, const uint64_t a[6])
{
	unsigned flags = (unsigned)a[1];
	struct vnode *v;
	struct file *f;
	int r;

	if (flags & ~(MFD_KNOWN | ((flags & MFD_HUGETLB) ? MFD_HUGE_BITS : 0)))
		return -EINVAL;
	if ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL))
		return -EINVAL;
	r = name_len(t, a[0]);
	if (r < 0)
		return r;
	v = tmpfs_create_unlinked((flags & MFD_NOEXEC_SEAL) ? 0666 : 0777, &t->creds);
	if (!v)
		return -ENOMEM;
	r = v->ops->open(v, O_RDWR | O_LARGEFILE, &f);
	if (r < 0) {
		vnode_put(v);
		return r;
	}
	f->path = (struct path){ .mnt = t->k->root.mnt, .v = v }; /* takes the reference */
	r = fdt_install_max(t->fdt, 0, f, !!(flags & MFD_CLOEXEC), task_fd_limit(t));
	file_put(f);
	return r;
}
