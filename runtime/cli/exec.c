/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor exec [--process FILE] [--tty] [--console-socket SOCK] [--detach]
 *              [--cwd DIR] [--env K=V]... [--user UID[:GID]]
 *              [--additional-gids GID]... [--pid-file FILE] ID [CMD ARGS...]`
 *
 * Runs another process in a created or running container.  Without
 * --process it starts from the container's config.json process (env, cwd,
 * user) with CMD as args; flags override.  --process FILE (or "-" for
 * stdin) is an OCI process object, as runc's.  In the foreground the exit
 * code is the process's (128 + signal); --detach returns once it runs and
 * leaves a monitor (runtime/cli/container.h) that exits as the process does:
 * its pid goes to --pid-file.
 */
#define LOG_PREFIX "cvisor exec"
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/macro.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/container.h"
#include "runtime/oci/spec.h"
#include "runtime/oci/state.h"
#include "runtime/sandbox.h"

/* An OCI process object -> struct oci_spec holding it (root is a dummy). */
static int load_process_file(const char *path, struct oci_spec **ret)
{
	json_error_t jerr;
	json_t *p = strcmp(path, "-") ? json_load_file(path, 0, &jerr) : json_loadf(stdin, 0, &jerr);
	json_t *o;
	_cleanup_free_ char *text = NULL, *err = NULL;
	int r;

	if (!p) {
		log_error("--process %s: %s (line %d)", path, jerr.text, jerr.line);
		return -EINVAL;
	}
	o = json_pack("{s:s, s:o, s:{s:s}}", "ociVersion", "1.0.2", "process", p, "root", "path",
		      "rootfs");
	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!text)
		return log_error_errno(-ENOMEM, "--process");
	r = oci_spec_parse(text, strlen(text), ret, &err);
	if (r < 0)
		log_error("--process %s: %s", path, err ? err : strerror(-r));
	return r;
}

static int add_str(char ***v, const char *s)
{
	size_t n = 0;
	char **nv;

	while (*v && (*v)[n])
		n++;
	nv = realloc(*v, (n + 2) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	nv[n] = strdup(s);
	nv[n + 1] = NULL;
	*v = nv;
	return nv[n] ? 0 : -ENOMEM;
}

/* --env K=V replaces K in env, or appends. */
static int set_env(char ***env, const char *kv)
{
	size_t kl = strcspn(kv, "=");

	for (size_t i = 0; *env && (*env)[i]; i++)
		if (!strncmp((*env)[i], kv, kl) && (*env)[i][kl] == '=') {
			char *d = strdup(kv);

			if (!d)
				return -ENOMEM;
			free((*env)[i]);
			(*env)[i] = d;
			return 0;
		}
	return add_str(env, kv);
}

int cmd_exec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "tty", no_argument, NULL, 't' },
		{ "console-socket", required_argument, NULL, 's' },
		{ "detach", no_argument, NULL, 'd' },
		{ "cwd", required_argument, NULL, 'c' },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "additional-gids", required_argument, NULL, 'g' },
		{ "pid-file", required_argument, NULL, 'P' },
		{ "no-new-privs", no_argument, NULL, 'n' },
		{ "cap", required_argument, NULL, 'C' },
		{ "process-label", required_argument, NULL, 'L' },
		{ "apparmor", required_argument, NULL, 'A' },
		{ "preserve-fds", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *process_file = NULL, *console = NULL, *cwd = NULL, *user = NULL,
		   *pid_file = NULL;
	char **envs = NULL, **gids = NULL;
	int c, tty = 0, detach = 0, nnp = 0, lfd = -1, ret = 1, r;
	struct oci_state *st = NULL;
	struct oci_spec *spec = NULL;
	struct sandbox *sb = NULL;
	struct oci_process *p;
	int32_t pid = 0;

	while ((c = getopt_long(argc, argv, "+p:tdc:e:u:g:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			process_file = optarg;
			break;
		case 't':
			tty = 1;
			break;
		case 's':
			console = optarg;
			break;
		case 'd':
			detach = 1;
			break;
		case 'c':
			cwd = optarg;
			break;
		case 'e':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return cli_usage("exec", "--env: KEY=VALUE expected");
			if (add_str(&envs, optarg) < 0)
				return 1;
			break;
		case 'u':
			user = optarg;
			break;
		case 'g':
			if (add_str(&gids, optarg) < 0)
				return 1;
			break;
		case 'P':
			pid_file = optarg;
			break;
		case 'n':
			nnp = 1;
			break;
		case 'C':
		case 'L':
		case 'A':
		case 'F':
			log_debug("exec: --cap, --process-label, --apparmor, --preserve-fds are ignored (docs/oci.md)");
			break;
		case 'h':
			printf("usage: cvisor exec [--process FILE] [--tty] [--detach] [--cwd DIR] "
			       "[--env K=V] [--user UID[:GID]] [--pid-file FILE] ID [CMD ARGS...]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind >= argc)
		return cli_usage("exec", "a container id is expected");
	if (!process_file && optind + 1 >= argc)
		return cli_usage("exec", "a command (or --process FILE) is expected");
	if (cli_open(argv[optind], true, &st, &lfd) < 0)
		goto out;
	if (st->status != OCI_RUNNING && st->status != OCI_CREATED) {
		log_error("container %s is %s: cannot exec", st->id, oci_status_name(st->status));
		goto out;
	}
	if (process_file) {
		if (load_process_file(process_file, &spec) < 0)
			goto out;
	} else {
		_cleanup_free_ char *err = NULL;

		if (oci_spec_load(st->bundle, &spec, &err) < 0) {
			log_error("%s/config.json: %s", st->bundle, err ? err : "unreadable");
			goto out;
		}
		p = &spec->process;
		for (size_t i = 0; p->args && p->args[i]; i++)
			free(p->args[i]);
		free(p->args);
		p->args = NULL;
		for (int i = optind + 1; i < argc; i++)
			if (add_str(&p->args, argv[i]) < 0)
				goto out;
		p->terminal = tty;
	}
	p = &spec->process;
	if (tty)
		p->terminal = 1;
	if (cwd) {
		if (cwd[0] != '/') {
			log_error("--cwd must be absolute");
			goto out;
		}
		free(p->cwd);
		p->cwd = strdup(cwd);
	}
	for (size_t i = 0; envs && envs[i]; i++)
		if (set_env(&p->env, envs[i]) < 0)
			goto out;
	if (user) {
		unsigned uid, gid = p->gid;
		char extra;

		if (sscanf(user, "%u:%u%c", &uid, &gid, &extra) != 2 &&
		    sscanf(user, "%u%c", &uid, &extra) != 1) {
			log_error("--user: UID[:GID] (numeric), not '%s'", user);
			goto out;
		}
		p->uid = uid;
		p->gid = gid;
	}
	if (gids) {
		size_t n = 0;

		while (gids[n])
			n++;
		free(p->additional_gids);
		p->additional_gids = calloc(n + 1, sizeof(gid_t));
		if (!p->additional_gids)
			goto out;
		p->n_additional_gids = n;
		for (size_t i = 0; i < n; i++)
			p->additional_gids[i] = (gid_t)strtoul(gids[i], NULL, 10);
	}
	if (nnp)
		p->no_new_privileges = 1;
	/* the lock serialises state changes, not a long-running exec */
	close(lfd);
	lfd = -1;

	if (detach) {
		int pfd[2];
		pid_t mon;
		ssize_t n;

		/* the monitor spawns (its connection keeps the zombie) and waits */
		if (pipe2(pfd, O_CLOEXEC) < 0)
			goto out;
		mon = fork();
		if (mon < 0)
			goto out;
		if (mon == 0) {
			int status = 0, fd;

			close(pfd[0]);
			/* none of the caller's fds but stdio (the process's) and
			 * the pipe; before the attach, whose socket must stay */
			if (pfd[1] > 3)
				syscall(SYS_close_range, 3, (unsigned)pfd[1] - 1, 0);
			syscall(SYS_close_range, (unsigned)(pfd[1] < 3 ? 3 : pfd[1] + 1), ~0U, 0);
			if (sandbox_attach(st->control_path, &sb) < 0 ||
			    cli_spawn(sb, p, console, false, false, &pid) < 0)
				_exit(255);
			if (write(pfd[1], &pid, sizeof(pid)) != sizeof(pid))
				_exit(255);
			close(pfd[1]);
			fd = open("/dev/null", O_RDWR);
			if (fd >= 0) {
				dup2(fd, 0);
				dup2(fd, 1);
				dup2(fd, 2);
				if (fd > 2)
					close(fd);
			}
			setsid();
			if (cli_wait_pid(st, sb, pid, false, &status) < 0)
				status = SIGKILL;
			if (WIFSIGNALED(status)) {
				signal(WTERMSIG(status), SIG_DFL);
				kill(getpid(), WTERMSIG(status));
			}
			_exit(cli_exit_code(status));
		}
		close(pfd[1]);
		n = read(pfd[0], &pid, sizeof(pid));
		close(pfd[0]);
		if (n != sizeof(pid)) {
			waitpid(mon, NULL, 0);
			goto out; /* the monitor printed why */
		}
		if (pid_file && (r = cli_write_pid_file(pid_file, mon)) < 0) {
			log_error_errno(r, "--pid-file %s", pid_file);
			kill(mon, SIGKILL);
			goto out;
		}
		ret = 0;
		goto out;
	}
	if (cli_attach(st, &sb) < 0)
		goto out;
	if (cli_spawn(sb, p, console, false, false, &pid) < 0)
		goto out;
	if (pid_file && (r = cli_write_pid_file(pid_file, getpid())) < 0)
		log_warn_errno(r, "--pid-file %s", pid_file);
	{
		int status = 0;

		r = cli_wait_pid(st, sb, pid, true, &status);
		if (r < 0) {
			log_error_errno(r, "wait for %s", p->args[0]);
			goto out;
		}
		ret = cli_exit_code(status);
	}
out:
	if (sb)
		sandbox_close(sb);
	for (size_t i = 0; envs && envs[i]; i++)
		free(envs[i]);
	free(envs);
	for (size_t i = 0; gids && gids[i]; i++)
		free(gids[i]);
	free(gids);
	oci_spec_free(spec);
	oci_state_free(st);
	if (lfd >= 0)
		close(lfd);
	return ret;
}
