/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pools of pre-warmed sandboxes: the manager and its pools, the boot
 * workers that refill warm sets, the reaper (lease deadlines, dead and idle
 * sandboxes).  Leases are in lease.c, crash leftovers in stale.c; locking
 * in pool_impl.h.  Sandboxes are booted and destroyed with the lock dropped
 * (those calls take milliseconds); the objects they belong to are kept
 * alive by reference counts meanwhile.
 */
#define LOG_PREFIX "pool"
#include "pool/pool_impl.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "runtime/sandbox.h"

const double pool_hist_bounds[POOL_HIST_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
};

#define MAX_LABELS 16
#define LABEL_MAX 128

static const char *const fail_names[POOL_FAIL_N] = {
	[POOL_FAIL_BOOT] = "boot", [POOL_FAIL_DIED] = "died", [POOL_FAIL_FULL] = "full",
	[POOL_FAIL_TIMEOUT] = "timeout", [POOL_FAIL_EXPIRED] = "expired",
	[POOL_FAIL_EXEC] = "exec", [POOL_FAIL_RESTORE] = "restore", [POOL_FAIL_OOM] = "oom",
};

const char *pool_fail_name(enum pool_fail f)
{
	return f < POOL_FAIL_N ? fail_names[f] : "unknown";
}

void pool_hist_observe(struct pool_hist *h, double s)
{
	size_t i = 0;

	while (i < POOL_HIST_BUCKETS && s > pool_hist_bounds[i])
		i++;
	h->counts[i]++;
	h->n++;
	h->sum += s;
}

uint64_t pool__wall_ms(void)
{
	return now_ns(CLOCK_REALTIME) / NSEC_PER_MSEC;
}

bool pool_pid_alive(int pid)
{
	char path[64], buf[512];
	ssize_t n;
	int fd;
	const char *p;

	if (pid <= 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return false;
	return p[2] != 'Z' && p[2] != 'X' && p[2] != 'x';
}

bool pool_name_valid(const char *name)
{
	size_t n = 0;

	if (!name)
		return false;
	for (; name[n]; n++) {
		char c = name[n];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return n >= 1 && n <= POOL_NAME_MAX;
}

int pool_config_check(const struct pool_config *cfg)
{
	struct stat st;

	if (!pool_name_valid(cfg->name))
		return -EINVAL;
	if (!cfg->rootfs || cfg->rootfs[0] != '/' || strlen(cfg->rootfs) >= 4096)
		return -EINVAL;
	if (stat(cfg->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (cfg->max_total > 4096 || cfg->min_ready > 1024)
		return -EINVAL;
	if (cfg->max_total && cfg->min_ready > cfg->max_total)
		return -EINVAL;
	if (cfg->platform != PLAT_SYSTRAP && cfg->platform != PLAT_PTRACE)
		return -EINVAL;
	if (cfg->network != SANDBOX_NET_NONE && cfg->network != SANDBOX_NET_HOST)
		return -EINVAL;
	/* a snapshot template: both names or neither */
	if (!cfg->snapshot != !cfg->image)
		return -EINVAL;
	if (cfg->snapshot && (!cfg->snapshot[0] || strlen(cfg->snapshot) > POOL_SNAPSHOT_MAX))
		return -EINVAL;
	if (cfg->image && (cfg->image[0] != '/' || strlen(cfg->image) >= 4096))
		return -EINVAL;
	return pool_resources_check(&cfg->resources);
}

/* --- locked helpers --- */

struct pool *pool__find(struct pool_mgr *m, const char *name)
{
	for (struct pool *p = m->pools; p; p = p->next)
		if (strcmp(p->cfg.name, name) == 0)
			return p;
	return NULL;
}

void pool__unref(struct pool *p)
{
	if (--p->refs == 0) {
		free(p->cfg.rootfs);
		free(p->cfg.snapshot);
		free(p->cfg.image);
		free(p);
	}
}

void pool__destroy_sandbox(struct sandbox *sb, const char *sock)
{
	if (sb)
		(void)sandbox_destroy(sb);
	if (sock) {
		pool__cgroup_remove(sock);
		char pidf[4200];
		unlink(sock);
		snprintf(pidf, sizeof(pidf), "%.4090s.pid", sock);
		unlink(pidf);
	}
}

void pool__warm_free(struct warm *w)
{
	pool__destroy_sandbox(w->sb, w->sock);
	free(w->sock);
	free(w);
}

/* --- boot workers --- */

/* Sandboxes that exist or are being made, over the whole manager. */
uint32_t pool__total_alive(struct pool_mgr *m)
{
	uint32_t n = m->adhoc_live;

	for (struct pool *p = m->pools; p; p = p->next)
		n += p->ready + p->starting + p->leased;
	return n;
}

static struct pool *pick_boot(struct pool_mgr *m, uint64_t now)
{
	if (pool__total_alive(m) >= m->max_sandboxes)
		return NULL;
	for (struct pool *p = m->pools; p; p = p->next) {
		uint32_t max = p->cfg.max_total;
		if (now < p->retry_at_ns)
			continue;
		if (p->ready + p->starting >= p->cfg.min_ready + p->waiters)
			continue;
		if (p->ready + p->starting + p->leased >= max)
			continue;
		return p;
	}
	return NULL;
}

static uint64_t next_retry(struct pool_mgr *m, uint64_t now)
{
	uint64_t t = UINT64_MAX;

	for (struct pool *p = m->pools; p; p = p->next)
		if (p->retry_at_ns > now && p->retry_at_ns < t)
			t = p->retry_at_ns;
	return t;
}

void pool__abs_deadline(struct timespec *ts, uint64_t mono_deadline)
{
	/* Condvars below use CLOCK_MONOTONIC. */
	ts->tv_sec = (time_t)(mono_deadline / NSEC_PER_SEC);
	ts->tv_nsec = (long)(mono_deadline % NSEC_PER_SEC);
}

/* Pid file next to the socket: stale cleanup after a crash. */
void pool__write_pid_file(const char *sock, int pid)
{
	char pidf[256], buf[32];
	int fd, len;

	if (snprintf(pidf, sizeof(pidf), "%s.pid", sock) >= (int)sizeof(pidf))
		return;
	fd = open(pidf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	len = snprintf(buf, sizeof(buf), "%d\n", pid);
	if (write(fd, buf, (size_t)len) != len)
		unlink(pidf); /* a torn pid file is worse than none */
	close(fd);
}

/* Run `true` once so that the first request does not pay for the Sentry's
 * cold caches (path walks, the ELF and its pages through the Gofer): about
 * a third of a first exec.  Failures (no `true` in the template) are
 * harmless: the sandbox is still fresh for its one lease. */
static void warm_up(struct sandbox *sb)
{
	static const char *const argv[] = { "true", NULL };
	struct sandbox_process p = { .argv = argv, .stdio = { -1, -1, -1 } };
	int32_t pid;
	int st;

	if (sandbox_spawn(sb, &p, &pid) == 0)
		(void)sandbox_wait(sb, pid, 2000, &st);
}

/* A snapshot pool's sandbox: the image restored into the freshly booted
 * (and warmed: its `true` has been collected, so the kernel has no process)
 * sandbox, so that a lease gets the saved processes already running.  The
 * saved stdio becomes /dev/null.  On failure @err is never empty: the
 * caller counts it as a restore failure. */
static int restore_template(struct sandbox *sb, const char *image, char *err, size_t errlen)
{
	static const int stdio[3] = { -1, -1, -1 };
	int r;

	err[0] = 0;
	r = sandbox_restore(sb, image, stdio, SANDBOX_RESTORE_VERIFY_ONCE, err, errlen);
	if (r < 0 && !err[0])
		snprintf(err, errlen, "%s", strerror(-r));
	return r;
}

static void *boot_worker(void *arg)
{
	struct pool_mgr *m = arg;

	pthread_mutex_lock(&m->lock);
	while (!m->stopping) {
		uint64_t now = mono_ns();
		struct pool *p = pick_boot(m, now);
		struct sandbox_opts o = { 0 };
		struct sandbox *sb = NULL;
		char dir[160], sock[200];
		uint64_t n;
		char *rootfs, *image = NULL;
		char rerr[256] = "";
		struct pool_resources res;
		int r, cgfds[3];
		size_t ncg = 0;

		if (!p) {
			uint64_t t = next_retry(m, now);
			if (t == UINT64_MAX) {
				pthread_cond_wait(&m->work, &m->lock);
			} else {
				struct timespec ts;
				pool__abs_deadline(&ts, t);
				pthread_cond_timedwait(&m->work, &m->lock, &ts);
			}
			continue;
		}
		p->starting++;
		p->refs++;
		n = ++m->seq;
		/* state_dir <= 50 bytes and names <= 32: these fit sun_path. */
		if (snprintf(dir, sizeof(dir), "%s/%s", m->state_dir, p->cfg.name) >= (int)sizeof(dir) ||
		    snprintf(sock, sizeof(sock), "%s/%" PRIu64 ".sock", dir, n) >= (int)sizeof(sock))
			abort();
		rootfs = strdup(p->cfg.rootfs);
		if (p->cfg.image && !(image = strdup(p->cfg.image))) {
			free(rootfs);
			rootfs = NULL;
		}
		o.platform = p->cfg.platform;
		o.network = p->cfg.network;
		res = p->cfg.resources;
		pthread_mutex_unlock(&m->lock);

		o.rootfs = rootfs;
		o.control_path = sock;
		o.log_fd = m->log_fd;
		/* No orphans if cvisord dies: the boot workers live as long as
		 * the manager, which destroys every sandbox before they exit. */
		o.die_with_caller = true;
		r = rootfs ? 0 : -ENOMEM;
		if (r == 0 && mkdir(dir, 0700) < 0 && errno != EEXIST)
			r = neg_errno();
		if (r == 0)
			r = pool__cgroup_prepare(sock, &res, cgfds, &ncg);
		if (r == 0) {
			unlink(sock);
			o.cgroup_fds = cgfds;
			o.ncgroup_fds = ncg;
			r = sandbox_boot(&o, &sb);
			if (r < 0)
				pool__cgroup_remove(sock);
		}
		pool__close_fds(cgfds, ncg);
		free(rootfs);
		if (r == 0)
			warm_up(sb);
		if (r == 0)
			pool__write_pid_file(sock, sandbox_host_pid(sb));
		if (r == 0 && image) {
			r = restore_template(sb, image, rerr, sizeof(rerr));
			if (r < 0) {
				pool__destroy_sandbox(sb, sock);
				sb = NULL;
			}
		}
		free(image);

		pthread_mutex_lock(&m->lock);
		p->starting--;
		if (r < 0) {
			/* a failed restore is a failed refill: the same backoff */
			p->failures[rerr[0] ? POOL_FAIL_RESTORE : POOL_FAIL_BOOT]++;
			p->last_boot_error = r;
			snprintf(p->last_error, sizeof(p->last_error), "%s", rerr);
			p->consecutive_fail++;
			p->retry_at_ns = mono_ns() +
				MIN((uint64_t)100 * NSEC_PER_MSEC << MIN(p->consecutive_fail, 8u),
				    10 * NSEC_PER_SEC);
		} else if (p->deleted || m->stopping) {
			pthread_mutex_unlock(&m->lock);
			pool__destroy_sandbox(sb, sock);
			pthread_mutex_lock(&m->lock);
			p->created++;
			p->destroyed++;
		} else {
			struct warm *w = calloc(1, sizeof(*w));
			char *s = strdup(sock);
			if (!w || !s) {
				free(w);
				free(s);
				pthread_mutex_unlock(&m->lock);
				pool__destroy_sandbox(sb, sock);
				pthread_mutex_lock(&m->lock);
				p->failures[POOL_FAIL_BOOT]++;
			} else {
				w->sb = sb;
				w->sock = s;
				w->host_pid = sandbox_host_pid(sb);
				w->born_ns = mono_ns();
				w->next = p->warm;
				p->warm = w;
				p->ready++;
				p->created++;
				p->consecutive_fail = 0;
				p->last_boot_error = 0;
				p->last_error[0] = 0;
				p->retry_at_ns = 0;
			}
		}
		pthread_cond_broadcast(&m->ready);
		pool__unref(p);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

/* --- reaper --- */

static void reap_once(struct pool_mgr *m)
{
	struct pool_lease *expired[64], *limited[64];
	int why[64];
	size_t nexp = 0, nlim = 0;
	struct warm *dead = NULL;
	uint64_t now = pool__wall_ms(), mnow = mono_ns();

	pthread_mutex_lock(&m->lock);
	for (struct pool_lease *l = m->leases; l && nexp < ARRAY_SIZE(expired); l = l->next) {
		int w = -1;
		if (now >= l->deadline_ms)
			w = POOL_FAIL_EXPIRED;
		else if (l->host_pid > 0 && !pool_pid_alive(l->host_pid))
			w = POOL_FAIL_DIED;
		if (w >= 0) {
			l->refs++;
			why[nexp] = w;
			expired[nexp++] = l;
		} else if (l->pool->cfg.resources.memory_bytes && nlim < ARRAY_SIZE(limited)) {
			/* an OOM kill may have taken one process only (v1) */
			l->refs++;
			limited[nlim++] = l;
		}
	}
	for (struct pool *p = m->pools; p; p = p->next) {
		for (struct warm **pp = &p->warm; *pp;) {
			struct warm *w = *pp;
			bool died = w->host_pid > 0 && !pool_pid_alive(w->host_pid);
			bool old = p->cfg.idle_ttl_seconds &&
				   mnow - w->born_ns > (uint64_t)p->cfg.idle_ttl_seconds * NSEC_PER_SEC;
			if (!died && !old) {
				pp = &w->next;
				continue;
			}
			*pp = w->next;
			p->ready--;
			p->destroyed++;
			if (died)
				p->failures[POOL_FAIL_DIED]++;
			w->next = dead;
			dead = w;
			pthread_cond_broadcast(&m->work);
		}
	}
	pthread_mutex_unlock(&m->lock);
	for (size_t i = 0; i < nexp; i++) {
		if (why[i] == POOL_FAIL_DIED && pool_lease_oom(expired[i]))
			why[i] = POOL_FAIL_OOM;
		pool_lease_failed(expired[i], (enum pool_fail)why[i]);
		pool_lease_put(expired[i]);
	}
	for (size_t i = 0; i < nlim; i++) {
		if (pool_lease_oom(limited[i]))
			pool_lease_failed(limited[i], POOL_FAIL_OOM);
		pool_lease_put(limited[i]);
	}
	while (dead) {
		struct warm *n = dead->next;
		pool__warm_free(dead);
		dead = n;
	}
}

static void *reaper(void *arg)
{
	struct pool_mgr *m = arg;

	pthread_mutex_lock(&m->lock);
	while (!m->stopping) {
		struct timespec ts;

		pool__abs_deadline(&ts, mono_ns() + (uint64_t)m->reap_ms * NSEC_PER_MSEC);
		pthread_cond_timedwait(&m->reap_cv, &m->lock, &ts);
		if (m->stopping)
			break;
		pthread_mutex_unlock(&m->lock);
		reap_once(m);
		pthread_mutex_lock(&m->lock);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

/* --- manager --- */

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, path, n + 1);
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return neg_errno();
		*s = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return neg_errno();
	return 0;
}

int pool_mgr_new(const struct pool_mgr_opts *opts, struct pool_mgr **ret)
{
	struct pool_mgr *m;
	pthread_condattr_t ca;
	int r;

	/* <state_dir>/<pool>/<seq>.sock must fit in sun_path (108):
	 * 50 + 1 + 32 + 1 + 16 + 5. */
	if (!opts->state_dir || opts->state_dir[0] != '/' || strlen(opts->state_dir) > 50)
		return -EINVAL;
	r = mkdir_p(opts->state_dir, 0700);
	if (r < 0)
		return r;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->state_dir = strdup(opts->state_dir);
	if (!m->state_dir) {
		free(m);
		return -ENOMEM;
	}
	m->log_fd = opts->log_fd;
	/* Socket names never repeat across restarts (stale ones may remain). */
	m->seq = pool__wall_ms() * 1000;
	m->reap_ms = opts->reap_interval_ms ? opts->reap_interval_ms : 250;
	m->max_sandboxes = opts->max_sandboxes ? opts->max_sandboxes : 256;
	m->nworkers = opts->boot_workers ? MIN(opts->boot_workers, (unsigned)ARRAY_SIZE(m->workers)) : 2;
	pthread_mutex_init(&m->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&m->work, &ca);
	pthread_cond_init(&m->ready, &ca);
	pthread_cond_init(&m->grave_cv, &ca);
	pthread_cond_init(&m->reap_cv, &ca);
	pthread_condattr_destroy(&ca);
	r = -pthread_create(&m->destroyer, NULL, pool__destroyer, m);
	if (r < 0) {
		m->nworkers = 0;
		pool_mgr_free(m);
		return r;
	}
	m->destroyer_started = true;
	for (unsigned i = 0; i < m->nworkers; i++) {
		r = -pthread_create(&m->workers[i], NULL, boot_worker, m);
		if (r < 0) {
			m->nworkers = i;
			pool_mgr_free(m);
			return r;
		}
	}
	r = -pthread_create(&m->reaper, NULL, reaper, m);
	if (r < 0) {
		pool_mgr_free(m);
		return r;
	}
	m->reaper_started = true;
	*ret = m;
	return 0;
}

static void drain_warm(struct pool_mgr *m, struct pool *p)
{
	/* Called with m->lock held; drops it around each destroy. */
	while (p->warm) {
		struct warm *w = p->warm;
		p->warm = w->next;
		p->ready--;
		p->destroyed++;
		pthread_mutex_unlock(&m->lock);
		pool__warm_free(w);
		pthread_mutex_lock(&m->lock);
	}
}

void pool_end_all_leases(struct pool_mgr *m)
{
	for (;;) {
		struct pool_lease *l;
		pthread_mutex_lock(&m->lock);
		l = m->leases;
		if (l)
			l->refs++;
		pthread_mutex_unlock(&m->lock);
		if (!l)
			break;
		pool_lease_end(l); /* kills what runs in it; users see their exec end */
		pool_lease_put(l);
	}
}

void pool_mgr_free(struct pool_mgr *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->stopping = true;
	pthread_cond_broadcast(&m->work);
	pthread_cond_broadcast(&m->reap_cv);
	pthread_cond_broadcast(&m->ready);
	pthread_mutex_unlock(&m->lock);
	for (unsigned i = 0; i < m->nworkers; i++)
		pthread_join(m->workers[i], NULL);
	if (m->reaper_started)
		pthread_join(m->reaper, NULL);

	pool_end_all_leases(m);
	if (m->destroyer_started) {
		pthread_mutex_lock(&m->lock);
		m->graves_stop = true;
		pthread_cond_signal(&m->grave_cv);
		pthread_mutex_unlock(&m->lock);
		pthread_join(m->destroyer, NULL); /* it empties the queue first */
	}
	pthread_mutex_lock(&m->lock);
	while (m->pools) {
		struct pool *p = m->pools;
		m->pools = p->next;
		p->deleted = true;
		drain_warm(m, p);
		pool__unref(p);
	}
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->work);
	pthread_cond_destroy(&m->ready);
	pthread_cond_destroy(&m->grave_cv);
	pthread_cond_destroy(&m->reap_cv);
	free(m->state_dir);
	free(m);
}

int pool_create(struct pool_mgr *m, const struct pool_config *cfg)
{
	struct pool *p;
	int r = pool_config_check(cfg);

	if (r < 0)
		return r;
	if (pool_resources_set(&cfg->resources) && (r = pool_cgroups_usable()) < 0)
		return r;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->cfg = *cfg;
	p->cfg.rootfs = strdup(cfg->rootfs);
	p->cfg.snapshot = cfg->snapshot ? strdup(cfg->snapshot) : NULL;
	p->cfg.image = cfg->image ? strdup(cfg->image) : NULL;
	if (!p->cfg.rootfs || !p->cfg.snapshot != !cfg->snapshot || !p->cfg.image != !cfg->image) {
		free(p->cfg.rootfs);
		free(p->cfg.snapshot);
		free(p->cfg.image);
		free(p);
		return -ENOMEM;
	}
	if (!p->cfg.max_total)
		p->cfg.max_total = 64;
	if (!p->cfg.max_lease_seconds)
		p->cfg.max_lease_seconds = 3600;
	p->refs = 1;
	pthread_mutex_lock(&m->lock);
	if (m->stopping) {
		r = -ESHUTDOWN;
	} else if (pool__find(m, cfg->name)) {
		r = -EEXIST;
	} else {
		p->next = m->pools;
		m->pools = p;
		pthread_cond_broadcast(&m->work);
	}
	pthread_mutex_unlock(&m->lock);
	if (r < 0) {
		free(p->cfg.rootfs);
		free(p->cfg.snapshot);
		free(p->cfg.image);
		free(p);
	}
	return r;
}

int pool_update(struct pool_mgr *m, const char *name, unsigned fields,
		const struct pool_config *v)
{
	struct pool *p;
	struct pool_config c;
	int r = 0;

	pthread_mutex_lock(&m->lock);
	p = pool__find(m, name);
	if (!p) {
		pthread_mutex_unlock(&m->lock);
		return -ENOENT;
	}
	c = p->cfg;
	if (fields & POOL_UPD_MIN_READY)
		c.min_ready = v->min_ready;
	if (fields & POOL_UPD_MAX_TOTAL)
		c.max_total = v->max_total ? v->max_total : 64;
	if (fields & POOL_UPD_MAX_LEASE)
		c.max_lease_seconds = v->max_lease_seconds ? v->max_lease_seconds : 3600;
	if (fields & POOL_UPD_IDLE_TTL)
		c.idle_ttl_seconds = v->idle_ttl_seconds;
	if (c.max_total > 4096 || c.min_ready > 1024 || c.min_ready > c.max_total)
		r = -EINVAL;
	else
		p->cfg = c;
	pthread_cond_broadcast(&m->work);
	pthread_mutex_unlock(&m->lock);
	return r;
}

int pool_delete(struct pool_mgr *m, const char *name)
{
	struct pool *p;

	pthread_mutex_lock(&m->lock);
	p = pool__find(m, name);
	if (!p) {
		pthread_mutex_unlock(&m->lock);
		return -ENOENT;
	}
	for (struct pool **pp = &m->pools; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	p->deleted = true;
	drain_warm(m, p);
	pthread_cond_broadcast(&m->ready);
	pool__unref(p);
	pthread_mutex_unlock(&m->lock);
	return 0;
}

int pool_get(struct pool_mgr *m, const char *name, struct pool_info *ret)
{
	struct pool *p;

	pthread_mutex_lock(&m->lock);
	p = pool__find(m, name);
	if (!p) {
		pthread_mutex_unlock(&m->lock);
		return -ENOENT;
	}
	memset(ret, 0, sizeof(*ret));
	ret->cfg = p->cfg;
	snprintf(ret->rootfs, sizeof(ret->rootfs), "%s", p->cfg.rootfs);
	ret->cfg.rootfs = ret->rootfs;
	snprintf(ret->snapshot, sizeof(ret->snapshot), "%s",
		 p->cfg.snapshot ? p->cfg.snapshot : "");
	ret->cfg.snapshot = p->cfg.snapshot ? ret->snapshot : NULL;
	ret->cfg.image = NULL;
	ret->ready = p->ready;
	ret->starting = p->starting;
	ret->leased = p->leased;
	ret->waiters = p->waiters;
	ret->created = p->created;
	ret->destroyed = p->destroyed;
	ret->leases_total = p->leases_total;
	memcpy(ret->failures, p->failures, sizeof(ret->failures));
	ret->acquire = p->acquire;
	ret->run = p->run;
	ret->last_boot_error = p->last_boot_error;
	snprintf(ret->last_error, sizeof(ret->last_error), "%s", p->last_error);
	pthread_mutex_unlock(&m->lock);
	return 0;
}

int pool_list(struct pool_mgr *m, char ***ret, size_t *ret_n)
{
	size_t n = 0, i = 0;
	char **v;

	pthread_mutex_lock(&m->lock);
	for (struct pool *p = m->pools; p; p = p->next)
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v) {
		pthread_mutex_unlock(&m->lock);
		return -ENOMEM;
	}
	for (struct pool *p = m->pools; p; p = p->next) {
		v[i] = strdup(p->cfg.name);
		if (!v[i]) {
			pthread_mutex_unlock(&m->lock);
			pool_names_free(v, i);
			return -ENOMEM;
		}
		i++;
	}
	pthread_mutex_unlock(&m->lock);
	qsort(v, n, sizeof(*v), pool__cmp_str);
	*ret = v;
	*ret_n = n;
	return 0;
}

void pool_observe_run(struct pool_mgr *m, const char *name, double seconds)
{
	struct pool *p;

	pthread_mutex_lock(&m->lock);
	p = pool__find(m, name);
	if (p)
		pool_hist_observe(&p->run, seconds);
	pthread_mutex_unlock(&m->lock);
}

void pool_count_failure(struct pool_mgr *m, const char *name, enum pool_fail why)
{
	struct pool *p;

	if (why >= POOL_FAIL_N)
		return;
	pthread_mutex_lock(&m->lock);
	p = pool__find(m, name);
	if (p)
		p->failures[why]++;
	pthread_mutex_unlock(&m->lock);
}

uint32_t pool_mgr_total(struct pool_mgr *m)
{
	uint32_t n = 0;

	pthread_mutex_lock(&m->lock);
	for (struct pool *p = m->pools; p; p = p->next)
		n += p->ready + p->starting;
	for (struct pool_lease *l = m->leases; l; l = l->next)
		n++;
	pthread_mutex_unlock(&m->lock);
	return n;
}
