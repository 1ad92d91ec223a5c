/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor demo [--platform=systrap|ptrace] [--strace] [--sud]
 *              [--network=none|host] GUEST [ARGS]`
 *
 * Until `cvisor do` and the server exist this is the main job: it loads a
 * static guest (read from the host, not yet through the Gofer) into a
 * confined stub and runs it as pid 1 of a Sentry kernel, which serves every
 * syscall from its table (docs/syscalls.md): what the table does not
 * implement gets ENOSYS.  Nothing the guest asks for reaches the host kernel.
 * Exits with the guest's status, or 128 + the signal that killed it.
 * The Sentry runs confined (sentry/kernel/confine.h) unless --no-confine.
 *
 * --init: pid 1 is cvisor-init (runtime/init/init.c, as `docker run
 * --init`) and the guest, executed from its path in the sandbox, is pid 2:
 * a guest that signals itself then behaves as it does natively instead of
 * enjoying pid 1's protection (what the differential guest tests need).
 */
#define LOG_PREFIX "cvisor demo"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/macro.h"
#include "platform/platform.h"
#include "runtime/cli/commands.h"
#include "runtime/init/pid1.h"
#include "runtime/sandbox.h"
#include "sentry/kernel/confine.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/mm.h"
#include "sentry/loader/loader.h"

#define MAX_IMAGE (64 << 20)

static int read_file(const char *path, uint8_t **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ uint8_t *buf = NULL;
	struct stat st;
	size_t got = 0;

	if (fd < 0 || fstat(fd, &st) < 0)
		return neg_errno();
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_IMAGE || st.st_size == 0)
		return -ENOEXEC;
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n <= 0)
			return n < 0 ? neg_errno() : -EIO;
		got += (size_t)n;
	}
	*ret = TAKE_PTR(buf);
	*ret_len = got;
	return 0;
}

int cmd_demo(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "platform", required_argument, NULL, 'p' },
		{ "strace", no_argument, NULL, 's' },
		{ "sud", no_argument, NULL, 'u' },
		{ "cwd", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'D' },
		{ "no-confine", no_argument, NULL, 'N' },
		{ "init", no_argument, NULL, 'I' },
		{ "network", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	enum plat_kind kind = PLAT_SYSTRAP;
	struct plat_opts popts = { 0 };
	_cleanup_free_ uint8_t *img = NULL;
	struct kernel_opts kopts = { 0 };
	struct kernel *k = NULL;
	struct plat *p = NULL;
	struct plat_as *as = NULL;
	struct task *init = NULL;
	struct loader_image li;
	const char *cwd = NULL;
	int c, r, ws, status = 125, no_confine = 0, sentry_confined = 0, use_init = 0;
	char guest_abs[4096];
	const char *const env[] = { "PATH=/bin", "HOME=/", NULL };
	enum sandbox_network net = SANDBOX_NET_NONE;
	unsigned cflags;
	size_t len;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (plat_kind_from_string(optarg, &kind) < 0) {
				log_error("unknown platform '%s'", optarg);
				return 2;
			}
			break;
		case 's':
			kopts.strace = 1;
			break;
		case 'u':
			popts.use_sud = 1;
			break;
		case 'c':
			cwd = optarg;
			break;
		case 'D':
			log_set_level(LOG_LVL_DEBUG); /* e.g. unsupported syscalls */
			break;
		case 'N':
			no_confine = 1; /* debugging only */
			break;
		case 'I':
			use_init = 1;
			break;
		case 'n':
			if (sandbox_network_from_string(optarg, &net) < 0) {
				log_error("--network: 'none' (default) or 'host', not '%s'", optarg);
				return 2;
			}
			break;
		case 'h':
			printf("usage: cvisor demo [--platform=systrap|ptrace] [--strace] [--sud] "
			       "[--cwd=DIR] [--network=none|host] [--no-confine] [--init] GUEST [ARGS...]\n");
			return 0;
		default:
			return 2;
		}
	}
	cflags = net == SANDBOX_NET_HOST ? CONFINE_HOST_NET : 0;
	kopts.net_mode = net == SANDBOX_NET_HOST ? NET_HOST : NET_NONE;
	if (optind >= argc) {
		log_error("missing guest program");
		return 2;
	}
	r = read_file(argv[optind], &img, &len);
	if (r < 0)
		return log_error_errno(r, "%s", argv[optind]), 2;
	if (!realpath(argv[optind], guest_abs))
		return log_error_errno(-errno, "%s", argv[optind]), 2;
	if (use_init)
		argv[optind] = guest_abs; /* cvisor-init executes it by this path */
	if (!no_confine) {
		/* Below this, in the launcher: the Sentry has run and exited. */
		r = confine_spawn_sentry(cflags, &status);
		if (r < 0)
			log_error_errno(r, "confine the Sentry (--no-confine to debug)");
		if (r != 0)
			return status;
		sentry_confined = 1;
	}
	r = plat_open(kind, &popts, &p);
	if (r < 0) {
		log_error_errno(r, "platform %s", kind == PLAT_PTRACE ? "ptrace" : "systrap");
		goto out;
	}
	r = kernel_create(p, &kopts, &k);
	if (r < 0)
		goto out;
	/* The guest is also a file of the sandbox (at its host path), so that
	 * it can execve itself. */
	if (kernel_install_file(k, guest_abs, img, len, 0755) < 0) {
		if (use_init) {
			log_error("could not install %s in the sandbox", guest_abs);
			goto out;
		}
		log_warn("could not install %s in the sandbox", guest_abs);
	}
	if (use_init) {
		r = init_pid1_create(k, p, (const char *const *)argv + optind, env, &init);
		if (r < 0) {
			log_error_errno(r, "create pid 1 (cvisor-init)");
			goto out;
		}
	} else {
		r = plat_as_create(p, &as);
		if (r < 0) {
			log_error_errno(r, "create address space");
			goto out;
		}
		r = loader_load(as, img, len, (const char *const *)argv + optind, env, &li);
		if (r < 0) {
			log_error_errno(r, "load %s", argv[optind]);
			goto out;
		}
		r = task_create_init(k, as, li.entry, li.sp, li.image_start, li.brk_start, &init);
		if (r < 0) {
			log_error_errno(r, "create pid 1");
			goto out;
		}
		as = NULL; /* owned by the thread group now */
		task_set_program(init->tg, guest_abs, (const char *const *)argv + optind);
		task_set_auxv(init->tg, li.auxv, li.auxv_n);
		/* its segments in /proc/pid/maps (no sandbox inode: it was
		 * loaded from the host) */
		(void)mm_set_image(init->tg->mm, &li, guest_abs, 0, 0);
	}
	{
		/* The guest's stdio: copies of ours, owned by the Sentry. */
		int fds[3];

		for (int i = 0; i < 3; i++)
			fds[i] = fcntl(i, F_DUPFD_CLOEXEC, 3);
		r = task_set_stdio(init, fds);
		if (r < 0) {
			log_error_errno(r, "stdio");
			goto out;
		}
	}
	if (cwd) {
		/* an empty working directory inside the sandbox */
		r = kernel_make_dir(k, cwd);
		if (r == 0)
			r = task_chdir(init, cwd);
		if (r < 0) {
			log_error_errno(r, "--cwd %s", cwd);
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
	ws = kernel_wait_init(k);
	status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
out:
	kernel_destroy(k);
	plat_as_destroy(as);
	plat_close(p);
	if (sentry_confined)
		confine_exit(status); /* see confine.h */
	return status;
}
