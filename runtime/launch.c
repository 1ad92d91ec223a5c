/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/macro.h"

void launch_bind_aname(size_t index, char buf[LAUNCH_ANAME_MAX])
{
	snprintf(buf, LAUNCH_ANAME_MAX, "/bind%zu", index);
}

/* OPTS of launch_bind_parse() into @b; -EINVAL if one is not an option
 * (then the colon belongs to DEST). */
static int parse_bind_opts(const char *opts, struct launch_bind *b)
{
	while (*opts) {
		size_t n = strcspn(opts, ",");

#define OPT(s) (n == sizeof(s) - 1 && !strncmp(opts, s, n))
		if (OPT("ro"))
			b->ro = true;
		else if (OPT("rw"))
			b->ro = false;
		else if (OPT("nosuid"))
			b->nosuid = true;
		else if (OPT("nodev"))
			b->nodev = true;
		else if (OPT("noexec"))
			b->noexec = true;
		else
			return -EINVAL;
#undef OPT
		opts += n;
		opts += *opts == ',';
	}
	return 0;
}

int launch_bind_parse(char *spec, struct launch_bind *ret)
{
	char *dest = strchr(spec, ':'), *opts;
	struct launch_bind b = { 0 };

	if (!dest || dest == spec)
		return -EINVAL;
	*dest++ = 0;
	opts = strrchr(dest, ':');
	if (opts && opts[1] && parse_bind_opts(opts + 1, &b) == 0)
		*opts = 0;
	else
		b = (struct launch_bind){ 0 };
	if (dest[0] != '/' || strlen(dest) >= 4096)
		return -EINVAL;
	b.src = spec;
	b.dest = dest;
	*ret = b;
	return 0;
}

int launch_binds_add(struct launch_binds *b, char *spec)
{
	struct launch_bind *v = &b->v[b->n];
	struct stat st;
	char *real;
	int r;

	if (b->n >= LAUNCH_BINDS_MAX)
		return -E2BIG;
	r = launch_bind_parse(spec, v);
	if (r < 0)
		return r;
	real = realpath(v->src, NULL);
	if (!real)
		return neg_errno();
	if (stat(real, &st) < 0 || !S_ISDIR(st.st_mode) || strchr(real, ':')) {
		r = S_ISDIR(st.st_mode) ? -EINVAL : -ENOTDIR;
		free(real);
		return r;
	}
	b->real[b->n] = real;
	v->src = real;
	launch_bind_aname(b->n, b->anames[b->n]);
	b->k[b->n] = (struct kernel_bind){
		.aname = b->anames[b->n],
		.dest = v->dest,
		.source = real,
		.readonly = v->ro,
		.flags = (v->nosuid ? MS_NOSUID : 0) | (v->nodev ? MS_NODEV : 0) |
			 (v->noexec ? MS_NOEXEC : 0),
	};
	b->n++;
	return 0;
}

int launch_binds_add_tmpfs(struct launch_binds *b, char *spec)
{
	struct launch_bind *v = &b->v[b->n];
	char *opts = strrchr(spec, ':');

	if (b->n >= LAUNCH_BINDS_MAX)
		return -E2BIG;
	*v = (struct launch_bind){ 0 };
	if (opts && opts[1] && parse_bind_opts(opts + 1, v) == 0)
		*opts = 0;
	else
		*v = (struct launch_bind){ 0 };
	if (spec[0] != '/' || strlen(spec) >= 4096)
		return -EINVAL;
	v->dest = spec;
	b->real[b->n] = NULL;
	b->k[b->n] = (struct kernel_bind){
		.aname = NULL, /* a tmpfs */
		.dest = v->dest,
		.source = "tmpfs",
		.readonly = v->ro,
		.flags = (v->nosuid ? MS_NOSUID : 0) | (v->nodev ? MS_NODEV : 0) |
			 (v->noexec ? MS_NOEXEC : 0),
	};
	b->n++;
	return 0;
}

void launch_binds_clear(struct launch_binds *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->real[i]);
	b->n = 0;
}

int launch_gofer(const char *rootfs, const struct launch_bind *binds, size_t nbinds,
		 pid_t *ret_pid)
{
	pid_t pid;
	int ready, sock = launch_gofer_async(rootfs, binds, nbinds, &pid, &ready);

	if (sock < 0)
		return sock;
	if (launch_gofer_ready(ready) < 0) {
		safe_close(sock);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -EIO;
	}
	*ret_pid = pid;
	return sock;
}

int launch_gofer_ready(int ready_fd)
{
	ssize_t n;
	char c;

	do
		n = read(ready_fd, &c, 1);
	while (n < 0 && errno == EINTR);
	safe_close(ready_fd);
	return n == 1 ? 0 : -EIO;
}

int launch_gofer_async(const char *rootfs, const struct launch_bind *binds, size_t nbinds,
		       pid_t *ret_pid, int *ret_ready)
{
	_cleanup_free_ const char **argv = NULL;
	_cleanup_free_ char *specs = NULL;
	int sv[2], ready[2], argc = 0;
	char self[4096];
	ssize_t n;
	pid_t pid;

	if (nbinds > LAUNCH_BINDS_MAX)
		return -E2BIG;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return neg_errno();
	self[n] = 0;
	/* built before fork: the child only execs */
	argv = calloc(12 + 2 * nbinds, sizeof(*argv));
	specs = calloc(nbinds ? nbinds : 1, 4096 + LAUNCH_ANAME_MAX + 4);
	if (!argv || !specs)
		return -ENOMEM;
	argv[argc++] = "cvisor";
	argv[argc++] = "gofer";
	argv[argc++] = "--root";
	argv[argc++] = rootfs;
	argv[argc++] = "--ro";
	for (size_t i = 0; i < nbinds; i++) {
		char *spec = specs + i * (4096 + LAUNCH_ANAME_MAX + 4), aname[LAUNCH_ANAME_MAX];

		if (!binds[i].src && binds[i].dest)
			continue; /* a tmpfs: the Sentry's own, nothing to serve */
		if (!binds[i].src || binds[i].src[0] != '/' || strchr(binds[i].src, ':') ||
		    strlen(binds[i].src) >= 4096)
			return -EINVAL;
		launch_bind_aname(i, aname);
		snprintf(spec, 4096 + LAUNCH_ANAME_MAX + 4, "%s:%s%s", binds[i].src, aname,
			 binds[i].ro ? ":ro" : "");
		argv[argc++] = "--bind";
		argv[argc++] = spec;
	}
	argv[argc++] = "--fd";
	argv[argc++] = "3";
	argv[argc++] = "--ready-fd";
	argv[argc++] = "4";
	argv[argc] = NULL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return neg_errno();
	if (pipe2(ready, O_CLOEXEC) < 0) {
		safe_close(sv[0]);
		safe_close(sv[1]);
		return neg_errno();
	}
	pid = fork();
	if (pid < 0) {
		int r = neg_errno();

		safe_close(sv[0]);
		safe_close(sv[1]);
		safe_close(ready[0]);
		safe_close(ready[1]);
		return r;
	}
	if (pid == 0) {
		/* the Gofer gets its end and the ready pipe, nothing else */
		if (dup2(sv[1], 3) < 0 || dup2(ready[1], 4) < 0)
			_exit(127);
		execv(self, (char *const *)argv);
		_exit(127);
	}
	safe_close(sv[1]);
	safe_close(ready[1]);
	*ret_pid = pid;
	*ret_ready = ready[0];
	return sv[0];
}

void launch_gofer_reap(pid_t pid)
{
	if (pid <= 0)
		return;
	for (int i = 0; i < 1000; i++) { /* about a second, in 1 ms steps */
		if (waitpid(pid, NULL, WNOHANG) != 0)
			return;
		usleep(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
