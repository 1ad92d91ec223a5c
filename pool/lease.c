/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Leases: one warm sandbox per lease, never reused; ended leases' sandboxes
 * destroyed by the destroyer thread after the reply; ad-hoc sandboxes
 * booted from a rootfs path.  Locking: pool_impl.h.
 */
#define LOG_PREFIX "pool"
#include "pool/pool_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "runtime/sandbox.h"

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

/* --- leases --- */

void *pool__destroyer(void *arg)
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
		pool__destroy_sandbox(g->sb, g->sock);
		pthread_mutex_lock(&m->lock);
		g->pool->destroyed++;
		pool__unref(g->pool);
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
		pool__destroy_sandbox(l->sb, l->sock);
		pthread_mutex_lock(&m->lock);
		l->pool->destroyed++;
		pool__unref(l->pool);
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
	l->created_ms = pool__wall_ms();
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
	p = pool__find(m, name);
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
				pool__warm_free(w);
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
		     pool__total_alive(m) >= m->max_sandboxes)) {
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
		pool__abs_deadline(&ts, deadline);
		pthread_cond_timedwait(&m->ready, &m->lock, &ts);
		p->waiters--;
	}
	if (r < 0) {
		pool__unref(p);
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
	return pool_boot_adhoc_res(m, rootfs, platform, lease_seconds, NULL, ret);
}

int pool_boot_adhoc_res(struct pool_mgr *m, const char *rootfs, enum plat_kind platform,
			uint32_t lease_seconds, const struct pool_resources *res,
			struct pool_lease **ret)
{
	struct pool_config cfg = { .name = "_adhoc", .rootfs = (char *)rootfs,
				   .platform = platform };
	int cgfds[3];
	size_t ncg = 0;
	struct sandbox_opts o = { 0 };
	struct sandbox *sb = NULL;
	struct pool_lease *l;
	struct pool *p;
	char dir[160], sock[200];
	bool counted;
	uint64_t n;
	int r;

	if (res)
		cfg.resources = *res;
	r = pool_config_check(&cfg);
	if (r < 0)
		return r;
	if (pool_resources_set(&cfg.resources) && (r = pool_cgroups_usable()) < 0)
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
	r = m->stopping ? -ESHUTDOWN : pool__total_alive(m) >= m->max_sandboxes ? -ENOSPC : 0;
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
		r = pool__cgroup_prepare(sock, &p->cfg.resources, cgfds, &ncg);
		if (r == 0) {
			o.cgroup_fds = cgfds;
			o.ncgroup_fds = ncg;
			r = sandbox_boot(&o, &sb);
			pool__close_fds(cgfds, ncg);
			if (r < 0)
				pool__cgroup_remove(sock);
		}
	}
	if (r == 0) {
		pool__write_pid_file(sock, sandbox_host_pid(sb));
		l->sock = strdup(sock);
		if (!l->sock)
			r = -ENOMEM;
	}
	if (r < 0) {
		if (sb)
			pool__destroy_sandbox(sb, sock);
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

const char *pool_lease_rootfs(const struct pool_lease *l)
{
	return l->pool->cfg.rootfs;
}

enum plat_kind pool_lease_platform(const struct pool_lease *l)
{
	return l->pool->cfg.platform;
}

const char *pool_lease_control_path(const struct pool_lease *l)
{
	return l->sock;
}

struct sandbox *pool_lease_sandbox(struct pool_lease *l)
{
	return l->sb;
}

const struct pool_resources *pool_lease_resources(const struct pool_lease *l)
{
	return &l->pool->cfg.resources;
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
		l->deadline_ms = pool__wall_ms() + (uint64_t)seconds * 1000;
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
	__atomic_store_n(&l->nlabels, l->nlabels + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&l->m->lock);
	return 0;
}

const char *pool_lease_label(const struct pool_lease *l, const char *key)
{
	size_t n = __atomic_load_n(&l->nlabels, __ATOMIC_ACQUIRE);

	for (size_t i = 0; i < n; i++)
		if (strcmp(l->keys[i], key) == 0)
			return l->vals[i];
	return NULL;
}

size_t pool_lease_nlabels(const struct pool_lease *l)
{
	return __atomic_load_n(&l->nlabels, __ATOMIC_ACQUIRE);
}

void pool_lease_label_at(const struct pool_lease *l, size_t i, const char **k, const char **v)
{
	*k = l->keys[i];
	*v = l->vals[i];
}

int pool__cmp_str(const void *a, const void *b)
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
	qsort(v, n, sizeof(*v), pool__cmp_str);
	*ret = v;
	*ret_n = n;
	return 0;
}
