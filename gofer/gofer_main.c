/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `cvisor gofer`: serve one container's rootfs and bind mounts over 9P2000.L.
 *
 *   cvisor gofer --root DIR [--ro] [--bind SRC:DST[:ro]]...
 *                (--socket PATH | --fd N) [--ready-fd N]
 *                [--msize BYTES] [--workers N] [--no-donate]
 *                [--no-seccomp] [--no-confine] [--debug]
 *
 * See docs/gofer.md.
 */
#define LOG_PREFIX "gofer"
#include "gofer/gofer.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "gofer/gofer_server.h"
#include "gofer/p9.h"
#include "lib/log.h"
#include "lib/macro.h"

#define MAX_BINDS 64

static void usage(FILE *f)
{
	fputs("usage: cvisor gofer --root DIR [--ro] [--bind SRC:DST[:ro]]...\n"
	      "                    (--socket PATH | --fd N) [--ready-fd N] [--msize BYTES]\n"
	      "                    [--workers N] [--no-donate] [--no-seccomp] [--no-confine] "
	      "[--debug]\n",
	      f);
}

static int parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* SRC:DST[:ro]; @spec is modified in place. */
static int parse_bind(char *spec, struct gofer_export *ret)
{
	char *dst = strchr(spec, ':'), *opt;

	if (!dst || dst == spec)
		return -EINVAL;
	*dst++ = '\0';
	opt = strchr(dst, ':');
	ret->ro = false;
	if (opt) {
		*opt++ = '\0';
		if (!strcmp(opt, "ro"))
			ret->ro = true;
		else if (strcmp(opt, "rw"))
			return -EINVAL;
	}
	if (dst[0] != '/' || !strcmp(dst, "/"))
		return -EINVAL;
	ret->src = spec;
	ret->dst = dst;
	return 0;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = -EBADF;
	struct stat st;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return neg_errno();
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0)
		return neg_errno();
	return TAKE_FD(fd);
}

int gofer_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"root", required_argument, NULL, 'r'},  {"ro", no_argument, NULL, 'R'},
	    {"bind", required_argument, NULL, 'b'},  {"socket", required_argument, NULL, 's'},
	    {"fd", required_argument, NULL, 'f'},    {"ready-fd", required_argument, NULL, 'y'},
	    {"msize", required_argument, NULL, 'm'}, {"workers", required_argument, NULL, 'w'},
	    {"no-donate", no_argument, NULL, 'D'},   {"no-seccomp", no_argument, NULL, 'S'},
	    {"no-confine", no_argument, NULL, 'C'},  {"debug", no_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},	     {0},
	};
	struct gofer_export exports[1 + MAX_BINDS] = {{.dst = "/"}};
	struct gofer_opts opts = {.exports = exports, .n_exports = 1, .detach_mounts = true};
	unsigned confine = GOFER_CONFINE_ALL;
	const char *sock_path = NULL;
	struct gofer_server *srv = NULL;
	int sock = -EBADF, ready_fd = -1, c, r;
	bool listening;
	unsigned long v;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			exports[0].src = optarg;
			break;
		case 'R':
			exports[0].ro = true;
			break;
		case 'b':
			if (opts.n_exports > MAX_BINDS ||
			    parse_bind(optarg, &exports[opts.n_exports]) < 0)
				return log_error_errno(-EINVAL, "bad --bind '%s'", optarg), 2;
			opts.n_exports++;
			break;
		case 's':
			sock_path = optarg;
			break;
		case 'f':
			if (parse_uint(optarg, INT_MAX, &v) < 0)
				return log_error_errno(-EINVAL, "bad --fd"), 2;
			sock = (int)v;
			break;
		case 'y':
			if (parse_uint(optarg, INT_MAX, &v) < 0)
				return log_error_errno(-EINVAL, "bad --ready-fd"), 2;
			ready_fd = (int)v;
			break;
		case 'm':
			if (parse_uint(optarg, P9_MSIZE_MAX, &v) < 0 || v < P9_MSIZE_MIN)
				return log_error_errno(-EINVAL, "bad --msize"), 2;
			opts.max_msize = (uint32_t)v;
			break;
		case 'w':
			if (parse_uint(optarg, 16, &v) < 0 || v == 0)
				return log_error_errno(-EINVAL, "bad --workers (1..16)"), 2;
			opts.workers = (unsigned)v;
			break;
		case 'D':
			opts.no_donate = true;
			break;
		case 'S':
			confine &= ~GOFER_CONFINE_SECCOMP;
			break;
		case 'C':
			confine = 0;
			opts.detach_mounts = false;
			break;
		case 'd':
			log_set_level(LOG_LVL_DEBUG);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!exports[0].src || optind != argc || (!sock_path) == (sock < 0)) {
		usage(stderr);
		return 2;
	}

	signal(SIGPIPE, SIG_IGN);
	umask(0);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}

	r = gofer_server_new(&opts, &srv);
	if (r < 0)
		return log_error_errno(r, "cannot open exports (root %s)", exports[0].src), 1;
	if (sock_path) {
		sock = listen_on(sock_path);
		if (sock < 0) {
			gofer_server_free(srv);
			return log_error_errno(sock, "cannot listen on %s", sock_path), 1;
		}
		listening = true;
	} else {
		int acc = 0;
		socklen_t len = sizeof(acc);

		if (getsockopt(sock, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) < 0) {
			gofer_server_free(srv);
			return log_error_errno(-errno, "--fd %d is not a socket", sock), 1;
		}
		listening = acc != 0;
	}
	r = gofer_server_confine(srv, confine);
	if (r < 0) {
		gofer_server_free(srv);
		safe_close(sock);
		return log_error_errno(r, "confinement failed"), 1;
	}
	if (ready_fd >= 0) {
		(void)!write(ready_fd, "R", 1);
		safe_close(ready_fd);
	}
	log_debug("serving %s (%zu exports) on %s", exports[0].src, opts.n_exports,
		  listening ? "a listening socket" : "one connection");
	if (listening)
		r = gofer_serve_listener(srv, sock);
	else
		r = gofer_serve_conn(srv, TAKE_FD(sock));
	if (listening)
		safe_close(sock);
	gofer_server_free(srv);
	if (r < 0)
		return log_error_errno(r, "serving failed"), 1;
	return 0;
}
