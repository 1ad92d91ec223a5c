/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Socket data transfer: sendto/recvfrom, sendmsg/recvmsg, sendmmsg/recvmmsg.
 * Copies iovecs, names and control messages between the application and
 * sentry/net/, and installs descriptors received with SCM_RIGHTS.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>

#include "lib/macro.h"
#include "lib/timeutil.h"
#include "sentry/kernel/task.h"
#include "sentry/net/socket.h"
#include "sentry/net/unix.h"
#include "sentry/vfs/fdtable.h"
#include "sentry/vfs/file.h"
#include "syscall_handlers.h"
#include "sys_net.h"

#define CTL_MAX 65536         /* control data per sendmsg (optmem) */
#define STREAM_PIECE 262144   /* stream data gathered per send op */
#define RECV_MAX (1u << 20)   /* bytes one recvmsg moves */

/* Validated iovecs of a msghdr and their total length. */
static int iov_in(struct task *t, uint64_t uiov, uint64_t cnt, struct iovec **ret, size_t *ret_total)
{
	struct iovec *iov;
	size_t total = 0;

	if (cnt > UIO_MAXIOV)
		return -EMSGSIZE;
	iov = calloc(cnt ? cnt : 1, sizeof(*iov));
	if (!iov)
		return -ENOMEM;
	if (cnt && task_copy_in(t, uiov, iov, cnt * sizeof(*iov)) != (ssize_t)(cnt * sizeof(*iov))) {
		free(iov);
		return -EFAULT;
	}
	for (uint64_t i = 0; i < cnt; i++) {
		if ((ssize_t)iov[i].iov_len < 0 || iov[i].iov_len > 0x7ffff000ULL - total) {
			free(iov);
			return -EINVAL;
		}
		total += iov[i].iov_len;
	}
	*ret = iov;
	*ret_total = total;
	return 0;
}

/* Gather @len bytes starting @skip bytes into the iovecs. */
static int gather(struct task *t, const struct iovec *iov, size_t cnt, size_t skip, uint8_t *buf,
		  size_t len)
{
	size_t done = 0;

	for (size_t i = 0; i < cnt && done < len; i++) {
		size_t n;

		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		n = MIN(iov[i].iov_len - skip, len - done);
		if (task_copy_in(t, (uint64_t)iov[i].iov_base + skip, buf + done, n) != (ssize_t)n)
			return -EFAULT;
		done += n;
		skip = 0;
	}
	return 0;
}

static int scatter(struct task *t, const struct iovec *iov, size_t cnt, const uint8_t *buf,
		   size_t len)
{
	size_t done = 0;

	for (size_t i = 0; i < cnt && done < len; i++) {
		size_t n = MIN(iov[i].iov_len, len - done);

		if (n && task_copy_out(t, (uint64_t)iov[i].iov_base, buf + done, n) != (ssize_t)n)
			return -EFAULT;
		done += n;
	}
	return 0;
}

/* __scm_send: SCM_RIGHTS and SCM_CREDENTIALS from the control buffer. */
static int parse_control(struct task *t, const uint8_t *buf, size_t len, struct sock_ctl *ctl)
{
	size_t off = 0;

	while (off + sizeof(struct cmsghdr) <= len) {
		struct cmsghdr h;
		size_t dlen;

		memcpy(&h, buf + off, sizeof(h));
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > len - off)
			return -EINVAL;
		dlen = h.cmsg_len - CMSG_LEN(0);
		if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_RIGHTS) {
			int n = (int)(dlen / sizeof(int));
			struct file **nf;

			if (n > 0) {
				if (ctl->nfiles + n > UNIX_SCM_MAX_FD)
					return -EINVAL;
				nf = realloc(ctl->files, (size_t)(ctl->nfiles + n) * sizeof(*nf));
				if (!nf)
					return -ENOMEM;
				ctl->files = nf;
				for (int i = 0; i < n; i++) {
					int fd;

					memcpy(&fd, buf + off + CMSG_LEN(0) + (size_t)i * sizeof(int),
					       sizeof(fd));
					nf[ctl->nfiles] = fdt_lookup(t->fdt, fd);
					if (!nf[ctl->nfiles])
						return -EBADF;
					ctl->nfiles++;
				}
			}
		} else if (h.cmsg_level == SOL_SOCKET && h.cmsg_type == SCM_CREDENTIALS) {
			struct sock_cred c;
			int root = t->creds.euid == 0;

			if (h.cmsg_len != CMSG_LEN(sizeof(c)))
				return -EINVAL;
			memcpy(&c, buf + off + CMSG_LEN(0), sizeof(c));
			if (!root && c.pid != t->tg->tgid)
				return -EPERM;
			if (!root && c.uid != t->creds.ruid && c.uid != t->creds.euid &&
			    c.uid != t->creds.suid)
				return -EPERM;
			if (!root && c.gid != t->creds.rgid && c.gid != t->creds.egid &&
			    c.gid != t->creds.sgid)
				return -EPERM;
			ctl->cred = c;
			ctl->has_cred = 1;
		} else if (h.cmsg_level == SOL_SOCKET) {
			return -EINVAL;
		}
		off += CMSG_ALIGN(h.cmsg_len);
	}
	return 0;
}

/* The data of one send or receive: Sentry copies of the iovecs. */
struct msg_io {
	struct iovec *iov;
	size_t cnt, total;
};

/* ____sys_sendmsg: @uname/@namelen and @uctl/@ctllen are the
 * application's name and control buffer (0 for none). */
static int64_t do_sendmsg(struct task *t, struct file *f, struct sock *s,
			  const struct msg_io *io, uint64_t uname, int namelen, uint64_t uctl,
			  uint64_t ctllen, int flags)
{
	_cleanup_free_ uint8_t *cbuf = NULL, *buf = NULL;
	struct sock_ctl ctl = { 0 };
	struct sock_addr to, *top = NULL;
	int nonblock = net_nonblocking(f), type = s->type, is_unix = s->family == AF_UNIX;
	size_t done = 0;
	int64_t r;

	if (uname && namelen) {
		r = net_addr_in(t, uname, namelen, &to);
		if (r < 0)
			return r;
		top = &to;
	}
	if (!s->ops->send)
		return -EOPNOTSUPP;
	if (ctllen > INT32_MAX || ctllen > CTL_MAX)
		return -ENOBUFS;
	if (ctllen) {
		cbuf = malloc(ctllen);
		if (!cbuf)
			return -ENOMEM;
		if (task_copy_in(t, uctl, cbuf, ctllen) != (ssize_t)ctllen)
			return -EFAULT;
		r = is_unix ? parse_control(t, cbuf, ctllen, &ctl) : 0;
		if (r < 0)
			goto out;
		if (!is_unix) {
			ctl.raw = cbuf;
			ctl.rawlen = ctllen;
		}
	}
	if (is_unix && !ctl.has_cred) {
		ctl.cred.pid = t->tg->tgid;
		ctl.cred.uid = t->creds.ruid;
		ctl.cred.gid = t->creds.rgid;
		ctl.has_cred = 1;
	}
	if (type != SOCK_STREAM && io->total > UNIX_BUF_MAX) {
		r = -EMSGSIZE;
		goto out;
	}
	buf = malloc(MAX(MIN(io->total, (size_t)(type == SOCK_STREAM ? STREAM_PIECE : UNIX_BUF_MAX)),
			 (size_t)1));
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	do {
		size_t n = type == SOCK_STREAM ? MIN(io->total - done, (size_t)STREAM_PIECE)
					       : io->total;

		r = gather(t, io->iov, io->cnt, done, buf, n);
		if (r == 0)
			r = s->ops->send(t, s, buf, n, flags, nonblock, top, &ctl);
		if (r < 0)
			break;
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	} while (done < io->total);
	if (done)
		r = (int64_t)done;
out:
	sock_ctl_release(&ctl);
	if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
		net_sigpipe(t);
	return r == -ERESTARTSYS && done ? (int64_t)done : r;
}

/* Control output of a receive (put_cmsg / scm_detach_fds). */
struct cmsg_out {
	uint8_t *buf;
	size_t size, pos;
	int flags; /* MSG_CTRUNC */
};

static void put_cmsg(struct cmsg_out *o, int level, int type, const void *data, size_t len)
{
	size_t rem = o->size - o->pos, cmlen = CMSG_LEN(len);
	struct cmsghdr h;

	if (!o->buf || rem < sizeof(h)) {
		o->flags |= MSG_CTRUNC;
		return;
	}
	if (rem < cmlen) {
		o->flags |= MSG_CTRUNC;
		cmlen = rem;
	}
	h.cmsg_len = cmlen;
	h.cmsg_level = level;
	h.cmsg_type = type;
	memcpy(o->buf + o->pos, &h, sizeof(h));
	memcpy(o->buf + o->pos + sizeof(h), data, cmlen - sizeof(h));
	o->pos += MIN(CMSG_SPACE(len), rem);
}

static void put_fds(struct task *t, struct cmsg_out *o, struct sock_ctl *c, int cloexec)
{
	size_t rem = o->size - o->pos;
	int fdmax = rem <= sizeof(struct cmsghdr) ? 0
						   : (int)((rem - sizeof(struct cmsghdr)) / sizeof(int));
	int i;

	if (!o->buf)
		fdmax = 0;
	fdmax = MIN(fdmax, c->nfiles);
	for (i = 0; i < fdmax; i++) {
		int fd = fdt_install_max(t->fdt, 0, c->files[i], cloexec, task_fd_limit(t));

		if (fd < 0)
			break;
		memcpy(o->buf + o->pos + CMSG_LEN(0) + (size_t)i * sizeof(int), &fd, sizeof(fd));
	}
	if (i > 0) {
		struct cmsghdr h = { .cmsg_len = CMSG_LEN((size_t)i * sizeof(int)),
				     .cmsg_level = SOL_SOCKET,
				     .cmsg_type = SCM_RIGHTS };

		memcpy(o->buf + o->pos, &h, sizeof(h));
		o->pos += MIN(CMSG_SPACE((size_t)i * sizeof(int)), rem);
	}
	if (i < c->nfiles)
		o->flags |= MSG_CTRUNC;
}

/* What a receive reports besides the byte count. */
struct recv_out {
	struct sock_addr from;
	size_t ctllen; /* control bytes used */
	int msg_flags;
};

/* ____sys_recvmsg: @uctl/@ctllen as for do_sendmsg. */
static int64_t do_recvmsg(struct task *t, struct file *f, struct sock *s,
			  const struct msg_io *io, uint64_t uctl, uint64_t ctllen, int flags,
			  struct recv_out *out)
{
	_cleanup_free_ uint8_t *buf = NULL;
	_cleanup_free_ uint8_t *cbuf = NULL;
	struct sock_recv_info info;
	struct cmsg_out co = { 0 };
	size_t len = MIN(io->total, (size_t)RECV_MAX), copied;
	ssize_t r;

	memset(out, 0, sizeof(*out));
	if (!s->ops->recv)
		return -EOPNOTSUPP;
	buf = malloc(MAX(len, (size_t)1));
	if (!buf)
		return -ENOMEM;
	ctllen = MIN(ctllen, (uint64_t)CTL_MAX);
	if (uctl && ctllen) {
		cbuf = calloc(1, ctllen);
		if (!cbuf)
			return -ENOMEM;
		co.buf = cbuf;
		co.size = ctllen;
	}
	memset(&info, 0, sizeof(info));
	r = s->ops->recv(t, s, buf, len, flags, net_nonblocking(f), &info);
	if (r < 0) {
		sock_ctl_release(&info.ctl);
		return r;
	}
	copied = info.truncated ? len : (size_t)r;
	if (scatter(t, io->iov, io->cnt, buf, MIN(copied, len)) < 0) {
		sock_ctl_release(&info.ctl);
		return -EFAULT;
	}
	for (int i = 0; i < info.ncmsg && i < SOCK_CMSG_MAX; i++)
		put_cmsg(&co, info.cmsg[i].level, info.cmsg[i].type, info.cmsg[i].data,
			 MIN(info.cmsg[i].len, (unsigned)sizeof(info.cmsg[i].data)));
	if (info.ctl.has_cred)
		put_cmsg(&co, SOL_SOCKET, SCM_CREDENTIALS, &info.ctl.cred, sizeof(info.ctl.cred));
	if (info.ctl.nfiles)
		put_fds(t, &co, &info.ctl, !!(flags & MSG_CMSG_CLOEXEC));
	sock_ctl_release(&info.ctl);
	if (co.pos && task_copy_out(t, uctl, cbuf, co.pos) != (ssize_t)co.pos)
		return -EFAULT;
	out->from = info.from;
	out->ctllen = co.pos;
	out->msg_flags = co.flags | (info.truncated ? MSG_TRUNC : 0);
	return r;
}

int64_t sys_sendto(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = NULL;
	struct sock *s;
	struct iovec iov = { (void *)a[1], MIN(a[2], (uint64_t)INT32_MAX) };
	struct msg_io io = { &iov, 1, iov.iov_len };

	SOCK_ARG(t, (int)a[0], f, s);
	return do_sendmsg(t, f, s, &io, a[4], a[4] ? (int)a[5] : 0, 0, 0, (int)a[3]);
}

int64_t sys_recvfrom(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = NULL;
	struct sock *s;
	struct iovec iov = { (void *)a[1], MIN(a[2], (uint64_t)INT32_MAX) };
	struct msg_io io = { &iov, 1, iov.iov_len };
	struct recv_out out;
	int64_t r;
	int e;

	SOCK_ARG(t, (int)a[0], f, s);
	r = do_recvmsg(t, f, s, &io, 0, 0, (int)a[3], &out);
	if (r >= 0 && a[4] && (e = net_addr_out(t, &out.from, a[4], a[5])) < 0)
		r = e;
	return r;
}

/* The user's msghdr with its iovecs. */
static int msghdr_in(struct task *t, uint64_t umsg, struct msghdr *m, struct msg_io *io)
{
	if (task_copy_in(t, umsg, m, sizeof(*m)) != sizeof(*m))
		return -EFAULT;
	io->cnt = m->msg_iovlen;
	return iov_in(t, (uint64_t)m->msg_iov, m->msg_iovlen, &io->iov, &io->total);
}

static int64_t sendmsg1(struct task *t, struct file *f, struct sock *s, uint64_t umsg,
			int flags)
{
	struct msghdr m;
	struct msg_io io = { 0 };
	int64_t r = msghdr_in(t, umsg, &m, &io);

	if (r < 0)
		return r;
	r = do_sendmsg(t, f, s, &io, (uint64_t)m.msg_name, (int)m.msg_namelen,
		       (uint64_t)m.msg_control, m.msg_controllen, flags);
	free(io.iov);
	return r;
}

static int64_t recvmsg1(struct task *t, struct file *f, struct sock *s, uint64_t umsg,
			int flags)
{
	struct msghdr m;
	struct msg_io io = { 0 };
	struct recv_out out;
	int64_t r = msghdr_in(t, umsg, &m, &io);
	uint64_t cl;
	int fl, e;

	if (r < 0)
		return r;
	r = do_recvmsg(t, f, s, &io, (uint64_t)m.msg_control, m.msg_controllen, flags, &out);
	free(io.iov);
	if (r < 0)
		return r;
	if (m.msg_name) {
		struct sock_addr a = out.from;
		size_t n = MIN((size_t)(int)m.msg_namelen, (size_t)a.len);
		socklen_t nl = a.len;

		if ((int)m.msg_namelen < 0)
			return -EINVAL;
		if (n && task_copy_out(t, (uint64_t)m.msg_name, &a.ss, n) != (ssize_t)n)
			return -EFAULT;
		if (task_copy_out(t, umsg + offsetof(struct msghdr, msg_namelen), &nl,
				  sizeof(nl)) != sizeof(nl))
			return -EFAULT;
	}
	cl = out.ctllen;
	fl = out.msg_flags;
	e = task_copy_out(t, umsg + offsetof(struct msghdr, msg_controllen), &cl, sizeof(cl)) ==
			    sizeof(cl) &&
		    task_copy_out(t, umsg + offsetof(struct msghdr, msg_flags), &fl, sizeof(fl)) ==
			    sizeof(fl)
		? 0
		: -EFAULT;
	return e < 0 ? e : r;
}

int64_t sys_sendmsg(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = NULL;
	struct sock *s;

	SOCK_ARG(t, (int)a[0], f, s);
	return sendmsg1(t, f, s, a[1], (int)a[2]);
}

int64_t sys_recvmsg(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = NULL;
	struct sock *s;

	SOCK_ARG(t, (int)a[0], f, s);
	return recvmsg1(t, f, s, a[1], (int)a[2]);
}

int64_t sys_sendmmsg(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = NULL;
	struct sock *s;
	unsigned vlen = (unsigned)MIN(a[2], (uint64_t)UIO_MAXIOV), i;

	SOCK_ARG(t, (int)a[0], f, s);
	for (i = 0; i < vlen; i++) {
		uint64_t um = a[1] + (uint64_t)i * sizeof(struct mmsghdr);
		int64_t r = sendmsg1(t, f, s, um, (int)a[3]);
		unsigned n = (unsigned)r;

		if (r < 0)
			return i ? (int64_t)i : r;
		if (task_copy_out(t, um + offsetof(struct mmsghdr, msg_len), &n, sizeof(n)) !=
		    sizeof(n))
			return i ? (int64_t)i : -EFAULT;
	}
	return i;
}

/* recvmmsg: like Linux, the timeout is looked at only after each
 * datagram (a call can still block for the next one), and what remains of
 * it is written back. */
int64_t sys_recvmmsg(struct task *t, const uint64_t a[6])
{
	_cleanup_file_ struct file *f = NULL;
	struct sock *s;
	unsigned vlen = (unsigned)MIN(a[2], (uint64_t)UIO_MAXIOV), i;
	int flags = (int)a[3];
	struct timespec ts;
	uint64_t end = 0;

	SOCK_ARG(t, (int)a[0], f, s);
	if (a[4]) {
		if (task_copy_in(t, a[4], &ts, sizeof(ts)) != sizeof(ts))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
			return -EINVAL;
		end = mono_ns() + (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	}
	for (i = 0; i < vlen; i++) {
		uint64_t um = a[1] + (uint64_t)i * sizeof(struct mmsghdr);
		int64_t r = recvmsg1(t, f, s, um, flags & ~MSG_WAITFORONE);
		unsigned n = (unsigned)r;

		if (r < 0) {
			if (i)
				break;
			return r;
		}
		if (task_copy_out(t, um + offsetof(struct mmsghdr, msg_len), &n, sizeof(n)) !=
		    sizeof(n))
			return i ? (int64_t)i : -EFAULT;
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		if (a[4]) {
			uint64_t now = mono_ns(), left = now < end ? end - now : 0;

			ts.tv_sec = (time_t)(left / NSEC_PER_SEC);
			ts.tv_nsec = (long)(left % NSEC_PER_SEC);
			if (!left) {
				i++;
				break;
			}
		}
	}
	if (a[4] && i > 0 && task_copy_out(t, a[4], &ts, sizeof(ts)) != sizeof(ts))
		return -EFAULT;
	return i;
}
