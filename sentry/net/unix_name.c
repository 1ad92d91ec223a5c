/* SPDX-License-Identifier: Apache-2.0 */
/* AF_UNIX sockets: names (paths and abstract), connections, shutdown and
 * socket options. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "lib/macro.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/file.h"
#include "sentry/vfs/vfs.h"
#include "sentry/vfs/vnode.h"
#include "unix.h"
#include "unix_impl.h"

#define SUN_OFF offsetof(struct sockaddr_un, sun_path)

/* Named sockets (unix_lock). */
static struct usock *bound_list;
static unsigned autobind_next;

static int is_abstract(const struct unix_addr *a)
{
	return a->len > SUN_OFF && a->sa.sun_path[0] == '\0';
}

/* The path of a path name, NUL-terminated into @buf. */
static void addr_path(const struct unix_addr *a, char *buf)
{
	size_t n = strnlen(a->sa.sun_path, MIN((size_t)a->len - SUN_OFF, sizeof(a->sa.sun_path)));

	memcpy(buf, a->sa.sun_path, n);
	buf[n] = '\0';
}

struct usock *us_lookup_locked(const struct unix_addr *a, int type, dev_t dev, uint64_t ino)
{
	int abstract = is_abstract(a);

	for (struct usock *s = bound_list; s; s = s->bound_next) {
		if (s->dead)
			continue;
		if (abstract) {
			if (is_abstract(&s->addr) && s->addr.len == a->len && s->type == type &&
			    !memcmp(s->addr.sa.sun_path, a->sa.sun_path, a->len - SUN_OFF))
				return s;
		} else if (s->bound_v && s->bound_dev == dev && s->bound_ino == ino) {
			return s;
		}
	}
	return NULL;
}

static void link_bound(struct usock *s)
{
	s->bound_next = bound_list;
	bound_list = s;
}

int us_bound_locked(struct usock *s)
{
	for (struct usock *o = bound_list; o; o = o->bound_next)
		if (o == s)
			return 1;
	return 0;
}

void us_link_bound_locked(struct usock *s)
{
	link_bound(s);
}

void us_unbind_locked(struct usock *s, struct us_grave *g)
{
	for (struct usock **pp = &bound_list; *pp; pp = &(*pp)->bound_next) {
		if (*pp == s) {
			*pp = s->bound_next;
			break;
		}
	}
	s->bound_next = NULL;
	if (s->bound_v) {
		if (g->nvnodes < (int)ARRAY_SIZE(g->vnodes))
			g->vnodes[g->nvnodes++] = s->bound_v;
		else
			vnode_put(s->bound_v);
		s->bound_v = NULL;
	}
}

int us_autobind_locked(struct usock *s)
{
	for (unsigned i = 0; i < 0x100000; i++) {
		struct unix_addr a = { .len = SUN_OFF + 6 };

		a.sa.sun_family = AF_UNIX;
		snprintf(a.sa.sun_path + 1, sizeof(a.sa.sun_path) - 1, "%05x",
			 autobind_next++ & 0xfffff);
		if (us_lookup_locked(&a, s->type, 0, 0))
			continue;
		s->addr = a;
		link_bound(s);
		return 0;
	}
	return -ENOSPC;
}

int us_resolve(struct task *t, const struct unix_addr *a, dev_t *ret_dev, uint64_t *ret_ino)
{
	char path[sizeof(a->sa.sun_path) + 1];
	struct path p;
	int r;

	addr_path(a, path);
	r = vfs_walk(t, AT_FDCWD, path, WALK_FOLLOW, &p);
	if (r < 0)
		return r;
	r = vfs_permission(&t->creds, p.v, MAY_WRITE);
	if (r == 0 && !S_ISSOCK(p.v->mode))
		r = -ECONNREFUSED;
	if (r == 0) {
		*ret_dev = p.v->dev;
		*ret_ino = p.v->ino;
	}
	path_put(&p);
	return r;
}

/* Create the socket inode of a path name. */
static int bind_path(struct task *t, const struct unix_addr *a, struct vnode **ret)
{
	char path[sizeof(a->sa.sun_path) + 1], name[VFS_NAME_MAX + 1];
	struct path dir;
	int slash, r;

	addr_path(a, path);
	r = vfs_walk_parent(t, AT_FDCWD, path, &dir, name, &slash);
	if (r == -EINVAL)
		return -EADDRINUSE; /* "." or ".." exist */
	if (r < 0)
		return r == -EEXIST ? -EADDRINUSE : r;
	if (dir.mnt->flags & MS_RDONLY)
		r = -EROFS;
	else
		r = vfs_permission(&t->creds, dir.v, MAY_WRITE | MAY_EXEC);
	if (r == 0 && !dir.v->ops->create)
		r = -EPERM;
	if (r == 0)
		r = dir.v->ops->create(dir.v, name, S_IFSOCK | (0777 & ~t->fs->umask), 0,
				       &t->creds, ret);
	path_put(&dir);
	return r == -EEXIST ? -EADDRINUSE : r;
}

/* Does @a name an existing file?  (bind of a bound socket: EADDRINUSE
 * wins over EINVAL for paths, as Linux creates the node first.) */
static int path_exists(struct task *t, const struct unix_addr *a)
{
	char path[sizeof(a->sa.sun_path) + 1];
	struct path p;

	addr_path(a, path);
	if (vfs_walk(t, AT_FDCWD, path, 0, &p) < 0)
		return 0;
	path_put(&p);
	return 1;
}

int unix_bind(struct task *t, struct usock *s, const struct unix_addr *a)
{
	struct vnode *v = NULL;
	struct unix_addr n = *a;
	int r = 0, bound;

	pthread_mutex_lock(&unix_lock);
	bound = s->addr.len != 0;
	if (!bound && a->len == SUN_OFF)
		r = us_autobind_locked(s);
	pthread_mutex_unlock(&unix_lock);
	if (bound)
		return !is_abstract(a) && a->len > SUN_OFF && path_exists(t, a) ? -EADDRINUSE
										  : -EINVAL;
	if (r < 0 || a->len == SUN_OFF)
		return r;
	if (!is_abstract(a)) {
		char path[sizeof(a->sa.sun_path) + 1];

		addr_path(a, path);
		n.len = (socklen_t)(SUN_OFF + strlen(path) + 1);
		memset(n.sa.sun_path, 0, sizeof(n.sa.sun_path));
		memcpy(n.sa.sun_path, path, strlen(path));
		r = bind_path(t, a, &v);
		if (r < 0)
			return r;
	}
	pthread_mutex_lock(&unix_lock);
	if (s->addr.len)
		r = -EINVAL;
	else if (!v && us_lookup_locked(&n, s->type, 0, 0))
		r = -EADDRINUSE;
	if (r == 0) {
		s->addr = n;
		if (v) {
			s->bound_v = v;
			s->bound_dev = v->dev;
			s->bound_ino = v->ino;
			v = NULL;
		}
		link_bound(s);
	}
	pthread_mutex_unlock(&unix_lock);
	if (v)
		vnode_put(v);
	return r;
}

int unix_listen(struct task *t, struct usock *s, int backlog)
{
	int r = 0;

	pthread_mutex_lock(&unix_lock);
	if (s->type == SOCK_DGRAM)
		r = -EOPNOTSUPP;
	else if (!s->addr.len || s->state == US_CONN)
		r = -EINVAL;
	if (r == 0) {
		if ((unsigned)backlog > UNIX_SOMAXCONN)
			backlog = UNIX_SOMAXCONN;
		s->backlog = backlog;
		if (s->state != US_LISTEN) {
			/* A listener's SO_PEERCRED is its own (Linux). */
			s->cred = s->peercred = unix_task_cred(t);
			s->has_peercred = 1;
		}
		s->state = US_LISTEN;
		us_wake();
	}
	pthread_mutex_unlock(&unix_lock);
	return r;
}

static int dgram_connect(struct task *t, struct usock *s, const struct unix_addr *a)
{
	dev_t dev = 0;
	uint64_t ino = 0;
	struct usock *o, *old;
	int r = 0;

	if (a->sa.sun_family == AF_UNSPEC) {
		pthread_mutex_lock(&unix_lock);
		old = s->peer;
		s->peer = NULL;
		if (old)
			us_unref(old);
		pthread_mutex_unlock(&unix_lock);
		return 0;
	}
	if (!is_abstract(a) && (r = us_resolve(t, a, &dev, &ino)) < 0)
		return r;
	pthread_mutex_lock(&unix_lock);
	if (s->passcred && !s->addr.len)
		r = us_autobind_locked(s);
	o = r < 0 ? NULL : us_lookup_locked(a, s->type, dev, ino);
	if (r == 0 && !o)
		r = -ECONNREFUSED;
	else if (r == 0 && o->type != s->type)
		r = -EPROTOTYPE;
	else if (r == 0 && o->peer && o->peer != s)
		r = -EPERM;
	if (r == 0) {
		old = s->peer;
		us_ref(o);
		s->peer = o;
		if (old)
			us_unref(old);
	}
	pthread_mutex_unlock(&unix_lock);
	return r;
}

int unix_connect(struct task *t, struct usock *s, const struct unix_addr *a, int nonblock)
{
	uint64_t deadline = us_deadline(s->sndtimeo);
	dev_t dev = 0;
	uint64_t ino = 0;
	struct usock *e, *o;
	int r = 0;

	if (s->type == SOCK_DGRAM)
		return dgram_connect(t, s, a);
	if (!is_abstract(a) && (r = us_resolve(t, a, &dev, &ino)) < 0)
		return r;
	e = us_new(s->type);
	if (!e)
		return -ENOMEM;
	pthread_mutex_lock(&unix_lock);
	if (s->passcred && !s->addr.len)
		r = us_autobind_locked(s);
	/* Linux's order: the listener first, then our own state. */
	while (r == 0) {
		o = us_lookup_locked(a, s->type, dev, ino);
		if (!o) {
			r = -ECONNREFUSED;
			break;
		}
		if (o->type != s->type) {
			r = -EPROTOTYPE;
			break;
		}
		if (o->state != US_LISTEN || (o->shut & US_RCV_SHUT)) {
			r = -ECONNREFUSED;
			break;
		}
		if (o->nacc > o->backlog) {
			if (nonblock) {
				r = -EAGAIN;
				break;
			}
			r = us_wait(t, deadline);
			continue;
		}
		if (s->state != US_UNCONN) {
			r = s->state == US_CONN ? -EISCONN : -EINVAL;
			break;
		}
		/* The embryo: connected now, returned by accept later. */
		e->state = US_CONN;
		e->peer = s;
		us_ref(s);
		e->addr = o->addr;
		e->peercred = unix_task_cred(t);
		e->has_peercred = 1;
		e->refs = 2; /* the accept queue's and s->peer */
		s->peer = e;
		s->state = US_CONN;
		s->peercred = o->cred;
		s->has_peercred = 1;
		*o->accq_tail = e;
		o->accq_tail = &e->acc_next;
		o->nacc++;
		e = NULL;
		us_wake();
		break;
	}
	pthread_mutex_unlock(&unix_lock);
	free(e);
	return r;
}

int unix_accept(struct task *t, struct usock *s, unsigned fflags, int nonblock,
		struct file **ret, struct unix_addr *ret_peer)
{
	uint64_t deadline = us_deadline(s->rcvtimeo);
	struct usock *e = NULL;
	int r = 0;

	pthread_mutex_lock(&unix_lock);
	if (s->type == SOCK_DGRAM)
		r = -EOPNOTSUPP;
	else if (s->state != US_LISTEN)
		r = -EINVAL;
	while (r == 0 && !s->accq) {
		if (nonblock)
			r = -EAGAIN;
		else if (s->state != US_LISTEN || (s->shut & US_RCV_SHUT))
			r = -EINVAL; /* shutdown() wakes a blocked accept (Linux) */
		else
			r = us_wait(t, deadline);
	}
	if (r == 0) {
		e = s->accq;
		s->accq = e->acc_next;
		if (!s->accq)
			s->accq_tail = &s->accq;
		e->acc_next = NULL;
		s->nacc--;
		e->passcred = s->passcred;
		memset(ret_peer, 0, sizeof(*ret_peer));
		if (e->peer && e->peer->addr.len) {
			*ret_peer = e->peer->addr;
		} else {
			ret_peer->len = SUN_OFF;
			ret_peer->sa.sun_family = AF_UNIX;
		}
		us_wake();
	}
	pthread_mutex_unlock(&unix_lock);
	if (r < 0)
		return r;
	r = us_file(e, fflags, ret);
	if (r < 0) {
		struct us_grave g = { 0 };

		pthread_mutex_lock(&unix_lock);
		us_release_locked(e, 0, &g);
		us_unref(e);
		pthread_mutex_unlock(&unix_lock);
		us_bury(&g);
	}
	return r;
}

int unix_shutdown(struct usock *s, int how)
{
	unsigned mode, peer_mode;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	mode = (unsigned)how + 1; /* SHUT_RD -> RCV, SHUT_WR -> SEND */
	peer_mode = ((mode & US_RCV_SHUT) ? US_SEND_SHUT : 0) |
		    ((mode & US_SEND_SHUT) ? US_RCV_SHUT : 0);
	pthread_mutex_lock(&unix_lock);
	s->shut |= mode;
	if (s->peer && s->type != SOCK_DGRAM)
		s->peer->shut |= peer_mode;
	us_wake();
	pthread_mutex_unlock(&unix_lock);
	return 0;
}

int unix_getname(struct usock *s, int peer, struct unix_addr *ret)
{
	struct usock *o = s;
	int r = 0;

	pthread_mutex_lock(&unix_lock);
	if (peer)
		o = s->type == SOCK_DGRAM || s->state == US_CONN ? s->peer : NULL;
	if (!o) {
		r = -ENOTCONN;
	} else if (o->addr.len) {
		*ret = o->addr;
	} else {
		memset(ret, 0, sizeof(*ret));
		ret->len = SUN_OFF;
		ret->sa.sun_family = AF_UNIX;
	}
	pthread_mutex_unlock(&unix_lock);
	return r;
}

static uint64_t tv_to_ns(const struct timeval *tv)
{
	if (tv->tv_sec < 0)
		return 0;
	if (tv->tv_sec == 0 && tv->tv_usec == 0)
		return 0;
	return (uint64_t)tv->tv_sec * 1000000000ULL + (uint64_t)tv->tv_usec * 1000ULL;
}

static void ns_to_tv(uint64_t ns, struct timeval *tv)
{
	tv->tv_sec = (time_t)(ns / 1000000000ULL);
	tv->tv_usec = (suseconds_t)(ns % 1000000000ULL / 1000ULL);
}

int unix_getsockopt(struct usock *s, int level, int name, void *val, socklen_t *len)
{
	union {
		int i;
		struct sock_cred c;
		struct timeval tv;
		struct linger l;
	} v;
	size_t lv = sizeof(int);

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if ((int)*len < 0)
		return -EINVAL;
	memset(&v, 0, sizeof(v));
	pthread_mutex_lock(&unix_lock);
	switch (name) {
	case SO_TYPE:
		v.i = s->type;
		break;
	case SO_ERROR:
		v.i = s->err;
		s->err = 0;
		break;
	case SO_PEERCRED:
		v.c = s->peercred;
		lv = sizeof(v.c);
		break;
	case SO_PASSCRED:
		v.i = s->passcred;
		break;
	case SO_SNDBUF:
		v.i = s->sndbuf;
		break;
	case SO_RCVBUF:
		v.i = s->rcvbuf;
		break;
	case SO_REUSEADDR:
		v.i = s->reuseaddr;
		break;
	case SO_KEEPALIVE:
		v.i = s->keepalive;
		break;
	case SO_BROADCAST:
		v.i = s->broadcast;
		break;
	case SO_OOBINLINE:
		v.i = s->oobinline;
		break;
	case SO_PRIORITY:
		v.i = s->priority;
		break;
	case SO_RCVLOWAT:
		v.i = s->rcvlowat;
		break;
	case SO_SNDLOWAT:
		v.i = 1;
		break;
	case SO_LINGER:
		v.l = s->linger;
		lv = sizeof(v.l);
		break;
	case SO_ACCEPTCONN:
		v.i = s->state == US_LISTEN;
		break;
	case SO_DOMAIN:
		v.i = AF_UNIX;
		break;
	case SO_PROTOCOL:
		v.i = 0;
		break;
	case SO_RCVTIMEO:
	case SO_SNDTIMEO:
		ns_to_tv(name == SO_RCVTIMEO ? s->rcvtimeo : s->sndtimeo, &v.tv);
		lv = sizeof(v.tv);
		break;
	default:
		pthread_mutex_unlock(&unix_lock);
		return -ENOPROTOOPT;
	}
	pthread_mutex_unlock(&unix_lock);
	if (*len > lv)
		*len = (socklen_t)lv;
	memcpy(val, &v, *len);
	return 0;
}

int unix_setsockopt(struct usock *s, int level, int name, const void *val, socklen_t len)
{
	struct timeval tv;
	int i = 0, r = 0;

	if (level != SOL_SOCKET)
		return -EOPNOTSUPP;
	if (name == SO_RCVTIMEO || name == SO_SNDTIMEO) {
		if (len < sizeof(tv))
			return -EINVAL;
		memcpy(&tv, val, sizeof(tv));
		if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EDOM;
	} else {
		if (len < sizeof(int))
			return -EINVAL;
		memcpy(&i, val, sizeof(i));
	}
	pthread_mutex_lock(&unix_lock);
	switch (name) {
	case SO_PASSCRED:
		s->passcred = !!i;
		break;
	case SO_SNDBUF:
		s->sndbuf = (int)MAX(MIN((unsigned)i, (unsigned)UNIX_BUF_DEFAULT) * 2,
				     (unsigned)UNIX_BUF_MIN);
		us_wake();
		break;
	case SO_RCVBUF:
		s->rcvbuf = (int)MAX(MIN((unsigned)i, (unsigned)UNIX_BUF_DEFAULT) * 2,
				     (unsigned)UNIX_BUF_MIN / 2);
		break;
	case SO_REUSEADDR:
		s->reuseaddr = !!i;
		break;
	case SO_KEEPALIVE:
		s->keepalive = !!i;
		break;
	case SO_BROADCAST:
		s->broadcast = !!i;
		break;
	case SO_OOBINLINE:
		s->oobinline = !!i;
		break;
	case SO_PRIORITY:
		s->priority = i;
		break;
	case SO_RCVLOWAT:
		s->rcvlowat = i < 0 ? INT32_MAX : MAX(i, 1);
		break;
	case SO_LINGER:
		if (len < sizeof(struct linger)) {
			r = -EINVAL;
			break;
		}
		memcpy(&s->linger, val, sizeof(s->linger));
		s->linger.l_onoff = !!s->linger.l_onoff;
		break;
	case SO_RCVTIMEO:
		s->rcvtimeo = tv_to_ns(&tv);
		break;
	case SO_SNDTIMEO:
		s->sndtimeo = tv_to_ns(&tv);
		break;
	case SO_TYPE:
	case SO_ERROR:
	case SO_PEERCRED:
	case SO_ACCEPTCONN:
	case SO_DOMAIN:
	case SO_PROTOCOL:
	default:
		r = -ENOPROTOOPT;
		break;
	}
	pthread_mutex_unlock(&unix_lock);
	return r;
}
