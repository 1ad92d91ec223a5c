/* SPDX-License-Identifier: Apache-2.0 */
/* Server object: the exports, and the accept loop (one thread per connection). */
#include "gofer/gofer_server.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gofer/gofer_int.h"
#include "lib/macro.h"

#define DEFAULT_MSIZE (1u << 20)
#define DEFAULT_WORKERS 4u
#define DEFAULT_MAX_FIDS 65536u
#define DEFAULT_MAX_CONNS 64u

/* An attach name: absolute, no empty, "." or ".." components, no trailing '/'. */
static bool export_name_valid(const char *dst)
{
	const char *p;

	if (!dst || dst[0] != '/' || strlen(dst) > 4096)
		return false;
	if (!strcmp(dst, "/"))
		return true;
	for (p = dst; *p;) {
		const char *c = p + 1, *e = strchrnul(c, '/');
		size_t n = (size_t)(e - c);

		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		p = e;
	}
	return true;
}

static int open_export(const struct gofer_export *e, bool detach)
{
	_cleanup_close_ int fd = -EBADF;

	if (!detach) {
		fd = open(e->src, O_PATH | O_DIRECTORY | O_CLOEXEC);
		return fd < 0 ? neg_errno() : TAKE_FD(fd);
	}
	/*
	 * A private, non-recursive clone of the source: submounts (the host's
	 * /proc, /sys, /dev under a "/" export) are simply not part of it, and
	 * a read-only export becomes a read-only mount enforced by the kernel.
	 */
	fd = open_tree(AT_FDCWD, e->src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	struct mount_attr attr = {
	    .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (e->ro ? MOUNT_ATTR_RDONLY : 0),
	};
	if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return neg_errno();
	return TAKE_FD(fd);
}

void gofer_server_free(struct gofer_server *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_mounts; i++) {
		safe_close(s->mounts[i].root_fd);
		free(s->mounts[i].name);
	}
	free(s->mounts);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

int gofer_server_new(const struct gofer_opts *o, struct gofer_server **ret)
{
	struct gofer_server *s;
	int r;

	if (!o || !o->exports || o->n_exports == 0 || o->n_exports > 256 || !o->exports[0].dst ||
	    strcmp(o->exports[0].dst, "/"))
		return -EINVAL;
	if (o->max_msize && (o->max_msize < P9_MSIZE_MIN || o->max_msize > P9_MSIZE_MAX))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	s->max_msize = o->max_msize ? o->max_msize : DEFAULT_MSIZE;
	s->workers = o->workers ? o->workers : DEFAULT_WORKERS;
	s->max_fids = o->max_fids ? o->max_fids : DEFAULT_MAX_FIDS;
	s->max_conns = o->max_conns ? o->max_conns : DEFAULT_MAX_CONNS;
	s->no_donate = o->no_donate;
	s->mounts = calloc(o->n_exports, sizeof(*s->mounts));
	if (!s->mounts) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < o->n_exports; i++) {
		const struct gofer_export *e = &o->exports[i];

		if (!e->src || !export_name_valid(e->dst)) {
			r = -EINVAL;
			goto fail;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(s->mounts[j].name, e->dst)) {
				r = -EEXIST;
				goto fail;
			}
		s->mounts[i].root_fd = -EBADF;
		s->mounts[i].name = strdup(e->dst);
		s->mounts[i].ro = e->ro;
		s->n_mounts = i + 1;
		if (!s->mounts[i].name) {
			r = -ENOMEM;
			goto fail;
		}
		r = open_export(e, o->detach_mounts);
		if (r < 0)
			goto fail;
		s->mounts[i].root_fd = r;
	}
	*ret = s;
	return 0;
fail:
	gofer_server_free(s);
	return r;
}

struct conn_arg {
	struct gofer_server *s;
	int sock;
};

static void *conn_thread(void *p)
{
	struct conn_arg *a = p;
	struct gofer_server *s = a->s;

	(void)gofer_serve_conn(s, a->sock);
	free(a);
	pthread_mutex_lock(&s->lock);
	s->n_conns--;
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int gofer_serve_listener(struct gofer_server *s, int lsock)
{
	pthread_attr_t attr;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		struct conn_arg *a;
		pthread_t th;
		bool full;
		int fd = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE ||
			    errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				continue;
			pthread_attr_destroy(&attr);
			return neg_errno();
		}
		pthread_mutex_lock(&s->lock);
		full = s->n_conns >= s->max_conns;
		if (!full)
			s->n_conns++;
		pthread_mutex_unlock(&s->lock);
		a = full ? NULL : malloc(sizeof(*a));
		if (!a) {
			safe_close(fd);
			if (!full) {
				pthread_mutex_lock(&s->lock);
				s->n_conns--;
				pthread_mutex_unlock(&s->lock);
			}
			continue;
		}
		a->s = s;
		a->sock = fd;
		if (pthread_create(&th, &attr, conn_thread, a) != 0) {
			safe_close(fd);
			free(a);
			pthread_mutex_lock(&s->lock);
			s->n_conns--;
			pthread_mutex_unlock(&s->lock);
		}
	}
}
