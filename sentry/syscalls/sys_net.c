/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Socket syscalls but the message transfers (sys_net_msg.c): argument
 * copies around the socket's family operations (sentry/net/socket.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "lib/macro.h"
#include "sentry/kernel/signal.h"
#include "sentry/kernel/task.h"
#include "sentry/net/socket.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "syscall_handlers.h"
#include "sys_net.h"

#define SOCK_TYPE_MASK 0xf
#define NPROTO_MAX 46         /* AF_MAX */
#define SOCK_MAX_TYPE 11      /* SOCK_PACKET + 1 */

/* The socket at @fd: a file reference in *@ret_f. */
int net_sock_get(struct task *t, int fd, struct file **ret_f, struct sock **ret_s)
{
	struct file *f = fdt_lookup(t->fdt, fd);

	if (!f)
		return -EBADF;
	if (!sock_of(f)) {
		file_put(f);
		return -ENOTSOCK;
	}
	*ret_f = f;
	*ret_s = sock_of(f);
	return 0;
}

int net_nonblocking(struct file *f)
{
	int nb;

	pthread_mutex_lock(&f->lock);
	nb = !!(f->flags & O_NONBLOCK);
	pthread_mutex_unlock(&f->lock);
	return nb;
}

/* move_addr_to_kernel: up to sockaddr_storage, EFAULT if unreadable. */
int net_addr_in(struct task *t, uint64_t uaddr, int64_t ulen, struct sock_addr *a)
{
	if (ulen < 0 || ulen > (int64_t)sizeof(a->ss))
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	if (ulen && task_copy_in(t, uaddr, &a->ss, (size_t)ulen) != (ssize_t)ulen)
		return -EFAULT;
	a->len = (socklen_t)ulen;
	return 0;
}

/* move_addr_to_user: copy what fits, store the full length. */
int net_addr_out(struct task *t, const struct sock_addr *a, uint64_t uaddr, uint64_t ulenp)
{
	int ulen;
	size_t n;

	if (task_copy_in(t, ulenp, &ulen, sizeof(ulen)) != sizeof(ulen))
		return -EFAULT;
	if (ulen < 0)
		return -EINVAL;
	n = MIN((size_t)ulen, (size_t)a->len);
	if (n && task_copy_out(t, uaddr, &a->ss, n) != (ssize_t)n)
		return -EFAULT;
	ulen = (int)a->len;
	return task_copy_out(t, ulenp, &ulen, sizeof(ulen)) == sizeof(ulen) ? 0 : -EFAULT;
}

void net_sigpipe(struct task *t)
{
	siginfo_t info;

	memset(&info, 0, sizeof(info));
	info.si_signo = SIGPIPE;
	info.si_code = SI_USER;
	info.si_pid = t->tg->tgid;
	info.si_uid = t->creds.ruid;
	(void)signal_send(t, &info, 0);
}

/* socket(2)/socketpair(2) argument checks; the base type in *@ret_type. */
static int check_socket_args(int domain, int type, int proto, int *ret_type)
{
	int flags = type & ~SOCK_TYPE_MASK;

	type &= SOCK_TYPE_MASK;
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	if (domain < 0 || domain >= NPROTO_MAX)
		return -EAFNOSUPPORT;
	if (type >= SOCK_MAX_TYPE)
		return -EINVAL;
	*ret_type = type;
	return 0;
}

int64_t sys_socket(struct task *t, const uint64_t a[6])
{
	struct file *f;
	int type, r, fd;

	r = check_socket_args((int)a[0], (int)a[1], (int)a[2], &type);
	if (r < 0)
		return r;
	r = sock_create(t, (int)a[0], type | ((int)a[1] & SOCK_NONBLOCK), (int)a[2], &f);
	if (r < 0)
		return r;
	fd = fdt_install_max(t->fdt, 0, f, !!((int)a[1] & SOCK_CLOEXEC), task_fd_limit(t));
	file_put(f);
	return fd;
}

int64_t sys_socketpair(struct task *t, const uint64_t a[6])
{
	struct file *fa, *fb;
	int type, r, fds[2], cloexec = !!((int)a[1] & SOCK_CLOEXEC);

	r = check_socket_args((int)a[0], (int)a[1], (int)a[2], &type);
	if (r < 0)
		return r;
	r = sock_socketpair(t, (int)a[0], type | ((int)a[1] & SOCK_NONBLOCK), (int)a[2], &fa, &fb);
	if (r < 0)
		return r;
	fds[0] = fdt_install_max(t->fdt, 0, fa, cloexec, task_fd_limit(t));
	fds[1] = fds[0] < 0 ? fds[0] : fdt_install_max(t->fdt, 0, fb, cloexec, task_fd_limit(t));
	file_put(fa);
	file_put(fb);
	if (fds[1] < 0) {
		if (fds[0] >= 0)
			fdt_close(t->fdt, fds[0]);
		return fds[1];
	}
	if (task_copy_out(t, a[3], fds, sizeof(fds)) != sizeof(fds)) {
		fdt_close(t->fdt, fds[0]);
		fdt_close(t->fdt, fds[1]);
		return -EFAULT;
	}
	return 0;
}

int64_t sys_bind(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = NULL;
	struct sock *s;
	struct sock_addr ad;
	int r;

	SOCK_ARG(t, (int)a[0], f, s);
	if (!s->ops->bind)
		return -EOPNOTSUPP;
	r = net_addr_in(t, a[1], (int)a[2], &ad);
	if (r < 0)
		return r;
	return s->ops->bind(t, s, &ad);
}

int64_t sys_listen(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = NULL;
	struct sock *s;

	SOCK_ARG(t, (int)a[0], f, s);
	return s->ops->listen ? s->ops->listen(t, s, (int)a[1]) : -EOPNOTSUPP;
}

int64_t sys_connect(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = NULL;
	struct sock *s;
	struct sock_addr ad;
	int r;

	SOCK_ARG(t, (int)a[0], f, s);
	if (!s->ops->connect)
		return -EOPNOTSUPP;
	r = net_addr_in(t, a[1], (int)a[2], &ad);
	if (r < 0)
		return r;
	return s->ops->connect(t, s, &ad, net_nonblocking(f));
}

static int64_t do_accept(struct task *t, const uint64_t a[6], int flags)
{
	_cleanup_file_ struct file *f = NULL;
	struct sock *s;
	struct sock_addr peer;
	struct file *nf;
	int r, fd;

	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	SOCK_ARG(t, (int)a[0], f, s);
	if (!s->ops->accept)
		return -EOPNOTSUPP;
	/* Linux takes the descriptor before the connection: EMFILE leaves
	 * the connection queued.  Probe for a free slot the same way. */
	fd = fdt_install_max(t->fdt, 0, f, 0, task_fd_limit(t));
	if (fd < 0)
		return fd;
	fdt_close(t->fdt, fd);
	memset(&peer, 0, sizeof(peer));
	r = s->ops->accept(t, s, (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0, net_nonblocking(f), &nf,
			   &peer);
	if (r < 0)
		return r;
	fd = fdt_install_max(t->fdt, 0, nf, !!(flags & SOCK_CLOEXEC), task_fd_limit(t));
	file_put(nf);
	if (fd < 0)
		return fd;
	if (a[1] && (r = net_addr_out(t, &peer, a[1], a[2])) < 0) {
		fdt_close(t->fdt, fd);
		return r;
	}
	return fd;
}

int64_t sys_accept(struct task *t, const uint64_t a[6])
{
	return do_accept(t, a, 0);
}

int64_t sys_accept4(struct task *t, const uint64_t a[6])
{
	return do_accept(t, a, (int)a[3]);
}

int64_t sys_shutdown(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = NULL;
	struct sock *s;

	SOCK_ARG(t, (int)a[0], f, s);
	return s->ops->shutdown ? s->ops->shutdown(t, s, (int)a[1]) : -EOPNOTSUPP;
}

static int64_t getname(struct task *t, const uint64_t a[6], int peer)
{
	_cleanup_file_ struct file *f = NULL;
	struct sock *s;
	struct sock_addr ad;
	int r;

	SOCK_ARG(t, (int)a[0], f, s);
	if (!s->ops->getname)
		return -EOPNOTSUPP;
	memset(&ad, 0, sizeof(ad));
	r = s->ops->getname(s, peer, &ad);
	return r < 0 ? r : net_addr_out(t, &ad, a[1], a[2]);
}

int64_t sys_getsockname(struct task *t, const uint64_t a[6])
{
	return getname(t, a, 0);
}

int64_t sys_getpeername(struct task *t, const uint64_t a[6])
{
	return getname(t, a, 1);
}

int64_t sys_getsockopt(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = NULL;
	struct sock *s;
	uint8_t val[SOCK_OPT_MAX];
	int len, r;
	socklen_t l;

	SOCK_ARG(t, (int)a[0], f, s);
	if (!s->ops->getsockopt)
		return -EOPNOTSUPP;
	if (task_copy_in(t, a[4], &len, sizeof(len)) != sizeof(len))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	l = (socklen_t)MIN(len, (int)sizeof(val));
	memset(val, 0, sizeof(val));
	r = s->ops->getsockopt(t, s, (int)a[1], (int)a[2], val, &l);
	if (r < 0)
		return r;
	if (l && task_copy_out(t, a[3], val, l) != (ssize_t)l)
		return -EFAULT;
	len = (int)l;
	return task_copy_out(t, a[4], &len, sizeof(len)) == sizeof(len) ? 0 : -EFAULT;
}

int64_t sys_setsockopt(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = NULL;
	struct sock *s;
	uint8_t val[SOCK_OPT_MAX];
	int len = (int)a[4];

	SOCK_ARG(t, (int)a[0], f, s);
	if (len < 0)
		return -EINVAL;
	if (!s->ops->setsockopt)
		return -EOPNOTSUPP;
	len = MIN(len, (int)sizeof(val));
	memset(val, 0, sizeof(val));
	if (len && task_copy_in(t, a[3], val, (size_t)len) != len)
		return -EFAULT;
	return s->ops->setsockopt(t, s, (int)a[1], (int)a[2], val, (socklen_t)len);
}


