/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Confinement of the Sentry process: namespaces, empty root, no
 * capabilities, seccomp allow-list (see confine.h, docs/security.md).
 */
#include "sentry/kernel/confine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/macro.h"
#include "lib/secure.h"

enum confine_seccomp_mode confine_seccomp_mode_from_env(void)
{
	const char *v = getenv("CVISOR_SECCOMP");

	if (v && !strcmp(v, "log"))
		return CONFINE_SECCOMP_LOG;
	if (v && !strcmp(v, "errno"))
		return CONFINE_SECCOMP_ERRNO;
	return CONFINE_SECCOMP_KILL;
}

/* ---- stage 1: namespaces and the Sentry process ---- */

static int write_file(const char *path, const char *s)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(s);

	if (fd < 0)
		return neg_errno();
	if (write(fd, s, len) != (ssize_t)len)
		return -EIO;
	return 0;
}

/* In the ns keeper: new namespaces, the invoking ids mapped to root. */
static int enter_namespaces(unsigned flags)
{
	int ns = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int r;

	if (unshare(CLONE_NEWUSER) < 0)
		return neg_errno();
	r = write_file("/proc/self/setgroups", "deny");
	if (r < 0 && r != -ENOENT)
		return r;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	r = write_file("/proc/self/uid_map", map);
	if (r < 0)
		return r;
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	r = write_file("/proc/self/gid_map", map);
	if (r < 0)
		return r;
	/* host network mode keeps the host's network namespace: its host
	 * sockets live there (the user namespace gives no privilege over it) */
	if (!(flags & CONFINE_HOST_NET))
		ns |= CLONE_NEWNET;
	if (unshare(ns) < 0)
		return neg_errno();
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return neg_errno();
	return 0;
}

static int exit_code(int ws)
{
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	if (WIFSIGNALED(ws)) {
		if (WTERMSIG(ws) == SIGSYS) {
			static const char msg[] = "cvisor: the Sentry was killed by SIGSYS: a host "
						  "syscall outside its seccomp allow-list "
						  "(CVISOR_SECCOMP=log to find it)\n";

			(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
		}
		return 128 + WTERMSIG(ws);
	}
	return 125;
}

/* In the fork of the launcher: enter the namespaces and fork the Sentry.
 * Returns only in the Sentry; the keeper waits for it and exits with its
 * status.  @ready_fd gets one byte: 0, or the errno of a failure. */
static void ns_keeper(pid_t launcher, unsigned flags, int ready_fd)
{
	pid_t sentry;
	int r, ws;
	char c = 0;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != launcher)
		_exit(125);
	prctl(PR_SET_NAME, "cvisor-nskeep", 0, 0, 0);
	r = enter_namespaces(flags);
	if (r < 0) {
		c = (char)-r;
		(void)!write(ready_fd, &c, 1);
		_exit(125);
	}
	sentry = fork();
	if (sentry < 0) {
		c = (char)errno;
		(void)!write(ready_fd, &c, 1);
		_exit(125);
	}
	if (sentry == 0) {
		/* pid 1 of the new pid namespace; dies with the keeper */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
			_exit(125);
		prctl(PR_SET_NAME, "cvisor-sentry", 0, 0, 0);
		(void)!write(ready_fd, &c, 1);
		close(ready_fd);
		return;
	}
	/* The keeper holds nothing: the Gofer must see its socket close when
	 * the Sentry exits. */
	syscall(SYS_close_range, 3, ~0U, 0);
	while ((r = waitpid(sentry, &ws, 0)) < 0 && errno == EINTR)
		;
	_exit(r < 0 ? 125 : exit_code(ws));
}

int confine_spawn_sentry(unsigned flags, int *ret_status)
{
	pid_t launcher = getpid(), keeper;
	int pfd[2], ws, r;
	ssize_t n;
	char c;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return neg_errno();
	keeper = fork();
	if (keeper < 0) {
		r = neg_errno();
		close(pfd[0]);
		close(pfd[1]);
		return r;
	}
	if (keeper == 0) {
		close(pfd[0]);
		ns_keeper(launcher, flags, pfd[1]);
		return 0; /* the Sentry */
	}
	close(pfd[1]);
	n = read(pfd[0], &c, 1);
	close(pfd[0]);
	if (n != 1 || c != 0) {
		kill(keeper, SIGKILL);
		while (waitpid(keeper, NULL, 0) < 0 && errno == EINTR)
			;
		return n == 1 ? -(int)(unsigned char)c : -EIO;
	}
	while ((r = waitpid(keeper, &ws, 0)) < 0 && errno == EINTR)
		;
	*ret_status = r < 0 ? 125 : exit_code(ws);
	return 1;
}

/* ---- stage 2: empty root, no capabilities, seccomp ---- */

_Noreturn void confine_exit(int status)
{
	fflush(NULL);
	_exit(status);
}

int confine_lock(enum confine_seccomp_mode mode, unsigned flags)
{
	int r = sec_chroot_empty();

	if (r == 0)
		r = sec_caps_limit(0, true);
	if (r == 0)
		r = confine_seccomp_install(mode, flags);
	return r;
}
