/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Creating and starting a container (runtime/cli/container.h): the bundle
 * mapped onto a sandbox (config.json -> sandbox_opts/sandbox_process,
 * mounts, cgroup), the hooks, the monitor.
 */
#define LOG_PREFIX "cvisor"
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/macro.h"
#include "runtime/oci/cgroup.h"
#include "runtime/oci/hooks.h"
#include "runtime/oci/spec.h"
#include "runtime/oci/state.h"
#include "runtime/sandbox.h"

static const char *const hook_names[OCI_HOOK_NKINDS] = {
	[OCI_HOOK_PRESTART] = "prestart",
	[OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
	[OCI_HOOK_CREATE_CONTAINER] = "createContainer",
	[OCI_HOOK_START_CONTAINER] = "startContainer",
	[OCI_HOOK_POSTSTART] = "poststart",
	[OCI_HOOK_POSTSTOP] = "poststop",
};

/* A hook of the container's namespace: its path is inside the container,
 * so it runs in the sandbox (argv[0] is replaced by the path), as root,
 * the state JSON on its stdin. */
static int run_hook_in_sandbox(const struct oci_hook *h, struct sandbox *sb, const char *json,
			       int *ret_status)
{
	const char *def_argv[] = { h->path, NULL };
	const char **argv = def_argv;
	_cleanup_free_ const char **copy = NULL;
	struct sandbox_process sp = { .stdio = { -1, 2, 2 } };
	int in[2], r, status = 0;
	size_t n = 0, len = strlen(json);
	int32_t pid;

	if (h->args && h->args[0]) {
		while (h->args[n])
			n++;
		copy = calloc(n + 1, sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		copy[0] = h->path;
		for (size_t i = 1; i < n; i++)
			copy[i] = h->args[i];
		argv = copy;
	}
	/* the whole state goes into the pipe before the hook exists: a hook
	 * that never reads cannot make us take a SIGPIPE */
	if (len > 65536)
		return -E2BIG;
	if (pipe2(in, O_CLOEXEC) < 0)
		return neg_errno();
	if (write(in[1], json, len) != (ssize_t)len) {
		r = neg_errno();
		safe_close(in[0]);
		safe_close(in[1]);
		return r;
	}
	safe_close(in[1]);
	sp.argv = argv;
	sp.env = (const char *const *)h->env;
	sp.stdio[0] = in[0];
	r = sandbox_spawn(sb, &sp, &pid);
	safe_close(in[0]);
	if (r < 0)
		return r;
	r = sandbox_wait(sb, pid, h->timeout > 0 ? h->timeout * 1000 : -1, &status);
	if (r == -ETIMEDOUT) {
		sandbox_kill(sb, pid, SIGKILL);
		sandbox_wait(sb, pid, 1000, &status);
		return -ETIMEDOUT;
	}
	if (r < 0)
		return r;
	*ret_status = status;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECANCELED;
}

int cli_run_hooks(const struct oci_spec *spec, int kind, const struct oci_state *st,
		  struct sandbox *sb)
{
	_cleanup_free_ char *json = NULL;

	if (!spec || !spec->hooks[kind].n)
		return 0;
	json = oci_state_to_json(st);
	if (!json)
		return log_error_errno(-ENOMEM, "hooks");
	for (size_t i = 0; i < spec->hooks[kind].n; i++) {
		const struct oci_hook *h = &spec->hooks[kind].v[i];
		bool inside = kind == OCI_HOOK_CREATE_CONTAINER || kind == OCI_HOOK_START_CONTAINER;
		int status = 0, r;

		log_debug("hooks.%s[%zu]: %s%s", hook_names[kind], i, h->path,
			  inside ? " (in the sandbox)" : "");
		if (inside)
			r = sb ? run_hook_in_sandbox(h, sb, json, &status) : -ENOTCONN;
		else
			r = oci_hook_run(h, json, &status);
		if (r == -ECANCELED)
			return log_error_errno(0, "hooks.%s[%zu] %s: exit status %d", hook_names[kind], i,
					       h->path, cli_exit_code(status)),
			       -ECANCELED;
		if (r < 0)
			return log_error_errno(r, "hooks.%s[%zu] %s", hook_names[kind], i, h->path);
	}
	return 0;
}

int cli_start_container(struct oci_state *st, struct sandbox *sb, const struct oci_spec *spec)
{
	struct oci_spec *own = NULL;
	int r;

	if (!spec && st->bundle) {
		char *err = NULL;

		if (oci_spec_load(st->bundle, &own, &err) < 0)
			log_warn("%s/config.json: %s: its hooks are not run", st->bundle,
				 err ? err : "unreadable");
		free(err);
		spec = own;
	}
	r = cli_run_hooks(spec, OCI_HOOK_START_CONTAINER, st, sb);
	if (r < 0) {
		/* the spec: a failing startContainer hook stops the container */
		sandbox_kill(sb, 0, SIGKILL);
		goto out;
	}
	r = sandbox_start(sb, 1);
	if (r < 0) {
		log_error_errno(r, "container %s: start pid 1", st->id);
		goto out;
	}
	st->started = true;
	st->status = OCI_RUNNING;
	if (cli_run_hooks(spec, OCI_HOOK_POSTSTART, st, sb) < 0)
		log_warn("container %s: a poststart hook failed", st->id);
	r = 0;
out:
	oci_spec_free(own);
	return r;
}

/* --- create --- */

static char *now_rfc3339(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64], *out;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	if (asprintf(&out, "%s.%09ldZ", buf, ts.tv_nsec) < 0)
		return NULL;
	return out;
}

static char *owner_name(void)
{
	struct passwd *pw = getpwuid(geteuid());
	char *out;

	if (pw && pw->pw_name)
		return strdup(pw->pw_name);
	if (asprintf(&out, "%u", (unsigned)geteuid()) < 0)
		return NULL;
	return out;
}

/* What the sandbox provides by itself at these destinations. */
static bool mount_provided(const struct oci_mount *m)
{
	static const struct {
		const char *dest, *type;
	} provided[] = {
		{ "/proc", "proc" },	 { "/dev", "tmpfs" },	 { "/dev", "devtmpfs" },
		{ "/dev/pts", "devpts" }, { "/dev/shm", "tmpfs" }, { "/dev/mqueue", "mqueue" },
		{ "/sys", "sysfs" },	 { "/sys/fs/cgroup", "cgroup" }, { "/sys/fs/cgroup", "cgroup2" },
		{ "/tmp", "tmpfs" },
	};

	/* Podman and CRI-O bind a host directory of their own over /dev/shm
	 * (to share it between containers of a pod); as runsc, the sandbox's
	 * own tmpfs stands in for it. */
	if (m->bind && !strcmp(m->destination, "/dev/shm"))
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(provided); i++)
		if (m->type && !strcmp(m->destination, provided[i].dest) &&
		    !strcmp(m->type, provided[i].type))
			return true;
	return false;
}

static void free_binds(struct sandbox_bind *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)b[i].src);
		free((char *)b[i].dest);
	}
	free(b);
}

static bool mount_is_bind(const struct oci_mount *m)
{
	return m->bind || (m->type && !strcmp(m->type, "bind"));
}

/* @path made absolute against @bundle (runc: relative bind sources are
 * relative to the bundle). */
static char *bundle_path(const char *bundle, const char *path)
{
	char *out;

	if (path[0] == '/')
		return strdup(path);
	if (asprintf(&out, "%s/%s", bundle, path) < 0)
		return NULL;
	return out;
}

/* Lexically clean absolute @p in place (filepath.Clean, as runc): no "//",
 * ".", "..", or trailing "/"; ".." of "/" is "/". */
static void clean_path(char *p)
{
	char *out = p, *in = p;

	while (*in) {
		size_t n;

		while (*in == '/')
			in++;
		n = strcspn(in, "/");
		if (n == 0)
			break;
		if (n == 1 && in[0] == '.') {
			/* nothing */
		} else if (n == 2 && in[0] == '.' && in[1] == '.') {
			while (out > p && *--out != '/')
				;
		} else {
			*out++ = '/';
			memmove(out, in, n);
			out += n;
		}
		in += n;
	}
	if (out == p)
		*out++ = '/';
	*out = 0;
}

/* Mounts: what the sandbox provides is accepted; a bind mount of a regular
 * file is copied into the root (a snapshot, docs/oci.md); a bind mount of a
 * directory is served by the Gofer (sandbox_opts.binds, in config order);
 * anything else is refused rather than silently missing. */
static int check_mounts(const struct oci_spec *s, const char *bundle, bool *ret_copies,
			struct sandbox_bind **ret_binds, size_t *ret_nbinds)
{
	struct sandbox_bind *binds = NULL;
	size_t nbinds = 0;
	int r = 0;

	*ret_copies = false;
	for (size_t i = 0; i < s->n_mounts && r == 0; i++) {
		const struct oci_mount *m = &s->mounts[i];
		_cleanup_free_ char *src = NULL;
		struct stat stt;

		if (mount_provided(m)) {
			log_debug("mounts[%zu] %s (%s): provided by the Sentry", i, m->destination,
				  m->type);
			continue;
		}
		if (mount_is_bind(m) && m->source && !(src = bundle_path(bundle, m->source))) {
			r = -ENOMEM;
			break;
		}
		if (src && stat(src, &stt) < 0) {
			r = log_error_errno(-errno, "mounts[%zu] %s: bind source %s", i,
					    m->destination, src);
			break;
		}
		if (src && S_ISREG(stt.st_mode)) {
			*ret_copies = true;
			continue;
		}
		if (src && S_ISDIR(stt.st_mode)) {
			struct sandbox_bind *b;
			char *dest;

			if (nbinds >= SANDBOX_BINDS_MAX) {
				r = log_error_errno(-E2BIG, "mounts[%zu] %s: at most %d directory bind mounts",
						    i, m->destination, SANDBOX_BINDS_MAX);
				break;
			}
			if (strchr(src, ':')) {
				r = log_error_errno(-EINVAL, "mounts[%zu].source %s: ':' in a bind source "
							     "is not supported", i, src);
				break;
			}
			if (!binds && !(binds = calloc(SANDBOX_BINDS_MAX, sizeof(*binds)))) {
				r = -ENOMEM;
				break;
			}
			dest = strdup(m->destination);
			if (!dest) {
				r = -ENOMEM;
				break;
			}
			clean_path(dest);
			if (!strcmp(dest, "/")) {
				free(dest);
				r = log_error_errno(-EINVAL, "mounts[%zu]: a bind mount over / (the root is "
							     "root.path)", i);
				break;
			}
			b = &binds[nbinds++];
			b->src = TAKE_PTR(src);
			b->dest = dest;
			b->ro = (m->flags & MS_RDONLY) != 0;
			b->nosuid = (m->flags & MS_NOSUID) != 0;
			b->nodev = (m->flags & MS_NODEV) != 0;
			b->noexec = (m->flags & MS_NOEXEC) != 0;
			log_debug("mounts[%zu] %s: directory %s served by the Gofer%s%s", i, dest, b->src,
				  b->ro ? ", read-only" : "",
				  m->recursive ? " (rbind: host mounts below it are not served)" : "");
			continue;
		}
		if (!src && m->type && !strcmp(m->type, "tmpfs")) {
			struct sandbox_bind *b;
			char *dest;

			if (nbinds >= SANDBOX_BINDS_MAX) {
				r = log_error_errno(-E2BIG, "mounts[%zu] %s: at most %d bind and tmpfs mounts",
						    i, m->destination, SANDBOX_BINDS_MAX);
				break;
			}
			if (!binds && !(binds = calloc(SANDBOX_BINDS_MAX, sizeof(*binds)))) {
				r = -ENOMEM;
				break;
			}
			if (!(dest = strdup(m->destination))) {
				r = -ENOMEM;
				break;
			}
			clean_path(dest);
			if (!strcmp(dest, "/")) {
				free(dest);
				r = log_error_errno(-EINVAL, "mounts[%zu]: a tmpfs over / (the root is "
							     "root.path)", i);
				break;
			}
			b = &binds[nbinds++];
			b->tmpfs = true;
			b->dest = dest;
			b->ro = (m->flags & MS_RDONLY) != 0;
			b->nosuid = (m->flags & MS_NOSUID) != 0;
			b->nodev = (m->flags & MS_NODEV) != 0;
			b->noexec = (m->flags & MS_NOEXEC) != 0;
			log_debug("mounts[%zu] %s: a Sentry tmpfs%s (size=/mode= options not applied)",
				  i, dest, b->ro ? ", read-only" : "");
			continue;
		}
		r = log_error_errno(-EOPNOTSUPP,
				    "mounts[%zu] %s (%s%s): not supported by the sandbox yet "
				    "(docs/oci.md)",
				    i, m->destination, src ? "bind of a socket, FIFO or device " : "type ",
				    src ? src : m->type ? m->type : "none");
	}
	if (r < 0) {
		free_binds(binds, nbinds);
		return r;
	}
	*ret_binds = binds;
	*ret_nbinds = nbinds;
	return 0;
}

static int copy_file_binds(const struct oci_spec *s, const char *bundle, struct sandbox *sb)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct oci_mount *m = &s->mounts[i];
		_cleanup_free_ char *data = NULL, *src = NULL;
		_cleanup_close_ int fd = -EBADF;
		struct stat stt;
		ssize_t n;
		int r;

		if (mount_provided(m) || !mount_is_bind(m))
			continue;
		src = bundle_path(bundle, m->source);
		if (!src)
			return log_error_errno(-ENOMEM, "mounts[%zu]", i);
		fd = open(src, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd < 0 || fstat(fd, &stt) < 0)
			return log_error_errno(-errno, "mounts[%zu]: %s", i, src);
		if (S_ISDIR(stt.st_mode))
			continue; /* served by the Gofer */
		if (!S_ISREG(stt.st_mode))
			return log_error_errno(-EINVAL, "mounts[%zu]: %s changed type", i, src);
		if (stt.st_size > (8 << 20))
			return log_error_errno(-EFBIG, "mounts[%zu]: %s (file binds are copied; 8 MiB max)",
					       i, src);
		data = malloc((size_t)stt.st_size + 1);
		if (!data)
			return log_error_errno(-ENOMEM, "mounts[%zu]", i);
		n = read(fd, data, (size_t)stt.st_size);
		if (n < 0)
			return log_error_errno(-errno, "mounts[%zu]: read %s", i, src);
		r = sandbox_file_write_parents(sb, m->destination, data, (size_t)n,
					       stt.st_mode & 07777);
		if (r < 0)
			return log_error_errno(r, "mounts[%zu]: copy %s to %s%s", i, src,
					       m->destination,
					       s->root_readonly ? " (root.readonly: no overlay to copy into)" : "");
		log_debug("mounts[%zu]: %s copied to %s", i, src, m->destination);
	}
	return 0;
}

static void log_spec_ignores(const struct oci_spec *s)
{
	if (s->n_sysctl)
		/* debug, not a warning: engines set some by default (podman:
		 * net.ipv4.ping_group_range), and create's stderr is the
		 * container's (it would land in the container's log) */
		log_debug("linux.sysctl: not applied (the Sentry has its own kernel parameters)");
	if (s->n_uid_mappings || s->n_gid_mappings)
		log_debug("linux.uidMappings/gidMappings: not applied (the Sentry runs in its own "
			  "user namespace; ids inside are the spec's)");
	if (s->masked_paths || s->readonly_paths)
		log_debug("linux.maskedPaths/readonlyPaths: not applied (the Sentry's /proc and /sys "
			  "expose no host data)");
	if (s->namespaces)
		log_debug("linux.namespaces: the sandbox always has its own (but network: see "
			  "docs/oci.md)");
	cli_log_ignored(s->ignored);
}

/* The sandbox's network (docs/oci.md "Network"): the annotation
 * dev.cvisor.network; else cvisor's --network; else host when
 * linux.namespaces lists namespaces but no "network" one (Docker's
 * --network=host); else none.  A network namespace path is not joined. */
static int spec_network(const struct oci_spec *s, enum sandbox_network *ret)
{
	for (size_t i = 0; i < s->n_annotations; i++) {
		if (strcmp(s->annotations[i].key, "dev.cvisor.network"))
			continue;
		if (sandbox_network_from_string(s->annotations[i].value, ret) < 0) {
			log_error("annotation dev.cvisor.network: 'none' or 'host', not '%s'",
				  s->annotations[i].value);
			return -EINVAL;
		}
		return 0;
	}
	if (cli.network_set)
		*ret = cli.network;
	else if (s->namespaces && !(s->namespaces & OCI_NS_NETWORK))
		*ret = SANDBOX_NET_HOST;
	else
		*ret = SANDBOX_NET_NONE;
	if (*ret == SANDBOX_NET_NONE && s->netns_path)
		log_warn("linux.namespaces: network path %s not joined (network: none)",
			 s->netns_path);
	return 0;
}

static bool has_resources(const struct oci_resources *r)
{
	return r->memory_limit >= 0 || r->memory_swap >= 0 || r->cpu_quota > 0 || r->cpu_period ||
	       r->cpu_shares || r->pids_limit > 0;
}

/* Fork the monitor: it waits for pid 1 and exits as it did. */
static pid_t start_monitor(const struct oci_state *st)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	/* child: no stdio of the caller's, no fds but what it opens */
	{
		struct sandbox *sb = NULL;
		int fd = open("/dev/null", O_RDWR), status = 0;

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		syscall(SYS_close_range, 3, ~0U, 0);
		setsid();
		log_set_output(2, 0);
		if (sandbox_attach(st->control_path, &sb) < 0)
			_exit(255);
		if (cli_wait_pid(st, sb, 1, false, &status) < 0)
			status = SIGKILL; /* the sandbox is gone */
		sandbox_close(sb);
		if (WIFSIGNALED(status)) {
			signal(WTERMSIG(status), SIG_DFL);
			kill(getpid(), WTERMSIG(status));
			_exit(128 + WTERMSIG(status));
		}
		_exit(cli_exit_code(status));
	}
}

static int write_oom_score_adj(pid_t pid, int v, int *ret_old)
{
	char path[64], buf[32];
	_cleanup_close_ int fd = -EBADF;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	if (ret_old) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n <= 0)
			return -EIO;
		buf[n] = 0;
		*ret_old = atoi(buf);
	}
	n = snprintf(buf, sizeof(buf), "%d", v);
	if (pwrite(fd, buf, (size_t)n, 0) != n)
		return neg_errno();
	return 0;
}

int cli_create_container(const struct cli_create *a, struct oci_state **ret_st,
			 struct sandbox **ret_sb)
{
	_cleanup_free_ char *err = NULL, *rootfs_path = NULL;
	_cleanup_close_ int lfd = -EBADF;
	char bundle[PATH_MAX], rootfs[PATH_MAX], control[PATH_MAX];
	struct oci_spec *spec = NULL;
	struct oci_state *st = NULL;
	struct oci_cgroup *cg = NULL;
	struct sandbox *sb = NULL;
	enum sandbox_network net = SANDBOX_NET_NONE;
	bool made = false, copies = false;
	struct sandbox_bind *binds = NULL;
	size_t nbinds = 0;
	int r, old_adj = 0, adj_set = 0;
	int32_t pid1;

	if (oci_id_valid(a->id) < 0)
		return log_error_errno(-EINVAL, "invalid container id '%s' (1-%d of [A-Za-z0-9_.+-])",
				       a->id, OCI_ID_MAX);
	if (!realpath(a->bundle ? a->bundle : ".", bundle))
		return log_error_errno(-errno, "bundle %s", a->bundle ? a->bundle : ".");
	r = oci_spec_load(bundle, &spec, &err);
	if (r < 0)
		return log_error_errno(r == -EINVAL ? 0 : r, "%s/config.json%s%s", bundle,
				       err ? ": " : "", err ? err : ""),
		       r;
	r = -EINVAL;
	if (!spec->has_process) {
		log_error("%s/config.json: process is required", bundle);
		goto fail;
	}
	if (!spec->root_path) {
		log_error("%s/config.json: root.path is required", bundle);
		goto fail;
	}
	if (spec->process.terminal && !a->console_socket && !(a->foreground && isatty(0))) {
		log_error("process.terminal is true: --console-socket is required");
		goto fail;
	}
	if (spec->root_path[0] == '/')
		rootfs_path = strdup(spec->root_path);
	else if (asprintf(&rootfs_path, "%s/%s", bundle, spec->root_path) < 0)
		rootfs_path = NULL;
	if (!rootfs_path) {
		r = -ENOMEM;
		goto fail;
	}
	if (!realpath(rootfs_path, rootfs)) {
		r = log_error_errno(-errno, "root.path %s", rootfs_path);
		goto fail;
	}
	if ((r = check_mounts(spec, bundle, &copies, &binds, &nbinds)) < 0)
		goto fail;
	if ((r = spec_network(spec, &net)) < 0)
		goto fail;
	log_spec_ignores(spec);
	if ((r = oci_state_path(cli.root, a->id, "control.sock", control, sizeof(control))) < 0) {
		log_error_errno(r, "state path under %s", cli.root);
		goto fail;
	}
	if (strlen(control) >= 108) {
		r = log_error_errno(-ENAMETOOLONG, "%s: too long for a unix socket (shorter --root)",
				    control);
		goto fail;
	}
	r = oci_state_mkdir(cli.root, a->id);
	if (r == -EEXIST) {
		log_error("container %s already exists", a->id);
		goto fail;
	}
	if (r < 0) {
		log_error_errno(r, "create %s/%s", cli.root, a->id);
		goto fail;
	}
	made = true;
	lfd = oci_state_lock(cli.root, a->id);
	if (lfd < 0) {
		r = log_error_errno(lfd, "lock %s", a->id);
		goto fail;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		r = -ENOMEM;
		goto fail;
	}
	st->id = strdup(a->id);
	st->bundle = strdup(bundle);
	st->rootfs = strdup(rootfs);
	st->control_path = strdup(control);
	st->created = now_rfc3339();
	st->owner = owner_name();
	st->status = OCI_CREATING;
	if (spec->n_annotations) {
		st->annotations = calloc(spec->n_annotations, sizeof(*st->annotations));
		for (size_t i = 0; st->annotations && i < spec->n_annotations; i++) {
			st->annotations[i].key = strdup(spec->annotations[i].key);
			st->annotations[i].value = strdup(spec->annotations[i].value);
			st->n_annotations++;
		}
	}
	if (!st->id || !st->bundle || !st->rootfs || !st->control_path || !st->created ||
	    !st->owner || (spec->n_annotations && !st->annotations)) {
		r = log_error_errno(-ENOMEM, "state");
		goto fail;
	}

	/* cgroup: every host process of the sandbox is born in it */
	if (oci_cgroup_version() > 0) {
		char name[OCI_ID_MAX + 16];

		snprintf(name, sizeof(name), "cvisor/%s", a->id);
		r = oci_cgroup_open(name, 1, &cg);
		if (r == 0)
			r = oci_cgroup_set(cg, &spec->resources);
		if (r == 0)
			r = oci_cgroup_enter_self(cg);
		if (r == -EBUSY) {
			log_error("cgroup %s is in use by another container with this id "
				  "(another --root?)", name);
			cg = NULL;
			goto fail;
		}
		if (r < 0) {
			if (has_resources(&spec->resources)) {
				log_error_errno(r, "cgroup %s (linux.resources needs it)", name);
				goto fail;
			}
			log_debug("cgroup %s: %s (no limits requested: going on without)", name,
				  strerror(-r));
			if (cg)
				oci_cgroup_destroy(cg);
			cg = NULL;
		} else {
			st->cgroup = strdup(name);
		}
	} else if (has_resources(&spec->resources)) {
		r = log_error_errno(-EOPNOTSUPP, "linux.resources: no cgroup file system mounted");
		goto fail;
	}
	if (spec->process.has_oom_score_adj &&
	    write_oom_score_adj(getpid(), spec->process.oom_score_adj, &old_adj) == 0)
		adj_set = 1;
	if ((r = oci_state_save(cli.root, st)) < 0) {
		log_error_errno(r, "save state");
		goto fail;
	}
	{
		struct sandbox_opts o = {
			.rootfs = rootfs,
			.control_path = control,
			.platform = cli.platform,
			.hostname = spec->hostname,
			.no_overlay = spec->root_readonly,
			.binds = binds,
			.nbinds = nbinds,
			.network = net,
			.log_fd = cli.log_fd >= 0 ? cli.log_fd : (cli.debug || a->foreground ? -1 : -2),
		};

		r = sandbox_boot(&o, &sb);
	}
	if (cg)
		oci_cgroup_leave_self(cg);
	if (adj_set)
		write_oom_score_adj(getpid(), old_adj, NULL);
	if (r < 0) {
		log_error_errno(r, "boot the sandbox");
		goto fail;
	}
	st->sandbox_pid = sandbox_host_pid(sb);
	oci_pid_start_time(st->sandbox_pid, &st->sandbox_start);
	if (copies && (r = copy_file_binds(spec, bundle, sb)) < 0)
		goto fail;
	if (a->restore_image) {
		/* the restored processes run at once, on the caller's stdio */
		static const int stdio[3] = { 0, 1, 2 };
		char msg[512];

		r = sandbox_restore(sb, a->restore_image, stdio, 0, msg, sizeof(msg));
		if (r < 0) {
			log_error("restore from %s: %s", a->restore_image, msg);
			goto fail;
		}
		st->pid = st->sandbox_pid;
		st->started = true;
		st->status = OCI_RUNNING;
	} else {
		r = cli_spawn(sb, &spec->process, a->console_socket, true, true, &pid1);
		if (r < 0)
			goto fail;
		st->pid = st->sandbox_pid; /* until the monitor exists */
		if ((r = cli_run_hooks(spec, OCI_HOOK_PRESTART, st, sb)) < 0 ||
		    (r = cli_run_hooks(spec, OCI_HOOK_CREATE_RUNTIME, st, sb)) < 0 ||
		    (r = cli_run_hooks(spec, OCI_HOOK_CREATE_CONTAINER, st, sb)) < 0)
			goto fail;
		st->status = OCI_CREATED;
		if (a->start && (r = cli_start_container(st, sb, spec)) < 0)
			goto fail;
	}
	if (a->foreground) {
		st->pid = st->sandbox_pid;
	} else {
		st->pid = start_monitor(st);
		if (st->pid < 0) {
			r = log_error_errno(-errno, "fork the monitor");
			goto fail;
		}
	}
	if ((r = oci_state_save(cli.root, st)) < 0) {
		log_error_errno(r, "save state");
		goto fail;
	}
	if (a->pid_file && (r = cli_write_pid_file(a->pid_file, st->pid)) < 0) {
		log_error_errno(r, "--pid-file %s", a->pid_file);
		goto fail;
	}
	oci_spec_free(spec);
	oci_cgroup_free(cg);
	free_binds(binds, nbinds);
	if (a->foreground) {
		*ret_sb = sb;
	} else {
		sandbox_close(sb);
		*ret_sb = NULL;
	}
	*ret_st = st;
	return 0;

fail:
	if (sb) {
		sandbox_destroy(sb);
		sb = NULL;
	}
	if (st && st->pid > 0 && st->pid != st->sandbox_pid) {
		kill(st->pid, SIGKILL);
		waitpid(st->pid, NULL, 0);
	}
	if (cg)
		oci_cgroup_destroy(cg);
	if (made)
		oci_state_remove(cli.root, a->id);
	oci_state_free(st);
	oci_spec_free(spec);
	free_binds(binds, nbinds);
	return r < 0 ? r : -EINVAL;
}
