/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client side of a sandbox's control socket (sandbox.h): launching
 * `cvisor boot`, the connection, and the process calls.  Files, stats and
 * the rest are in sandbox_calls.c.
 */
#include "runtime/sandbox.h"
#include "runtime/oci/cgroup.h"
#include "runtime/sandbox_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/fdutil.h"
#include "lib/macro.h"

int sandbox_attach(const char *control_path, struct sandbox **ret)
{
	struct sandbox *sb;
	int fd = fd_unix_connect(control_path);

	if (fd < 0)
		return fd;
	sb = calloc(1, sizeof(*sb));
	if (!sb) {
		close(fd);
		return -ENOMEM;
	}
	sb->fd = fd;
	sb->next_id = 1;
	*ret = sb;
	return 0;
}

pid_t sandbox_host_pid(const struct sandbox *sb)
{
	return sb->pid;
}

int sb_call(struct sandbox *sb, CtlRequest *q, const int *fds, size_t nfds, CtlResponse **ret)
{
	CtlResponse *p;
	void *buf = NULL;
	size_t len = 0, n = 0;
	int rfds[CTL_FRAME_MAX_FDS];
	int r;

	if (sb->fd < 0)
		return -ENOTCONN;
	q->id = sb->next_id++;
	r = ctl_send_request(sb->fd, q, fds, nfds);
	if (r < 0)
		return r;
	r = ctl_frame_recv(sb->fd, &buf, &len, rfds, &n);
	for (size_t i = 0; i < n; i++)
		close(rfds[i]); /* responses carry none */
	if (r == 0)
		return -ECONNRESET;
	if (r < 0)
		return r;
	p = cvisor__control__control_response__unpack(NULL, len, buf);
	free(buf);
	if (!p)
		return -EBADMSG;
	if (p->id != q->id && p->id != 0) {
		cvisor__control__control_response__free_unpacked(p, NULL);
		return -EPROTO;
	}
	sb->errmsg[0] = 0;
	if (p->error) {
		r = p->error > 0 && p->error < 4096 ? -p->error : -EPROTO;
		if (p->message)
			snprintf(sb->errmsg, sizeof(sb->errmsg), "%s", p->message);
		cvisor__control__control_response__free_unpacked(p, NULL);
		return r;
	}
	if (ret)
		*ret = p;
	else
		cvisor__control__control_response__free_unpacked(p, NULL);
	return 0;
}

void sb_response_free(CtlResponse *p)
{
	if (p)
		cvisor__control__control_response__free_unpacked(p, NULL);
}

int sandbox_network_from_string(const char *s, enum sandbox_network *ret)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "none"))
		*ret = SANDBOX_NET_NONE;
	else if (!strcmp(s, "host"))
		*ret = SANDBOX_NET_HOST;
	else
		return -EINVAL;
	return 0;
}

const char *sandbox_network_name(enum sandbox_network n)
{
	return n == SANDBOX_NET_HOST ? "host" : "none";
}

/* Move @fd to at least @min (async-signal-safe, after fork). */
static int fd_above(int fd, int min)
{
	return fd < 0 ? -1 : fcntl(fd, F_DUPFD, min);
}

int sandbox_boot(const struct sandbox_opts *o, struct sandbox **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *bin = o->cvisor_path ? o->cvisor_path : getenv("CVISOR_BIN");
	_cleanup_free_ const char **argv = NULL;
	_cleanup_free_ char *specs = NULL;
	int argc = 0, lfd = -1, ready[2] = { -1, -1 }, r;
	struct sandbox *sb = NULL;
	char plat[32], root[PATH_MAX], binpath[PATH_MAX];
	pid_t pid, parent;
	ssize_t n;
	char c;

	if (!o->rootfs || !o->control_path)
		return -EINVAL;
	if (strlen(o->control_path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	if (!bin)
		bin = "/proc/self/exe";
	if (o->nbinds > SANDBOX_BINDS_MAX)
		return -E2BIG;
	argv = calloc(20 + 2 * o->nbinds, sizeof(*argv));
	specs = calloc(o->nbinds ? o->nbinds : 1, 2 * PATH_MAX + 8);
	if (!argv || !specs)
		return -ENOMEM;
	strcpy(sa.sun_path, o->control_path);
	snprintf(plat, sizeof(plat), "--platform=%s", o->platform == PLAT_PTRACE ? "ptrace" : "systrap");
	argv[argc++] = "cvisor";
	argv[argc++] = "boot";
	argv[argc++] = "--rootfs";
	/* absolute: `cvisor boot` runs in / (it pins no directory) */
	if (!realpath(o->rootfs, root) || !realpath(bin, binpath))
		return neg_errno();
	bin = binpath;
	argv[argc++] = root;
	argv[argc++] = "--control-fd=3";
	argv[argc++] = "--ready-fd=4";
	argv[argc++] = plat;
	if (o->hostname) {
		argv[argc++] = "--hostname";
		argv[argc++] = o->hostname;
	}
	if (o->no_overlay)
		argv[argc++] = "--overlay=none";
	if (o->network == SANDBOX_NET_HOST)
		argv[argc++] = "--network=host";
	else if (o->network != SANDBOX_NET_NONE)
		return -EINVAL;
	if (o->no_confine)
		argv[argc++] = "--no-confine";
	if (o->strace)
		argv[argc++] = "--strace";
	for (size_t i = 0; i < o->nbinds; i++) {
		const struct sandbox_bind *b = &o->binds[i];
		char *spec = specs + i * (2 * PATH_MAX + 8), src[PATH_MAX];

		if (!b->dest || b->dest[0] != '/' || strlen(b->dest) >= PATH_MAX)
			return -EINVAL;
		if (b->tmpfs) {
			snprintf(spec, 2 * PATH_MAX + 8, "%s:%s%s%s%s", b->dest, b->ro ? "ro" : "rw",
				 b->nosuid ? ",nosuid" : "", b->nodev ? ",nodev" : "",
				 b->noexec ? ",noexec" : "");
			argv[argc++] = "--tmpfs";
			argv[argc++] = spec;
			continue;
		}
		if (!b->src)
			return -EINVAL;
		if (!realpath(b->src, src))
			return neg_errno();
		if (strchr(src, ':'))
			return -EINVAL;
		snprintf(spec, 2 * PATH_MAX + 8, "%s:%s:%s%s%s%s", src, b->dest, b->ro ? "ro" : "rw",
			 b->nosuid ? ",nosuid" : "", b->nodev ? ",nodev" : "",
			 b->noexec ? ",noexec" : "");
		argv[argc++] = "--bind";
		argv[argc++] = spec;
	}
	argv[argc] = NULL;

	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return neg_errno();
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 64) < 0) {
		r = neg_errno();
		close(lfd);
		return r;
	}
	if (pipe2(ready, O_CLOEXEC) < 0) {
		r = neg_errno();
		goto fail;
	}
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		r = neg_errno();
		goto fail;
	}
	if (pid == 0) {
		/* only async-signal-safe calls from here */
		int l = fd_above(lfd, 10), w = fd_above(ready[1], 10);
		int log = o->log_fd > 0 ? fd_above(o->log_fd, 10) : -1, null;
		sigset_t none;

		/* the caller's blocked signals are not the Sentry's */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* detached from the caller's terminal and its stdin/stdout
		 * (a caller's pipe must see EOF when the caller exits) */
		setsid();
		if (chdir("/") < 0)
			_exit(127);
		if (o->die_with_caller && (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent))
			_exit(127);
		if (oci_cgroup_enter_fds(o->cgroup_fds, o->ncgroup_fds) < 0)
			_exit(127);
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
			_exit(127);
		if (log < 0 && o->log_fd == -2 && dup2(null, 2) < 0)
			_exit(127);

		if (l < 0 || w < 0 || dup2(l, 3) < 0 || dup2(w, 4) < 0)
			_exit(127);
		if (log >= 0 && dup2(log, 2) < 0)
			_exit(127);
		/* nothing else of the caller's reaches the sandbox */
		syscall(SYS_close_range, 5, ~0U, 0);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(lfd);
	lfd = -1;
	close(ready[1]);
	ready[1] = -1;
	do
		n = read(ready[0], &c, 1);
	while (n < 0 && errno == EINTR);
	close(ready[0]);
	ready[0] = -1;
	if (n != 1) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		unlink(o->control_path);
		return -EIO;
	}
	r = sandbox_attach(o->control_path, &sb);
	if (r < 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		unlink(o->control_path);
		return r;
	}
	sb->pid = pid;
	sb->control_path = strdup(o->control_path);
	*ret = sb;
	return 0;
fail:
	safe_close(lfd);
	safe_close(ready[0]);
	safe_close(ready[1]);
	unlink(o->control_path);
	return r;
}

int sandbox_spawn(struct sandbox *sb, const struct sandbox_process *pr, int32_t *ret_pid)
{
	CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT;
	Cvisor__Control__Spawn s = CVISOR__CONTROL__SPAWN__INIT;
	CtlResponse *p = NULL;
	Cvisor__Control__Rlimit rl[16], *rlp[16];
	int32_t idx[3];
	int fds[3];
	size_t nfds = 0, argc = 0, envc = 0;
	int r;

	if (!pr->argv || !pr->argv[0])
		return -EINVAL;
	while (pr->argv[argc])
		argc++;
	while (pr->env && pr->env[envc])
		envc++;
	s.argv = (char **)pr->argv;
	s.n_argv = argc;
	s.env = (char **)pr->env;
	s.n_env = envc;
	s.cwd = (char *)(pr->cwd ? pr->cwd : "");
	s.uid = pr->uid;
	s.gid = pr->gid;
	s.groups = (uint32_t *)pr->groups;
	s.n_groups = pr->ngroups;
	for (int i = 0; i < 3; i++) {
		idx[i] = -1;
		if (pr->stdio[i] >= 0) {
			fds[nfds] = pr->stdio[i];
			idx[i] = (int32_t)nfds++;
		}
	}
	s.stdio_fds = idx;
	s.n_stdio_fds = 3;
	s.terminal = pr->terminal;
	s.init = pr->init;
	s.paused = pr->paused;
	s.no_new_privs = pr->no_new_privs;
	s.has_umask = pr->has_umask;
	s.umask = pr->umask;
	if (pr->nrlimits > 16)
		return -EINVAL;
	for (size_t i = 0; i < pr->nrlimits; i++) {
		if (pr->rlimits[i].resource < 0)
			return -EINVAL;
		cvisor__control__rlimit__init(&rl[i]);
		rl[i].resource = (uint32_t)pr->rlimits[i].resource;
		rl[i].soft = pr->rlimits[i].soft;
		rl[i].hard = pr->rlimits[i].hard;
		rlp[i] = &rl[i];
	}
	s.rlimits = rlp;
	s.n_rlimits = pr->nrlimits;
	q.req_case = CVISOR__CONTROL__CONTROL_REQUEST__REQ_SPAWN;
	q.spawn = &s;
	r = sb_call(sb, &q, fds, nfds, &p);
	if (r < 0)
		return r;
	if (p->reply_case != CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_SPAWN) {
		sb_response_free(p);
		return -EPROTO;
	}
	*ret_pid = p->spawn->pid;
	sb_response_free(p);
	return 0;
}

int sandbox_start(struct sandbox *sb, int32_t pid)
{
	CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT;
	Cvisor__Control__Start m = CVISOR__CONTROL__START__INIT;

	m.pid = pid;
	q.req_case = CVISOR__CONTROL__CONTROL_REQUEST__REQ_START;
	q.start = &m;
	return sb_call(sb, &q, NULL, 0, NULL);
}

static int do_wait(struct sandbox *sb, int32_t pid, int timeout_ms, int32_t *ret_pid,
		   int *ret_status)
{
	CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT;
	Cvisor__Control__Wait m = CVISOR__CONTROL__WAIT__INIT;
	CtlResponse *p = NULL;
	int r;

	m.pid = pid;
	m.timeout_ms = timeout_ms;
	q.req_case = CVISOR__CONTROL__CONTROL_REQUEST__REQ_WAIT;
	q.wait = &m;
	r = sb_call(sb, &q, NULL, 0, &p);
	if (r < 0)
		return r;
	if (p->reply_case != CVISOR__CONTROL__CONTROL_RESPONSE__REPLY_WAIT) {
		sb_response_free(p);
		return -EPROTO;
	}
	*ret_status = p->wait->status;
	*ret_pid = pid > 0 ? pid : p->wait->pid;
	sb_response_free(p);
	return 0;
}

int sandbox_wait(struct sandbox *sb, int32_t pid, int timeout_ms, int *ret_status)
{
	int32_t who;

	if (pid <= 0)
		return -ECHILD;
	return do_wait(sb, pid, timeout_ms, &who, ret_status);
}

int sandbox_wait_any(struct sandbox *sb, int timeout_ms, int32_t *ret_pid, int *ret_status)
{
	return do_wait(sb, -1, timeout_ms, ret_pid, ret_status);
}

int sandbox_kill(struct sandbox *sb, int32_t pid, int sig)
{
	CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT;
	Cvisor__Control__Kill m = CVISOR__CONTROL__KILL__INIT;

	m.pid = pid;
	m.signal = sig;
	q.req_case = CVISOR__CONTROL__CONTROL_REQUEST__REQ_KILL;
	q.kill = &m;
	return sb_call(sb, &q, NULL, 0, NULL);
}

/* Reap the launched `cvisor boot`: up to @ms, then SIGKILL. */
static void reap(pid_t pid, int ms)
{
	struct timespec ts = { 0, 1000000L };

	for (int i = 0; i < ms; i++) {
		pid_t w = waitpid(pid, NULL, WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR))
			return;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int sandbox_destroy(struct sandbox *sb)
{
	CtlRequest q = CVISOR__CONTROL__CONTROL_REQUEST__INIT;
	Cvisor__Control__Shutdown m = CVISOR__CONTROL__SHUTDOWN__INIT;
	int r;

	if (!sb)
		return 0;
	q.req_case = CVISOR__CONTROL__CONTROL_REQUEST__REQ_SHUTDOWN;
	q.shutdown = &m;
	r = sb_call(sb, &q, NULL, 0, NULL);
	safe_close(sb->fd);
	sb->fd = -1;
	if (sb->pid > 0) {
		reap(sb->pid, 5000);
		if (sb->control_path)
			unlink(sb->control_path);
		if (r == -ECONNRESET || r == -EPIPE)
			r = 0; /* it went away (a Shutdown from elsewhere): reaped now */
	}
	free(sb->control_path);
	free(sb);
	return r;
}

void sandbox_close(struct sandbox *sb)
{
	if (!sb)
		return;
	safe_close(sb->fd);
	free(sb->control_path);
	free(sb);
}
