/* SPDX-License-Identifier: Apache-2.0 */
#include "secure.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"

int sec_chroot_empty(void)
{
	_cleanup_close_ int fsfd = -EBADF, mfd = -EBADF;

	fsfd = fsopen("tmpfs", FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return neg_errno();
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, "size", "4k", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "mode", "0555", 0) < 0 ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return neg_errno();
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC,
		      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mfd < 0)
		return neg_errno();
	/* chroot applies to every thread of the process: one fs_struct */
	if (fchdir(mfd) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return neg_errno();
	return 0;
}

int sec_caps_limit(uint64_t keep, bool must_bound)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { { 0 } };
	uint64_t perm, want = keep;

	if (syscall(SYS_capget, &hdr, data) < 0)
		return neg_errno();
	perm = (uint64_t)data[0].permitted | (uint64_t)data[1].permitted << 32;
	keep = want & perm;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return neg_errno();
	if (must_bound || (perm & (1ull << CAP_SETPCAP))) {
		for (unsigned long cap = 0; cap < 64; cap++) {
			if (want & (1ull << cap))
				continue;
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
				if (errno == EINVAL)
					break; /* past CAP_LAST_CAP */
				return neg_errno();
			}
		}
	}
	data[0].effective = data[0].permitted = (uint32_t)keep;
	data[1].effective = data[1].permitted = (uint32_t)(keep >> 32);
	data[0].inheritable = data[1].inheritable = 0;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return neg_errno();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return neg_errno();
	return 0;
}
