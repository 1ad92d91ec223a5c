/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor do --rootfs DIR [--platform=systrap|ptrace] [--strace] [--cwd=DIR]
 *            [--hostname=NAME] [--overlay=memory|none] [-v|--volume HOST:DEST[:ro]]...
 *            [--tmpfs DEST[:ro]]...
 *            [--network=none|host] [--no-confine] [--init] -- CMD [ARGS...]`
 *
 * Runs one command in a fresh sandbox: a Gofer serving DIR (read-only, with
 * a tmpfs /tmp, devices in /dev and procfs in /proc on top) and a Sentry
 * whose pid 1 is CMD, looked up in the sandbox's PATH.  stdio is forwarded;
 * the exit status is CMD's, or 128 + the signal that killed it.
 * The root is writable through an overlay whose upper layer lives in the
 * Sentry's memory (nothing reaches DIR, the Gofer stays read-only);
 * --overlay=none keeps the plain read-only root (writes fail with EROFS).
 * -v HOST:DEST[:ro] bind-mounts the host directory HOST at DEST (served by
 * the same Gofer; writes reach HOST unless :ro), as `docker run -v`; the
 * options may also name nosuid, nodev, noexec (comma-separated).
 * --network: none (default) is the Sentry's loopback-only stack in an
 * empty network namespace; host gives the application host AF_INET/AF_INET6
 * sockets owned by the Sentry (docs/oci.md "Network", docs/security.md).
 * The Sentry runs confined (sentry/kernel/confine.h) unless --no-confine;
 * CVISOR_SECCOMP=log|errno makes its seccomp filter log or fail forbidden
 * host syscalls instead of killing it (debugging).
 * --init: pid 1 is cvisor-init (runtime/init/init.c, as `docker run
 * --init`), CMD is pid 2: it gets the usual default actions of the signals
 * it receives or sends itself, which pid 1 would not (docs/oci.md).
 */
#define LOG_PREFIX "cvisor do"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/macro.h"
#include "platform/platform.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/launch_opts.h"
#include "runtime/init/pid1.h"
#include "runtime/launch.h"
#include "runtime/sandbox.h"
#include "sentry/kernel/confine.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"

int cmd_do(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rootfs", required_argument, NULL, 'r' },
		{ "platform", required_argument, NULL, 'p' },
		{ "strace", no_argument, NULL, 's' },
		{ "cwd", required_argument, NULL, 'c' },
		{ "hostname", required_argument, NULL, 'H' },
		{ "debug", no_argument, NULL, 'D' },
		{ "overlay", required_argument, NULL, 'o' },
		{ "network", required_argument, NULL, 'n' },
		{ "no-confine", no_argument, NULL, 'N' },
		{ "init", no_argument, NULL, 'I' },
		{ "volume", required_argument, NULL, 'v' },
		{ "tmpfs", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	static struct launch_binds binds; /* for the life of the process */
	enum plat_kind kind = PLAT_SYSTRAP;
	enum sandbox_network net = SANDBOX_NET_NONE;
	unsigned cflags;
	struct kernel_opts kopts = { .gofer_sock = -1 };
	const char *rootfs = NULL, *cwd = "/";
	struct plat *p = NULL;
	struct kernel *k = NULL;
	struct plat_as *as = NULL;
	struct task *init = NULL;
	pid_t gofer = -1;
	int c, r, ws, status = 125, no_confine = 0, sentry_confined = 0, use_init = 0;
	const char *env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			      "HOME=/", "TERM=dumb", NULL };
	struct cli_launch_opts lo = { .kind = PLAT_SYSTRAP, .kopts = &kopts, .binds = &binds };

	while ((c = getopt_long(argc, argv, "+v:", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rootfs = optarg;
			break;
		case 'c':
			cwd = optarg;
			break;
		case 'D':
			log_set_level(LOG_LVL_DEBUG); /* e.g. unsupported syscalls */
			break;
		case 'I':
			use_init = 1;
			break;
		case 'h':
			printf("usage: cvisor do --rootfs DIR [--platform=systrap|ptrace] [--strace] "
			       "[--cwd=DIR] [--hostname=NAME] [--overlay=memory|none] "
			       "[-v HOST:DEST[:ro]]... [--tmpfs DEST[:ro]]... [--network=none|host] "
			       "[--no-confine] [--init] -- CMD [ARGS...]\n");
			return 0;
		default:
			if (cli_launch_opt(&lo, c, optarg) <= 0)
				return 2;
			break;
		}
	}
	kind = lo.kind;
	net = lo.net;
	no_confine = lo.no_confine;
	cflags = net == SANDBOX_NET_HOST ? CONFINE_HOST_NET : 0;
	kopts.net_mode = net == SANDBOX_NET_HOST ? NET_HOST : NET_NONE;
	if (!rootfs || optind >= argc) {
		log_error("usage: cvisor do --rootfs DIR [OPTIONS] -- CMD [ARGS...]");
		return 2;
	}
	r = launch_gofer(rootfs, binds.v, binds.n, &gofer);
	if (r < 0)
		return log_error_errno(r, "start the gofer for %s", rootfs), 125;
	kopts.use_gofer = 1;
	kopts.gofer_sock = r;
	kopts.binds = binds.k;
	kopts.nbinds = binds.n;
	if (!no_confine) {
		/* Below this, in the launcher: the Sentry has run and exited. */
		r = confine_spawn_sentry(cflags, &status);
		if (r != 0) {
			if (r < 0)
				log_error_errno(r, "confine the Sentry (--no-confine to debug)");
			safe_close(kopts.gofer_sock);
			kopts.gofer_sock = -1;
			goto out_gofer;
		}
		/* The Gofer is the launcher's child, in another pid namespace. */
		gofer = -1;
		sentry_confined = 1;
	}

	r = plat_open(kind, NULL, &p);
	if (r < 0) {
		log_error_errno(r, "platform");
		goto out;
	}
	r = kernel_create(p, &kopts, &k);
	if (r < 0) {
		log_error_errno(r, "boot the sandbox");
		goto out;
	}
	if (use_init) {
		/* cvisor-init looks CMD up and reports 127/126 itself */
		r = init_pid1_create(k, p, (const char *const *)argv + optind, env, &init);
	} else {
		r = plat_as_create(p, &as);
		if (r == 0)
			r = task_create_init(k, as, 0, 0, 0, 0, &init);
		if (r == 0)
			as = NULL;
	}
	if (r < 0) {
		log_error_errno(r, "create pid 1");
		goto out;
	}
	r = task_chdir(init, cwd);
	if (r < 0) {
		log_error_errno(r, "--cwd %s", cwd);
		goto out;
	}
	if (!use_init) {
		const char *cmd = argv[optind];
		char path[4096];

		/* PATH lookup for a bare name, inside the sandbox */
		r = -ENOENT;
		if (strchr(cmd, '/')) {
			r = task_exec(init, cmd, (const char *const *)argv + optind, env);
		} else {
			static const char *const dirs[] = { "/usr/local/sbin", "/usr/local/bin",
							    "/usr/sbin", "/usr/bin", "/sbin", "/bin" };

			for (size_t i = 0; i < ARRAY_SIZE(dirs) && r == -ENOENT; i++) {
				snprintf(path, sizeof(path), "%s/%s", dirs[i], cmd);
				r = task_exec(init, path, (const char *const *)argv + optind, env);
			}
		}
		if (r < 0) {
			log_error_errno(r, "%s", cmd);
			status = r == -ENOENT ? 127 : 126;
			goto out;
		}
	}
	{
		int fds[3];

		for (int i = 0; i < 3; i++)
			fds[i] = fcntl(i, F_DUPFD_CLOEXEC, 3);
		r = task_set_stdio_tty(init, fds); /* a terminal becomes pid 1's */
		if (r < 0) {
			log_error_errno(r, "stdio");
			goto out;
		}
	}
	if (!no_confine) {
		/* the last step before the first application instruction */
		r = confine_lock(confine_seccomp_mode_from_env(), cflags);
		if (r < 0) {
			log_error_errno(r, "confine the Sentry");
			goto out;
		}
	}
	r = task_start(init);
	if (r < 0) {
		log_error_errno(r, "start pid 1");
		goto out;
	}
	init = NULL;
	ws = kernel_wait_init(k);
	status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
out:
	if (init)
		task_abort(init);
	kernel_destroy(k);
	plat_as_destroy(as);
	plat_close(p);
out_gofer:
	launch_gofer_reap(gofer); /* the Gofer exits when its socket closes */
	if (sentry_confined)
		confine_exit(status); /* see confine.h */
	return status;
}
