/* SPDX-License-Identifier: Apache-2.0 */
#define LOG_PREFIX "cvisor"
#include "container.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/macro.h"
#include "runtime/oci/cgroup.h"
#include "runtime/oci/console.h"
#include "runtime/oci/spec.h"
#include "runtime/oci/state.h"
#include "runtime/sandbox.h"

struct cli_globals cli = { .root = OCI_DEFAULT_ROOT, .log_fd = -1, .platform = PLAT_SYSTRAP };

int cli_usage(const char *verb, const char *msg)
{
	fprintf(stderr, "cvisor %s: %s\n", verb, msg);
	return 2;
}

int cli_exit_code(int ws)
{
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	if (WIFSIGNALED(ws))
		return 128 + WTERMSIG(ws);
	return 255;
}

int cli_parse_signal(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} names[] = {
		{ "HUP", SIGHUP },   { "INT", SIGINT },	    { "QUIT", SIGQUIT }, { "ILL", SIGILL },
		{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT },   { "IOT", SIGIOT },	 { "BUS", SIGBUS },
		{ "FPE", SIGFPE },   { "KILL", SIGKILL },   { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
		{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },   { "ALRM", SIGALRM }, { "TERM", SIGTERM },
		{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
		{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },   { "TTOU", SIGTTOU }, { "URG", SIGURG },
		{ "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
		{ "WINCH", SIGWINCH }, { "IO", SIGIO },	    { "POLL", SIGPOLL }, { "PWR", SIGPWR },
		{ "SYS", SIGSYS },
	};
	char *end;
	long n;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		n = strtol(s, &end, 10);
		if (errno || *end || n < 1 || n > 64)
			return -EINVAL;
		return (int)n;
	}
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcasecmp(s, names[i].name))
			return names[i].sig;
	if (!strncasecmp(s, "RTMIN", 5) || !strncasecmp(s, "RTMAX", 5)) {
		int base = toupper(s[4]) == 'N' ? SIGRTMIN : SIGRTMAX;

		if (!s[5])
			return base;
		n = strtol(s + 5, &end, 10);
		if (*end || base + n < SIGRTMIN || base + n > SIGRTMAX)
			return -EINVAL;
		return base + (int)n;
	}
	return -EINVAL;
}

void cli_log_ignored(char *const *ignored)
{
	for (size_t i = 0; ignored && ignored[i]; i++)
		log_debug("config.json: %s is not acted on (docs/oci.md)", ignored[i]);
}

/* Is the sandbox's host process still the one we started? */
static bool sandbox_alive(const struct oci_state *st)
{
	uint64_t t;

	if (st->sandbox_pid <= 0 || oci_pid_start_time(st->sandbox_pid, &t) < 0)
		return false;
	return !st->sandbox_start || t == st->sandbox_start;
}

static struct oci_cgroup *open_cgroup(const struct oci_state *st)
{
	struct oci_cgroup *cg = NULL;

	if (st->cgroup && oci_cgroup_open(st->cgroup, 0, &cg) < 0)
		return NULL;
	return cg;
}

/* Memory limit hit: the whole sandbox goes, pid 1 "killed". */
static void oom_stop(struct oci_state *st, struct oci_cgroup *cg)
{
	oci_cgroup_kill_all(cg);
	if (sandbox_alive(st))
		kill(st->sandbox_pid, SIGKILL);
	st->oom_killed = true;
	st->status = OCI_STOPPED;
	st->has_exit = true;
	st->exit_status = SIGKILL; /* a wait status: killed by SIGKILL */
}

bool cli_refresh(struct oci_state *st)
{
	enum oci_status old = st->status;
	bool old_exit = st->has_exit;
	struct oci_cgroup *cg;
	struct sandbox *sb = NULL;
	struct sandbox_stats ss;
	uint64_t ooms = 0;

	if (st->status == OCI_STOPPED)
		return false;
	if (!st->sandbox_pid) {
		/* a create that died before booting */
		st->status = OCI_STOPPED;
		return true;
	}
	cg = open_cgroup(st);
	if (cg && oci_cgroup_oom_kills(cg, &ooms) == 0 && ooms > 0) {
		oom_stop(st, cg);
		oci_cgroup_free(cg);
		return true;
	}
	oci_cgroup_free(cg);
	if (!sandbox_alive(st)) {
		st->status = OCI_STOPPED;
		if (!st->has_exit) {
			st->has_exit = true;
			st->exit_status = SIGKILL; /* the sandbox died under pid 1 */
		}
		return true;
	}
	if (sandbox_attach(st->control_path, &sb) < 0 || sandbox_stats(sb, &ss) < 0) {
		if (sb)
			sandbox_close(sb);
		return false; /* cannot tell: keep what was recorded */
	}
	sandbox_close(sb);
	if (ss.init_exited) {
		st->status = OCI_STOPPED;
		st->has_exit = true;
		st->exit_status = ss.init_status;
	} else if (ss.paused) {
		st->status = OCI_PAUSED;
	} else {
		st->status = st->started ? OCI_RUNNING : OCI_CREATED;
	}
	return st->status != old || st->has_exit != old_exit;
}

int cli_open(const char *id, bool lock, struct oci_state **ret, int *ret_lock)
{
	_cleanup_close_ int lfd = -EBADF;
	struct oci_state *st = NULL;
	int r;

	if (oci_id_valid(id) < 0)
		return log_error_errno(-EINVAL, "invalid container id '%s'", id);
	if (lock) {
		lfd = oci_state_lock(cli.root, id);
		if (lfd < 0) {
			if (lfd == -ENOENT)
				return log_error_errno(0, "container %s does not exist", id), -ENOENT;
			return log_error_errno(lfd, "lock container %s", id);
		}
	}
	r = oci_state_load(cli.root, id, &st);
	if (r == -ENOENT)
		return log_error_errno(0, "container %s does not exist", id), -ENOENT;
	if (r < 0)
		return log_error_errno(r, "container %s: state", id);
	if (cli_refresh(st) && lock) {
		r = oci_state_save(cli.root, st);
		if (r < 0)
			log_warn_errno(r, "container %s: save state", id);
	}
	*ret = st;
	if (ret_lock)
		*ret_lock = lock ? TAKE_FD(lfd) : -1;
	return 0;
}

int cli_attach(const struct oci_state *st, struct sandbox **ret)
{
	int r;

	if (!st->control_path)
		return log_error_errno(-ENOTCONN, "container %s has no sandbox", st->id);
	r = sandbox_attach(st->control_path, ret);
	if (r < 0)
		return log_error_errno(r, "container %s: connect to the sandbox", st->id);
	return 0;
}

int cli_write_pid_file(const char *path, pid_t pid)
{
	char tmp[PATH_MAX], buf[32];
	_cleanup_close_ int fd = -EBADF;
	int n;

	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return neg_errno();
	n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (write(fd, buf, (size_t)n) != n || rename(tmp, path) < 0) {
		int r = neg_errno();

		unlink(tmp);
		return r;
	}
	return 0;
}

int cli_spawn(struct sandbox *sb, const struct oci_process *p, const char *console_socket,
	      bool init, bool paused, int32_t *ret_pid)
{
	_cleanup_close_ int master = -EBADF, slave = -EBADF;
	_cleanup_free_ struct sandbox_rlimit *rl = NULL;
	struct sandbox_process sp = {
		.argv = (const char *const *)p->args,
		.env = (const char *const *)p->env,
		.cwd = p->cwd,
		.uid = p->uid,
		.gid = p->gid,
		.groups = p->additional_gids,
		.ngroups = p->n_additional_gids,
		.stdio = { 0, 1, 2 },
		.init = init,
		.paused = paused,
		.no_new_privs = p->no_new_privileges,
		.has_umask = p->has_umask,
		.umask = p->umask,
	};
	int r;

	if (p->n_rlimits) {
		rl = calloc(p->n_rlimits, sizeof(*rl));
		if (!rl)
			return log_error_errno(-ENOMEM, "rlimits");
		for (size_t i = 0; i < p->n_rlimits; i++)
			rl[i] = (struct sandbox_rlimit){ p->rlimits[i].resource, p->rlimits[i].soft,
							 p->rlimits[i].hard };
		sp.rlimits = rl;
		sp.nrlimits = p->n_rlimits;
	}
	if (p->terminal) {
		if (console_socket) {
			r = oci_console_open(p->console_width, p->console_height, &master, &slave);
			if (r < 0)
				return log_error_errno(r, "allocate a pty");
			r = oci_console_send(console_socket, master);
			if (r < 0)
				return log_error_errno(r, "send the console to %s", console_socket);
			sp.stdio[0] = sp.stdio[1] = sp.stdio[2] = slave;
		} else if (!isatty(0)) {
			return log_error_errno(-EINVAL, "process.terminal needs --console-socket "
						       "(or a terminal on stdin)");
		}
		sp.terminal = true;
	} else if (console_socket) {
		log_warn("--console-socket given but process.terminal is false: ignored");
	}
	if (p->has_caps)
		log_debug("process.capabilities: not applied (the sandbox boundary is the Sentry; "
			  "docs/oci.md)");
	if (p->has_oom_score_adj && !init)
		log_debug("process.oomScoreAdj: applies to the whole sandbox, set at create");
	r = sandbox_spawn(sb, &sp, ret_pid);
	if (r < 0) {
		if (r == -ENOENT || r == -EACCES || r == -ENOEXEC)
			return log_error_errno(r, "exec %s", p->args[0]);
		return log_error_errno(r, "spawn %s", p->args[0]);
	}
	return 0;
}

/* Signal forwarding for the foreground waits. */
static volatile sig_atomic_t pending_sigs; /* bit n: signal n arrived */

static void on_forward(int sig)
{
	pending_sigs |= 1 << sig;
}

static const int forward_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

int cli_wait_pid(const struct oci_state *st, struct sandbox *sb, int32_t pid, bool forward,
		 int *ret_status)
{
	struct oci_cgroup *cg = open_cgroup(st);
	int r, status = 0;

	if (forward) {
		struct sigaction sa = { .sa_handler = on_forward };

		sigemptyset(&sa.sa_mask);
		for (size_t i = 0; i < ARRAY_SIZE(forward_sigs); i++)
			sigaction(forward_sigs[i], &sa, NULL);
	}
	for (;;) {
		uint64_t ooms = 0;

		r = sandbox_wait(sb, pid, 100, &status);
		if (r != -ETIMEDOUT && r != -EINTR)
			break;
		if (forward && pending_sigs) {
			int p = pending_sigs;

			pending_sigs = 0;
			for (int s = 1; s < 31; s++)
				if (p & (1 << s))
					sandbox_kill(sb, pid, s);
		}
		if (cg && oci_cgroup_oom_kills(cg, &ooms) == 0 && ooms > 0) {
			/* the memory limit: the whole sandbox goes */
			oci_cgroup_kill_all(cg);
			r = 0;
			status = SIGKILL;
			break;
		}
	}
	if (r < 0 && cg) {
		uint64_t ooms = 0;

		/* the sandbox went away: was it the memory limit? */
		if (oci_cgroup_oom_kills(cg, &ooms) == 0 && ooms > 0) {
			r = 0;
			status = SIGKILL;
		}
	}
	oci_cgroup_free(cg);
	if (r < 0)
		return r;
	*ret_status = status;
	return 0;
}

/* Wait (up to ~2 s) for a host pid we cannot reap to be gone. */
static void wait_gone(const struct oci_state *st)
{
	for (int i = 0; i < 400 && sandbox_alive(st); i++)
		usleep(5000);
}

int cli_destroy(struct oci_state *st)
{
	struct oci_cgroup *cg = open_cgroup(st);
	struct sandbox *sb = NULL;
	int r;

	if (sandbox_alive(st)) {
		if (st->control_path && sandbox_attach(st->control_path, &sb) == 0) {
			r = sandbox_destroy(sb);
			if (r < 0)
				log_debug("container %s: shutdown: %s", st->id, strerror(-r));
		}
		wait_gone(st);
		if (sandbox_alive(st)) {
			kill(st->sandbox_pid, SIGKILL);
			wait_gone(st);
		}
	}
	if (st->pid > 0 && st->pid != st->sandbox_pid) {
		/* the monitor exits when the sandbox does; reap it if it is ours */
		waitpid(st->pid, NULL, WNOHANG);
	}
	if (cg) {
		r = oci_cgroup_destroy(cg);
		if (r < 0)
			log_warn_errno(r, "container %s: remove cgroup %s", st->id, st->cgroup);
	}
	if (st->bundle) {
		struct oci_spec *spec = NULL;
		char *err = NULL;

		/* poststop: failures are warnings, the container is gone anyway */
		if (oci_spec_load(st->bundle, &spec, &err) == 0) {
			st->status = OCI_STOPPED;
			if (cli_run_hooks(spec, OCI_HOOK_POSTSTOP, st, NULL) < 0)
				log_warn("container %s: a poststop hook failed", st->id);
		}
		free(err);
		oci_spec_free(spec);
	}
	r = oci_state_remove(cli.root, st->id);
	if (r < 0)
		return log_error_errno(r, "container %s: remove state", st->id);
	return 0;
}

int cli_freeze(int argc, char **argv, bool pause)
{
	const char *verb = pause ? "pause" : "resume";
	enum oci_status from = pause ? OCI_RUNNING : OCI_PAUSED;
	struct oci_state *st = NULL;
	struct sandbox *sb = NULL;
	int lfd = -1, r, ret = 1;

	if (argc != 2 || argv[1][0] == '-')
		return cli_usage(verb, pause ? "usage: cvisor pause ID" : "usage: cvisor resume ID");
	if (cli_open(argv[1], true, &st, &lfd) < 0)
		return 1;
	if (st->status != from) {
		log_error("container %s is %s, not %s: cannot %s", st->id,
			  oci_status_name(st->status), pause ? "running" : "paused", verb);
		goto out;
	}
	if (cli_attach(st, &sb) < 0)
		goto out;
	r = pause ? sandbox_pause(sb) : sandbox_resume(sb);
	sandbox_close(sb);
	if (r < 0) {
		log_error_errno(r, "container %s: %s", st->id, verb);
		goto out;
	}
	st->status = pause ? OCI_PAUSED : OCI_RUNNING;
	oci_state_save(cli.root, st);
	ret = 0;
out:
	oci_state_free(st);
	if (lfd >= 0)
		close(lfd);
	return ret;
}
