/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pools of pre-warmed sandboxes: warm sets, leases, refill and reaping.
 *
 * One mutex (m->lock) protects everything in the manager: the pool list,
 * every pool's counters and warm list, the lease list and every lease's
 * refs/ended/deadline.  Sandboxes are booted and destroyed with the lock
 * dropped (those calls take milliseconds); the objects they belong to are
 * kept alive by reference counts meanwhile.
 */
#define LOG_PREFIX "pool"
#include "pool/pool.h"

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

struct warm {
	struct warm *next;
	struct sandbox *sb;
	char *sock;
	int host_pid;
	uint64_t born_ns;
};

struct pool {
	struct pool *next; /* in m->pools, while !deleted */
	struct pool_config cfg; /* cfg.rootfs malloc'd */
	unsigned refs;          /* the list, waiters, boots, leases */
	bool deleted;
	bool adhoc;             /* private to one pool_boot_adhoc() lease */
	struct warm *warm;      /* LIFO of booted sandboxes; count in ready */
	uint32_t ready, starting, leased, waiters;
	uint64_t created, destroyed, leases_total;
	uint64_t failures[POOL_FAIL_N];
	struct pool_hist acquire, run;
	int last_boot_error;
	unsigned consecutive_fail;
	uint64_t retry_at_ns; /* no boot before this after failures (backoff) */
};

struct pool_lease {
	struct pool_mgr *m;
	struct pool_lease *next; /* in m->leases, while !ended */
	struct pool *pool;       /* holds a reference */
	char id[POOL_LEASE_ID_LEN + 1];
	struct sandbox *sb;
	char *sock;
	int host_pid;
	unsigned refs; /* the registry (until ended) + users */
	bool ended;
	uint64_t created_ms, deadline_ms;
	size_t nlabels;
	char *keys[MAX_LABELS], *vals[MAX_LABELS];
};

struct grave {
	struct grave *next;
	struct sandbox *sb;
	char *sock;
	struct pool *pool; /* holds a reference */
};

struct pool_mgr {
	pthread_mutex_t lock;
	pthread_cond_t work;  /* boot workers sleep here */
	pthread_cond_t ready; /* acquire() waiters */
	bool stopping;
	struct pool *pools;
	struct pool_lease *leases;
	char *state_dir;
	int log_fd;
	unsigned reap_ms;
	uint64_t seq; /* socket numbering */
	uint32_t max_sandboxes; /* over every pool and ad-hoc sandbox */
	uint32_t adhoc_live;    /* ad-hoc sandboxes booting or leased */
	unsigned nworkers;
	pthread_t workers[8];
	pthread_t reaper;
	bool reaper_started;
	/* Ended leases' sandboxes, destroyed by the destroyer thread so that a
	 * request's reply never waits for a teardown. */
	struct grave *graves;
	pthread_cond_t grave_cv;
	pthread_cond_t reap_cv; /* the reaper's sleep (woken to stop only) */
	bool graves_stop;
	pthread_t destroyer;
	bool destroyer_started;
};

static const char *const fail_names[POOL_FAIL_N] = {
	[POOL_FAIL_BOOT] = "boot", [POOL_FAIL_DIED] = "died", [POOL_FAIL_FULL] = "full",
	[POOL_FAIL_TIMEOUT] = "timeout", [POOL_FAIL_EXPIRED] = "expired",
	[POOL_FAIL_EXEC] = "exec",
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

static uint64_t wall_ms(void)
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
	return 0;
}

static void random_hex(char *out, size_t nhex)
{
	uint8_t b[32];
	static const char hx[] = "0123456789abcdef";
	size_t got = 0;

	while (got < nhex / 2) {
		ssize_t r = getrandom(b + got, nhex / 2 - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			abort(); /* no entropy source: ids would be guessable */
		}
		got += (size_t)r;
	}
	for (size_t i = 0; i < nhex / 2; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[nhex] = 0;
}

/* --- locked helpers --- */

static struct pool *find_pool(struct pool_mgr *m, const char *name)
{
	for (struct pool *p = m->pools; p; p = p->next)
		if (strcmp(p->cfg.name, name) == 0)
			return p;
	return NULL;
}

static void pool_unref(struct pool *p)
{
	if (--p->refs == 0) {
		free(p->cfg.rootfs);
		free(p);
	}
}

static void destroy_sandbox(struct sandbox *sb, const char *sock)
{
	if (sb)
		(void)sandbox_destroy(sb);
	if (sock) {
		char pidf[4200];
		unlink(sock);
		snprintf(pidf, sizeof(pidf), "%.4090s.pid", sock);
		unlink(pidf);
	}
}

static void warm_free(struct warm *w)
{
	destroy_sandbox(w->sb, w->sock);
	free(w->sock);
	free(w);
}

/* --- boot workers --- */

/* Sandboxes that exist or are being made, over the whole manager. */
static uint32_t total_alive(struct pool_mgr *m)
{
	uint32_t n = m->adhoc_live;

	for (struct pool *p = m->pools; p; p = p->next)
		n += p->ready + p->starting + p->leased;
	return n;
}

static struct pool *pick_boot(struct pool_mgr *m, uint64_t now)
{
	if (total_alive(m) >= m->max_sandboxes)
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

static void abs_deadline(struct timespec *ts, uint64_t mono_deadline)
{
	/* Condvars below use CLOCK_MONOTONIC. */
	ts->tv_sec = (time_t)(mono_deadline / NSEC_PER_SEC);
	ts->tv_nsec = (long)(mono_deadline % NSEC_PER_SEC);
}

/* Pid file next to the socket: stale cleanup after a crash. */
static void write_pid_file(const char *sock, int pid)
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
		char *rootfs;
		int r;

		if (!p) {
			uint64_t t = next_retry(m, now);
			if (t == UINT64_MAX) {
				pthread_cond_wait(&m->work, &m->lock);
			} else {
				struct timespec ts;
				abs_deadline(&ts, t);
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
		o.platform = p->cfg.platform;
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
		if (r == 0) {
			unlink(sock);
			r = sandbox_boot(&o, &sb);
		}
		free(rootfs);
		if (r == 0)
			warm_up(sb);
		if (r == 0)
			write_pid_file(sock, sandbox_host_pid(sb));

		pthread_mutex_lock(&m->lock);
		p->starting--;
		if (r < 0) {
			p->failures[POOL_FAIL_BOOT]++;
			p->last_boot_error = r;
			p->consecutive_fail++;
			p->retry_at_ns = mono_ns() +
				MIN((uint64_t)100 * NSEC_PER_MSEC << MIN(p->consecutive_fail, 8u),
				    10 * NSEC_PER_SEC);
		} else if (p->deleted || m->stopping) {
			pthread_mutex_unlock(&m->lock);
			destroy_sandbox(sb, sock);
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
				destroy_sandbox(sb, sock);
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
				p->retry_at_ns = 0;
			}
		}
		pthread_cond_broadcast(&m->ready);
		pool_unref(p);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

/* --- leases --- */

static void *destroyer(void *arg)
{
	struct pool_mgr *m = arg;

	pthread_mutex_lock(&m->lock);
	for (;;) {
		struct grave *g = m->graves;
		if (!g) {
			if (m->graves_stop)
				break;
			pthread_cond_wait(&m->grave_cv, &m->lock);
			continue;
		}
		m->graves = g->next;
		pthread_mutex_unlock(&m->lock);
		destroy_sandbox(g->sb, g->sock);
		pthread_mutex_lock(&m->lock);
		g->pool->destroyed++;
		pool_unref(g->pool);
		pthread_cond_broadcast(&m->work);
		free(g->sock);
		free(g);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

static void lease_free(struct pool_lease *l)
{
	struct pool_mgr *m = l->m;
	struct grave *g = calloc(1, sizeof(*g));

	if (g) {
		/* The reference on the pool moves to the grave. */
		g->sb = l->sb;
		g->sock = l->sock;
		g->pool = l->pool;
		pthread_mutex_lock(&m->lock);
		g->next = m->graves;
		m->graves = g;
		pthread_cond_signal(&m->grave_cv);
		pthread_mutex_unlock(&m->lock);
	} else {
		destroy_sandbox(l->sb, l->sock);
		pthread_mutex_lock(&m->lock);
		l->pool->destroyed++;
		pool_unref(l->pool);
		pthread_cond_broadcast(&m->work);
		pthread_mutex_unlock(&m->lock);
		free(l->sock);
	}
	for (size_t i = 0; i < l->nlabels; i++) {
		free(l->keys[i]);
		free(l->vals[i]);
	}
	free(l);
}

void pool_lease_put(struct pool_lease *l)
{
	bool last;

	if (!l)
		return;
	pthread_mutex_lock(&l->m->lock);
	last = --l->refs == 0;
	pthread_mutex_unlock(&l->m->lock);
	if (last)
		lease_free(l);
}

/* Unregister; the caller holds m->lock.  Returns whether it was live. */
static bool lease_unlink(struct pool_lease *l)
{
	struct pool_mgr *m = l->m;

	if (l->ended)
		return false;
	l->ended = true;
	for (struct pool_lease **pp = &m->leases; *pp; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	l->pool->leased--;
	if (l->pool->adhoc)
		m->adhoc_live--;
	pthread_cond_broadcast(&m->work);
	return true;
}

static void lease_kill_users(struct pool_lease *l)
{
	struct sandbox *c = NULL;

	/* Someone is running a process on another connection: kill it so that
	 * their wait returns, then the last reference destroys the sandbox. */
	if (sandbox_attach(l->sock, &c) == 0) {
		(void)sandbox_kill(c, 0, SIGKILL);
		sandbox_close(c);
	}
}

static void lease_end_counted(struct pool_lease *l, int why)
{
	struct pool_mgr *m = l->m;
	bool was, busy;

	pthread_mutex_lock(&m->lock);
	was = lease_unlink(l);
	if (was && why >= 0)
		l->pool->failures[why]++;
	busy = l->refs > 2;
	pthread_mutex_unlock(&m->lock);
	if (!was)
		return;
	if (busy)
		lease_kill_users(l);
	pool_lease_put(l); /* the registry's reference */
}

void pool_lease_end(struct pool_lease *l)
{
	lease_end_counted(l, -1);
}

void pool_lease_failed(struct pool_lease *l, enum pool_fail why)
{
	lease_end_counted(l, (int)why);
}

int pool_lease_find(struct pool_mgr *m, const char *id, struct pool_lease **ret)
{
	int r = -ENOENT;

	pthread_mutex_lock(&m->lock);
	for (struct pool_lease *l = m->leases; l; l = l->next) {
		if (strcmp(l->id, id) == 0) {
			l->refs++;
			*ret = l;
			r = 0;
			break;
		}
	}
	pthread_mutex_unlock(&m->lock);
	return r;
}

/* Fill and list a new lease (m->lock held); it takes over @p's reference. */
static void lease_register(struct pool_mgr *m, struct pool_lease *l, struct pool *p,
			   struct sandbox *sb, char *sock, int host_pid, uint32_t lease_seconds)
{
	l->m = m;
	l->pool = p;
	l->sb = sb;
	l->sock = sock;
	l->host_pid = host_pid;
	random_hex(l->id, POOL_LEASE_ID_LEN);
	l->refs = 2; /* the registry + the caller */
	l->created_ms = wall_ms();
	if (lease_seconds == 0 || lease_seconds > p->cfg.max_lease_seconds)
		lease_seconds = p->cfg.max_lease_seconds;
	l->deadline_ms = l->created_ms + (uint64_t)lease_seconds * 1000;
	l->next = m->leases;
	m->leases = l;
	p->leased++;
	p->leases_total++;
}

int pool_acquire(struct pool_mgr *m, const char *name, int timeout_ms, uint32_t lease_seconds,
		 struct pool_lease **ret)
{
	uint64_t t0 = mono_ns(), deadline = t0 + (uint64_t)MAX(timeout_ms, 0) * NSEC_PER_MSEC;
	struct pool_lease *l = calloc(1, sizeof(*l));
	struct warm *w = NULL;
	struct pool *p;
	int r = 0;

	if (!l)
		return -ENOMEM;
	pthread_mutex_lock(&m->lock);
	p = find_pool(m, name);
	if (!p) {
		pthread_mutex_unlock(&m->lock);
		free(l);
		return -ENOENT;
	}
	p->refs++;
	for (;;) {
		struct timespec ts;
		uint64_t now;

		if (m->stopping) {
			r = -ESHUTDOWN;
			break;
		}
		if (p->deleted) {
			r = -ENOENT;
			break;
		}
		if (p->warm) {
			w = p->warm;
			p->warm = w->next;
			p->ready--;
			if (w->host_pid > 0 && !pool_pid_alive(w->host_pid)) {
				/* Died while warm: count, drop, try the next one. */
				p->failures[POOL_FAIL_DIED]++;
				p->destroyed++;
				pthread_mutex_unlock(&m->lock);
				warm_free(w);
				w = NULL;
				pthread_mutex_lock(&m->lock);
				pthread_cond_broadcast(&m->work);
				continue;
			}
			break;
		}
		/* Nothing warm.  Will anything be? */
		if (p->starting <= p->waiters &&
		    (p->ready + p->starting + p->leased >= p->cfg.max_total ||
		     total_alive(m) >= m->max_sandboxes)) {
			p->failures[POOL_FAIL_FULL]++;
			r = -ENOSPC;
			break;
		}
		now = mono_ns();
		if (p->starting == 0 && p->consecutive_fail > 0 && p->retry_at_ns > now) {
			p->failures[POOL_FAIL_TIMEOUT]++;
			r = -EAGAIN;
			break;
		}
		if (now >= deadline) {
			p->failures[POOL_FAIL_TIMEOUT]++;
			r = -EAGAIN;
			break;
		}
		p->waiters++;
		pthread_cond_broadcast(&m->work);
		abs_deadline(&ts, deadline);
		pthread_cond_timedwait(&m->ready, &m->lock, &ts);
		p->waiters--;
	}
	if (r < 0) {
		pool_unref(p);
		pthread_mutex_unlock(&m->lock);
		free(l);
		return r;
	}
	/* The lease inherits the pool reference taken above. */
	lease_register(m, l, p, w->sb, w->sock, w->host_pid, lease_seconds);
	free(w);
	pool_hist_observe(&p->acquire, (double)(mono_ns() - t0) / 1e9);
	pthread_cond_broadcast(&m->work); /* refill behind us */
	pthread_mutex_unlock(&m->lock);
	*ret = l;
	return 0;
}

int pool_boot_adhoc(struct pool_mgr *m, const char *rootfs, enum plat_kind platform,
		    uint32_t lease_seconds, struct pool_lease **ret)
{
	struct pool_config cfg = { .name = "_adhoc", .rootfs = (char *)rootfs,
				   .platform = platform };
	struct sandbox_opts o = { 0 };
	struct sandbox *sb = NULL;
	struct pool_lease *l;
	struct pool *p;
	char dir[160], sock[200];
	bool counted;
	uint64_t n;
	int r = pool_config_check(&cfg);

	if (r < 0)
		return r;
	p = calloc(1, sizeof(*p));
	l = calloc(1, sizeof(*l));
	if (!p || !l || !(cfg.rootfs = strdup(rootfs))) {
		free(p);
		free(l);
		return -ENOMEM;
	}
	cfg.max_total = 1;
	cfg.max_lease_seconds = 3600;
	p->cfg = cfg;
	p->deleted = true; /* never listed: it lives for this lease only */
	p->adhoc = true;
	p->refs = 1;       /* the lease's */
	pthread_mutex_lock(&m->lock);
	r = m->stopping ? -ESHUTDOWN : total_alive(m) >= m->max_sandboxes ? -ENOSPC : 0;
	counted = r == 0;
	if (counted)
		m->adhoc_live++;
	n = ++m->seq;
	pthread_mutex_unlock(&m->lock);
	if (r == 0 &&
	    (snprintf(dir, sizeof(dir), "%s/_adhoc", m->state_dir) >= (int)sizeof(dir) ||
	     snprintf(sock, sizeof(sock), "%s/%" PRIu64 ".sock", dir, n) >= (int)sizeof(sock)))
		r = -ENAMETOOLONG;
	if (r == 0 && mkdir(dir, 0700) < 0 && errno != EEXIST)
		r = neg_errno();
	if (r == 0) {
		o.rootfs = p->cfg.rootfs;
		o.control_path = sock;
		o.platform = platform;
		o.log_fd = m->log_fd;
		/* Booted on a request thread that ends with its connection: no
		 * die_with_caller (a crash leaves it to pool_cleanup_stale). */
		r = sandbox_boot(&o, &sb);
	}
	if (r == 0) {
		write_pid_file(sock, sandbox_host_pid(sb));
		l->sock = strdup(sock);
		if (!l->sock)
			r = -ENOMEM;
	}
	if (r < 0) {
		if (sb)
			destroy_sandbox(sb, sock);
		if (counted) {
			pthread_mutex_lock(&m->lock);
			m->adhoc_live--;
			pthread_mutex_unlock(&m->lock);
		}
		free(l->sock);
		free(l);
		free(p->cfg.rootfs);
		free(p);
		return r;
	}
	pthread_mutex_lock(&m->lock);
	p->created = 1;
	lease_register(m, l, p, sb, l->sock, sandbox_host_pid(sb), lease_seconds);
	pthread_mutex_unlock(&m->lock);
	*ret = l;
	return 0;
}

const char *pool_lease_id(const struct pool_lease *l)
{
	return l->id;
}

const char *pool_lease_pool(const struct pool_lease *l)
{
	return l->pool->cfg.name;
}

const char *pool_lease_control_path(const struct pool_lease *l)
{
	return l->sock;
}

struct sandbox *pool_lease_sandbox(struct pool_lease *l)
{
	return l->sb;
}

int pool_lease_host_pid(const struct pool_lease *l)
{
	return l->host_pid;
}

uint64_t pool_lease_created_ms(const struct pool_lease *l)
{
	return l->created_ms;
}

uint64_t pool_lease_deadline_ms(const struct pool_lease *l)
{
	uint64_t d;

	pthread_mutex_lock(&l->m->lock);
	d = l->deadline_ms;
	pthread_mutex_unlock(&l->m->lock);
	return d;
}

bool pool_lease_ended(const struct pool_lease *l)
{
	bool e;

	pthread_mutex_lock(&l->m->lock);
	e = l->ended;
	pthread_mutex_unlock(&l->m->lock);
	return e;
}

int pool_lease_set_timeout(struct pool_lease *l, uint32_t seconds)
{
	int r = 0;

	pthread_mutex_lock(&l->m->lock);
	if (l->ended) {
		r = -ENOENT;
	} else {
		if (seconds == 0 || seconds > l->pool->cfg.max_lease_seconds)
			seconds = l->pool->cfg.max_lease_seconds;
		l->deadline_ms = wall_ms() + (uint64_t)seconds * 1000;
	}
	pthread_mutex_unlock(&l->m->lock);
	return r;
}

int pool_lease_set_label(struct pool_lease *l, const char *key, const char *value)
{
	char *k, *v;

	if (!key[0] || strlen(key) > LABEL_MAX || strlen(value) > LABEL_MAX)
		return -EINVAL;
	if (l->nlabels >= MAX_LABELS)
		return -E2BIG;
	k = strdup(key);
	v = strdup(value);
	if (!k || !v) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	pthread_mutex_lock(&l->m->lock);
	l->keys[l->nlabels] = k;
	l->vals[l->nlabels] = v;
	l->nlabels++;
	pthread_mutex_unlock(&l->m->lock);
	return 0;
}

const char *pool_lease_label(const struct pool_lease *l, const char *key)
{
	for (size_t i = 0; i < l->nlabels; i++)
		if (strcmp(l->keys[i], key) == 0)
			return l->vals[i];
	return NULL;
}

size_t pool_lease_nlabels(const struct pool_lease *l)
{
	return l->nlabels;
}

void pool_lease_label_at(const struct pool_lease *l, size_t i, const char **k, const char **v)
{
	*k = l->keys[i];
	*v = l->vals[i];
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void pool_names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int pool_lease_ids(struct pool_mgr *m, char ***ret, size_t *ret_n)
{
	size_t n = 0, i = 0;
	char **v;

	pthread_mutex_lock(&m->lock);
	for (struct pool_lease *l = m->leases; l; l = l->next)
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v) {
		pthread_mutex_unlock(&m->lock);
		return -ENOMEM;
	}
	for (struct pool_lease *l = m->leases; l; l = l->next) {
		v[i] = strdup(l->id);
		if (!v[i]) {
			pthread_mutex_unlock(&m->lock);
			pool_names_free(v, i);
			return -ENOMEM;
		}
		i++;
	}
	pthread_mutex_unlock(&m->lock);
	qsort(v, n, sizeof(*v), cmp_str);
	*ret = v;
	*ret_n = n;
	return 0;
}

/* --- reaper --- */

static void reap_once(struct pool_mgr *m)
{
	struct pool_lease *expired[64];
	int why[64];
	size_t nexp = 0;
	struct warm *dead = NULL;
	uint64_t now = wall_ms(), mnow = mono_ns();

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
		pool_lease_failed(expired[i], (enum pool_fail)why[i]);
		pool_lease_put(expired[i]);
	}
	while (dead) {
		struct warm *n = dead->next;
		warm_free(dead);
		dead = n;
	}
}

static void *reaper(void *arg)
{
	struct pool_mgr *m = arg;

	pthread_mutex_lock(&m->lock);
	while (!m->stopping) {
		struct timespec ts;

		abs_deadline(&ts, mono_ns() + (uint64_t)m->reap_ms * NSEC_PER_MSEC);
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
	m->seq = wall_ms() * 1000;
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
	r = -pthread_create(&m->destroyer, NULL, destroyer, m);
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
		warm_free(w);
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
		pool_unref(p);
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
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->cfg = *cfg;
	p->cfg.rootfs = strdup(cfg->rootfs);
	if (!p->cfg.rootfs) {
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
	} else if (find_pool(m, cfg->name)) {
		r = -EEXIST;
	} else {
		p->next = m->pools;
		m->pools = p;
		pthread_cond_broadcast(&m->work);
	}
	pthread_mutex_unlock(&m->lock);
	if (r < 0) {
		free(p->cfg.rootfs);
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
	p = find_pool(m, name);
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
	p = find_pool(m, name);
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
	pool_unref(p);
	pthread_mutex_unlock(&m->lock);
	return 0;
}

int pool_get(struct pool_mgr *m, const char *name, struct pool_info *ret)
{
	struct pool *p;

	pthread_mutex_lock(&m->lock);
	p = find_pool(m, name);
	if (!p) {
		pthread_mutex_unlock(&m->lock);
		return -ENOENT;
	}
	memset(ret, 0, sizeof(*ret));
	ret->cfg = p->cfg;
	snprintf(ret->rootfs, sizeof(ret->rootfs), "%s", p->cfg.rootfs);
	ret->cfg.rootfs = ret->rootfs;
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
	qsort(v, n, sizeof(*v), cmp_str);
	*ret = v;
	*ret_n = n;
	return 0;
}

void pool_observe_run(struct pool_mgr *m, const char *name, double seconds)
{
	struct pool *p;

	pthread_mutex_lock(&m->lock);
	p = find_pool(m, name);
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
	p = find_pool(m, name);
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

/* --- crash leftovers --- */

static int read_pid_file(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return atoi(buf);
}

int pool_cleanup_stale(const char *state_dir)
{
	DIR *top = opendir(state_dir);
	struct dirent *de;
	int count = 0;

	if (!top)
		return errno == ENOENT ? 0 : neg_errno();
	while ((de = readdir(top))) {
		char dir[400];
		DIR *d;
		struct dirent *e;

		if (de->d_name[0] == '.' || !pool_name_valid(de->d_name))
			continue;
		if (snprintf(dir, sizeof(dir), "%s/%s", state_dir, de->d_name) >= (int)sizeof(dir))
			continue;
		d = opendir(dir);
		if (!d)
			continue;
		while ((e = readdir(d))) {
			char path[700], pidf[800];
			size_t n = strlen(e->d_name);
			struct sandbox *sb = NULL;
			int pid;

			if (n < 6 || strcmp(e->d_name + n - 5, ".sock") != 0)
				continue;
			if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path) ||
			    snprintf(pidf, sizeof(pidf), "%s.pid", path) >= (int)sizeof(pidf))
				continue;
			pid = read_pid_file(pidf);
			if (sandbox_attach(path, &sb) == 0) {
				(void)sandbox_destroy(sb);
				count++;
			} else if (pid > 0 && pool_pid_alive(pid)) {
				/* Only a process whose name says it is ours. */
				char cp[64], comm[32] = "";
				int fd;
				snprintf(cp, sizeof(cp), "/proc/%d/comm", pid);
				fd = open(cp, O_RDONLY | O_CLOEXEC);
				if (fd >= 0) {
					ssize_t k = read(fd, comm, sizeof(comm) - 1);
					comm[k > 0 ? k : 0] = 0;
					close(fd);
				}
				if (strncmp(comm, "cvisor", 6) == 0) {
					kill(pid, SIGKILL);
					count++;
				}
			}
			unlink(path);
			unlink(pidf);
		}
		closedir(d);
	}
	closedir(top);
	return count;
}
