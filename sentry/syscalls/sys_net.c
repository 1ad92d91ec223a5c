/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Socket syscalls but the message transfers (sys_net_msg.c).  AF_UNIX only
 * (sentry/net/unix.h); other families are EAFNOSUPPORT until sandbox
 * networking lands.
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
#include "sentry/net/unix.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "syscall_handlers.h"
#include "sys_net.h"

#define SOCK_TYPE_MASK 0xf
#define NPROTO_MAX 46         /* AF_MAX */
#define SOCK_MAX_TYPE 11      /* SOCK_PACKET + 1 */

/* The socket at @fd: a file reference in *@ret_f. */
int net_sock_get(struct task *t, int fd, struct file **ret_f, struct usock **ret_s)
{
	struct file *f = fdt_lookup(t->fdt, fd);

	if (!f)
		return -EBADF;
	if (!unix_sock(f)) {
		file_put(f);
		return -ENOTSOCK;
	}
	*ret_f = f;
	*ret_s = unix_sock(f);
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
int net_addr_in(struct task *t, uint64_t uaddr, int64_t ulen, struct unix_addr *a)
{
	struct sockaddr_storage ss;

	if (ulen < 0 || ulen > (int64_t)sizeof(ss))
		return -EINVAL;
	memset(a, 0, sizeof(*a));
	memset(&ss, 0, sizeof(ss));
	if (ulen && task_copy_in(t, uaddr, &ss, (size_t)ulen) != (ssize_t)ulen)
		return -EFAULT;
	a->len = (socklen_t)ulen;
	memcpy(&a->sa, &ss, sizeof(a->sa));
	return 0;
}

/* unix_validate_addr. */
int net_addr_valid(const struct unix_addr *a)
{
	if (a->len <= SUN_OFF || a->len > sizeof(struct sockaddr_un))
		return -EINVAL;
	return a->sa.sun_family == AF_UNIX ? 0 : -EINVAL;
}

/* move_addr_to_user: copy what fits, store the full length. */
int net_addr_out(struct task *t, const struct unix_addr *a, uint64_t uaddr, uint64_t ulenp)
{
	int ulen;
	size_t n;

	if (task_copy_in(t, ulenp, &ulen, sizeof(ulen)) != sizeof(ulen))
		return -EFAULT;
	if (ulen < 0)
		return -EINVAL;
	n = MIN((size_t)ulen, (size_t)a->len);
	if (n && task_copy_out(t, uaddr, &a->sa, n) != (ssize_t)n)
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
	if (domain != AF_UNIX)
		return -EAFNOSUPPORT; /* AF_INET*, AF_NETLINK: with networking */
	if (proto && proto != PF_UNIX)
		return -EPROTONOSUPPORT;
	switch (type) {
	case SOCK_RAW:
		type = SOCK_DGRAM; /* as Linux does for AF_UNIX */
		break;
	case SOCK_STREAM:
	case SOCK_DGRAM:
	case SOCK_SEQPACKET:
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}
	*ret_type = type;
	return 0;
}

static unsigned fflags_of(int type)
{
	return (type & SOCK_NONBLOCK) ? O_NONBLOCK : 0;
}

int64_t sys_socket(struct task *t, const uint64_t a[6])
{
	struct file *f;
	int type, r, fd;

	r = check_socket_args((int)a[0], (int)a[1], (int)a[2], &type);
	if (r < 0)
		return r;
	r = unix_socket(type, fflags_of((int)a[1]), &f);
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
	r = unix_socketpair(type, fflags_of((int)a[1]), unix_task_cred(t), &fa, &fb);
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
	struct usock *s;
	struct unix_addr ad;
	int r;

	SOCK_ARG(t, (int)a[0], f, s);
	r = net_addr_in(t, a[1], (int)a[2], &ad);
	if (r < 0)
		return r;
	if (!(ad.len == SUN_OFF && ad.sa.sun_family == AF_UNIX) && (r = net_addr_valid(&ad)) < 0)
		return r;
	return unix_bind(t, s, &ad);
}

int64_t sys_listen(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = NULL;
	struct usock *s;

	SOCK_ARG(t, (int)a[0], f, s);
	return unix_listen(t, s, (int)a[1]);
}

int64_t sys_connect(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = NULL;
	struct usock *s;
	struct unix_addr ad;
	int r;

	SOCK_ARG(t, (int)a[0], f, s);
	r = net_addr_in(t, a[1], (int)a[2], &ad);
	if (r < 0)
		return r;
	if (unix_type(s) == SOCK_DGRAM) {
		if (ad.len < sizeof(sa_family_t))
			return -EINVAL;
		if (ad.sa.sun_family != AF_UNSPEC && (r = net_addr_valid(&ad)) < 0)
			return r;
	} else if ((r = net_addr_valid(&ad)) < 0) {
		return r;
	}
	return unix_connect(t, s, &ad, net_nonblocking(f));
}

static int64_t do_accept(struct task *t, const uint64_t a[6], int flags)
{
	_cleanup_file_ struct file *f = NULL;
	struct usock *s;
	struct unix_addr peer;
	struct file *nf;
	int r, fd;

	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	SOCK_ARG(t, (int)a[0], f, s);
	r = unix_accept(t, s, (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0, net_nonblocking(f), &nf,
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
	struct usock *s;

	SOCK_ARG(t, (int)a[0], f, s);
	return unix_shutdown(s, (int)a[1]);
}

static int64_t getname(struct task *t, const uint64_t a[6], int peer)
{
	_cleanup_file_ struct file *f = NULL;
	struct usock *s;
	struct unix_addr ad;
	int r;

	SOCK_ARG(t, (int)a[0], f, s);
	r = unix_getname(s, peer, &ad);
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
	struct usock *s;
	uint8_t val[64];
	int len, r;
	socklen_t l;

	SOCK_ARG(t, (int)a[0], f, s);
	if ((int)a[1] != SOL_SOCKET)
		return -EOPNOTSUPP; /* AF_UNIX has no protocol-level options */
	if (task_copy_in(t, a[4], &len, sizeof(len)) != sizeof(len))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	l = (socklen_t)MIN(len, (int)sizeof(val));
	r = unix_getsockopt(s, (int)a[1], (int)a[2], val, &l);
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
	struct usock *s;
	uint8_t val[64];
	int len = (int)a[4];

	SOCK_ARG(t, (int)a[0], f, s);
	if (len < 0)
		return -EINVAL;
	if ((int)a[1] != SOL_SOCKET)
		return -EOPNOTSUPP;
	len = MIN(len, (int)sizeof(val));
	if (len && task_copy_in(t, a[3], val, (size_t)len) != len)
		return -EFAULT;
	return unix_setsockopt(s, (int)a[1], (int)a[2], val, (socklen_t)len);
}


