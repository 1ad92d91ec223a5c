/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cvisord: the control server.
 *
 *   cvisord [--rest HOST:PORT] [--rest-unix PATH] [--grpc HOST:PORT] [--config FILE]
 *           [--tls-cert PEM --tls-key PEM] [--state-dir DIR] [--default-rootfs DIR]
 *           [--platform systrap|ptrace]
 *           [--min-ready N] [--cvisor PATH] [--verbose]
 *           [--max-snapshots N] [--max-snapshot-bytes N] [--snapshot-ttl SECS]
 *           [--max-snapshot-ttl SECS]   (the config's limits; 0: none)
 *
 * Tokens: $CVISOR_TOKEN, the config's "tokens", else <state-dir>/token
 * (created 0600 at first start).  SIGTERM/SIGINT: stop accepting, drain the
 * requests in flight (limits.drain_timeout_ms, 30 s; then their sandboxes
 * are ended), destroy every sandbox, exit 0.
 */
#define LOG_PREFIX "cvisord"
#include "server/srv.h"
#include "server/grpc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/macro.h"
#include "lib/timeutil.h"

static int sig_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (write(sig_pipe[1], &c, 1) < 0) {
		/* the pipe is full: a stop is already pending */
	}
	errno = saved;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: cvisord [--rest HOST:PORT] [--rest-unix PATH] [--grpc HOST:PORT] [--config FILE]\n"
		   "               [--tls-cert PEM --tls-key PEM] [--state-dir DIR] [--snapshot-dir DIR]\n"
		   "               [--default-rootfs DIR] [--min-ready N]\n"
		   "               [--platform systrap|ptrace] [--boot-workers N] [--cvisor PATH]\n"
		   "               [--max-snapshots N] [--max-snapshot-bytes N] [--snapshot-ttl SECS]\n"
		   "               [--max-snapshot-ttl SECS] [--verbose]\n");
}

/* The sandboxes are `cvisor boot`: find the cvisor binary once (sandbox_boot
 * reads $CVISOR_BIN): --cvisor, $CVISOR_BIN, next to cvisord (installed),
 * ../runtime/cvisor (build tree), then $PATH. */
static int find_cvisor(const char *flag)
{
	char self[4096], cand[4200];
	ssize_t n;
	const char *path;

	if (flag)
		return access(flag, X_OK) == 0 ? setenv("CVISOR_BIN", flag, 1) : -errno;
	if (getenv("CVISOR_BIN") && *getenv("CVISOR_BIN"))
		return 0;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;
		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			snprintf(cand, sizeof(cand), "%s/cvisor", self);
			if (access(cand, X_OK) == 0)
				return setenv("CVISOR_BIN", cand, 1);
			snprintf(cand, sizeof(cand), "%s/../runtime/cvisor", self);
			if (access(cand, X_OK) == 0 && realpath(cand, self))
				return setenv("CVISOR_BIN", self, 1);
		}
	}
	path = getenv("PATH");
	while (path && *path) {
		const char *e = strchrnul(path, ':');
		snprintf(cand, sizeof(cand), "%.*s/cvisor", (int)(e - path), path);
		if (access(cand, X_OK) == 0)
			return setenv("CVISOR_BIN", cand, 1);
		path = *e ? e + 1 : e;
	}
	return -ENOENT;
}

static char *default_state_dir(void)
{
	char *s = NULL;

	if (getuid() == 0)
		return strdup("/run/cvisord");
	if (asprintf(&s, "/tmp/cvisord-%u", (unsigned)getuid()) < 0)
		return NULL;
	return s;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rest", required_argument, NULL, 'r' },
		{ "grpc", required_argument, NULL, 'g' },
		{ "rest-unix", required_argument, NULL, 'U' },
		{ "tls-cert", required_argument, NULL, 'T' },
		{ "tls-key", required_argument, NULL, 'K' },
		{ "config", required_argument, NULL, 'c' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "snapshot-dir", required_argument, NULL, 'S' },
		{ "default-rootfs", required_argument, NULL, 'd' },
		{ "min-ready", required_argument, NULL, 'm' },
		{ "platform", required_argument, NULL, 'p' },
		{ "cvisor", required_argument, NULL, 'C' },
		{ "boot-workers", required_argument, NULL, 'B' },
		{ "max-snapshots", required_argument, NULL, 1001 },
		{ "max-snapshot-bytes", required_argument, NULL, 1002 },
		{ "snapshot-ttl", required_argument, NULL, 1003 },
		{ "max-snapshot-ttl", required_argument, NULL, 1004 },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct srv_config cli;
	const char *config = NULL, *env_tok, *cvisor_bin = NULL;
	char *token_path = NULL;
	struct srv *s;
	struct pool_mgr_opts po = { 0 };
	struct sigaction sa = { 0 };
	int c, r, stale, ret;
	char err[512];
	/* --max-snapshots .. --max-snapshot-ttl; UINT64_MAX: not given */
	uint64_t snap_lim[4] = { UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX };
	bool reaper = false;

	/* Flags are gathered apart and applied over the config file. */
	memset(&cli, 0, sizeof(cli));
	cli.platform = (enum plat_kind)-1;
	cli.default_min_ready = UINT32_MAX;
	while ((c = getopt_long(argc, argv, "r:g:c:s:d:m:p:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			free(cli.rest);
			cli.rest = strdup(optarg);
			break;
		case 'T':
			free(cli.tls_cert);
			cli.tls_cert = strdup(optarg);
			break;
		case 'K':
			free(cli.tls_key);
			cli.tls_key = strdup(optarg);
			break;
		case 'U':
			free(cli.rest_unix);
			cli.rest_unix = strdup(optarg);
			break;
		case 'g':
			free(cli.grpc);
			cli.grpc = strdup(optarg);
			break;
		case 'c':
			config = optarg;
			break;
		case 's':
			free(cli.state_dir);
			cli.state_dir = strdup(optarg);
			break;
		case 'S':
			free(cli.snapshot_dir);
			cli.snapshot_dir = strdup(optarg);
			break;
		case 'd':
			free(cli.default_rootfs);
			cli.default_rootfs = strdup(optarg);
			break;
		case 'm': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || v > 1024) {
				usage(stderr);
				return 2;
			}
			cli.default_min_ready = (uint32_t)v;
			break;
		}
		case 'p':
			if (plat_kind_from_string(optarg, &cli.platform) < 0) {
				log_error("unknown platform '%s'", optarg);
				return 2;
			}
			break;
		case 'C':
			cvisor_bin = optarg;
			break;
		case 'B': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*end || v < 1 || v > 8) {
				log_error("--boot-workers: 1..8");
				return 2;
			}
			cli.boot_workers = (unsigned)v;
			break;
		}
		case 1001:
		case 1002:
		case 1003:
		case 1004: {
			char *end;
			unsigned long long v;
			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (*end || !*optarg || optarg[0] == '-' || errno ||
			    (c != 1002 && v > UINT32_MAX) || v > INT64_MAX) {
				log_error("--%s: a non-negative integer", opts[c - 1001 + 13].name);
				return 2;
			}
			snap_lim[c - 1001] = v;
			break;
		}
		case 'v':
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
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	s = calloc(1, sizeof(*s));
	if (!s)
		return 1;
	srv_config_defaults(&s->cfg);
	if (config && srv_config_load(&s->cfg, config, err, sizeof(err)) < 0) {
		log_error("%s", err);
		ret = 2;
		goto out;
	}
#define OVERRIDE(f)                      \
	if (cli.f) {                     \
		free(s->cfg.f);          \
		s->cfg.f = TAKE_PTR(cli.f); \
	}
	OVERRIDE(rest);
	OVERRIDE(grpc);
	OVERRIDE(rest_unix);
	OVERRIDE(tls_cert);
	OVERRIDE(tls_key);
	OVERRIDE(state_dir);
	OVERRIDE(snapshot_dir);
	OVERRIDE(default_rootfs);
#undef OVERRIDE
	if (cli.platform != (enum plat_kind)-1)
		s->cfg.platform = cli.platform;
	if (cli.boot_workers)
		s->cfg.boot_workers = cli.boot_workers;
	if (cli.default_min_ready != UINT32_MAX)
		s->cfg.default_min_ready = cli.default_min_ready;
	if (snap_lim[0] != UINT64_MAX)
		s->cfg.lim.max_snapshots = (uint32_t)snap_lim[0];
	if (snap_lim[1] != UINT64_MAX)
		s->cfg.lim.max_snapshot_bytes = snap_lim[1];
	if (snap_lim[2] != UINT64_MAX)
		s->cfg.lim.snapshot_ttl = (uint32_t)snap_lim[2];
	if (snap_lim[3] != UINT64_MAX)
		s->cfg.lim.max_snapshot_ttl = (uint32_t)snap_lim[3];
	if (!s->cfg.rest)
		s->cfg.rest = strdup("127.0.0.1:8080");
	if (!s->cfg.grpc)
		s->cfg.grpc = strdup("127.0.0.1:50051");
	if (!s->cfg.state_dir)
		s->cfg.state_dir = default_state_dir();
	if (s->cfg.state_dir && !s->cfg.snapshot_dir &&
	    asprintf(&s->cfg.snapshot_dir, "%s/snapshots", s->cfg.state_dir) < 0)
		s->cfg.snapshot_dir = NULL;
	if (!s->cfg.rest || !s->cfg.grpc || !s->cfg.state_dir || !s->cfg.snapshot_dir) {
		ret = 1;
		goto out;
	}

	r = find_cvisor(cvisor_bin);
	if (r < 0) {
		log_error_errno(r, "the cvisor binary (--cvisor PATH or $CVISOR_BIN)");
		ret = 2;
		goto out;
	}

	/* Leftovers of a crash first, then the manager (it creates the dir). */
	stale = pool_cleanup_stale(s->cfg.state_dir);
	if (stale > 0)
		log_info("cleaned up %d stale sandbox(es) in %s", stale, s->cfg.state_dir);
	stale = pool_cleanup_stale_cgroups(s->cfg.state_dir);
	if (stale > 0)
		log_info("removed %d stale sandbox cgroup(s)", stale);
	po.state_dir = s->cfg.state_dir;
	po.boot_workers = s->cfg.boot_workers;
	po.log_fd = -1;
	po.max_sandboxes = s->cfg.lim.max_sandboxes;
	r = pool_mgr_new(&po, &s->pm);
	if (r < 0) {
		log_error_errno(r, "state dir %s", s->cfg.state_dir);
		ret = 1;
		goto out;
	}

	env_tok = getenv("CVISOR_TOKEN");
	if (env_tok && *env_tok && srv_config_add_token(&s->cfg, env_tok) < 0) {
		log_error("CVISOR_TOKEN must be 16..256 characters");
		ret = 2;
		goto out;
	}
	if (s->cfg.ntokens == 0) {
		r = srv_token_file(&s->cfg, &token_path);
		if (r < 0) {
			log_error_errno(r, "token file in %s", s->cfg.state_dir);
			ret = 1;
			goto out;
		}
		log_info("token file: %s", token_path);
		free(token_path);
	}

	/* the snapshots on disk count against the limits (before pools may use
	 * them); the reaper (after the config's pools: an expired template is
	 * kept) removes the expired ones */
	r = srv_snapq_scan(s);
	if (r < 0)
		log_error_errno(r, "snapshot dir %s", s->cfg.snapshot_dir);

	for (size_t i = 0; i < s->cfg.npools; i++) {
		char msg[512];
		r = srv_pool_create(s, &s->cfg.pools[i], msg, sizeof(msg));
		if (r < 0) {
			log_error_errno(r, "pool %s%s%s", s->cfg.pools[i].name, msg[0] ? ": " : "",
					msg);
			ret = 2;
			goto out;
		}
	}
	r = srv_snapq_start(s);
	if (r < 0) {
		log_error_errno(r, "snapshot reaper");
		ret = 1;
		goto out;
	}
	reaper = true;
	if (s->cfg.default_rootfs) {
		struct pool_config d = { .name = "default",
					 .rootfs = s->cfg.default_rootfs,
					 .min_ready = s->cfg.default_min_ready,
					 .platform = s->cfg.platform };
		r = pool_create(s->pm, &d);
		if (r < 0 && r != -EEXIST) {
			log_error_errno(r, "default pool on %s", s->cfg.default_rootfs);
			ret = 2;
			goto out;
		}
	}

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		ret = 1;
		goto out;
	}
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	s->started_ms = now_ns(CLOCK_REALTIME) / NSEC_PER_MSEC;
	r = srv_http_start(s);
	if (r < 0) {
		log_error_errno(r, "cannot listen on %s", s->cfg.rest);
		ret = 1;
		goto out;
	}
	r = srv_grpc_start(s);
	if (r < 0) {
		log_error_errno(r, "cannot serve gRPC on %s", s->cfg.grpc);
		ret = 1;
		goto out;
	}
	if (r > 0 && strncmp(s->cfg.grpc, "unix:", 5) == 0)
		log_info("ready (gRPC on %s)", s->cfg.grpc);
	else if (r > 0)
		log_info("ready (gRPC on %s, port %d)", s->cfg.grpc, r);
	else
		log_info("ready (gRPC off)");

	for (;;) {
		struct pollfd pf = { .fd = sig_pipe[0], .events = POLLIN };
		char sig;
		if (poll(&pf, 1, -1) < 0 && errno != EINTR)
			break;
		if (read(sig_pipe[0], &sig, 1) == 1)
			break;
	}
	log_info("stopping: draining %u request(s)", atomic_load(&s->inflight));
	atomic_store(&s->draining, true);
	srv_http_quiesce(s);
	for (uint32_t i = 0; i < s->cfg.lim.drain_timeout_ms / 10 && atomic_load(&s->inflight) > 0; i++)
		usleep(10000);
	if (atomic_load(&s->inflight) > 0) {
		/* Still running after the drain timeout: end their sandboxes so that the
		 * connection threads return and the daemon can stop. */
		log_info("ending %u request(s) still running", atomic_load(&s->inflight));
		pool_end_all_leases(s->pm);
		for (int i = 0; i < 300 && atomic_load(&s->inflight) > 0; i++)
			usleep(10000); /* let them send their replies */
	}
	ret = 0;
out:
	srv_http_stop(s);
	srv_grpc_stop(s);
	if (reaper)
		srv_snapq_stop();
	pool_mgr_free(s->pm); /* destroys every sandbox */
	srv_config_clear(&s->cfg);
	srv_config_clear(&cli);
	free(s);
	if (ret == 0)
		log_info("stopped");
	return ret;
}
