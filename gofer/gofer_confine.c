/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Confinement of the Gofer process (see docs/security-gofer.md):
 *  1. namespaces: new mount, IPC, UTS and network namespaces; the Gofer then
 *     chroots into an empty, read-only, detached tmpfs: it has no path to
 *     any file, only the export fds opened before;
 *  2. capabilities: only those needed to serve files on behalf of the
 *     Sentry (chown, dac_override, dac_read_search, fowner, fsetid) remain;
 *     the bounding and ambient sets are cleared, no_new_privs is set;
 *  3. seccomp: an allow-list of the syscalls the server makes; anything
 *     else kills the process.
 */
#include "gofer/gofer_server.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "gofer/gofer_int.h"
#include "lib/macro.h"
#include "lib/secure.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static int confine_ns(void)
{
	if (unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET) < 0)
		return neg_errno();
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return neg_errno();
	return sec_chroot_empty();
}

#define GOFER_CAPS                                                                                 \
	((1ull << CAP_CHOWN) | (1ull << CAP_DAC_OVERRIDE) | (1ull << CAP_DAC_READ_SEARCH) |        \
	 (1ull << CAP_FOWNER) | (1ull << CAP_FSETID))

static int confine_caps(void)
{
	return sec_caps_limit(GOFER_CAPS, false);
}

/* The allow-list; keep docs/security-gofer.md in sync. */
static const int gofer_syscalls[] = {
    /* serving files */
    SCMP_SYS(openat),
    SCMP_SYS(openat2),
    SCMP_SYS(close),
    SCMP_SYS(fstat),
    SCMP_SYS(newfstatat),
    SCMP_SYS(statx),
    SCMP_SYS(fstatfs),
    SCMP_SYS(getdents64),
    SCMP_SYS(lseek),
    SCMP_SYS(pread64),
    SCMP_SYS(pwrite64),
    SCMP_SYS(read),
    SCMP_SYS(write),
    SCMP_SYS(readv),
    SCMP_SYS(writev),
    SCMP_SYS(readlinkat),
    SCMP_SYS(mkdirat),
    SCMP_SYS(mknodat),
    SCMP_SYS(symlinkat),
    SCMP_SYS(linkat),
    SCMP_SYS(renameat),
    SCMP_SYS(renameat2),
    SCMP_SYS(unlinkat),
    SCMP_SYS(fchownat),
    SCMP_SYS(utimensat),
    SCMP_SYS(ftruncate),
    SCMP_SYS(fsync),
    SCMP_SYS(fdatasync),
    /* the 9P socket */
    SCMP_SYS(recvfrom),
    SCMP_SYS(recvmsg),
    SCMP_SYS(sendto),
    SCMP_SYS(sendmsg),
    SCMP_SYS(accept4),
    SCMP_SYS(shutdown),
    /* threads, memory, time, exit */
    SCMP_SYS(futex),
    SCMP_SYS(set_robust_list),
    SCMP_SYS(rseq),
    SCMP_SYS(mmap),
    SCMP_SYS(munmap),
    SCMP_SYS(mprotect),
    SCMP_SYS(madvise),
    SCMP_SYS(mremap),
    SCMP_SYS(brk),
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(rt_sigaction),
    SCMP_SYS(sigaltstack),
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(sched_yield),
    SCMP_SYS(sched_getaffinity),
    SCMP_SYS(clock_gettime),
    SCMP_SYS(clock_nanosleep),
    SCMP_SYS(nanosleep),
    SCMP_SYS(getpid),
    SCMP_SYS(gettid),
    SCMP_SYS(tgkill),
    SCMP_SYS(getrandom),
    SCMP_SYS(restart_syscall),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
};

static int confine_seccomp(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int r = 0;

	if (!ctx)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(gofer_syscalls) && r == 0; i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, gofer_syscalls[i], 0);
	/* fchmodat2 (Linux 6.6) may be unknown to libseccomp: add it by number. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SYS_fchmodat2, 0);
	/* fcntl: only the commands the server uses. */
	static const int fcntl_cmds[] = {F_GETFL,	  F_SETFL,     F_GETFD,	   F_SETFD,
					 F_DUPFD_CLOEXEC, F_OFD_SETLK, F_OFD_GETLK};
	for (size_t i = 0; i < ARRAY_SIZE(fcntl_cmds) && r == 0; i++) {
		struct scmp_arg_cmp cmp = {.arg = 1,
					   .op = SCMP_CMP_EQ,
					   .datum_a = (scmp_datum_t)fcntl_cmds[i],
					   .datum_b = 0};

		r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(fcntl), 1, &cmp);
	}
	/* Threads only (no new processes); clone3 hides its flags: make glibc fall back. */
	if (r == 0) {
		struct scmp_arg_cmp cmp = {.arg = 0,
					   .op = SCMP_CMP_MASKED_EQ,
					   .datum_a = CLONE_THREAD,
					   .datum_b = CLONE_THREAD};

		r = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1, &cmp);
	}
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

int gofer_server_confine(struct gofer_server *s, unsigned flags)
{
	int r;

	(void)s;
	if (flags & GOFER_CONFINE_NS) {
		r = confine_ns();
		if (r < 0)
			return r;
	}
	if (flags & GOFER_CONFINE_CAPS) {
		r = confine_caps();
		if (r < 0)
			return r;
	}
	if (flags & GOFER_CONFINE_SECCOMP) {
		r = confine_seccomp();
		if (r < 0)
			return r;
	}
	return 0;
}
