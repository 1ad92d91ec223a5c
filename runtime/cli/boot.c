/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor boot --rootfs DIR --control-fd N [--ready-fd N]
 *              [--platform=systrap|ptrace] [--hostname=NAME]
 *              [--overlay=memory|none] [--bind SRC:DEST[:ro]]... [--tmpfs DEST[:ro]]...
 *              [--network=none|host]
 *              [--no-confine]`
 *
 * Internal (started by sandbox_boot(), runtime/sandbox.h): the Sentry of a
 * long-lived sandbox.  Starts the Gofer for DIR, confines itself as
 * `cvisor do` does, boots the kernel without any process, writes one byte
 * to the ready fd and serves the listening control socket it was given
 * (runtime/control/server.h) until a Shutdown request.  Processes come
 * from Spawn requests; the sandbox stays up after they exit.
 */
#define LOG_PREFIX "cvisor boot"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/macro.h"
#include "platform/platform.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/launch_opts.h"
#include "runtime/control/server.h"
#include "runtime/launch.h"
#include "runtime/sandbox.h"
#include "sentry/kernel/confine.h"
#include "sentry/kernel/kernel.h"

static int parse_fd(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == 0 || *end || v < 0 || v > 1 << 20 || fcntl((int)v, F_GETFD) < 0)
		return -EBADF;
	return (int)v;
}

int cmd_boot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rootfs", required_argument, NULL, 'r' },
		{ "control-fd", required_argument, NULL, 'c' },
		{ "ready-fd", required_argument, NULL, 'R' },
		{ "platform", required_argument, NULL, 'p' },
		{ "hostname", required_argument, NULL, 'H' },
		{ "overlay", required_argument, NULL, 'o' },
		{ "network", required_argument, NULL, 'n' },
		{ "strace", no_argument, NULL, 's' },
		{ "no-confine", no_argument, NULL, 'N' },
		{ "bind", required_argument, NULL, 'b' },
		{ "tmpfs", required_argument, NULL, 'T' },
		{},
	};
	enum plat_kind kind = PLAT_SYSTRAP;
	enum sandbox_network net = SANDBOX_NET_NONE;
	unsigned cflags;
	struct kernel_opts kopts = { .gofer_sock = -1 };
	const char *rootfs = NULL;
	struct ctl_server *srv = NULL;
	struct plat *p = NULL;
	struct kernel *k = NULL;
	int c, r, status = 125, no_confine = 0, confined = 0, ctl = -1, ready = -1;
	pid_t gofer = -1;
	int gofer_ready = -1;
	static struct launch_binds binds; /* for the life of the process */
	struct cli_launch_opts lo = { .kind = PLAT_SYSTRAP, .kopts = &kopts, .binds = &binds };

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rootfs = optarg;
			break;
		case 'c':
			ctl = parse_fd(optarg);
			break;
		case 'R':
			ready = parse_fd(optarg);
			break;
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
	if (!rootfs || ctl < 0) {
		log_error("usage: cvisor boot --rootfs DIR --control-fd N [--ready-fd N] [OPTIONS]");
		return 2;
	}
	/* A host pipe given as stdio and closed by its reader must fail the
	 * write with EPIPE (the application gets its SIGPIPE from the Sentry),
	 * never kill the whole sandbox. */
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_NAME, "cvisor-boot", 0, 0, 0); /* the launcher, in ps */
	/* neither fd goes to the Gofer */
	(void)fcntl(ctl, F_SETFD, FD_CLOEXEC);
	if (ready >= 0)
		(void)fcntl(ready, F_SETFD, FD_CLOEXEC);
	/* the Gofer starts while we confine ourselves and open the platform */
	r = launch_gofer_async(rootfs, binds.v, binds.n, &gofer, &gofer_ready);
	if (r < 0)
		return log_error_errno(r, "start the gofer for %s", rootfs), 125;
	kopts.use_gofer = 1;
	kopts.gofer_sock = r;
	kopts.binds = binds.k;
	kopts.nbinds = binds.n;
	if (!no_confine) {
		r = confine_spawn_sentry(cflags, &status);
		if (r != 0) { /* the launcher: the Sentry has run and exited */
			if (r < 0)
				log_error_errno(r, "confine the Sentry (--no-confine to debug)");
			safe_close(kopts.gofer_sock);
			safe_close(ctl);
			safe_close(ready);
			safe_close(gofer_ready);
			launch_gofer_reap(gofer);
			return status;
		}
		gofer = -1; /* the launcher's child */
		confined = 1;
	}
	r = plat_open(kind, NULL, &p);
	if (r < 0) {
		log_error_errno(r, "platform");
		goto out;
	}
	r = launch_gofer_ready(gofer_ready);
	gofer_ready = -1;
	if (r < 0) {
		log_error_errno(r, "the gofer for %s did not start", rootfs);
		goto out;
	}
	r = kernel_create(p, &kopts, &k);
	if (r < 0) {
		log_error_errno(r, "boot the sandbox");
		goto out;
	}
	r = ctl_server_new(k, ctl, &srv);
	if (r < 0) {
		log_error_errno(r, "control socket");
		goto out;
	}
	if (!no_confine) {
		r = confine_lock(confine_seccomp_mode_from_env(), cflags);
		if (r < 0) {
			log_error_errno(r, "confine the Sentry");
			goto out;
		}
	}
	if (ready >= 0) {
		(void)!write(ready, "1", 1);
		safe_close(ready);
		ready = -1;
	}
	r = ctl_server_run(srv);
	if (r < 0)
		log_error_errno(r, "serve the control socket");
	status = r < 0 ? 1 : 0;
out:
	safe_close(gofer_ready);
	/* Connection threads may still hold the kernel: leave without
	 * tearing it down (the processes are gone after a Shutdown). */
	if (!confined && gofer > 0) { /* the kernel still holds its socket */
		kill(gofer, SIGKILL);
		waitpid(gofer, NULL, 0);
	}
	if (!k)
		plat_close(p);
	confine_exit(status);
}
